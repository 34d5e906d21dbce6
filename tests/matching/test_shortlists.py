"""Shortlist services and selectors: adding only public entries, notes, order, removal, the private link
(hashed, expiring, revocable), who may do what, auditing, and what the person's page shows."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.core.errors import NotFound, PermissionDenied, ValidationFailed
from linkwork.core.hashing import secret_hash
from linkwork.core.time import local_today, now
from linkwork.directory.models import EntryState, Service
from linkwork.matching import shortlist_selectors as selectors
from linkwork.matching import shortlists as services
from linkwork.matching.models import Shortlist, ShortlistItem, ShortlistLink
from linkwork.people.models import Person
from tests.directory.factories import make_service
from tests.factories import make_staff
from tests.journey_factories import make_person

SURNAME = "Quarrendon-Vilkas"
POSTCODE = "W10 5BU"  # the venues made by make_service are at W10 6AB


@pytest.fixture
def person(organisation: Organisation) -> Person:
    return make_person(organisation=organisation, first_name="Maud", last_name=SURNAME, postcode=POSTCODE)


@pytest.fixture
def service(organisation: Organisation) -> Service:
    return make_service(owner=organisation, name="Tuesday knit and natter")


def _events(code: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event=code).order_by("seq"))


# --- Adding ------------------------------------------------------------------------------------------


def test_the_first_activity_added_starts_the_shortlist(
    connector: User, person: Person, service: Service
) -> None:
    item = services.shortlist_add(actor=connector, person=person, service_id=service.pk, note="Ask for Sue")
    shortlist = Shortlist.objects.get(person=person)
    assert item.shortlist == shortlist
    assert shortlist.organisation_id == person.organisation_id
    assert item.note == "Ask for Sue"
    assert item.position == 0
    assert len(_events("shortlist.created")) == 1
    assert len(_events("shortlist.updated")) == 1


def test_later_activities_go_to_the_end(connector: User, person: Person, organisation: Organisation) -> None:
    first, second = make_service(owner=organisation), make_service(owner=organisation)
    services.shortlist_add(actor=connector, person=person, service_id=first.pk)
    item = services.shortlist_add(actor=connector, person=person, service_id=str(second.pk))
    assert item.position == 1
    assert Shortlist.objects.count() == 1


def test_adding_the_same_activity_twice_keeps_one(connector: User, person: Person, service: Service) -> None:
    first = services.shortlist_add(actor=connector, person=person, service_id=service.pk)
    again = services.shortlist_add(actor=connector, person=person, service_id=service.pk)
    assert again.pk == first.pk
    assert ShortlistItem.objects.count() == 1
    assert len(_events("shortlist.updated")) == 1


@pytest.mark.parametrize(
    "state", [EntryState.DRAFT, EntryState.SUBMITTED, EntryState.ARCHIVED, EntryState.REJECTED]
)
def test_only_public_entries_can_be_added(
    connector: User, person: Person, organisation: Organisation, state: str
) -> None:
    hidden = make_service(owner=organisation, state=state)
    with pytest.raises(ValidationFailed) as caught:
        services.shortlist_add(actor=connector, person=person, service_id=hidden.pk)
    assert "service_id" in caught.value.fields
    assert not Shortlist.objects.exists()


@pytest.mark.parametrize("state", [EntryState.PUBLISHED, EntryState.REVIEW_DUE, EntryState.STALE])
def test_every_public_state_can_be_added(
    connector: User, person: Person, organisation: Organisation, state: str
) -> None:
    entry = make_service(owner=organisation, state=state)
    assert services.shortlist_add(actor=connector, person=person, service_id=entry.pk).service_id == entry.pk


@pytest.mark.parametrize("bad", ["", "not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_a_missing_or_malformed_service_is_refused(connector: User, person: Person, bad: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.shortlist_add(actor=connector, person=person, service_id=bad)
    assert caught.value.fields == {"service_id": services.NOT_PUBLIC}


def test_a_note_over_the_limit_is_refused_and_nothing_is_saved(
    connector: User, person: Person, service: Service
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.shortlist_add(actor=connector, person=person, service_id=service.pk, note="x" * 301)
    assert "note" in caught.value.fields
    assert not Shortlist.objects.exists()


# --- Access ------------------------------------------------------------------------------------------


def test_a_supervisor_who_works_the_case_may_add(supervisor: User, person: Person, service: Service) -> None:
    assert services.shortlist_add(actor=supervisor, person=person, service_id=service.pk).pk


@pytest.mark.parametrize(
    "role", [Role.VOLUNTEER, Role.ANALYST, Role.ORGANISATION_ADMIN, Role.DIRECTORY_EDITOR]
)
def test_roles_without_casework_cannot_start_a_shortlist(
    organisation: Organisation, person: Person, service: Service, role: Role
) -> None:
    actor = make_staff(organisation=organisation, roles=[role])
    with pytest.raises(PermissionDenied):
        services.shortlist_add(actor=actor, person=person, service_id=service.pk)
    assert not Shortlist.objects.exists()


def test_a_volunteer_cannot_change_an_existing_shortlist(
    connector: User, volunteer: User, person: Person, service: Service
) -> None:
    item = services.shortlist_add(actor=connector, person=person, service_id=service.pk)
    with pytest.raises(PermissionDenied):
        services.shortlist_item_remove(actor=volunteer, item=item)
    with pytest.raises(PermissionDenied):
        services.shortlist_item_note(actor=volunteer, item=item, note="changed")
    with pytest.raises(PermissionDenied):
        services.shortlist_link_create(actor=volunteer, shortlist=item.shortlist)
    assert selectors.shortlist_get(actor=volunteer, person=person) is None


def test_another_organisation_cannot_see_or_change_the_shortlist(
    connector: User, other_organisation: Organisation, person: Person, service: Service
) -> None:
    item = services.shortlist_add(actor=connector, person=person, service_id=service.pk)
    outsider = make_staff(organisation=other_organisation, roles=[Role.CONNECTOR, Role.SUPERVISOR])
    with pytest.raises(NotFound):
        selectors.shortlist_person_get(actor=outsider, person_id=person.pk)
    assert selectors.shortlist_get(actor=outsider, person=person) is None
    with pytest.raises(NotFound):
        selectors.shortlist_item_get(actor=outsider, shortlist=item.shortlist, item_id=item.pk)
    with pytest.raises(PermissionDenied):
        services.shortlist_add(actor=outsider, person=person, service_id=service.pk)
    with pytest.raises(PermissionDenied):
        services.shortlist_item_remove(actor=outsider, item=item)
    assert ShortlistItem.objects.count() == 1


# --- Changing ----------------------------------------------------------------------------------------


def test_a_note_can_be_changed_and_the_audit_names_it_without_the_text(
    connector: User, person: Person, service: Service
) -> None:
    item = services.shortlist_add(actor=connector, person=person, service_id=service.pk)
    services.shortlist_item_note(actor=connector, item=item, note="  Sue meets newcomers  ")
    item.refresh_from_db()
    assert item.note == "Sue meets newcomers"
    event = _events("shortlist.updated")[-1]
    assert event.fields == ["note"]
    assert "Sue" not in json.dumps([event.values, event.detail])


def test_removing_takes_the_activity_off(connector: User, person: Person, service: Service) -> None:
    item = services.shortlist_add(actor=connector, person=person, service_id=service.pk)
    services.shortlist_item_remove(actor=connector, item=item)
    assert not ShortlistItem.objects.exists()
    assert _events("shortlist.updated")[-1].detail == {"removed_service": str(service.pk)}


def test_moving_swaps_neighbours_and_stops_at_the_ends(
    connector: User, person: Person, organisation: Organisation
) -> None:
    a, b, c = (make_service(owner=organisation, name=name) for name in ("A", "B", "C"))
    items = [services.shortlist_add(actor=connector, person=person, service_id=s.pk) for s in (a, b, c)]
    services.shortlist_item_move(actor=connector, item=items[2], direction="up")
    services.shortlist_item_move(actor=connector, item=items[0], direction="up")  # already first
    order = [item.service.name for item in selectors.shortlist_items(items[0].shortlist)]
    assert order == ["A", "C", "B"]
    services.shortlist_item_move(actor=connector, item=items[0], direction="down")
    order = [item.service.name for item in selectors.shortlist_items(items[0].shortlist)]
    assert order == ["C", "A", "B"]


def test_moving_needs_up_or_down(connector: User, person: Person, service: Service) -> None:
    item = services.shortlist_add(actor=connector, person=person, service_id=service.pk)
    with pytest.raises(ValidationFailed):
        services.shortlist_item_move(actor=connector, item=item, direction="sideways")


# --- The private link ----------------------------------------------------------------------------------


@pytest.fixture
def shortlist(connector: User, person: Person, service: Service) -> Shortlist:
    return services.shortlist_add(actor=connector, person=person, service_id=service.pk).shortlist


def test_the_link_token_is_stored_only_as_its_hash(connector: User, shortlist: Shortlist) -> None:
    link, raw = services.shortlist_link_create(actor=connector, shortlist=shortlist)
    assert len(raw) >= 40
    assert link.token_hash == secret_hash(raw)
    assert raw not in json.dumps(list(ShortlistLink.objects.values_list("token_hash", flat=True)))
    assert selectors.shortlist_link_open(raw) == link
    event = _events("shortlist.link_created")[-1]
    assert raw not in json.dumps([event.fields, event.values, event.detail])


def test_the_link_lasts_the_configured_days(connector: User, shortlist: Shortlist, settings: Any) -> None:
    settings.LINKWORK_SHORTLIST_LINK_DAYS = 10
    link, _ = services.shortlist_link_create(actor=connector, shortlist=shortlist)
    assert link.expires_at - link.created_at == dt.timedelta(days=10)


def test_an_expired_link_is_not_found(connector: User, shortlist: Shortlist) -> None:
    link, raw = services.shortlist_link_create(actor=connector, shortlist=shortlist)
    ShortlistLink.objects.filter(pk=link.pk).update(expires_at=now() + dt.timedelta(seconds=30))
    assert selectors.shortlist_link_open(raw) == link
    ShortlistLink.objects.filter(pk=link.pk).update(expires_at=now() - dt.timedelta(seconds=1))
    with pytest.raises(NotFound):
        selectors.shortlist_link_open(raw)


def test_the_default_link_lasts_thirty_days(connector: User, shortlist: Shortlist) -> None:
    link, _ = services.shortlist_link_create(actor=connector, shortlist=shortlist)
    assert link.expires_at - link.created_at == dt.timedelta(days=30)


@pytest.mark.parametrize("days", [0, -1, 91])
def test_a_link_lifetime_out_of_range_is_refused(connector: User, shortlist: Shortlist, days: int) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.shortlist_link_create(actor=connector, shortlist=shortlist, days=days)
    assert "days" in caught.value.fields
    assert not ShortlistLink.objects.exists()


def test_a_revoked_link_stops_working_at_once(connector: User, shortlist: Shortlist) -> None:
    link, raw = services.shortlist_link_create(actor=connector, shortlist=shortlist)
    services.shortlist_link_revoke(actor=connector, link=link)
    with pytest.raises(NotFound):
        selectors.shortlist_link_open(raw)
    assert list(selectors.shortlist_links(actor=connector, shortlist=shortlist)) == []


def test_a_tampered_token_is_not_found(connector: User, shortlist: Shortlist) -> None:
    _, raw = services.shortlist_link_create(actor=connector, shortlist=shortlist)
    tampered = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    for bad in (tampered, raw.upper(), raw + "x", "", "x" * 500):
        with pytest.raises(NotFound):
            selectors.shortlist_link_open(bad)


# --- What the person sees ----------------------------------------------------------------------------------


def test_the_person_sees_first_name_and_district_only(connector: User, shortlist: Shortlist) -> None:
    _, raw = services.shortlist_link_create(actor=connector, shortlist=shortlist)
    shown = selectors.public_shortlist(raw, local_today())
    assert shown.first_name == "Maud"
    assert shown.district == "W10"
    text = repr(shown)
    assert SURNAME not in text
    assert POSTCODE not in text
    assert "5BU" not in text
    assert "W10 5" not in text


def test_the_person_sees_how_to_get_there_cost_times_and_first_visit(
    connector: User, person: Person, organisation: Organisation
) -> None:
    entry = make_service(
        owner=organisation,
        name="Riverside walk",
        postcode="W11 1AA",
        latitude=51.515,
        longitude=-0.205,
        weekday="WE",
        newcomers_met=True,
        companion_free=True,
        booking="drop_in",
        near_public_transport=True,
        step_free=True,
        cost_band="free",
    )
    services.shortlist_add(actor=connector, person=person, service_id=entry.pk)
    shortlist = Shortlist.objects.get(person=person)
    (activity,) = selectors.activities(shortlist, local_today(), public_only=True)
    assert activity.venues[0].address_lines[-1] == "W11 1AA"
    assert "walking" in activity.venues[0].journey and "by bus" in activity.venues[0].journey
    assert "Near a bus stop or station." in activity.getting_there
    assert "Step-free access." in activity.getting_there
    assert activity.costs == ["Free"]
    assert activity.when and activity.when[0].startswith("Wednesday")
    assert activity.next_dates and all(line.startswith("Wednesday") for line in activity.next_dates)
    assert "Someone meets new people when they arrive." in activity.first_visit
    assert "You can bring someone with you for free." in activity.first_visit
    assert "Just turn up: no need to book." in activity.first_visit


def test_without_a_postcode_there_are_no_journey_times(connector: User, organisation: Organisation) -> None:
    person = make_person(organisation=organisation, first_name="Ida", postcode="")
    entry = make_service(owner=organisation)
    services.shortlist_add(actor=connector, person=person, service_id=entry.pk)
    (activity,) = selectors.activities(Shortlist.objects.get(person=person), local_today(), public_only=True)
    assert activity.venues[0].journey == ""


def test_an_entry_that_leaves_the_directory_is_left_out_for_the_person_and_flagged_for_staff(
    connector: User, shortlist: Shortlist, organisation: Organisation
) -> None:
    archived = make_service(owner=organisation, name="Closed club")
    services.shortlist_add(actor=connector, person=shortlist.person, service_id=archived.pk)
    Service.objects.filter(pk=archived.pk).update(state=EntryState.ARCHIVED)
    public = selectors.activities(shortlist, local_today(), public_only=True)
    staff = selectors.activities(shortlist, local_today(), public_only=False)
    assert [a.name for a in public] == ["Tuesday knit and natter"]
    closed = next(a for a in staff if a.name == "Closed club")
    assert not closed.is_public
    assert closed.flags == [selectors.NOT_PUBLIC_FLAG]


def test_opening_the_link_and_the_staff_view_are_audited(connector: User, shortlist: Shortlist) -> None:
    _, raw = services.shortlist_link_create(actor=connector, shortlist=shortlist)
    selectors.public_shortlist(raw, local_today())
    selectors.shortlist_get(actor=connector, person=shortlist.person)
    details = [event.detail.get("via") for event in _events("shortlist.viewed")]
    assert details == ["link", "staff"]
    assert all(event.organisation_id == shortlist.organisation_id for event in _events("shortlist.viewed"))
