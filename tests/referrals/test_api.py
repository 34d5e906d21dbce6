"""The referral endpoints: intake, contact attempts, decisions, acceptance and outcome letters."""

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
from linkwork.referrals.models import Referral, ReferralStatus
from linkwork.referrals.services import REDIRECTION_REQUIRED
from linkwork.support.models import Programme, SupportEpisode
from tests.conftest import signed_in
from tests.factories import make_staff, make_team
from tests.journey_factories import give_consent, make_person, make_programme, make_referral

JSON = "application/json"


def post(client: Client, path: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(path, data or {}, content_type=JSON)


@pytest.fixture
def person(organisation: Organisation) -> Person:
    return make_person(organisation=organisation, first_name="Margaret", last_name="Oduya")


@pytest.fixture
def referral(person: Person) -> Referral:
    return make_referral(person=person, received_at=now() - dt.timedelta(days=30))


@pytest.fixture
def programme(organisation: Organisation) -> Programme:
    return make_programme(organisation=organisation, name="Twelve weeks", max_contacts=10, planned_weeks=12)


def assert_invalid_transition(response: Any) -> None:
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "REFERRAL_INVALID_TRANSITION"
    assert error["message"] and error["fields"] == {}


def test_a_connector_records_and_lists_a_referral(connector: User, person: Person) -> None:
    client = signed_in(connector)
    created = post(
        client,
        "/api/v1/referrals",
        {"person_id": person.pk, "source": "gp", "referrer_name": "Dr Shah", "urgency": "soon"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "received"
    assert body["reference"].startswith("LW-")
    assert body["person"] == {"id": person.pk, "display_name": "Margaret Oduya"}
    assert body["attempts"] == [] and body["waiting_time_days"] is None

    listed = client.get("/api/v1/referrals", {"status": "received"}).json()
    assert [r["id"] for r in listed["items"]] == [body["id"]]
    assert client.get("/api/v1/referrals", {"status": "accepted"}).json()["count"] == 0
    assert client.get("/api/v1/referrals", {"status": "lost"}).status_code == 422


def test_referral_fields_are_checked(connector: User, person: Person) -> None:
    client = signed_in(connector)
    response = post(client, "/api/v1/referrals", {"person_id": person.pk, "source": "carrier-pigeon"})
    assert response.status_code == 422
    assert "source" in response.json()["error"]["fields"]
    future = (now() + dt.timedelta(days=2)).isoformat()
    response = post(
        client, "/api/v1/referrals", {"person_id": person.pk, "source": "gp", "received_at": future}
    )
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"received_at"}
    assert not Referral.objects.exists()


def test_opening_a_referral_is_audited(connector: User, referral: Referral) -> None:
    response = signed_in(connector).get(f"/api/v1/referrals/{referral.pk}")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(event="referral.viewed", object_id=str(referral.pk)).count() == 1


def test_unanswered_attempts_suggest_closing_and_the_referrer_is_told(
    connector: User, referral: Referral
) -> None:
    client = signed_in(connector)
    for days_ago in (20, 10, 3):
        at = (now() - dt.timedelta(days=days_ago)).isoformat()
        response = post(
            client,
            f"/api/v1/referrals/{referral.pk}/attempts",
            {"method": "phone", "outcome": "no-answer", "at": at},
        )
        assert response.status_code == 201, response.content
        assert response.json()["made_by_id"] == connector.pk
    detail = client.get(f"/api/v1/referrals/{referral.pk}").json()
    assert detail["status"] == "contact_attempted"
    assert len(detail["attempts"]) == 3
    assert detail["suggests_closing"] is True

    closed = post(client, f"/api/v1/referrals/{referral.pk}/unable-to-contact", {"note": "Three tries"})
    assert closed.status_code == 200
    assert closed.json()["status"] == "unable_to_contact"
    messages = client.get(f"/api/v1/referrals/{referral.pk}/outcome-messages").json()
    assert [m["kind"] for m in messages] == ["unable_to_contact"]
    assert closed.json()["outcome_messages"] == messages


def test_an_attempt_with_an_unknown_outcome_is_a_field_error(connector: User, referral: Referral) -> None:
    data = {"method": "phone", "outcome": "shrugged"}
    response = post(signed_in(connector), f"/api/v1/referrals/{referral.pk}/attempts", data)
    assert response.status_code == 422
    assert "outcome" in response.json()["error"]["fields"]


def test_invalid_lifecycle_moves_are_conflicts(connector: User, referral: Referral) -> None:
    client = signed_in(connector)
    # Closing as unreachable needs at least one attempt first.
    assert_invalid_transition(post(client, f"/api/v1/referrals/{referral.pk}/unable-to-contact"))
    assert post(client, f"/api/v1/referrals/{referral.pk}/decline", {"note": "Not now"}).status_code == 200
    assert_invalid_transition(post(client, f"/api/v1/referrals/{referral.pk}/decline"))
    response = post(
        client, f"/api/v1/referrals/{referral.pk}/attempts", {"method": "phone", "outcome": "spoke"}
    )
    assert_invalid_transition(response)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED
    assert not referral.attempts.exists(), "the refused attempt was rolled back"


def test_a_referral_that_is_not_appropriate_is_redirected(connector: User, referral: Referral) -> None:
    client = signed_in(connector)
    path = f"/api/v1/referrals/{referral.pk}/not-appropriate"
    missing_reason = post(client, path, {"redirected_to": "Community mental health team"})
    assert missing_reason.status_code == 422
    assert "reason" in missing_reason.json()["error"]["fields"]
    blank = post(client, path, {"reason": "specialist-mh", "redirected_to": "  "})
    assert blank.status_code == 422
    assert blank.json()["error"]["fields"] == {"redirected_to": REDIRECTION_REQUIRED}

    done = post(client, path, {"reason": "specialist-mh", "redirected_to": "Community mental health team"})
    assert done.status_code == 200
    assert done.json()["status"] == "not_appropriate"
    assert done.json()["outcome_messages"][0]["kind"] == "redirected"


class TestAccept:
    def test_accepting_starts_the_episode(
        self, connector: User, volunteer: User, referral: Referral, programme: Programme
    ) -> None:
        data = {"programme_id": programme.pk, "connector_id": connector.pk, "volunteer_ids": [volunteer.pk]}
        give_consent(person=referral.person, purpose="volunteer-contact")
        response = post(signed_in(connector), f"/api/v1/referrals/{referral.pk}/accept", data)
        assert response.status_code == 201, response.content
        body = response.json()
        episode = SupportEpisode.objects.get()
        assert body["episode"]["id"] == episode.pk
        assert body["episode"]["volunteer_ids"] == [volunteer.pk]
        assert body["episode"]["contact_allowance"] == 10
        assert body["episode"]["planned_end_on"] == (now().date() + dt.timedelta(weeks=12)).isoformat()
        assert body["referral"]["status"] == "accepted"
        assert body["referral"]["episode_id"] == episode.pk
        assert body["referral"]["waiting_time_days"] == 30
        assert [m["kind"] for m in body["referral"]["outcome_messages"]] == ["accepted"]

    def test_accepting_twice_is_a_conflict(
        self, connector: User, referral: Referral, programme: Programme
    ) -> None:
        client = signed_in(connector)
        data = {"programme_id": programme.pk, "connector_id": connector.pk}
        assert post(client, f"/api/v1/referrals/{referral.pk}/accept", data).status_code == 201
        assert_invalid_transition(post(client, f"/api/v1/referrals/{referral.pk}/accept", data))
        assert SupportEpisode.objects.count() == 1

    @pytest.mark.parametrize("field", ["programme_id", "connector_id", "team_id", "volunteer_ids"])
    def test_another_organisations_records_are_field_errors(
        self,
        connector: User,
        referral: Referral,
        programme: Programme,
        other_organisation: Organisation,
        field: str,
    ) -> None:
        data: dict[str, Any] = {"programme_id": programme.pk, "connector_id": connector.pk}
        if field == "programme_id":
            data[field] = make_programme(organisation=other_organisation).pk
        elif field == "connector_id":
            data[field] = make_staff(organisation=other_organisation, roles=[Role.CONNECTOR]).pk
        elif field == "team_id":
            data[field] = make_team(organisation=other_organisation).pk
        else:
            data[field] = [make_staff(organisation=other_organisation, roles=[Role.VOLUNTEER]).pk]
        response = post(signed_in(connector), f"/api/v1/referrals/{referral.pk}/accept", data)
        assert response.status_code == 422
        assert list(response.json()["error"]["fields"]) == [field]
        referral.refresh_from_db()
        assert referral.status == ReferralStatus.RECEIVED
        assert not SupportEpisode.objects.exists()

    def test_the_connector_must_hold_the_connector_role(
        self, connector: User, volunteer: User, referral: Referral, programme: Programme
    ) -> None:
        data = {"programme_id": programme.pk, "connector_id": volunteer.pk, "volunteer_ids": [connector.pk]}
        response = post(signed_in(connector), f"/api/v1/referrals/{referral.pk}/accept", data)
        assert response.status_code == 422
        assert list(response.json()["error"]["fields"]) == ["connector_id"]


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.ANALYST, Role.ORGANISATION_ADMIN])
def test_roles_without_casework_see_no_referrals(
    organisation: Organisation, referral: Referral, role: Role
) -> None:
    client = signed_in(make_staff(organisation=organisation, roles=[role]))
    assert client.get("/api/v1/referrals").json()["count"] == 0
    assert client.get(f"/api/v1/referrals/{referral.pk}").status_code == 404
    assert client.get(f"/api/v1/referrals/{referral.pk}/outcome-messages").status_code == 404
    assert post(client, f"/api/v1/referrals/{referral.pk}/decline").status_code == 404


