"""FHIR R4 export of a support episode."""

from ninja import Router

router = Router(tags=["FHIR"])
