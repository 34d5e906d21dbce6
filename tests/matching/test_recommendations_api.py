"""POST /api/v1/people/{id}/recommendations and the recommendations page: results, access, audit."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.core.time import now
from linkwork.matching import index as match_index
from linkwork.people.models import Person
from linkwork.support.services import conversation_record
from tests.conftest import signed_in
from tests.directory.factories import make_service
from tests.factories import OPERATOR, make_staff
from tests.journey_factories import make_episode, make_person

pytestmark = pytest.mark.django_db

FAR = (51.3762, -0.0982)  # Croydon: about 18 km, over an hour by bus


def url(person: Person) -> str:
    return f"/api/v1/people/{person.pk}/recommendations"


@pytest.fixture
def person(connector: User) -> Person:
    assert connector.organisation is not None
    someone = make_person(organisation=connector.organisation, postcode="W10 6AB", last_name="Secretsurname")
    episode = make_episode(connector=connector, person=someone)
    conversation_record(
        actor=OPERATOR,
        episode=episode,
        data={
            "interests_now": ["animals"],
            "barriers": ["cost", "confidence"],
            "travel_limit_minutes": 30,
            "participation_factors": {"confidence": {"rating": "hinders"}},
        },
    )
    return someone


@pytest.fixture
def directory(organisation: Organisation) -> None:
    make_service(owner=organisation, name="City farm", cost_band="free", last_verified_at=now())
    make_service(owner=organisation, name="Falconry", cost_band="paid", atmosphere="busy")
    make_service(owner=organisation, name="Far farm", latitude=FAR[0], longitude=FAR[1])
    match_index.invalidate()


def post(client: Client, person: Person, **body: Any) -> Any:
    return client.post(url(person), body, content_type="application/json")


@pytest.mark.usefixtures("directory")
def test_returns_ranked_results_with_breakdowns_reasons_cautions_and_mode(
    connector: User, person: Person
) -> None:
    response = post(signed_in(connector), person)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["mode"] == "lexical"
    assert data["semantic"] == "not installed"
    assert [r["name"] for r in data["results"]] == ["City farm", "Falconry"]
    assert data["beyond_limit"] == 1
    first = data["results"][0]
    assert [p["name"] for p in first["parts"]] == [
        "interest",
        "practical",
        "cost",
        "social",
        "identity",
        "freshness",
    ]
    assert all(0 <= p["score"] <= 1 and p["explanation"] for p in first["parts"])
    assert "free" in first["reasons"]
    assert "busy venue" in data["results"][1]["cautions"]
    assert data["gap"] == {"need": "animals", "area": "W10", "barrier": "cost"}


@pytest.mark.usefixtures("directory")
def test_options_limit_free_only_max_minutes_and_text(connector: User, person: Person) -> None:
    client = signed_in(connector)
    assert len(post(client, person, limit=1).json()["results"]) == 1
    assert [r["name"] for r in post(client, person, free_only=True).json()["results"]] == ["City farm"]
    wide = post(client, person, max_minutes=300).json()
    assert {r["name"] for r in wide["results"]} == {"City farm", "Falconry", "Far farm"}

    def falconry_interest(**body: Any) -> float:
        found = next(r for r in post(client, person, **body).json()["results"] if r["name"] == "Falconry")
        return float(next(p["score"] for p in found["parts"] if p["name"] == "interest"))

    assert falconry_interest(text="falconry") == 1.0 > falconry_interest()
    beyond = post(client, person, include_beyond_limit=True).json()
    assert any(r["beyond_limit"] for r in beyond["results"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"max_minutes": 0}, "max_minutes"),
        ({"text": "x" * 501}, "text"),
    ],
)
def test_bad_options_are_refused(connector: User, person: Person, body: dict[str, Any], field: str) -> None:
    response = post(signed_in(connector), person, **body)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]


def test_people_outside_the_actors_casework_are_not_found(
    organisation: Organisation, person: Person, volunteer: User, outsider_admin: User
) -> None:
    admin = make_staff(organisation=organisation, roles=[Role.ORGANISATION_ADMIN], username="orgadmin")
    for user in (volunteer, admin, outsider_admin):
        assert post(signed_in(user), person).status_code == 404
    assert post(Client(), person).status_code == 401


def test_supervisor_may_see_recommendations(supervisor: User, person: Person) -> None:
    assert post(signed_in(supervisor), person).status_code == 200


@pytest.mark.usefixtures("directory")
def test_each_view_is_audited_without_personal_values(connector: User, person: Person) -> None:
    post(signed_in(connector), person, text="my neighbour Secretsurname said falconry")
    event = AuditEvent.objects.filter(event="recommendations.viewed").get()
    assert event.object_id == str(person.pk)
    assert event.detail["text_given"] is True
    assert event.detail["mode"] == "lexical"
    assert "Secretsurname" not in str(event.detail) + str(event.values) + str(event.fields)


@pytest.mark.usefixtures("directory")
def test_page_lists_recommendations_with_one_click_actions(connector: User, person: Person) -> None:
    page = signed_in(connector).get(reverse("person_recommendations", args=[person.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "City farm" in html
    assert "Far farm" not in html
    assert reverse("connection_create", args=[person.pk]) in html
    assert reverse("shortlist_add", args=[person.pk]) in html
    assert reverse("gap_record", args=[person.pk]) in html
    assert 'name="status" value="discussed"' in html


@pytest.mark.usefixtures("directory")
def test_page_form_changes_the_search_and_refuses_bad_values(connector: User, person: Person) -> None:
    client = signed_in(connector)
    page = client.get(reverse("person_recommendations", args=[person.pk]), {"max_minutes": "300"})
    assert "Far farm" in page.content.decode()
    bad = client.get(reverse("person_recommendations", args=[person.pk]), {"max_minutes": "0"})
    assert bad.status_code == 422


def test_page_is_not_found_for_volunteers(volunteer: User, person: Person) -> None:
    assert signed_in(volunteer).get(reverse("person_recommendations", args=[person.pk])).status_code == 404


@pytest.mark.usefixtures("directory")
def test_the_one_click_buttons_post_what_the_other_pages_expect(connector: User, person: Person) -> None:
    from linkwork.matching.models import Connection, Gap, ShortlistItem

    client = signed_in(connector)
    found = post(client, person).json()
    service_id, gap = found["results"][0]["service_id"], found["gap"]
    made = client.post(
        reverse("connection_create", args=[person.pk]), {"service_id": service_id, "status": "discussed"}
    )
    assert made.status_code == 302
    assert Connection.objects.get(person=person).status == "discussed"
    added = client.post(reverse("shortlist_add", args=[person.pk]), {"service_id": service_id})
    assert added.status_code == 302
    assert ShortlistItem.objects.filter(service_id=service_id).exists()
    recorded = client.post(reverse("gap_record", args=[person.pk]), gap)
    assert recorded.status_code == 302
    assert Gap.objects.filter(area="W10", barrier="cost").exists()


@pytest.mark.usefixtures("directory")
def test_the_persons_page_shows_the_best_few_with_one_click_actions_and_audits_them(
    connector: User, person: Person
) -> None:
    page = signed_in(connector).get(reverse("person_detail", args=[person.pk]))
    html = page.content.decode()
    assert "Recommended activities" in html
    assert "City farm" in html and "Far farm" not in html
    assert reverse("connection_create", args=[person.pk]) in html
    assert reverse("shortlist_add", args=[person.pk]) in html
    assert f'name="next" value="{reverse("person_detail", args=[person.pk])}"' in html
    assert AuditEvent.objects.filter(event="recommendations.viewed", object_id=str(person.pk)).count() == 1


@pytest.mark.usefixtures("directory")
def test_a_volunteer_cannot_open_the_persons_page_to_get_recommendations(
    volunteer: User, person: Person
) -> None:
    assert signed_in(volunteer).get(reverse("person_detail", args=[person.pk])).status_code == 404
    assert not AuditEvent.objects.filter(event="recommendations.viewed").exists()
