"""The outcomes endpoints: instrument definitions and scoring (the same JSON as `linkwork score`), measures
stored in an episode, safeguarding alerts until actioned, stories, schedules, and who may see them."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from linkwork.accounts.models import Organisation, Team, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.outcomes.models import Measure, MeasureSchedule, SafeguardingAlert, Story
from linkwork.outcomes.services import measure_record, story_create
from linkwork.people.models import Person
from linkwork.support.models import Programme, SupportEpisode
from tests.conftest import signed_in
from tests.factories import OPERATOR, make_staff, make_team
from tests.journey_factories import days_ago, give_consent, make_episode, make_person, make_programme
from tests.outcomes.facts import CODES, SCORES, answers_totalling

JSON = "application/json"
PHQ9_SELF_HARM = ["Not at all"] * 8 + ["Several days"]


def post(client: Client, path: str, data: Any = None) -> Any:
    return client.post(path, data if data is not None else {}, content_type=JSON)


def put(client: Client, path: str, data: Any) -> Any:
    return client.put(path, data, content_type=JSON)


def url(episode: SupportEpisode, tail: str = "") -> str:
    return f"/api/v1/episodes/{episode.pk}{tail}"


def score_command(code: str, *answers: str) -> dict[str, Any]:
    out = StringIO()
    call_command("score", code, *answers, stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


@pytest.fixture
def north(organisation: Organisation) -> Team:
    return make_team(organisation=organisation, name="North")


@pytest.fixture
def connector(organisation: Organisation, north: Team) -> User:
    return make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[north], username="connector")


@pytest.fixture
def supervisor(organisation: Organisation, north: Team) -> User:
    return make_staff(
        organisation=organisation, roles=[Role.SUPERVISOR], teams=[north], username="supervisor"
    )


@pytest.fixture
def outsider(other_organisation: Organisation) -> User:
    return make_staff(organisation=other_organisation, roles=[Role.CONNECTOR, Role.SUPERVISOR])


@pytest.fixture
def person(organisation: Organisation) -> Person:
    return make_person(
        organisation=organisation,
        first_name="Margaret",
        last_name="Oduya",
        address="4 Mill Lane",
        postcode="LS1 4AP",
    )


@pytest.fixture
def programme(organisation: Organisation) -> Programme:
    return make_programme(organisation=organisation, name="Twelve weeks")


@pytest.fixture
def episode(connector: User, volunteer: User, person: Person, programme: Programme) -> SupportEpisode:
    return make_episode(
        connector=connector,
        person=person,
        programme=programme,
        volunteers=[volunteer],
        started_on=days_ago(20),
    )


# Definitions and scoring ------------------------------------------------------------------------------


def test_instruments_are_listed_for_any_signed_in_staff(volunteer: User, client: Client) -> None:
    assert client.get("/api/v1/instruments").status_code == 401
    body = signed_in(volunteer).get("/api/v1/instruments").json()
    assert [row["code"] for row in body] == CODES
    by_code = {row["code"]: row for row in body}
    assert by_code["phq9"] == {
        "code": "phq9",
        "name": "Patient Health Questionnaire-9 (PHQ-9)",
        "measures": by_code["phq9"]["measures"],
        "kind": "sum",
        "range": [0, 27],
        "polarity": "higher_is_worse",
        "item_count": 9,
    }
    assert by_code["swemwbs"]["polarity"] == "higher_is_better"
    assert by_code["ons4"] | {"name": "", "measures": ""} == {
        "code": "ons4",
        "name": "",
        "measures": "",
        "kind": "per_item",
        "range": [0, 10],
        "polarity": None,
        "item_count": 4,
    }
    assert by_code["ons-loneliness"]["kind"] == "category"
    assert by_code["ons-loneliness"]["range"] is None


def test_an_instrument_definition_comes_in_full(connector: User) -> None:
    body = signed_in(connector).get("/api/v1/instruments/phq9").json()
    assert [item["number"] for item in body["items"]] == list(range(1, 10))
    assert body["items"][8]["text"].startswith("Thoughts that you would be better off dead")
    assert [option["label"] for option in body["answers"]["options"]] == list(SCORES["phq9"].values())
    assert [option["score"] for option in body["answers"]["options"]] == [0, 1, 2, 3]
    assert body["answers"]["allowed"][-1] == "declined"
    assert [band["label"] for band in body["bands"]["bands"]] == [
        "none",
        "mild",
        "moderate",
        "moderately severe",
        "severe",
    ]
    flags = {flag["name"]: flag for flag in body["flags"]}
    assert flags["self-harm-thoughts"] | {"description": "", "provenance": {}} == {
        "name": "self-harm-thoughts",
        "kind": "safeguarding",
        "description": "",
        "when": "item_score_at_least",
        "item": 9,
        "value": 1,
        "provenance": {},
    }
    assert body["change"]["threshold"] == 6
    assert body["change"]["provenance"]["verified"] is False
    assert "Pfizer" in body["licence"]["text"]
    assert "KROENKE2001" in body["sources"]
    assert len(body["unscored_items"]) == 1
    assert {"change", "flags.caseness", "missing"} <= set(body["unverified"])
    assert "flags.self-harm-thoughts" not in body["unverified"]

    swemwbs = signed_in(connector).get("/api/v1/instruments/swemwbs").json()
    assert swemwbs["conversion"]["name"] == "metric"
    assert swemwbs["conversion"]["table"]["29"] == 26.02
    assert "SWEMWBS" in swemwbs["licence"]["notice"]
    ons4 = signed_in(connector).get("/api/v1/instruments/ons4").json()
    assert ons4["answers"]["numbers"]["min"] == 0 and ons4["answers"]["numbers"]["max"] == 10
    assert [item["polarity"] for item in ons4["items"]] == ["higher_is_better"] * 3 + ["higher_is_worse"]
    assert ons4["bands"] is None and ons4["items"][3]["bands"]["bands"][-1]["label"] == "high"


def test_an_unknown_instrument_is_not_found(connector: User) -> None:
    client = signed_in(connector)
    for response in (
        client.get("/api/v1/instruments/phq10"),
        post(client, "/api/v1/instruments/phq10/score", {"answers": ["Not at all"]}),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "UNKNOWN_INSTRUMENT"


@pytest.mark.parametrize(
    ("code", "answers"),
    [
        ("ucla3", ["Often", "Some of the time", "Often"]),
        ("swemwbs", answers_totalling("swemwbs", 29)),
        ("ons4", ["7", "8", "declined", "2"]),
        ("ons-loneliness", ["Some of the time"]),
        ("djg6", ["Yes", "declined", "No", "More or less", "Yes", "No"]),
        ("phq9", PHQ9_SELF_HARM),
        ("phq9", ["Not at all"] * 7 + ["declined", "declined"]),
    ],
)
def test_scoring_returns_what_linkwork_score_prints(connector: User, code: str, answers: list[str]) -> None:
    response = post(signed_in(connector), f"/api/v1/instruments/{code}/score", {"answers": answers})
    assert response.status_code == 200
    assert response.json() == score_command(code, *answers)


def test_scoring_answers_the_shape_for_each_kind(connector: User) -> None:
    client = signed_in(connector)
    swemwbs = post(client, "/api/v1/instruments/swemwbs/score", {"answers": answers_totalling("swemwbs", 29)})
    assert swemwbs.json()["metric"] == 26.02 and "items" not in swemwbs.json()
    ons4 = post(client, "/api/v1/instruments/ons4/score", {"answers": [7, 8, "6", 2]}).json()
    assert ons4["total"] is None and "metric" not in ons4 and "reason" not in ons4
    assert ons4["items"][3] == {"item": 4, "name": "anxiety", "score": 2, "band": "low"}
    declined = post(client, "/api/v1/instruments/phq9/score", {"answers": ["declined"] * 9}).json()
    assert declined["valid"] is False and declined["total"] is None
    assert declined["reason"].startswith("No total: 9 of 9 items were declined")
    assert declined["flags"] == ["self-harm-question-declined"]
    assert Measure.objects.count() == 0  # scoring stores nothing


def test_a_wrong_answer_is_422_naming_the_item(connector: User) -> None:
    client = signed_in(connector)
    response = post(client, "/api/v1/instruments/ucla3/score", {"answers": ["Often", "Sometimes", "Often"]})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "INVALID_ANSWER"
    assert list(error["fields"]) == ["item_2"]
    assert "ucla3 item 2" in error["message"] and '"Hardly ever"' in error["message"]
    too_few = post(client, "/api/v1/instruments/phq9/score", {"answers": ["Not at all"] * 8})
    assert too_few.status_code == 422 and list(too_few.json()["error"]["fields"]) == ["item_9"]
    not_text = post(client, "/api/v1/instruments/ucla3/score", {"answers": ["Often", True, "Often"]})
    assert not_text.status_code == 422
    assert not_text.json()["error"]["fields"] == {
        "answers.1": 'Give the label of an option, a whole number, or "declined".'
    }


# Measures in an episode --------------------------------------------------------------------------------


def test_a_measure_is_stored_listed_and_compared(connector: User, episode: SupportEpisode) -> None:
    client = signed_in(connector)
    baseline = post(
        client,
        url(episode, "/measures"),
        {"instrument": "ucla3", "time_point": "baseline", "answers": ["Often", "Some of the time", "Often"]},
    )
    assert baseline.status_code == 201
    body = baseline.json()
    assert body | {"id": 0, "recorded_at": ""} == {
        "id": 0,
        "episode_id": episode.pk,
        "instrument": "ucla3",
        "time_point": "baseline",
        "months_after_ending": None,
        "recorded_at": "",
        "recorded_by_id": connector.pk,
        "answers": ["Often", "Some of the time", "Often"],
        "total": 8,
        "band": "lonely",
        "subscales": {},
        "flags": [],
        "metric": None,
        "items": {},
        "valid": True,
        "reason": "",
        "skipped": False,
        "skip_reason": "",
        "alerts_raised": [],
    }
    follow_up = post(
        client,
        url(episode, "/measures"),
        {
            "instrument": "ucla3",
            "time_point": "follow-up",
            "months_after_ending": 3,
            "answers": ["Hardly ever", "Hardly ever", "Some of the time"],
        },
    )
    assert follow_up.status_code == 201 and follow_up.json()["months_after_ending"] == 3

    listed = client.get(url(episode, "/measures")).json()
    assert [(m["time_point"], m["total"]) for m in listed] == [("baseline", 8), ("follow-up", 4)]
    changes = client.get(url(episode, "/measures/changes")).json()
    assert len(changes) == 1
    assert changes[0]["instrument"] == "ucla3"
    assert changes[0]["baseline"]["id"] == body["id"]
    assert changes[0]["latest"]["id"] == follow_up.json()["id"]
    assert changes[0]["change"] == {
        "difference": -4,
        "direction": "better",
        "reliable": None,
        "threshold": None,
        "band_change": "lonely -> not lonely",
        "per_item": {},
    }
    assert AuditEvent.objects.filter(event="measure.recorded").count() == 2


def test_ons4_is_stored_item_by_item(connector: User, episode: SupportEpisode) -> None:
    response = post(
        signed_in(connector),
        url(episode, "/measures"),
        {"instrument": "ons4", "time_point": "baseline", "answers": [7, 8, 6, "declined"]},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["answers"] == ["7", "8", "6", "declined"]
    assert body["total"] is None and body["valid"] is True
    assert body["items"]["1"] == {"item": 1, "name": "life satisfaction", "score": 7, "band": "high"}
    assert body["items"]["4"]["score"] is None
    ending = {"instrument": "ons4", "time_point": "ending", "answers": [9, 8, 5, 1]}
    assert post(signed_in(connector), url(episode, "/measures"), ending).status_code == 201
    [ons4] = signed_in(connector).get(url(episode, "/measures/changes")).json()
    assert ons4["change"]["difference"] is None
    per_item = ons4["change"]["per_item"]
    assert per_item["1"] | {"per_item": {}} == {
        "difference": 2,
        "direction": "better",
        "reliable": None,
        "threshold": None,
        "band_change": "high -> very high",
        "per_item": {},
    }
    assert per_item["2"]["direction"] == "same"
    assert per_item["4"]["difference"] is None


def test_measure_inputs_are_checked(connector: User, episode: SupportEpisode) -> None:
    client = signed_in(connector)
    answers = ["Often", "Often", "Often"]
    cases = [
        ({"instrument": "ucla4", "time_point": "baseline", "answers": answers}, "instrument"),
        ({"instrument": "ucla3", "time_point": "someday", "answers": answers}, "time_point"),
        ({"instrument": "ucla3", "time_point": "follow-up", "answers": answers}, "months_after_ending"),
    ]
    for data, field in cases:
        response = post(client, url(episode, "/measures"), data)
        assert response.status_code == 422, data
        assert field in response.json()["error"]["fields"]
    assert Measure.objects.count() == 0


def test_a_measure_with_an_answer_not_allowed_stores_nothing(
    connector: User, episode: SupportEpisode
) -> None:
    answers = ["Not at all", "Not at all", "Sometimes", *PHQ9_SELF_HARM[3:]]
    response = post(
        signed_in(connector),
        url(episode, "/measures"),
        {"instrument": "phq9", "time_point": "baseline", "answers": answers},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "INVALID_ANSWER"
    assert list(response.json()["error"]["fields"]) == ["item_3"]
    assert Measure.objects.count() == 0
    assert SafeguardingAlert.objects.count() == 0
    assert not AuditEvent.objects.filter(event__in=["measure.recorded", "safeguarding.raised"]).exists()


def test_a_questionnaire_is_skipped_with_a_reason(connector: User, episode: SupportEpisode) -> None:
    client = signed_in(connector)
    skip = {"instrument": "phq9", "time_point": "baseline", "reason": "too-distressed"}
    response = post(client, url(episode, "/measures/skip"), skip)
    assert response.status_code == 201
    body = response.json()
    assert body["skipped"] is True and body["skip_reason"] == "too-distressed"
    assert body["answers"] == [] and body["valid"] is False
    assert "alerts_raised" not in body
    wrong = post(client, url(episode, "/measures/skip"), skip | {"reason": "busy"})
    assert wrong.status_code == 422 and "reason" in wrong.json()["error"]["fields"]
    assert Measure.objects.filter(episode=episode).count() == 1


def test_due_measures_follow_the_programme_schedule(
    supervisor: User, connector: User, episode: SupportEpisode
) -> None:
    schedule: list[dict[str, Any]] = [
        {"instrument": "ucla3", "time_point": "baseline"},
        {"instrument": "swemwbs", "time_point": "baseline"},
        {"instrument": "ucla3", "time_point": "ending"},
        {"instrument": "ucla3", "time_point": "follow-up", "months_after_ending": 3},
    ]
    saved = put(
        signed_in(supervisor), f"/api/v1/programmes/{episode.programme_id}/measure-schedule", schedule
    )
    assert saved.status_code == 200
    client = signed_in(connector)
    due = client.get(url(episode, "/measures/due")).json()
    assert due == [
        {
            "instrument": "swemwbs",
            "time_point": "baseline",
            "months_after_ending": None,
            "label": "swemwbs at the start",
            "due_on": episode.started_on.isoformat(),
            "overdue": True,
        },
        {
            "instrument": "ucla3",
            "time_point": "baseline",
            "months_after_ending": None,
            "label": "ucla3 at the start",
            "due_on": episode.started_on.isoformat(),
            "overdue": True,
        },
    ]
    skipped = post(client, url(episode, "/measures/skip"), {**schedule[1], "reason": "declined"})
    assert skipped.status_code == 201
    assert [d["instrument"] for d in client.get(url(episode, "/measures/due")).json()] == ["ucla3"]


# Safeguarding alerts -----------------------------------------------------------------------------------


def test_a_self_harm_answer_raises_an_alert_for_the_connector_and_the_team_supervisor(
    organisation: Organisation, north: Team, connector: User, supervisor: User, episode: SupportEpisode
) -> None:
    assert episode.person.team_id == north.pk
    colleague = make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[north])
    south = make_team(organisation=organisation, name="South")
    elsewhere = make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[south])
    other_supervisor = make_staff(organisation=organisation, roles=[Role.SUPERVISOR], teams=[south])

    recorded = post(
        signed_in(connector),
        url(episode, "/measures"),
        {"instrument": "phq9", "time_point": "baseline", "answers": PHQ9_SELF_HARM},
    )
    assert recorded.status_code == 201
    body = recorded.json()
    assert body["total"] == 1 and "self-harm-thoughts" in body["flags"]
    assert [alert["flag"] for alert in body["alerts_raised"]] == ["self-harm-thoughts"]
    alert_id = body["alerts_raised"][0]["id"]

    for user in (connector, supervisor):
        waiting = signed_in(user).get("/api/v1/safeguarding-alerts").json()
        assert [(a["id"], a["flag"], a["measure_id"]) for a in waiting] == [
            (alert_id, "self-harm-thoughts", body["id"])
        ]
        assert waiting[0]["person"] == {"id": episode.person_id, "name": episode.person.display_name}
        assert waiting[0]["actioned_at"] is None
    for user in (colleague, elsewhere, other_supervisor):
        assert signed_in(user).get("/api/v1/safeguarding-alerts").json() == []

    action = f"/api/v1/safeguarding-alerts/{alert_id}/action"
    empty = post(signed_in(supervisor), action, {"action_taken": "   "})
    assert empty.status_code == 422 and "action_taken" in empty.json()["error"]["fields"]
    missing = post(signed_in(supervisor), action, {})
    assert missing.status_code == 422 and "action_taken" in missing.json()["error"]["fields"]
    done = post(signed_in(supervisor), action, {"action_taken": "Called her GP; crisis plan agreed."})
    assert done.status_code == 200
    assert done.json()["action_taken"] == "Called her GP; crisis plan agreed."
    assert done.json()["actioned_by_id"] == supervisor.pk and done.json()["actioned_at"]
    for user in (connector, supervisor):
        assert signed_in(user).get("/api/v1/safeguarding-alerts").json() == []
    again = post(signed_in(connector), action, {"action_taken": "Also called."})
    assert again.status_code == 400 and again.json()["error"]["code"] == "ALERT_ACTIONED"


def test_a_high_phq9_total_without_item_9_raises_no_alert(connector: User, episode: SupportEpisode) -> None:
    answers = ["More than half the days"] * 8 + ["Not at all"]
    body = post(
        signed_in(connector),
        url(episode, "/measures"),
        {"instrument": "phq9", "time_point": "baseline", "answers": answers},
    ).json()
    assert body["total"] == 16 and body["flags"] == ["caseness"]
    assert body["alerts_raised"] == []
    assert signed_in(connector).get("/api/v1/safeguarding-alerts").json() == []


# Stories -----------------------------------------------------------------------------------------------


def test_a_story_needs_the_persons_consent_and_is_anonymised(
    connector: User, person: Person, episode: SupportEpisode
) -> None:
    client = signed_in(connector)
    story = {
        "title": "Back to the allotment",
        "text": "Margaret Oduya met her new friends at 4 Mill Lane on 3 March 2026, near LS1 4AP.",
    }
    refused = post(client, url(episode, "/stories"), story)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "NO_STORY_CONSENT"
    assert Story.objects.count() == 0

    give_consent(person=person, purpose="story")
    created = post(client, url(episode, "/stories"), story)
    assert created.status_code == 201
    body = created.json()
    assert body["title"] == story["title"] and body["text"] == story["text"]
    assert body["created_by_id"] == connector.pk
    assert [s["id"] for s in client.get(url(episode, "/stories")).json()] == [body["id"]]
    blank = post(client, url(episode, "/stories"), {"title": "", "text": ""})
    assert blank.status_code == 422 and set(blank.json()["error"]["fields"]) == {"title", "text"}

    anonymised = client.get(f"/api/v1/stories/{body['id']}/anonymised").json()
    assert anonymised == {
        "id": body["id"],
        "episode_id": episode.pk,
        "text": "[name] [name] met her new friends at [place] on [date], near [place].",
    }


# Programme schedules -----------------------------------------------------------------------------------


def test_admins_and_supervisors_set_a_programme_schedule(
    admin: User, supervisor: User, connector: User, outsider: User, programme: Programme
) -> None:
    path = f"/api/v1/programmes/{programme.pk}/measure-schedule"
    schedule = [
        {"instrument": "ucla3", "time_point": "follow-up", "months_after_ending": 6},
        {"instrument": "ucla3", "time_point": "baseline"},
        {"instrument": "phq9", "time_point": "baseline"},
    ]
    response = put(signed_in(admin), path, schedule)
    assert response.status_code == 200
    assert response.json() == [
        {
            "instrument": "phq9",
            "time_point": "baseline",
            "months_after_ending": None,
            "label": "at the start",
        },
        {
            "instrument": "ucla3",
            "time_point": "baseline",
            "months_after_ending": None,
            "label": "at the start",
        },
        {
            "instrument": "ucla3",
            "time_point": "follow-up",
            "months_after_ending": 6,
            "label": "6-month follow-up",
        },
    ]
    replaced = put(signed_in(supervisor), path, [{"instrument": "swemwbs", "time_point": "ending"}])
    assert [row["instrument"] for row in replaced.json()] == ["swemwbs"]

    refused = put(signed_in(connector), path, [])
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "PERMISSION_DENIED"
    assert put(signed_in(outsider), path, []).status_code == 404
    for bad, field in [
        ([{"instrument": "nope", "time_point": "baseline"}], "instrument"),
        ([{"instrument": "ucla3", "time_point": "follow-up"}], "months_after_ending"),
        ([{"instrument": "ucla3", "time_point": "later"}], "0.time_point"),
    ]:
        response = put(signed_in(supervisor), path, bad)
        assert response.status_code == 422, bad
        assert field in response.json()["error"]["fields"]
    assert list(MeasureSchedule.objects.filter(programme=programme).values_list("instrument", flat=True)) == [
        "swemwbs"
    ]


# Who may see what --------------------------------------------------------------------------------------


def test_volunteers_and_other_organisations_get_404(
    connector: User, volunteer: User, outsider: User, person: Person, episode: SupportEpisode
) -> None:
    measure = measure_record(
        actor=connector, episode=episode, instrument="phq9", time_point="baseline", answers=PHQ9_SELF_HARM
    )
    alert = SafeguardingAlert.objects.get(measure=measure)
    give_consent(person=person, purpose="story")
    story = story_create(actor=OPERATOR, episode=episode, title="A story", text="Margaret goes out again.")
    measure_body = {"instrument": "ucla3", "time_point": "baseline", "answers": ["Often"] * 3}
    for user in (volunteer, outsider):
        client = signed_in(user)
        for response in (
            client.get(url(episode, "/measures")),
            post(client, url(episode, "/measures"), measure_body),
            post(client, url(episode, "/measures/skip"), measure_body | {"reason": "declined"}),
            client.get(url(episode, "/measures/due")),
            client.get(url(episode, "/measures/changes")),
            client.get(url(episode, "/stories")),
            post(client, url(episode, "/stories"), {"title": "Mine", "text": "Words"}),
            client.get(f"/api/v1/stories/{story.pk}/anonymised"),
            post(client, f"/api/v1/safeguarding-alerts/{alert.pk}/action", {"action_taken": "Seen"}),
        ):
            assert response.status_code == 404, (user, response.request["PATH_INFO"])
            assert response.json()["error"]["code"] == "NOT_FOUND"
        assert client.get("/api/v1/safeguarding-alerts").json() == []
    assert Measure.objects.count() == 1 and Story.objects.count() == 1
    alert.refresh_from_db()
    assert alert.actioned_at is None


def test_the_openapi_schema_lists_the_outcomes_endpoints(db: None, client: Client) -> None:
    paths = set(client.get("/api/v1/openapi.json").json()["paths"])
    base = "/api/v1/episodes/{episode_id}"
    assert {
        "/api/v1/instruments",
        "/api/v1/instruments/{code}",
        "/api/v1/instruments/{code}/score",
        f"{base}/measures",
        f"{base}/measures/skip",
        f"{base}/measures/due",
        f"{base}/measures/changes",
        f"{base}/stories",
        "/api/v1/stories/{story_id}/anonymised",
        "/api/v1/safeguarding-alerts",
        "/api/v1/safeguarding-alerts/{alert_id}/action",
        "/api/v1/programmes/{programme_id}/measure-schedule",
    } <= paths
