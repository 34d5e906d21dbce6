"""Endpoints for gaps: record one for a person, and the grouped gap report (no names).

Recording is casework (404 for a person whose case the actor does not work). The report shows
supervisors and analysts their organisation's gaps, connectors their own, and refuses others (403).
"""

from ninja import Router, Status

from linkwork.core.errors import PermissionDenied
from linkwork.matching import gap_selectors as selectors
from linkwork.matching import gaps as services
from linkwork.matching.gap_schemas import GapIn, GapOut, GapRowOut
from linkwork.web.http import StaffRequest

router = Router(tags=["gaps"])


@router.post(
    "/people/{person_id}/gaps",
    response={201: GapOut},
    summary="Record a gap: nothing suitable within reach for a need",
)
def gap_record(request: StaffRequest, person_id: int, payload: GapIn) -> Status[GapOut]:
    person = selectors.gap_person_get(actor=request.auth, person_id=person_id)
    gap = services.gap_record(
        actor=request.auth, need=payload.need, area=payload.area, barrier=payload.barrier, person=person
    )
    return Status(201, GapOut.of(gap))


@router.get("/gaps", response=list[GapRowOut], summary="Gaps grouped by need, area and barrier (no names)")
def gap_report(request: StaffRequest, need: str = "", area: str = "", barrier: str = "") -> list[GapRowOut]:
    if selectors.gap_report_scope(actor=request.auth) == "none":
        raise PermissionDenied()
    rows = selectors.gap_report(actor=request.auth, need=need, area=area, barrier=barrier)
    return [GapRowOut.of(shown) for shown in selectors.gap_report_shown(actor=request.auth, rows=rows).rows]
