"""Referrals coming in as FHIR ServiceRequests."""

from ninja import Router

router = Router(tags=["FHIR"])
