"""Shortlist pages: adding from the results, the staff page (notes, order, removal, links), the printable
page, making a link, and the person's page behind the link (no surname, no full postcode)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import include, path, reverse

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.core.time import now
from linkwork.directory.models import EntryState, Service
from linkwork.matching import shortlists as services
from linkwork.matching.models import Shortlist, ShortlistItem, ShortlistLink
from linkwork.matching.shortlist_selectors import person_shortlist_summary
from linkwork.people.models import Person
from tests.conftest import signed_in
from tests.directory.factories import make_service
from tests.factories import make_staff
from tests.journey_factories import make_person

# The pages mounted as the lead mounts them (linkwork.web.urls includes linkwork.matching.urls_shortlists).
urlpatterns = [
    path("", include("linkwork.matching.urls_shortlists")),
    path("", include("linkwork.web.urls")),
]
pytestmark = pytest.mark.urls(__name__)

SURNAME = "Quarrendon-Vilkas"
POSTCODE = "W10 5BU"


@pytest.fixture
def person(organisation: Organisation) -> Person:
    return make_person(organisation=organisation, first_name="Maud", last_name=SURNAME, postcode=POSTCODE)


@pytest.fixture
def service(organisation: Organisation) -> Service:
    return make_service(owner=organisation, name="Tuesday knit and natter", newcomers_met=True)


@pytest.fixture
def item(connector: User, person: Person, service: Service) -> ShortlistItem:
    return services.shortlist_add(actor=connector, person=person, service_id=service.pk, note="Ask for Sue")


def _public_url(connector: User, item: ShortlistItem) -> str:
    _, raw = services.shortlist_link_create(actor=connector, shortlist=item.shortlist)
    return reverse("shortlist_public", args=[raw])


# --- Adding ------------------------------------------------------------------------------------------


def test_adding_from_the_results_returns_to_the_results(
    connector: User, person: Person, service: Service
) -> None:
    response = signed_in(connector).post(
        reverse("shortlist_add", args=[person.pk]),
        {"service_id": str(service.pk), "next": f"/people/{person.pk}/?tab=results"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/people/{person.pk}/?tab=results"
    assert ShortlistItem.objects.get().service == service


def test_adding_ignores_a_next_address_on_another_site(
    connector: User, person: Person, service: Service
) -> None:
    response = signed_in(connector).post(
        reverse("shortlist_add", args=[person.pk]),
        {"service_id": str(service.pk), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("shortlist_detail", args=[person.pk])


def test_adding_a_draft_entry_shows_an_error_and_adds_nothing(
    connector: User, person: Person, organisation: Organisation
) -> None:
    draft = make_service(owner=organisation, state=EntryState.DRAFT)
    client = signed_in(connector)
    response = client.post(
        reverse("shortlist_add", args=[person.pk]), {"service_id": str(draft.pk)}, follow=True
    )
    assert services.NOT_PUBLIC in response.content.decode()
    assert not ShortlistItem.objects.exists()


def test_adding_needs_a_post(connector: User, person: Person) -> None:
    assert signed_in(connector).get(reverse("shortlist_add", args=[person.pk])).status_code == 405


def test_signing_in_is_needed(person: Person) -> None:
    response = Client().get(reverse("shortlist_detail", args=[person.pk]))
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


# --- The staff page ------------------------------------------------------------------------------------


def test_the_staff_page_lists_activities_with_notes_and_is_audited(
    connector: User, item: ShortlistItem
) -> None:
    response = signed_in(connector).get(reverse("shortlist_detail", args=[item.shortlist.person_id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tuesday knit and natter" in html
    assert "Ask for Sue" in html
    assert "Make a private link" in html
    assert reverse("shortlist_print", args=[item.shortlist.person_id]) in html
    assert AuditEvent.objects.filter(event="shortlist.viewed", detail__via="staff").count() == 1


def test_the_staff_page_flags_an_entry_that_left_the_directory(connector: User, item: ShortlistItem) -> None:
    Service.objects.filter(pk=item.service_id).update(state=EntryState.ARCHIVED)
    html = (
        signed_in(connector)
        .get(reverse("shortlist_detail", args=[item.shortlist.person_id]))
        .content.decode()
    )
    assert "No longer in the public directory" in html


def test_an_empty_shortlist_page_says_so(connector: User, person: Person) -> None:
    html = signed_in(connector).get(reverse("shortlist_detail", args=[person.pk])).content.decode()
    assert "Nothing on Maud's shortlist yet" in html


def test_the_note_can_be_changed_on_the_page(connector: User, item: ShortlistItem) -> None:
    url = reverse("shortlist_detail", args=[item.shortlist.person_id])
    response = signed_in(connector).post(url, {"action": "note", "item_id": item.pk, "note": "Bring a mug"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.note == "Bring a mug"


def test_a_note_too_long_shows_the_error_and_keeps_the_old_note(connector: User, item: ShortlistItem) -> None:
    url = reverse("shortlist_detail", args=[item.shortlist.person_id])
    response = signed_in(connector).post(
        url, {"action": "note", "item_id": item.pk, "note": "x" * 301}, follow=True
    )
    assert services.NOTE_TOO_LONG in response.content.decode()
    item.refresh_from_db()
    assert item.note == "Ask for Sue"


def test_activities_can_be_reordered_and_removed_on_the_page(
    connector: User, item: ShortlistItem, organisation: Organisation
) -> None:
    second = services.shortlist_add(
        actor=connector, person=item.shortlist.person, service_id=make_service(owner=organisation).pk
    )
    client = signed_in(connector)
    url = reverse("shortlist_detail", args=[item.shortlist.person_id])
    client.post(url, {"action": "up", "item_id": second.pk})
    assert list(ShortlistItem.objects.order_by("position").values_list("pk", flat=True)) == [
        second.pk,
        item.pk,
    ]
    client.post(url, {"action": "remove", "item_id": second.pk})
    assert list(ShortlistItem.objects.values_list("pk", flat=True)) == [item.pk]


@pytest.mark.parametrize(
    "data", [{"action": "explode", "item_id": "1"}, {"action": "remove", "item_id": "x"}]
)
def test_unknown_actions_change_nothing(connector: User, item: ShortlistItem, data: dict[str, str]) -> None:
    response = signed_in(connector).post(reverse("shortlist_detail", args=[item.shortlist.person_id]), data)
    assert response.status_code == 302
    assert ShortlistItem.objects.count() == 1


def test_another_organisations_staff_get_not_found(
    item: ShortlistItem, other_organisation: Organisation
) -> None:
    outsider = signed_in(make_staff(organisation=other_organisation, roles=[Role.CONNECTOR, Role.SUPERVISOR]))
    person_id = item.shortlist.person_id
    assert outsider.get(reverse("shortlist_detail", args=[person_id])).status_code == 404
    assert outsider.get(reverse("shortlist_print", args=[person_id])).status_code == 404
    remove = {"action": "remove", "item_id": item.pk}
    assert outsider.post(reverse("shortlist_detail", args=[person_id]), remove).status_code == 404
    assert outsider.post(reverse("shortlist_link", args=[person_id])).status_code == 404
    extra = make_service(owner=item.shortlist.organisation)
    add = {"service_id": str(extra.pk)}
    assert outsider.post(reverse("shortlist_add", args=[person_id]), add).status_code == 404
    assert ShortlistItem.objects.count() == 1
    assert not ShortlistLink.objects.exists()


def test_a_volunteer_cannot_see_or_change_the_shortlist(volunteer: User, item: ShortlistItem) -> None:
    client = signed_in(volunteer)
    person_id = item.shortlist.person_id
    assert client.get(reverse("shortlist_detail", args=[person_id])).status_code == 404
    assert (
        client.post(
            reverse("shortlist_detail", args=[person_id]), {"action": "remove", "item_id": item.pk}
        ).status_code
        == 404
    )
    assert ShortlistItem.objects.count() == 1


# --- Print and link ------------------------------------------------------------------------------------


def test_the_printable_page_has_first_name_and_activities_but_no_surname_or_postcode(
    connector: User, item: ShortlistItem
) -> None:
    response = signed_in(connector).get(reverse("shortlist_print", args=[item.shortlist.person_id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Activities for Maud" in html
    assert "Tuesday knit and natter" in html
    assert "Ask for Sue" in html
    assert "lw-print-activity" in html and "lw-no-print" in html
    assert SURNAME not in html
    assert POSTCODE not in html and "5BU" not in html
    assert AuditEvent.objects.filter(event="shortlist.viewed", detail__via="print").count() == 1


def test_making_a_link_shows_it_once(connector: User, item: ShortlistItem) -> None:
    client = signed_in(connector)
    response = client.post(reverse("shortlist_link", args=[item.shortlist.person_id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    link = re.search(r'<code id="shortlist-link">([^<]+)</code>', html)
    assert link is not None
    assert "/s/" in link[1]
    assert Client().get(link[1].replace("http://testserver", "")).status_code == 200
    again = client.get(reverse("shortlist_detail", args=[item.shortlist.person_id])).content.decode()
    assert link[1] not in again
    assert "Withdraw" in again


def test_a_link_lifetime_out_of_range_is_refused(connector: User, item: ShortlistItem) -> None:
    response = signed_in(connector).post(
        reverse("shortlist_link", args=[item.shortlist.person_id]), {"days": "500"}, follow=True
    )
    assert services.DAYS_RANGE in response.content.decode()
    assert not ShortlistLink.objects.exists()


def test_no_link_is_made_for_an_empty_shortlist(connector: User, person: Person) -> None:
    response = signed_in(connector).post(reverse("shortlist_link", args=[person.pk]), follow=True)
    assert "Add an activity" in response.content.decode()
    assert not ShortlistLink.objects.exists()


# --- The person's page ------------------------------------------------------------------------------------


def test_the_public_page_shows_the_activities_without_surname_or_full_postcode(
    connector: User, item: ShortlistItem
) -> None:
    response = Client().get(_public_url(connector, item))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Activities for Maud" in html
    assert "Tuesday knit and natter" in html
    assert "Someone meets new people when they arrive." in html
    assert "Tuesdays, 10am to 12pm" in html
    assert "W10 area" in html
    assert SURNAME not in html
    assert SURNAME.lower() not in html.lower()
    assert POSTCODE not in html and "5BU" not in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert "Sign out" not in html
    assert AuditEvent.objects.filter(event="shortlist.viewed", detail__via="link").count() == 1


def test_the_public_page_leaves_out_entries_no_longer_public(
    connector: User, item: ShortlistItem, organisation: Organisation
) -> None:
    closed = make_service(owner=organisation, name="Closed club")
    services.shortlist_add(actor=connector, person=item.shortlist.person, service_id=closed.pk)
    Service.objects.filter(pk=closed.pk).update(state=EntryState.ARCHIVED)
    html = Client().get(_public_url(connector, item)).content.decode()
    assert "Closed club" not in html
    assert "Tuesday knit and natter" in html


def test_an_expired_link_is_not_found(connector: User, item: ShortlistItem) -> None:
    url = _public_url(connector, item)
    ShortlistLink.objects.update(expires_at=now() - dt.timedelta(minutes=1))
    assert Client().get(url).status_code == 404


def test_a_revoked_link_is_not_found(connector: User, item: ShortlistItem) -> None:
    url = _public_url(connector, item)
    link = ShortlistLink.objects.get()
    signed_in(connector).post(
        reverse("shortlist_detail", args=[item.shortlist.person_id]), {"action": "revoke", "link_id": link.pk}
    )
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert Client().get(url).status_code == 404


def test_a_tampered_link_is_not_found(connector: User, item: ShortlistItem) -> None:
    url = _public_url(connector, item)
    token = url.rstrip("/").rsplit("/", 1)[-1]
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert Client().get(reverse("shortlist_public", args=[tampered])).status_code == 404
    assert Client().get(reverse("shortlist_public", args=["nothing"])).status_code == 404


def test_another_organisation_cannot_revoke_a_link(
    connector: User, item: ShortlistItem, other_organisation: Organisation
) -> None:
    url = _public_url(connector, item)
    link = ShortlistLink.objects.get()
    outsider = signed_in(make_staff(organisation=other_organisation, roles=[Role.SUPERVISOR]))
    outsider.post(
        reverse("shortlist_detail", args=[item.shortlist.person_id]), {"action": "revoke", "link_id": link.pk}
    )
    assert Client().get(url).status_code == 200


def test_the_person_page_include_lists_the_shortlist(connector: User, item: ShortlistItem) -> None:
    person = item.shortlist.person
    html = render_to_string(
        "matching/shortlists/_person_shortlist.html",
        {"person": person, "shortlist_names": person_shortlist_summary(actor=connector, person=person)},
    )
    assert "Tuesday knit and natter" in html
    assert reverse("shortlist_detail", args=[person.pk]) in html


def test_the_shortlist_is_per_person(
    connector: User, item: ShortlistItem, organisation: Organisation
) -> None:
    other = make_person(organisation=organisation, first_name="Ida")
    html = signed_in(connector).get(reverse("shortlist_detail", args=[other.pk])).content.decode()
    assert "Tuesday knit and natter" not in html
    assert Shortlist.objects.count() == 1
