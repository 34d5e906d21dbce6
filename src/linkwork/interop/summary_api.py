"""The loneliness summary for care plans and the messages back to the GP and referrer."""

from ninja import Router

router = Router(tags=["Care plans and messages"])
