"""FHIR R4 export of a support episode: `GET /episodes/{episode_id}/fhir`.

Whoever may view the episode may export it; anyone else gets 404, as for a missing episode. Every export
is audited (`fhir.exported`). docs/fhir.md describes the Bundle.
"""

import json

from django.http import HttpResponse
from ninja import Router

from linkwork.interop.export import fhir_export_episode
from linkwork.web.http import StaffRequest

router = Router(tags=["FHIR"])

FHIR_JSON = "application/fhir+json"


@router.get(
    "/episodes/{episode_id}/fhir",
    summary="A support episode as a FHIR R4 Bundle",
    description="A Bundle of type `collection`: Patient, ServiceRequest (the referral, SNOMED CT "
    "871731000000106), CarePlan (the episode, its contacts and connections, and the loneliness and social "
    "connection summary), Goal, Questionnaire and QuestionnaireResponse for each questionnaire answered, "
    "Observation for each total score, and Provenance. UK Core profiles are named in `meta.profile` "
    "where they exist. Connectors and supervisors who work the person's case only; audited.",
    openapi_extra={
        "responses": {
            200: {"description": "A FHIR R4 Bundle", "content": {FHIR_JSON: {"schema": {"type": "object"}}}},
            404: {"description": "No such episode, or not one you may see"},
        }
    },
)
def episode_fhir(request: StaffRequest, episode_id: int) -> HttpResponse:
    bundle = fhir_export_episode(actor=request.auth, episode_id=episode_id)
    return HttpResponse(json.dumps(bundle, ensure_ascii=False), content_type=f"{FHIR_JSON}; charset=utf-8")
