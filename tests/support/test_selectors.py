"""Reads for support: an episode's progress, the risks at ending, and caseloads with what is overdue."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from linkwork.accounts.models import Organisation, Team, User
from linkwork.accounts.roles import Role
from linkwork.core.time import now
from linkwork.referrals.models import Referral
from linkwork.referrals.services import referral_attempt_contact
from linkwork.support import selectors, services
from linkwork.support.models import Programme, SupportEpisode
from tests.factories import OPERATOR, make_organisation, make_staff, make_team
from tests.journey_factories import days_ago, london, make_episode, make_person, make_programme, make_referral

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


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
def programme(organisation: Organisation) -> Programme:
    return make_programme(
        organisation=organisation, max_contacts=10, max_meetups=3, planned_weeks=12, budget_pence=5_000
    )


@pytest.fixture
def episode(connector: User, programme: Programme) -> SupportEpisode:
    return make_episode(connector=connector, programme=programme, started_on=days_ago(150))


def day(episode: SupportEpisode, days: int) -> dt.date:
    return episode.started_on + dt.timedelta(days=days)


def log_contact(episode: SupportEpisode, days: int, kind: str = "phone", outcome: str = "attended") -> None:
    services.contact_log(
        actor=OPERATOR,
        episode=episode,
        occurred_at=london(day(episode, days), 11),
        type=kind,
        outcome=outcome,
    )


# Progress ---------------------------------------------------------------------------------


def test_progress_counts_contacts_budget_and_meet_ups(
    organisation: Organisation, episode: SupportEpisode
) -> None:
    log_contact(episode, 1, "phone")
    log_contact(episode, 2, "check-in")
    log_contact(episode, 3, "home-visit", outcome="no-answer")
    log_contact(episode, 4, "video")
    log_contact(episode, 5, "meetup")
    services.budget_spend(actor=OPERATOR, episode=episode, amount_pence=1_250, purpose="Bus pass")
    services.meetup_record(
        actor=OPERATOR,
        organisation=organisation,
        held_at=london(day(episode, 5)),
        place="Library",
        attendee_episodes=[episode],
    )
    progress = selectors.episode_progress(episode, day(episode, 8))
    assert (progress.contacts_used, progress.contact_allowance, progress.contacts_left) == (2, 10, 8)
    assert (progress.meetups_attended, progress.meetup_allowance) == (1, 3)
    assert (progress.budget_spent_pence, progress.budget_remaining_pence) == (1_250, 3_750)
    assert progress.weeks_left == 10
    assert progress.summary == "2 of 10 contacts used, 10 weeks left"


@pytest.mark.parametrize(
    ("days", "weeks_left", "fraction"),
    [
        (0, 12, 0.0),
        (7, 11, 7 / 84),
        (8, 10, 8 / 84),
        (42, 6, 0.5),
        (83, 0, 83 / 84),
        (84, 0, 1.0),
        (120, 0, 1.0),
    ],
)
def test_weeks_left_and_time_elapsed_follow_the_planned_length(
    episode: SupportEpisode, days: int, weeks_left: int, fraction: float
) -> None:
    progress = selectors.episode_progress(episode, day(episode, days))
    assert progress.weeks_left == weeks_left
    assert progress.fraction_elapsed == pytest.approx(fraction)
    assert progress.days_paused == 0


def test_one_week_left_is_singular(episode: SupportEpisode) -> None:
    assert (
        selectors.episode_progress(episode, day(episode, 77)).summary == "0 of 10 contacts used, 1 week left"
    )


def test_the_ending_is_prompted_from_two_thirds_of_the_planned_length(episode: SupportEpisode) -> None:
    # Twelve weeks is 84 days; two thirds is day 56.
    assert not selectors.episode_progress(episode, day(episode, 55)).prompt_ending
    assert selectors.episode_progress(episode, day(episode, 56)).prompt_ending
    assert selectors.episode_progress(episode, day(episode, 100)).prompt_ending


def test_no_prompt_once_the_ending_is_planned(episode: SupportEpisode) -> None:
    services.episode_plan_ending(
        actor=OPERATOR,
        episode=episode,
        continuing_connections="Choir",
        contacts_after_ending="",
        follow_up_on=None,
        relies_on_service_for_company=False,
    )
    assert not selectors.episode_progress(episode, day(episode, 70)).prompt_ending


def test_paused_time_does_not_count(episode: SupportEpisode) -> None:
    services.episode_pause(actor=OPERATOR, episode=episode, reason="physical-health", on=day(episode, 10))
    services.episode_resume(actor=OPERATOR, episode=episode, on=day(episode, 20))
    at_56 = selectors.episode_progress(episode, day(episode, 56))
    assert at_56.days_paused == 10
    assert at_56.fraction_elapsed == pytest.approx(46 / 84)
    assert not at_56.prompt_ending
    assert not selectors.episode_progress(episode, day(episode, 65)).prompt_ending
    at_66 = selectors.episode_progress(episode, day(episode, 66))
    assert at_66.prompt_ending
    assert at_66.weeks_left == (94 - 66) // 7


def test_a_pause_still_running_moves_the_end_day_by_day(episode: SupportEpisode) -> None:
    services.episode_pause(actor=OPERATOR, episode=episode, reason="mental-health", on=day(episode, 10))
    while_paused = selectors.episode_progress(episode, day(episode, 30))
    assert while_paused.days_paused == 20
    assert while_paused.fraction_elapsed == pytest.approx(10 / 84)
    assert while_paused.weeks_left == (104 - 30) // 7
    assert not while_paused.prompt_ending
    services.episode_resume(actor=OPERATOR, episode=episode, on=day(episode, 30))
    resumed = selectors.episode_progress(episode, day(episode, 30))
    assert (resumed.days_paused, resumed.weeks_left) == (while_paused.days_paused, while_paused.weeks_left)
    assert resumed.fraction_elapsed == pytest.approx(while_paused.fraction_elapsed)


# Risks at ending --------------------------------------------------------------------------

RELIES = "relies mainly on their connector or volunteer for company"
NO_CONNECTION = "no connection is likely to continue after support ends"
BARRIERS = "has mobility or transport barriers"


@pytest.mark.parametrize(
    ("mobility", "barriers", "continuing", "relies", "risks"),
    [
        (["walks"], [["cost"]], "Walking group", False, []),
        ([], [], "Walking group", True, [RELIES]),
        ([], [], "  ", False, [NO_CONNECTION]),
        (["housebound"], [], "Walking group", False, [BARRIERS]),
        (["door-to-door", "drives"], [], "Walking group", False, [BARRIERS]),
        ([], [["mobility"]], "Walking group", False, [BARRIERS]),
        ([], [["cost", "transport"]], "Walking group", False, [BARRIERS]),
        ([], [["transport"], ["cost"]], "Walking group", False, []),  # only the latest conversation counts
        ([], [["cost"], ["transport"]], "Walking group", False, [BARRIERS]),
        (["housebound"], [["transport"]], "", True, [RELIES, NO_CONNECTION, BARRIERS]),
    ],
)
def test_each_risk_at_ending_appears_exactly_when_its_condition_holds(
    organisation: Organisation,
    connector: User,
    programme: Programme,
    mobility: list[str],
    barriers: list[list[str]],
    continuing: str,
    relies: bool,
    risks: list[str],
) -> None:
    person = make_person(organisation=organisation, mobility=mobility)
    episode = make_episode(connector=connector, programme=programme, person=person)
    for version in barriers:
        services.conversation_record(actor=OPERATOR, episode=episode, data={"barriers": version})
    services.episode_plan_ending(
        actor=OPERATOR,
        episode=episode,
        continuing_connections=continuing,
        contacts_after_ending="",
        follow_up_on=None,
        relies_on_service_for_company=relies,
    )
    assert selectors.ending_risks(episode) == risks


# Caseloads --------------------------------------------------------------------------------


def rows_by_name(actor: User, today: dt.date, connector: User | None = None) -> dict[str, list[str]]:
    return {
        row.name: row.overdue
        for row in selectors.caseload_list(actor=actor, connector=connector, today=today)
    }


def past(weekday: int, weeks_back: int = 3) -> dt.date:
    """A date at least `weeks_back` weeks ago that falls on `weekday` (0 is Monday)."""
    today = now().date()
    return today - dt.timedelta(days=(today.weekday() - weekday) % 7 + 7 * weeks_back)


def waiting(organisation: Organisation, first_name: str, received_at: dt.datetime) -> Referral:
    return make_referral(
        person=make_person(organisation=organisation, first_name=first_name, last_name="Waiting"),
        received_at=received_at,
    )


@pytest.mark.parametrize(
    ("received_on", "last_day_in_time", "due_by"),
    [
        (4, 7, 4),  # received on a Friday: due the next Friday (Monday to Friday in between)
        (5, 6, 4),  # Saturday: due the next Friday
        (6, 5, 4),  # Sunday: due the next Friday
        (0, 7, 0),  # Monday: due the next Monday
        (3, 7, 3),  # Thursday: due the next Thursday, across the weekend
    ],
)
def test_first_contact_is_due_within_five_working_days_of_the_referral(
    organisation: Organisation, connector: User, received_on: int, last_day_in_time: int, due_by: int
) -> None:
    received = past(received_on)
    waiting(organisation, "Rita", london(received, 10))
    deadline = received + dt.timedelta(days=last_day_in_time)
    assert deadline.weekday() == due_by
    for still_in_time in range(last_day_in_time + 1):
        assert rows_by_name(connector, received + dt.timedelta(days=still_in_time)) == {"Rita Waiting": []}
    late = rows_by_name(connector, deadline + dt.timedelta(days=1))
    assert late == {"Rita Waiting": [f"first contact was due by {deadline:%d %b}"]}


def test_a_referral_received_just_after_midnight_counts_from_that_day_in_london(
    organisation: Organisation, connector: User
) -> None:
    monday = dt.date(now().year - 1, 7, 1)
    monday -= dt.timedelta(days=monday.weekday())
    # 00:30 on a summer Monday in London is 23:30 UTC on the Sunday.
    waiting(organisation, "Rita", london(monday, 0, 30).astimezone(dt.UTC))
    next_monday = monday + dt.timedelta(days=7)
    assert rows_by_name(connector, monday + dt.timedelta(days=5)) == {"Rita Waiting": []}
    assert rows_by_name(connector, next_monday) == {"Rita Waiting": []}
    assert rows_by_name(connector, next_monday + dt.timedelta(days=1)) == {
        "Rita Waiting": [f"first contact was due by {next_monday:%d %b}"]
    }


def test_first_contact_made_is_never_overdue(organisation: Organisation, connector: User) -> None:
    received = past(4)
    referral = waiting(organisation, "Rita", london(received, 10))
    referral_attempt_contact(
        actor=connector, referral=referral, method="phone", outcome="spoke", at=london(received, 15)
    )
    rows = selectors.caseload_list(actor=connector, today=received + dt.timedelta(days=30))
    assert [(row.name, row.overdue, row.next_action) for row in rows] == [
        ("Rita Waiting", [], "Decide on the referral")
    ]


def test_a_caseload_flags_no_contact_for_more_than_fourteen_days(
    connector: User, episode: SupportEpisode
) -> None:
    name = episode.person.display_name
    assert rows_by_name(connector, day(episode, 14)) == {name: []}
    assert rows_by_name(connector, day(episode, 15)) == {name: ["no contact for 15 days"]}
    log_contact(episode, 10)
    log_contact(episode, 20, outcome="no-answer")  # a contact that did not happen does not count
    log_contact(episode, 22, "check-in", outcome="person-cancelled")
    assert rows_by_name(connector, day(episode, 24)) == {name: []}
    assert rows_by_name(connector, day(episode, 25)) == {name: ["no contact for 15 days"]}
    log_contact(episode, 25, "check-in")  # a check-in that went ahead is contact
    assert rows_by_name(connector, day(episode, 39)) == {name: []}


def test_the_last_contact_is_dated_in_london_time(connector: User, programme: Programme) -> None:
    start = dt.date(now().year - 1, 7, 1)
    episode = make_episode(connector=connector, programme=programme, started_on=start)
    # 00:30 in London on the 11th is 23:30 UTC on the 10th.
    services.contact_log(
        actor=OPERATOR,
        episode=episode,
        occurred_at=london(day(episode, 10), 0, 30).astimezone(dt.UTC),
        type="phone",
    )
    assert rows_by_name(connector, day(episode, 24)) == {episode.person.display_name: []}


def test_a_paused_episode_is_not_flagged_for_no_contact_or_its_ending(
    connector: User, episode: SupportEpisode
) -> None:
    services.episode_pause(actor=OPERATOR, episode=episode, reason="mental-health", on=day(episode, 1))
    row = selectors.caseload_list(actor=connector, today=day(episode, 140))[0]
    assert (row.stage, row.next_action, row.overdue) == ("Paused", "Check in about resuming", [])


def test_a_caseload_flags_an_ending_that_is_due(organisation: Organisation, connector: User) -> None:
    two_weeks = make_programme(organisation=organisation, planned_weeks=2)
    episode = make_episode(connector=connector, programme=two_weeks, started_on=days_ago(100))
    name = episode.person.display_name
    log_contact(episode, 5)
    assert rows_by_name(connector, day(episode, 13)) == {name: []}
    assert rows_by_name(connector, day(episode, 14)) == {
        name: [f"ending was due on {day(episode, 14):%d %b}"]
    }
    row = selectors.caseload_list(actor=connector, today=day(episode, 14))[0]
    assert row.next_action == "Plan the ending"


def test_a_caseload_flags_a_follow_up_that_is_due(connector: User, episode: SupportEpisode) -> None:
    services.episode_close(actor=OPERATOR, episode=episode, outcome="goals-met", on=day(episode, 20))
    assert episode.follow_up_on == day(episode, 20 + 12 * 7)
    name = episode.person.display_name
    before = selectors.caseload_list(actor=connector, today=day(episode, 103))
    assert [(row.stage, row.next_action, row.overdue) for row in before] == [
        ("Closed", f"Follow up on {episode.follow_up_on:%d %b}", [])
    ]
    assert rows_by_name(connector, day(episode, 104)) == {name: ["follow-up due"]}
    services.episodes_mark_follow_ups_due(actor=OPERATOR, today=day(episode, 104))
    assert rows_by_name(connector, day(episode, 110)) == {name: ["follow-up due"]}
    services.episode_record_follow_up(actor=OPERATOR, episode=episode, note="All well.")
    assert rows_by_name(connector, day(episode, 110)) == {}


def test_overdue_rows_come_first(organisation: Organisation, connector: User, programme: Programme) -> None:
    make_episode(
        connector=connector,
        programme=programme,
        person=make_person(organisation=organisation, first_name="Alice", last_name="Able"),
        started_on=days_ago(10),
    )
    make_episode(
        connector=connector,
        programme=programme,
        person=make_person(organisation=organisation, first_name="Zena", last_name="Zed"),
        started_on=days_ago(40),
    )
    waiting(organisation, "Rita", now() - dt.timedelta(days=1))
    rows = selectors.caseload_list(actor=connector, today=now().date())
    assert [(row.name, bool(row.overdue)) for row in rows] == [
        ("Zena Zed", True),
        ("Alice Able", False),
        ("Rita Waiting", False),
    ]


def test_a_connectors_caseload_never_includes_another_organisations_people(
    organisation: Organisation, connector: User, programme: Programme
) -> None:
    away = make_organisation(name="Away")
    away_team = make_team(organisation=away)
    stranger = make_staff(organisation=away, roles=[Role.CONNECTOR], teams=[away_team])
    away_programme = make_programme(organisation=away)
    make_episode(
        connector=stranger,
        programme=away_programme,
        person=make_person(organisation=away, first_name="Ava", last_name="Away"),
        started_on=days_ago(40),
    )
    waiting(away, "Wanda", now() - dt.timedelta(days=20))
    make_episode(
        connector=connector,
        programme=programme,
        person=make_person(organisation=organisation, first_name="Hal", last_name="Home"),
    )
    waiting(organisation, "Rita", now() - dt.timedelta(days=20))
    today = now().date()
    assert set(rows_by_name(connector, today)) == {"Hal Home", "Rita Waiting"}
    assert selectors.caseload_list(actor=connector, connector=stranger, today=today) == []
    assert set(rows_by_name(stranger, today)) == {"Ava Away", "Wanda Waiting"}


def test_a_supervisor_sees_the_caseload_of_each_connector_in_their_teams(
    organisation: Organisation, north: Team, connector: User, supervisor: User, programme: Programme
) -> None:
    start = days_ago(100)
    today = start + dt.timedelta(days=10)
    colleague = make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[north])
    south = make_team(organisation=organisation, name="South")
    elsewhere = make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[south])
    one_week = make_programme(organisation=organisation, planned_weeks=1)
    journeys: list[dict[str, Any]] = [
        {"connector": connector, "programme": programme},  # active, nothing overdue
        {"connector": connector, "programme": programme, "pause": True},
        {"connector": connector, "programme": one_week},  # its ending was due on day 7
        {"connector": connector, "programme": programme, "close": True},
        {"connector": elsewhere, "programme": one_week},
    ]
    for journey in journeys:
        episode = make_episode(
            connector=journey["connector"], programme=journey["programme"], started_on=start
        )
        if journey.get("pause"):
            services.episode_pause(actor=OPERATOR, episode=episode, reason="person-asked", on=day(episode, 2))
        if journey.get("close"):
            services.episode_close(actor=OPERATOR, episode=episode, outcome="goals-met", on=day(episode, 3))

    loads = selectors.team_caseloads(actor=supervisor, today=today)
    assert [(load.connector, load.open_episodes, load.paused, load.overdue) for load in loads] == sorted(
        [(connector, 3, 1, 1), (colleague, 0, 0, 0)], key=lambda load: (load[0].first_name, load[0].last_name)
    )
    assert selectors.team_caseloads(actor=connector, today=today) == []
