"""The people endpoints: records, the volunteer's practical view, duplicates and consent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.core.time import now
from linkwork.people.models import Person
from linkwork.people.services import POSTCODE_INVALID
from linkwork.support.services import contact_log
from tests.conftest import signed_in
from tests.factories import OPERATOR, make_staff, make_team
from tests.journey_factories import give_consent, make_episode, make_person

JSON = "application/json"
BORN = dt.date(1948, 3, 2)


def post(client: Client, path: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(path, data or {}, content_type=JSON)


def patch(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.patch(path, data, content_type=JSON)


@pytest.fixture
def person(organisation: Organisation) -> Person:
    return make_person(
        organisation=organisation,
        first_name="Margaret",
        last_name="Oduya",
        preferred_name="Maggie",
        phone="07700 900123",
        email="maggie@example.org",
        address="4 Mill Lane",
        postcode="LS1 4AP",
        preferred_contact_method="phone",
        preferred_contact_times="Weekday mornings",
        date_of_birth=BORN,
        disability_and_conditions="Arthritis in both knees",
    )


@pytest.fixture
def assigned(person: Person, connector: User, volunteer: User) -> Person:
    """`person`, with an open episode that `volunteer` is assigned to."""
    make_episode(connector=connector, person=person, volunteers=[volunteer])
    return person


def test_a_connector_adds_reads_updates_and_finds_a_person(connector: User) -> None:
    client = signed_in(connector)
    created = post(
        client,
        "/api/v1/people",
        {"first_name": "Ruth", "last_name": "Adeyemi", "postcode": "ls14ap", "mobility": ["walks"]},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["postcode"] == "LS1 4AP"
    assert body["mobility"] == ["walks"]
    assert body["episodes"] == []
    person_id = body["id"]

    assert client.get(f"/api/v1/people/{person_id}").json()["display_name"] == "Ruth Adeyemi"
    updated = patch(client, f"/api/v1/people/{person_id}", {"preferred_name": "Ru", "phone": "0113 496 0000"})
    assert updated.status_code == 200
    assert updated.json()["display_name"] == "Ru Adeyemi"
    assert updated.json()["last_name"] == "Adeyemi", "fields not sent are kept"

    found = client.get("/api/v1/people", {"search": "adey"}).json()
    assert found["count"] == 1
    assert found["items"][0]["id"] == person_id
    assert client.get("/api/v1/people", {"search": "nobody"}).json()["count"] == 0


def test_opening_a_record_is_audited(connector: User, person: Person) -> None:
    signed_in(connector).get(f"/api/v1/people/{person.pk}")
    assert AuditEvent.objects.filter(event="person.viewed", object_id=str(person.pk)).count() == 1


def test_the_full_record_lists_the_persons_episodes(connector: User, assigned: Person) -> None:
    episodes = signed_in(connector).get(f"/api/v1/people/{assigned.pk}").json()["episodes"]
    assert [e["status"] for e in episodes] == ["active"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"first_name": ""}, "first_name"),
        ({"first_name": "Ann", "gender": "robot"}, "gender"),
        ({"first_name": "Ann", "date_of_birth": "not a date"}, "date_of_birth"),
        ({"first_name": "Ann", "mobility": ["flies"]}, "mobility.0"),
    ],
)
def test_values_of_the_wrong_kind_are_field_errors(connector: User, data: dict[str, Any], field: str) -> None:
    response = post(signed_in(connector), "/api/v1/people", data)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert field in response.json()["error"]["fields"]
    assert not Person.objects.exists()


def test_the_services_checks_come_back_as_field_errors(connector: User, person: Person) -> None:
    client = signed_in(connector)
    response = post(client, "/api/v1/people", {"first_name": "Ann", "postcode": "NOT A POSTCODE"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"postcode": POSTCODE_INVALID}
    response = patch(client, f"/api/v1/people/{person.pk}", {"first_name": None})
    assert response.status_code == 422
    assert "first_name" in response.json()["error"]["fields"]
    person.refresh_from_db()
    assert person.first_name == "Margaret"


def test_likely_duplicates_are_offered_before_a_second_record_is_made(
    connector: User, person: Person
) -> None:
    client = signed_in(connector)
    data = {"first_name": "Margaret", "last_name": "Oduya", "date_of_birth": BORN.isoformat()}
    response = post(client, "/api/v1/people", data)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "POSSIBLE_DUPLICATES"
    assert error["fields"] == {}
    assert error["candidates"] == [
        {"id": person.pk, "display_name": "Maggie Oduya", "reasons": ["same name and date of birth"]}
    ]
    assert Person.objects.count() == 1

    confirmed = post(client, "/api/v1/people", {**data, "confirm_new": True})
    assert confirmed.status_code == 201
    assert Person.objects.count() == 2


def test_duplicates_the_user_may_not_see_are_not_revealed(organisation: Organisation) -> None:
    north, south = make_team(organisation=organisation), make_team(organisation=organisation)
    north_connector = make_staff(organisation=organisation, teams=[north])
    south_connector = make_staff(organisation=organisation, teams=[south])
    hidden = make_person(
        organisation=organisation, first_name="Ivy", last_name="Cole", email="ivy@example.org"
    )
    make_episode(connector=north_connector, person=hidden)  # now held by the north team
    data = {"first_name": "Ivy", "last_name": "Cole", "email": "ivy@example.org"}
    response = post(signed_in(south_connector), "/api/v1/people", data)
    assert response.status_code == 201, "a person the user cannot see is not offered as a duplicate"
    assert response.json()["id"] != hidden.pk


def test_consent_is_recorded_listed_and_withdrawn_once(connector: User, person: Person) -> None:
    client = signed_in(connector)
    recorded = post(
        client,
        f"/api/v1/people/{person.pk}/consents",
        {"purpose": "share-gp-referrer", "agreed": True, "method": "verbal", "note": "On the phone"},
    )
    assert recorded.status_code == 201
    consent = recorded.json()
    assert consent["in_force"] is True
    assert consent["recorded_by_id"] == connector.pk
    listed = client.get(f"/api/v1/people/{person.pk}/consents").json()
    assert [c["purpose"] for c in listed] == ["share-gp-referrer"]

    withdrawn = post(client, f"/api/v1/consents/{consent['id']}/withdraw")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["in_force"] is False
    again = post(client, f"/api/v1/consents/{consent['id']}/withdraw")
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "CONSENT_ALREADY_WITHDRAWN"


def test_a_consent_with_an_unknown_purpose_is_a_field_error(connector: User, person: Person) -> None:
    data = {"purpose": "marketing", "agreed": True, "method": "verbal"}
    response = post(signed_in(connector), f"/api/v1/people/{person.pk}/consents", data)
    assert response.status_code == 422
    assert "purpose" in response.json()["error"]["fields"]


PRACTICAL_KEYS = {
    "id",
    "first_name",
    "preferred_name",
    "pronouns",
    "phone",
    "email",
    "address",
    "postcode",
    "preferred_contact_method",
    "preferred_contact_times",
    "interpreter_needed",
    "main_language",
    "arrangements",
}


class TestVolunteer:
    def test_sees_the_practical_view_of_an_assigned_person_with_the_arrangements(
        self, volunteer: User, assigned: Person
    ) -> None:
        client = signed_in(volunteer)
        episode_id = assigned.episodes.get().pk
        next_time = (now() + dt.timedelta(days=7)).date()
        logged = post(
            client,
            f"/api/v1/episodes/{episode_id}/contacts",
            {
                "occurred_at": now().isoformat(),
                "type": "accompanied",
                "activity": "Knit and natter at the library",
                "next_contact_on": next_time.isoformat(),
            },
        )
        assert logged.status_code == 201, logged.content
        contact_log(
            actor=OPERATOR,
            episode=assigned.episodes.get(),
            occurred_at=now(),
            type="phone",
            notes="Enjoyed it; talked about her late husband",
            next_contact_on=next_time,
        )

        response = client.get(f"/api/v1/people/{assigned.pk}/practical")
        assert response.status_code == 200
        body = response.json()
        assert set(body) == PRACTICAL_KEYS
        assert body["phone"] == "07700 900123"
        assert body["arrangements"] == [
            {
                "episode_id": episode_id,
                "connector": str(assigned.episodes.get().connector),
                "next_contact_on": next_time.isoformat(),
                "activities": ["Knit and natter at the library"],
            }
        ]
        text = response.content.decode()
        assert "Arthritis" not in text and "late husband" not in text and "Oduya" not in text
        assert AuditEvent.objects.filter(event="person.viewed_practical").count() == 1

    def test_cannot_open_the_full_record_or_consents(self, volunteer: User, assigned: Person) -> None:
        client = signed_in(volunteer)
        assert client.get(f"/api/v1/people/{assigned.pk}").status_code == 404
        assert client.get(f"/api/v1/people/{assigned.pk}/consents").status_code == 404
        assert patch(client, f"/api/v1/people/{assigned.pk}", {"phone": "1"}).status_code == 404
        assert client.get("/api/v1/people").json()["count"] == 0

    def test_sees_nothing_of_a_person_not_assigned_to_them(self, volunteer: User, person: Person) -> None:
        assert signed_in(volunteer).get(f"/api/v1/people/{person.pk}/practical").status_code == 404

    def test_cannot_add_people(self, volunteer: User) -> None:
        response = post(signed_in(volunteer), "/api/v1/people", {"first_name": "Ann"})
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "PERMISSION_DENIED"


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ORGANISATION_ADMIN, Role.DIRECTORY_EDITOR])
def test_roles_without_casework_see_no_ones_record(
    organisation: Organisation, assigned: Person, role: Role
) -> None:
    client = signed_in(make_staff(organisation=organisation, roles=[role]))
    assert client.get(f"/api/v1/people/{assigned.pk}").status_code == 404
    assert client.get(f"/api/v1/people/{assigned.pk}/practical").status_code == 404
    assert client.get(f"/api/v1/people/{assigned.pk}/consents").status_code == 404
    assert client.get("/api/v1/people").json()["count"] == 0


def test_another_organisations_staff_find_nothing(other_organisation: Organisation, assigned: Person) -> None:
    consent = give_consent(person=assigned, purpose="support")
    for role in (Role.CONNECTOR, Role.SUPERVISOR, Role.VOLUNTEER):
        client = signed_in(make_staff(organisation=other_organisation, roles=[role]))
        for path in ("", "/practical", "/consents"):
            assert client.get(f"/api/v1/people/{assigned.pk}{path}").status_code == 404, (role, path)
        assert patch(client, f"/api/v1/people/{assigned.pk}", {"phone": "1"}).status_code == 404
        data = {"purpose": "story", "agreed": True, "method": "verbal"}
        assert post(client, f"/api/v1/people/{assigned.pk}/consents", data).status_code == 404
        assert post(client, f"/api/v1/consents/{consent.pk}/withdraw").status_code == 404
        assert client.get("/api/v1/people", {"search": "Oduya"}).json()["count"] == 0
    assigned.refresh_from_db()
    consent.refresh_from_db()
    assert assigned.phone == "07700 900123" and consent.withdrawn_at is None


def test_the_openapi_schema_lists_the_people_endpoints(db: None, client: Client) -> None:
    paths = set(client.get("/api/v1/openapi.json").json()["paths"])
    assert {
        "/api/v1/people",
        "/api/v1/people/{person_id}",
        "/api/v1/people/{person_id}/practical",
        "/api/v1/people/{person_id}/consents",
        "/api/v1/consents/{consent_id}/withdraw",
    } <= paths
