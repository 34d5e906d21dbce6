"""Recommendations for a person: `POST /api/v1/people/{person_id}/recommendations`.

Casework only: connectors and supervisors who work the person's case; everyone else gets 404.
(No `from __future__ import annotations` here: django-ninja reads the annotations.)
"""

from ninja import Router

from linkwork.matching import selectors
from linkwork.matching.schemas import RecommendationsIn, RecommendationsOut
from linkwork.web.http import StaffRequest

router = Router(tags=["matching"])


@router.post(
    "/people/{person_id}/recommendations",
    response=RecommendationsOut,
    summary="Ranked, explained directory services for a person",
)
def recommendations(request: StaffRequest, person_id: int, payload: RecommendationsIn) -> RecommendationsOut:
    found = selectors.recommendations_for(actor=request.auth, person_id=person_id, **payload.dict())
    return RecommendationsOut.of(found)
