"""Webhook endpoints an organisation admin registers."""

from ninja import Router

router = Router(tags=["Webhooks"])
