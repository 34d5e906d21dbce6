"""The connection endpoints: make, list, read, move (409 for a move the stage does not allow), the
provider link, the volunteer's practical view, and 404 for everyone outside the case."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from linkwork.matching.connections import connection_create
from linkwork.matching.models.connections import Connection, ProviderLink
from tests.conftest import signed_in
from tests.matching.test_connections import SURNAME, Case, at_stage, build_case

JSON = "application/json"


def post(client: Client, url: str, data: Any = None) -> Any:
    return client.post(url, data if data is not None else {}, content_type=JSON)


@pytest.fixture
def case(db: None) -> Case:
    return build_case()


@pytest.fixture
def connection(case: Case) -> Connection:
    return connection_create(
        actor=case.connector, person=case.person, service=case.service, note="Shy at first"
    )


def test_a_connector_makes_a_connection_from_a_recommendation(case: Case) -> None:
    recommendation = {"score": 0.8, "reasons": ["free", "small group"]}
    response = post(
        signed_in(case.connector),
        f"/api/v1/people/{case.person.pk}/connections",
        {"service_id": str(case.service.pk), "status": "discussed", "from_recommendation": recommendation},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["view"] == "full"
    assert body["status"] == "discussed" and body["service_name"] == "Tuesday Walking Group"
    assert body["from_recommendation"] == recommendation
    assert body["episode_id"] == case.episode.pk
    assert "interested" in body["allowed_actions"]
    assert [move["action"] for move in body["history"]] == ["create"]


def test_bad_input_is_422_and_an_unknown_service_404(case: Case) -> None:
    client = signed_in(case.connector)
    url = f"/api/v1/people/{case.person.pk}/connections"
    response = post(client, url, {"service_id": str(case.service.pk), "status": "attended"})
    assert response.status_code == 422 and "status" in response.json()["error"]["fields"]
    assert post(client, url, {"service_id": "not-a-uuid"}).status_code == 422
    response = post(client, url, {"service_id": "00000000-0000-0000-0000-000000000000"})
    assert response.status_code == 404
    assert not Connection.objects.exists()


def test_listing_and_reading_a_connection(case: Case, connection: Connection) -> None:
    client = signed_in(case.connector)
    listed = client.get(f"/api/v1/people/{case.person.pk}/connections").json()
    assert [item["id"] for item in listed] == [connection.pk]
    assert listed[0]["note"] == "Shy at first"
    one = client.get(f"/api/v1/connections/{connection.pk}").json()
    assert one["next_step"] == "Talk it over with the person"


def test_moving_a_connection_and_a_refused_move_is_409(case: Case, connection: Connection) -> None:
    client = signed_in(case.connector)
    response = post(client, f"/api/v1/connections/{connection.pk}/discuss", {"note": "Went well"})
    assert response.status_code == 200 and response.json()["status"] == "discussed"
    response = post(client, f"/api/v1/connections/{connection.pk}/attended")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "CONNECTION_INVALID_TRANSITION"
    assert post(client, f"/api/v1/connections/{connection.pk}/provider_attended").status_code == 409
    assert post(client, f"/api/v1/connections/{connection.pk}/teleport").status_code == 409
    assert Connection.objects.get(pk=connection.pk).status == "discussed"


def test_a_move_missing_its_reason_is_422(case: Case, connection: Connection) -> None:
    client = signed_in(case.connector)
    response = post(client, f"/api/v1/connections/{connection.pk}/decline", {"reason": ""})
    assert response.status_code == 422 and "reason" in response.json()["error"]["fields"]
    at_stage(connection, "referred")
    response = post(client, f"/api/v1/connections/{connection.pk}/plan_visit", {"visit_on": "2026-12-01"})
    assert response.status_code == 422 and "accompanied_by" in response.json()["error"]["fields"]
    response = post(
        client,
        f"/api/v1/connections/{connection.pk}/plan_visit",
        {"visit_on": "2026-12-01", "accompanied_by": "connector"},
    )
    assert response.status_code == 200
    assert (response.json()["visit_on"], response.json()["accompanied_by"]) == ("2026-12-01", "connector")


def test_another_organisations_connection_is_404(case: Case, connection: Connection) -> None:
    client = signed_in(case.outsider)
    assert client.get(f"/api/v1/connections/{connection.pk}").status_code == 404
    assert client.get(f"/api/v1/people/{case.person.pk}/connections").status_code == 404
    assert post(client, f"/api/v1/connections/{connection.pk}/discuss").status_code == 404
    assert (
        post(client, f"/api/v1/connections/{connection.pk}/provider-link", {"request": "x"}).status_code
        == 404
    )
    response = post(
        client, f"/api/v1/people/{case.person.pk}/connections", {"service_id": str(case.service.pk)}
    )
    assert response.status_code == 404


def test_a_connector_outside_the_case_gets_404(case: Case, connection: Connection) -> None:
    client = signed_in(case.outside_connector)
    assert client.get(f"/api/v1/connections/{connection.pk}").status_code == 404
    assert client.get(f"/api/v1/people/{case.person.pk}/connections").status_code == 404
    assert post(client, f"/api/v1/connections/{connection.pk}/discuss").status_code == 404
    assert Connection.objects.get(pk=connection.pk).status == "suggested"


def test_the_assigned_volunteer_gets_the_practical_view_and_cannot_move(
    case: Case, connection: Connection
) -> None:
    client = signed_in(case.volunteer)
    one = client.get(f"/api/v1/connections/{connection.pk}").json()
    assert one["view"] == "practical"
    assert one["note"] == "" and one["history"] == [] and one["allowed_actions"] == []
    listed = client.get(f"/api/v1/people/{case.person.pk}/connections").json()
    assert [item["view"] for item in listed] == ["practical"]
    assert post(client, f"/api/v1/connections/{connection.pk}/discuss").status_code == 404
    assert signed_in(case.other_volunteer).get(f"/api/v1/connections/{connection.pk}").status_code == 404


def test_making_a_provider_link(case: Case, connection: Connection) -> None:
    client = signed_in(case.connector)
    url = f"/api/v1/connections/{connection.pk}/provider-link"
    response = post(client, url, {"request": "Can Mary join?"})
    assert response.status_code == 409  # still only suggested
    at_stage(connection, "interested")
    response = post(client, url, {"request": "Can Mary join?", "days": 7})
    assert response.status_code == 201
    link_url = response.json()["url"]
    assert "/confirm/" in link_url
    page = Client().get(link_url.replace("http://testserver", ""))
    assert page.status_code == 200 and "Can Mary join?" in page.content.decode()
    assert SURNAME not in page.content.decode()
    link = ProviderLink.objects.get()
    assert link.expires_at - link.created_at == dt.timedelta(days=7)
    assert post(client, url, {"request": "Can Mary join?", "days": 90}).status_code == 422


def test_anonymous_callers_are_refused(connection: Connection) -> None:
    assert Client().get(f"/api/v1/connections/{connection.pk}").status_code == 401
