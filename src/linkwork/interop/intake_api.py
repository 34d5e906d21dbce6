"""Referrals coming in as FHIR ServiceRequests: POST /api/v1/fhir/ServiceRequest (docs/fhir-intake.md)."""

import json
from typing import Any

from django.http import HttpResponse
from ninja import Router

from linkwork.core.errors import PermissionDenied
from linkwork.interop.intake import (
    IntakeRejected,
    Issue,
    operation_outcome,
    receive_service_request,
    received_outcome,
)
from linkwork.web.http import StaffRequest

router = Router(tags=["FHIR"])

FHIR_JSON = "application/fhir+json"
REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "description": "A FHIR R4 ServiceRequest with a contained Patient, or a Patient named by NHS number.",
    "content": {
        media_type: {"schema": {"type": "object", "description": "A FHIR R4 ServiceRequest resource."}}
        for media_type in (FHIR_JSON, "application/json")
    },
}


def _fhir_response(body: dict[str, Any], status: int) -> HttpResponse:
    return HttpResponse(json.dumps(body), status=status, content_type=f"{FHIR_JSON}; charset=utf-8")


@router.post(
    "/ServiceRequest",
    summary="Send us a referral as a FHIR ServiceRequest",
    description=(
        'Records a referral in "received" for the token\'s organisation. Answers 201 with an '
        "OperationOutcome naming our reference (and Location, the referral in the staff API); 200 when a "
        "ServiceRequest with the same identifier was received before; 400 or 422 with an OperationOutcome "
        "listing every problem, when nothing is recorded."
    ),
    openapi_extra={
        "requestBody": REQUEST_BODY,
        "responses": {
            201: {"description": "Received."},
            200: {"description": "Received before; nothing new recorded."},
            400: {"description": "Not a well-formed ServiceRequest (OperationOutcome)."},
            422: {"description": "A ServiceRequest that breaks linkwork's rules (OperationOutcome)."},
        },
    },
)
def service_request_create(request: StaffRequest) -> HttpResponse:
    try:
        result = receive_service_request(
            actor=request.auth, content_type=request.content_type or "", body=request.body
        )
    except PermissionDenied:
        issue = Issue("forbidden", "Your role may not record referrals.", "ServiceRequest")
        return _fhir_response(operation_outcome([issue]), 403)
    except IntakeRejected as rejected:
        return _fhir_response(operation_outcome(rejected.issues), rejected.status)
    response = _fhir_response(received_outcome(result), 201 if result.created else 200)
    response["Location"] = f"/api/v1/referrals/{result.referral.pk}"
    return response
