"""The support endpoints: progress, the episode lifecycle, records kept along the way, and who may
see them (volunteers log contacts but read nothing of the casework)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.core.time import now
from linkwork.support.models import Contact, EpisodeStatus, SupportEpisode
from linkwork.support.services import budget_spend, extension_request, goal_create
from tests.conftest import signed_in
from tests.factories import OPERATOR, make_staff
from tests.journey_factories import days_ago, make_episode, make_person, make_programme

JSON = "application/json"


def post(client: Client, path: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(path, data or {}, content_type=JSON)


@pytest.fixture
def episode(organisation: Organisation, connector: User, volunteer: User) -> SupportEpisode:
    programme = make_programme(
        organisation=organisation, max_contacts=10, max_meetups=2, planned_weeks=12, budget_pence=5_000
    )
    return make_episode(
        connector=connector, programme=programme, volunteers=[volunteer], started_on=days_ago(7)
    )


def url(episode: SupportEpisode, tail: str = "") -> str:
    return f"/api/v1/episodes/{episode.pk}{tail}"


def contact(**overrides: Any) -> dict[str, Any]:
    return {
        "occurred_at": now().isoformat(),
        "type": "home-visit",
        "notes": "Talked about the allotment",
    } | overrides


def assert_invalid_transition(response: Any) -> None:
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "SUPPORT_EPISODE_INVALID_TRANSITION"
    assert error["message"] and error["fields"] == {}


def test_an_episode_shows_its_progress_and_ending_risks(connector: User, episode: SupportEpisode) -> None:
    client = signed_in(connector)
    assert post(client, url(episode, "/contacts"), contact()).status_code == 201
    body = client.get(url(episode)).json()
    assert body["status"] == "active"
    assert body["connector"]["id"] == connector.pk
    progress = body["progress"]
    assert progress["contacts_used"] == 1 and progress["contact_allowance"] == 10
    assert progress["weeks_left"] == 11
    assert progress["prompt_ending"] is False
    assert progress["budget_allowance_pence"] == 5_000 and progress["budget_remaining_pence"] == 5_000
    assert body["ending_risks"] == ["no connection is likely to continue after support ends"]


def test_two_thirds_of_the_way_through_the_connector_is_prompted_to_plan_the_ending(
    connector: User, organisation: Organisation
) -> None:
    episode = make_episode(connector=connector, started_on=days_ago(63))  # 9 of 12 weeks
    assert signed_in(connector).get(url(episode)).json()["progress"]["prompt_ending"] is True


def test_the_episode_moves_through_its_lifecycle(connector: User, episode: SupportEpisode) -> None:
    client = signed_in(connector)
    paused = post(client, url(episode, "/pause"), {"reason": "physical-health", "note": "Hip operation"})
    assert paused.json()["status"] == "paused"
    assert_invalid_transition(post(client, url(episode, "/pause"), {"reason": "person-asked"}))
    assert post(client, url(episode, "/resume")).json()["status"] == "active"
    assert_invalid_transition(post(client, url(episode, "/resume")))

    follow_up = (now().date() + dt.timedelta(weeks=12)).isoformat()
    plan = {"continuing_connections": "Walking group on Tuesdays", "follow_up_on": follow_up}
    planned = post(client, url(episode, "/plan-ending"), plan)
    assert planned.json()["status"] == "ending_planned"
    assert planned.json()["ending_risks"] == []
    closed = post(client, url(episode, "/close"), {"outcome": "goals-met"})
    assert closed.json()["status"] == "closed"
    assert closed.json()["follow_up_on"] == follow_up
    assert_invalid_transition(post(client, url(episode, "/close"), {"outcome": "goals-met"}))
    assert_invalid_transition(post(client, url(episode, "/pause"), {"reason": "person-asked"}))
    done = post(client, url(episode, "/follow-up"), {"note": "Still walking every week"})
    assert done.json()["status"] == "followed_up"


def test_lifecycle_inputs_are_checked(connector: User, episode: SupportEpisode) -> None:
    client = signed_in(connector)
    response = post(client, url(episode, "/pause"), {"reason": "holiday"})
    assert response.status_code == 422 and "reason" in response.json()["error"]["fields"]
    response = post(client, url(episode, "/close"), {"outcome": "goals-met", "on": days_ago(30).isoformat()})
    assert response.status_code == 422 and response.json()["error"]["fields"] == {"on": "Check the date."}
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE


def test_a_supervisor_decides_an_extension(
    connector: User, supervisor: User, episode: SupportEpisode
) -> None:
    requested = post(
        signed_in(connector),
        url(episode, "/extensions"),
        {"extra_contacts": 4, "reason": "Needs longer to settle"},
    )
    assert requested.status_code == 201
    decision = f"/api/v1/extensions/{requested.json()['id']}/decision"
    refused = post(signed_in(connector), decision, {"approve": True})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "PERMISSION_DENIED"

    approved = post(signed_in(supervisor), decision, {"approve": True, "note": "Agreed"})
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert approved.json()["decided_by_id"] == supervisor.pk
    assert signed_in(connector).get(url(episode)).json()["contact_allowance"] == 14
    again = post(signed_in(supervisor), decision, {"approve": False})
    assert again.status_code == 400 and again.json()["error"]["code"] == "EXTENSION_DECIDED"


def test_conversations_are_versioned(connector: User, episode: SupportEpisode) -> None:
    client = signed_in(connector)
    first = {
        "what_matters": "Getting back to the allotment",
        "interests_now": ["gardening", "radio plays"],
        "barriers": ["transport"],
        "availability": ["tue-morning"],
        "travel_limit_km": "3.5",
        "participation_factors": {"desire": {"rating": "helps", "note": "Keen"}},
    }
    created = post(client, url(episode, "/conversations"), first)
    assert created.status_code == 201, created.content
    assert created.json()["version"] == 1 and created.json()["travel_limit_km"] == 3.5
    assert post(client, url(episode, "/conversations"), {"what_matters": "Singing"}).json()["version"] == 2
    listed = client.get(url(episode, "/conversations")).json()
    assert [c["version"] for c in listed] == [2, 1]
    assert listed[1]["participation_factors"] == {"desire": {"rating": "helps", "note": "Keen"}}

    bad = post(client, url(episode, "/conversations"), {"barriers": ["dragons"], "availability": ["someday"]})
    assert bad.status_code == 422
    assert set(bad.json()["error"]["fields"]) == {"barriers", "availability"}


def test_goals_are_capped_at_three_and_keep_their_history(connector: User, episode: SupportEpisode) -> None:
    client = signed_in(connector)
    ids = [post(client, url(episode, "/goals"), {"title": f"Goal {n}"}).json()["id"] for n in range(3)]
    fourth = post(client, url(episode, "/goals"), {"title": "One too many"})
    assert fourth.status_code == 400 and fourth.json()["error"]["code"] == "TOO_MANY_GOALS"

    rated = client.patch(f"/api/v1/goals/{ids[0]}", {"progress": 4, "note": "Went twice"}, content_type=JSON)
    assert rated.status_code == 200
    assert rated.json()["status"] == "in-progress"
    assert [h["progress"] for h in rated.json()["history"]] == [None, 4]
    out_of_range = client.patch(f"/api/v1/goals/{ids[0]}", {"progress": 11}, content_type=JSON)
    assert out_of_range.status_code == 422 and "progress" in out_of_range.json()["error"]["fields"]
    assert [g["title"] for g in client.get(url(episode, "/goals")).json()] == ["Goal 0", "Goal 1", "Goal 2"]


def test_contacts_are_logged_listed_and_checked(connector: User, episode: SupportEpisode) -> None:
    client = signed_in(connector)
    logged = post(client, url(episode, "/contacts"), contact(duration_minutes=45))
    assert logged.status_code == 201
    assert logged.json()["counts_against_cap"] is True and logged.json()["staff_id"] == connector.pk
    assert (
        post(client, url(episode, "/contacts"), contact(type="check-in")).json()["counts_against_cap"]
        is False
    )
    listed = client.get(url(episode, "/contacts"), {"limit": 1}).json()
    assert listed["count"] == 2 and len(listed["items"]) == 1

    future = post(
        client, url(episode, "/contacts"), contact(occurred_at=(now() + dt.timedelta(days=1)).isoformat())
    )
    assert future.status_code == 422 and set(future.json()["error"]["fields"]) == {"occurred_at"}
    unknown = post(client, url(episode, "/contacts"), contact(type="carrier-pigeon"))
    assert unknown.status_code == 422 and "type" in unknown.json()["error"]["fields"]


def test_spending_beyond_the_budget_needs_a_supervisor(
    connector: User, supervisor: User, episode: SupportEpisode
) -> None:
    client = signed_in(connector)
    spent = post(client, url(episode, "/budget"), {"amount_pence": 4_000, "purpose": "Bus pass"})
    assert spent.status_code == 201 and spent.json()["approved_by_id"] is None
    over = post(client, url(episode, "/budget"), {"amount_pence": 2_000, "purpose": "Class fees"})
    assert over.status_code == 400 and over.json()["error"]["code"] == "BUDGET_EXCEEDED"
    approved = post(
        signed_in(supervisor), url(episode, "/budget"), {"amount_pence": 2_000, "purpose": "Class fees"}
    )
    assert approved.status_code == 201 and approved.json()["approved_by_id"] == supervisor.pk
    budget = client.get(url(episode, "/budget")).json()
    assert (budget["allowance_pence"], budget["spent_pence"], budget["remaining_pence"]) == (
        5_000,
        6_000,
        -1_000,
    )
    assert [e["purpose"] for e in budget["entries"]] == ["Bus pass", "Class fees"]
    zero = post(client, url(episode, "/budget"), {"amount_pence": 0, "purpose": "Nothing"})
    assert zero.status_code == 422 and set(zero.json()["error"]["fields"]) == {"amount_pence"}


def test_programmes_are_set_up_by_supervisors(connector: User, supervisor: User) -> None:
    data = {"name": "Six months", "max_contacts": 20, "planned_weeks": 26, "budget_pence": 15_000}
    assert post(signed_in(connector), "/api/v1/programmes", data).status_code == 403
    created = post(signed_in(supervisor), "/api/v1/programmes", data)
    assert created.status_code == 201 and created.json()["follow_up_weeks"] == 12
    assert [p["name"] for p in signed_in(connector).get("/api/v1/programmes").json()] == ["Six months"]
    bad = post(signed_in(supervisor), "/api/v1/programmes", data | {"name": "Other", "max_contacts": 0})
    assert bad.status_code == 422 and set(bad.json()["error"]["fields"]) == {"max_contacts"}


def test_the_caseload_lists_the_connectors_people(
    connector: User, volunteer: User, episode: SupportEpisode
) -> None:
    rows = signed_in(connector).get("/api/v1/caseload").json()
    assert [(r["episode_id"], r["stage"]) for r in rows] == [(episode.pk, "Active")]
    assert signed_in(volunteer).get("/api/v1/caseload").json() == []


def test_a_meetup_is_recorded_with_who_came(
    connector: User, episode: SupportEpisode, other_organisation: Organisation
) -> None:
    client = signed_in(connector)
    data = {"held_at": now().isoformat(), "place": "Library café", "episode_ids": [episode.pk]}
    created = post(client, "/api/v1/meetups", data)
    assert created.status_code == 201 and created.json()["episode_ids"] == [episode.pk]
    elsewhere = make_episode(connector=make_staff(organisation=other_organisation))
    response = post(client, "/api/v1/meetups", data | {"episode_ids": [elsewhere.pk]})
    assert response.status_code == 422 and list(response.json()["error"]["fields"]) == ["episode_ids"]


class TestVolunteer:
    def test_logs_a_contact_on_their_episode_but_reads_no_casework(
        self, volunteer: User, episode: SupportEpisode
    ) -> None:
        goal = goal_create(actor=OPERATOR, episode=episode, title="Join the choir")
        client = signed_in(volunteer)
        with_notes = post(client, url(episode, "/contacts"), contact(type="accompanied", activity="Choir"))
        assert with_notes.status_code == 422
        assert "notes" in with_notes.json()["error"]["fields"]
        logged = post(
            client, url(episode, "/contacts"), contact(type="accompanied", activity="Choir", notes="")
        )
        assert logged.status_code == 201 and logged.json()["staff_id"] == volunteer.pk
        for tail in ("", "/contacts", "/conversations", "/goals", "/budget"):
            assert client.get(url(episode, tail)).status_code == 404, tail
        patched = client.patch(f"/api/v1/goals/{goal.pk}", {"progress": 3}, content_type=JSON)
        assert patched.status_code == 404
        assert post(client, url(episode, "/pause"), {"reason": "person-asked"}).status_code == 404
        assert post(client, url(episode, "/goals"), {"title": "Mine"}).status_code == 404

    def test_cannot_log_contacts_for_people_not_assigned_to_them(
        self, volunteer: User, connector: User, organisation: Organisation
    ) -> None:
        other = make_episode(connector=connector, person=make_person(organisation=organisation))
        assert post(signed_in(volunteer), url(other, "/contacts"), contact()).status_code == 404
        assert not Contact.objects.exists()


def test_another_organisations_staff_find_nothing(
    episode: SupportEpisode, other_organisation: Organisation
) -> None:
    goal = goal_create(actor=OPERATOR, episode=episode, title="Join the choir")
    extension = extension_request(
        actor=OPERATOR, episode=episode, new_end_on=None, extra_contacts=2, reason="More"
    )
    budget_spend(actor=OPERATOR, episode=episode, amount_pence=100, purpose="Tea")
    roles = [Role.CONNECTOR, Role.SUPERVISOR, Role.VOLUNTEER, Role.ORGANISATION_ADMIN]
    client = signed_in(make_staff(organisation=other_organisation, roles=roles))
    for tail in ("", "/contacts", "/conversations", "/goals", "/budget"):
        assert client.get(url(episode, tail)).status_code == 404, tail
    writes: list[tuple[str, dict[str, Any]]] = [
        (url(episode, "/pause"), {"reason": "person-asked"}),
        (url(episode, "/resume"), {}),
        (url(episode, "/extensions"), {"extra_contacts": 1, "reason": "x"}),
        (url(episode, "/plan-ending"), {}),
        (url(episode, "/close"), {"outcome": "goals-met"}),
        (url(episode, "/follow-up"), {}),
        (url(episode, "/conversations"), {"what_matters": "x"}),
        (url(episode, "/goals"), {"title": "x"}),
        (url(episode, "/contacts"), contact()),
        (url(episode, "/budget"), {"amount_pence": 1, "purpose": "x"}),
        (f"/api/v1/extensions/{extension.pk}/decision", {"approve": True}),
    ]
    for path, data in writes:
        assert post(client, path, data).status_code == 404, path
    assert client.patch(f"/api/v1/goals/{goal.pk}", {"progress": 3}, content_type=JSON).status_code == 404
    assert client.get("/api/v1/caseload").json() == []
    assert client.get("/api/v1/programmes").json() == []
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE and not episode.contacts.exists()


def test_the_openapi_schema_lists_the_support_endpoints(db: None, client: Client) -> None:
    paths = set(client.get("/api/v1/openapi.json").json()["paths"])
    base = "/api/v1/episodes/{episode_id}"
    expected = {base} | {
        f"{base}/{tail}"
        for tail in ("pause", "resume", "extensions", "plan-ending", "close", "follow-up")
        + ("conversations", "goals", "contacts", "budget")
    }
    expected |= {"/api/v1/extensions/{extension_id}/decision", "/api/v1/goals/{goal_id}"}
    expected |= {"/api/v1/programmes", "/api/v1/caseload", "/api/v1/meetups"}
    assert expected <= paths
