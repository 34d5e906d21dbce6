"""The shortlist and gap endpoints: read, add, remove, make a link; record a gap and read the grouped
report. Mounted here on a test API with the staff API's error handlers, as linkwork.api mounts them."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import Client
from django.urls import include, path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from linkwork import api as staff_api
from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.core.errors import DomainError
from linkwork.directory.models import EntryState, Service
from linkwork.matching import shortlists as services
from linkwork.matching.gaps_api import router as gaps_router
from linkwork.matching.models import Gap, ShortlistItem, ShortlistLink
from linkwork.matching.shortlists_api import router as shortlists_router
from linkwork.people.models import Person
from tests.conftest import signed_in
from tests.directory.factories import make_service
from tests.factories import make_staff
from tests.journey_factories import make_person

api = NinjaAPI(auth=[django_auth], urls_namespace="matching-m3-test-api")
api.add_router("/", shortlists_router)
api.add_router("/", gaps_router)
api.exception_handler(DomainError)(staff_api.domain_error)
api.exception_handler(NinjaValidationError)(staff_api.validation_error)
api.exception_handler(AuthenticationError)(staff_api.authentication_error)
api.exception_handler(Http404)(staff_api.not_found)

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("linkwork.matching.urls_shortlists")),
    path("", include("linkwork.web.urls")),
]
pytestmark = pytest.mark.urls(__name__)

SURNAME = "Quarrendon-Vilkas"


@pytest.fixture
def person(organisation: Organisation) -> Person:
    return make_person(organisation=organisation, first_name="Maud", last_name=SURNAME, postcode="W10 5BU")


@pytest.fixture
def service(organisation: Organisation) -> Service:
    return make_service(owner=organisation, name="Tuesday knit and natter")


def _url(person: Person, rest: str = "shortlist") -> str:
    return f"/api/v1/people/{person.pk}/{rest}"


def test_an_empty_shortlist_reads_as_empty(connector: User, person: Person) -> None:
    body = signed_in(connector).get(_url(person)).json()
    assert body == {
        "person_id": person.pk,
        "shortlist_id": None,
        "updated_at": None,
        "items": [],
        "links": [],
    }


def test_adding_reading_and_removing(connector: User, person: Person, service: Service) -> None:
    client = signed_in(connector)
    added = client.post(
        _url(person), {"service_id": str(service.pk), "note": "Ask for Sue"}, content_type="application/json"
    )
    assert added.status_code == 201
    item = added.json()
    assert (item["name"], item["note"], item["is_public"], item["flags"]) == (
        "Tuesday knit and natter",
        "Ask for Sue",
        True,
        [],
    )
    body = client.get(_url(person)).json()
    assert [row["id"] for row in body["items"]] == [item["id"]]
    assert AuditEvent.objects.filter(event="shortlist.viewed").count() == 1
    removed = client.delete(_url(person, f"shortlist/items/{item['id']}"))
    assert removed.status_code == 204
    assert not ShortlistItem.objects.exists()


def test_an_entry_that_left_the_directory_is_flagged(
    connector: User, person: Person, service: Service
) -> None:
    services.shortlist_add(actor=connector, person=person, service_id=service.pk)
    Service.objects.filter(pk=service.pk).update(state=EntryState.ARCHIVED)
    (item,) = signed_in(connector).get(_url(person)).json()["items"]
    assert item["is_public"] is False
    assert item["flags"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"service_id": "nope"}, "service_id"), ({}, "service_id"), ({"service_id": "x", "note": 5}, "note")],
)
def test_bad_input_is_a_422_naming_the_field(
    connector: User, person: Person, payload: dict[str, object], field: str
) -> None:
    response = signed_in(connector).post(_url(person), payload, content_type="application/json")
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert not ShortlistItem.objects.exists()


def test_a_draft_entry_is_a_422(connector: User, person: Person, organisation: Organisation) -> None:
    draft = make_service(owner=organisation, state=EntryState.DRAFT)
    response = signed_in(connector).post(
        _url(person), {"service_id": str(draft.pk)}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"service_id": services.NOT_PUBLIC}


def test_making_a_link_returns_the_url_once(connector: User, person: Person, service: Service) -> None:
    services.shortlist_add(actor=connector, person=person, service_id=service.pk)
    client = signed_in(connector)
    response = client.post(_url(person, "shortlist/link"), {"days": 7}, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert "/s/" in body["url"]
    page = Client().get(body["url"].replace("http://testserver", ""))
    assert page.status_code == 200
    assert SURNAME not in page.content.decode()
    links = client.get(_url(person)).json()["links"]
    assert [link["id"] for link in links] == [body["id"]]
    assert "url" not in links[0]


@pytest.mark.parametrize("body", [{}, {"days": None}])
def test_a_link_without_days_uses_the_default_lifetime(
    connector: User, person: Person, service: Service, body: object
) -> None:
    services.shortlist_add(actor=connector, person=person, service_id=service.pk)
    response = signed_in(connector).post(
        _url(person, "shortlist/link"), body, content_type="application/json"
    )
    assert response.status_code == 201
    link = ShortlistLink.objects.get()
    assert (link.expires_at - link.created_at).days == 30


@pytest.mark.parametrize("days", [0, 91, "soon"])
def test_a_bad_link_lifetime_is_a_422(
    connector: User, person: Person, service: Service, days: object
) -> None:
    services.shortlist_add(actor=connector, person=person, service_id=service.pk)
    response = signed_in(connector).post(
        _url(person, "shortlist/link"), {"days": days}, content_type="application/json"
    )
    assert response.status_code == 422
    assert not ShortlistLink.objects.exists()


def test_a_link_for_a_person_with_no_shortlist_is_not_found(connector: User, person: Person) -> None:
    assert (
        signed_in(connector)
        .post(_url(person, "shortlist/link"), {}, content_type="application/json")
        .status_code
        == 404
    )


def test_another_organisation_gets_404_everywhere(
    connector: User, person: Person, service: Service, other_organisation: Organisation
) -> None:
    item = services.shortlist_add(actor=connector, person=person, service_id=service.pk)
    outsider = signed_in(make_staff(organisation=other_organisation, roles=[Role.CONNECTOR, Role.SUPERVISOR]))
    assert outsider.get(_url(person)).status_code == 404
    added = outsider.post(_url(person), {"service_id": str(service.pk)}, content_type="application/json")
    assert added.status_code == 404
    assert outsider.delete(_url(person, f"shortlist/items/{item.pk}")).status_code == 404
    assert (
        outsider.post(_url(person, "shortlist/link"), {}, content_type="application/json").status_code == 404
    )
    assert (
        outsider.post(_url(person, "gaps"), {"need": "Chess"}, content_type="application/json").status_code
        == 404
    )
    assert ShortlistItem.objects.count() == 1
    assert not ShortlistLink.objects.exists()
    assert not Gap.objects.exists()


def test_a_volunteer_cannot_read_or_change_the_shortlist(
    connector: User, volunteer: User, person: Person, service: Service
) -> None:
    item = services.shortlist_add(actor=connector, person=person, service_id=service.pk)
    client = signed_in(volunteer)
    assert client.get(_url(person)).status_code == 404
    assert client.delete(_url(person, f"shortlist/items/{item.pk}")).status_code == 404
    assert ShortlistItem.objects.count() == 1


def test_signing_in_is_needed(person: Person) -> None:
    assert Client().get(_url(person)).status_code == 401


# --- Gaps ----------------------------------------------------------------------------------------------


def test_recording_a_gap(connector: User, person: Person) -> None:
    response = signed_in(connector).post(
        _url(person, "gaps"),
        {"need": "Swimming", "area": "W10 5BU", "barrier": "cost"},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["need"], body["area"], body["barrier"]) == ("Swimming", "W10", "cost")


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"need": ""}, "need"), ({"need": "Chess", "barrier": "money"}, "barrier"), ({"area": "W10"}, "need")],
)
def test_a_bad_gap_is_a_422(connector: User, person: Person, payload: dict[str, str], field: str) -> None:
    response = signed_in(connector).post(_url(person, "gaps"), payload, content_type="application/json")
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert not Gap.objects.exists()


def test_the_gap_report_is_grouped_and_names_no_one(
    connector: User, supervisor: User, person: Person
) -> None:
    client = signed_in(connector)
    for need in ("Swimming", "swimming", "Falconry"):
        client.post(_url(person, "gaps"), {"need": need, "area": "W10"}, content_type="application/json")
    rows = signed_in(supervisor).get("/api/v1/gaps").json()
    assert [(row["need"], row["area"], row["count"]) for row in rows] == [
        ("swimming", "W10", 2),
        ("falconry", "W10", 1),
    ]
    assert set(rows[0]) == {"need", "area", "barrier", "count", "count_shown", "latest"}
    assert rows[0]["count_shown"] == "2"
    assert "Maud" not in str(rows)


def test_an_analyst_gets_small_gap_counts_from_the_api_only_as_below_the_threshold(
    organisation: Organisation, connector: User, person: Person
) -> None:
    client = signed_in(connector)
    for _ in range(6):
        client.post(
            _url(person, "gaps"), {"need": "Swimming", "area": "W10"}, content_type="application/json"
        )
    client.post(_url(person, "gaps"), {"need": "Falconry", "area": "W10"}, content_type="application/json")
    analyst = make_staff(organisation=organisation, roles=[Role.ANALYST])
    rows = signed_in(analyst).get("/api/v1/gaps").json()
    assert [(row["need"], row["count"], row["count_shown"]) for row in rows] == [
        ("swimming", 6, "6"),
        ("falconry", None, "<5"),
    ]


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.ORGANISATION_ADMIN])
def test_the_gap_report_is_refused_to_other_roles(organisation: Organisation, role: Role) -> None:
    actor = make_staff(organisation=organisation, roles=[role])
    assert signed_in(actor).get("/api/v1/gaps").status_code == 403