def test_another_organisations_staff_find_nothing(
    other_organisation: Organisation, person: Person, referral: Referral, programme: Programme
) -> None:
    outsider = make_staff(organisation=other_organisation, roles=[Role.CONNECTOR, Role.SUPERVISOR])
    client = signed_in(outsider)
    assert client.get("/api/v1/referrals").json()["count"] == 0
    assert post(client, "/api/v1/referrals", {"person_id": person.pk, "source": "gp"}).status_code == 404
    base = f"/api/v1/referrals/{referral.pk}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/outcome-messages").status_code == 404
    assert post(client, f"{base}/attempts", {"method": "phone", "outcome": "spoke"}).status_code == 404
    assert post(client, f"{base}/decline").status_code == 404
    assert post(client, f"{base}/unable-to-contact").status_code == 404
    redirect = {"reason": "other", "redirected_to": "Elsewhere"}
    assert post(client, f"{base}/not-appropriate", redirect).status_code == 404
    accept = {"programme_id": programme.pk, "connector_id": outsider.pk}
    assert post(client, f"{base}/accept", accept).status_code == 404
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED and not referral.attempts.exists()


def test_the_openapi_schema_lists_the_referral_endpoints(db: None, client: Client) -> None:
    paths = set(client.get("/api/v1/openapi.json").json()["paths"])
    base = "/api/v1/referrals/{referral_id}"
    assert {
        "/api/v1/referrals",
        base,
        f"{base}/attempts",
        f"{base}/decline",
        f"{base}/unable-to-contact",
        f"{base}/not-appropriate",
        f"{base}/accept",
        f"{base}/outcome-messages",
    } <= paths
