"""Endpoints for a person's shortlist: read it, add an activity, take one off, make a private link.

Shortlists are casework: anyone who does not work the person's case gets 404.
"""

from django.urls import reverse
from ninja import Router, Status

from linkwork.matching import shortlist_selectors as selectors
from linkwork.matching import shortlists as services
from linkwork.matching.shortlist_schemas import (
    ShortlistAddIn,
    ShortlistItemOut,
    ShortlistLinkIn,
    ShortlistLinkMadeOut,
    ShortlistLinkOut,
    ShortlistOut,
)
from linkwork.web.http import StaffRequest

router = Router(tags=["shortlists"])


@router.get("/people/{person_id}/shortlist", response=ShortlistOut, summary="A person's shortlist")
def shortlist_get(request: StaffRequest, person_id: int) -> ShortlistOut:
    person = selectors.shortlist_person_get(actor=request.auth, person_id=person_id)
    shortlist = selectors.shortlist_get(actor=request.auth, person=person, via="api")
    if shortlist is None:
        return ShortlistOut(person_id=person.pk, shortlist_id=None, updated_at=None, items=[], links=[])
    return ShortlistOut(
        person_id=person.pk,
        shortlist_id=shortlist.pk,
        updated_at=shortlist.updated_at,
        items=[ShortlistItemOut.of(item) for item in selectors.shortlist_items(shortlist)],
        links=[
            ShortlistLinkOut.of(link)
            for link in selectors.shortlist_links(actor=request.auth, shortlist=shortlist)
        ],
    )


@router.post(
    "/people/{person_id}/shortlist",
    response={201: ShortlistItemOut},
    summary="Add a published activity to the person's shortlist (started if need be)",
)
def shortlist_add(request: StaffRequest, person_id: int, payload: ShortlistAddIn) -> Status[ShortlistItemOut]:
    person = selectors.shortlist_person_get(actor=request.auth, person_id=person_id)
    item = services.shortlist_add(
        actor=request.auth, person=person, service_id=payload.service_id, note=payload.note
    )
    return Status(201, ShortlistItemOut.of(item))


@router.delete(
    "/people/{person_id}/shortlist/items/{item_id}", response={204: None}, summary="Take an activity off"
)
def shortlist_item_remove(request: StaffRequest, person_id: int, item_id: int) -> Status[None]:
    person = selectors.shortlist_person_get(actor=request.auth, person_id=person_id)
    shortlist = selectors.shortlist_required(actor=request.auth, person=person)
    item = selectors.shortlist_item_get(actor=request.auth, shortlist=shortlist, item_id=item_id)
    services.shortlist_item_remove(actor=request.auth, item=item)
    return Status(204, None)


@router.post(
    "/people/{person_id}/shortlist/link",
    response={201: ShortlistLinkMadeOut},
    summary="Make a private link for the person (no sign-in, expiring; shown only in this answer)",
    description='Send `{}` for the default lifetime, or `{"days": 7}`.',
)
def shortlist_link(
    request: StaffRequest, person_id: int, payload: ShortlistLinkIn
) -> Status[ShortlistLinkMadeOut]:
    person = selectors.shortlist_person_get(actor=request.auth, person_id=person_id)
    shortlist = selectors.shortlist_required(actor=request.auth, person=person)
    link, raw = services.shortlist_link_create(actor=request.auth, shortlist=shortlist, days=payload.days)
    url = request.build_absolute_uri(reverse("shortlist_public", args=[raw]))
    return Status(
        201, ShortlistLinkMadeOut(id=link.pk, created_at=link.created_at, expires_at=link.expires_at, url=url)
    )
