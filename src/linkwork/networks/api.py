"""Endpoints for a person's network map: the map now or as saved, its entries, completion, sharing
with volunteers, the comparison of the baseline with the end (or now), and the ecomap as SVG.

The map is casework: volunteers see it (without notes) only when it is shared with them and they
are assigned to the person's open support; everyone else gets 404.
"""

from django.http import HttpResponse
from ninja import Router, Status

from linkwork.core.policies import Action
from linkwork.networks import selectors, services
from linkwork.networks.ecomap import ecomap_png, ecomap_svg
from linkwork.networks.schemas import ComparisonOut, EntryIn, EntryOut, EntryUpdateIn, MapOut, SharingIn
from linkwork.web.http import StaffRequest

router = Router(tags=["networks"])


def _map_out(request: StaffRequest, person_id: int) -> MapOut:
    return MapOut.build(selectors.map_view(actor=request.auth, person_id=person_id))


@router.get("/people/{person_id}/network-map", response=MapOut, summary="A person's network map")
def map_get(request: StaffRequest, person_id: int, snapshot: str = selectors.CURRENT) -> MapOut:
    return MapOut.build(selectors.map_view(actor=request.auth, person_id=person_id, snapshot=snapshot))


@router.post(
    "/people/{person_id}/network-map/entries", response={201: EntryOut}, summary="Add an entry to the map"
)
def entry_add(request: StaffRequest, person_id: int, payload: EntryIn) -> Status[EntryOut]:
    network_map = selectors.map_get(actor=request.auth, person_id=person_id, action=Action.UPDATE)
    entry = services.entry_add(actor=request.auth, person=network_map.person, **payload.dict())
    return Status(201, EntryOut.of(entry))


@router.patch("/network-entries/{entry_id}", response=EntryOut, summary="Edit an entry or move it to a ring")
def entry_update(request: StaffRequest, entry_id: int, payload: EntryUpdateIn) -> EntryOut:
    entry = selectors.entry_get(actor=request.auth, entry_id=entry_id)
    changes = {
        name: "" if value is None else value for name, value in payload.dict(exclude_unset=True).items()
    }
    return EntryOut.of(services.entry_update(actor=request.auth, entry=entry, **changes))


@router.delete("/network-entries/{entry_id}", response={204: None}, summary="Take an entry off the map")
def entry_remove(request: StaffRequest, entry_id: int) -> Status[None]:
    entry = selectors.entry_get(actor=request.auth, entry_id=entry_id, action=Action.DELETE)
    services.entry_remove(actor=request.auth, entry=entry)
    return Status(204, None)


@router.get(
    "/people/{person_id}/network-map/comparison",
    response=ComparisonOut,
    summary="The baseline compared with the end map, or with the map now while support is open",
)
def map_comparison(request: StaffRequest, person_id: int) -> ComparisonOut:
    return ComparisonOut.build(selectors.map_comparison(actor=request.auth, person_id=person_id))


@router.post(
    "/people/{person_id}/network-map/complete",
    response=MapOut,
    summary="Mark the map complete; the first time saves the baseline",
)
def map_complete(request: StaffRequest, person_id: int) -> MapOut:
    network_map = selectors.map_get(actor=request.auth, person_id=person_id, action=Action.UPDATE)
    services.map_mark_complete(actor=request.auth, person=network_map.person)
    return _map_out(request, person_id)


@router.put(
    "/people/{person_id}/network-map/sharing",
    response=MapOut,
    summary="Share the map with the volunteers assigned to the person's open support, or stop",
)
def map_share(request: StaffRequest, person_id: int, payload: SharingIn) -> MapOut:
    network_map = selectors.map_get(actor=request.auth, person_id=person_id, action=Action.UPDATE)
    services.map_share_with_volunteers(
        actor=request.auth, person=network_map.person, shared=payload.shared_with_volunteers
    )
    return _map_out(request, person_id)


@router.get(
    "/people/{person_id}/network-map.svg",
    response={200: None},
    summary="The ecomap as SVG: the baseline beside the end map or the map now, or one `snapshot`",
)
def map_svg(request: StaffRequest, person_id: int, snapshot: str | None = None) -> HttpResponse:
    drawn = selectors.map_panels(actor=request.auth, person_id=person_id, snapshot=snapshot)
    svg = ecomap_svg(
        centre_label=drawn.centre_label,
        forbidden_words=drawn.forbidden_words,
        panels=selectors.ecomap_panels(drawn),
    )
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


@router.get("/people/{person_id}/network-map.png", response={200: None}, summary="The ecomap as PNG")
def map_png(request: StaffRequest, person_id: int, snapshot: str | None = None) -> HttpResponse:
    drawn = selectors.map_panels(actor=request.auth, person_id=person_id, snapshot=snapshot)
    png = ecomap_png(
        centre_label=drawn.centre_label,
        forbidden_words=drawn.forbidden_words,
        panels=selectors.ecomap_panels(drawn),
    )
    return HttpResponse(png, content_type="image/png")
