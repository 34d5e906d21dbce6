"""The caseload reads a fixed number of queries however many people are on it, and shows the same
figures as each episode read on its own (the episode page and the API read one at a time)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linkwork.accounts.models import Organisation, Team, User
from linkwork.accounts.roles import Role
from linkwork.core.time import local_today
from linkwork.outcomes.selectors import measures_due, open_episode_measures_overdue
from linkwork.outcomes.services import measure_record, measure_skip, schedule_set
from linkwork.support import selectors, services
from linkwork.support.models import (
    ContactOutcome,
    ContactType,
    EpisodeStatus,
    MeetUpAttendance,
    Programme,
    SupportEpisode,
)
from tests.conftest import signed_in
from tests.factories import OPERATOR, make_organisation, make_staff, make_team
from tests.journey_factories import days_ago, london, make_episode, make_person, make_programme, make_referral

# Every kind of contact with every outcome, so counting against the cap is checked for each pair.
CONTACT_MIX = list(itertools.product(ContactType.values, ContactOutcome.values))
LONELY = ["Often", "Some of the time", "Often"]
SCHEDULE = [
    ("ucla3", "baseline", None),
    ("swemwbs", "baseline", None),
    ("ucla3", "ending", None),
    ("ucla3", "follow-up", 3),
]


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
def programmes(organisation: Organisation) -> list[Programme]:
    made = [
        make_programme(organisation=organisation, max_contacts=40, max_meetups=3, planned_weeks=12),
        make_programme(organisation=organisation, max_contacts=40, max_meetups=2, planned_weeks=6),
    ]
    for programme in made:
        schedule_set(actor=OPERATOR, programme=programme, entries=SCHEDULE)
    return made


def add_episodes(
    connector: User, programmes: list[Programme], count: int, first: int = 0
) -> list[SupportEpisode]:
    """`count` episodes in every state the caseload shows, each with contacts, budget, measures, a
    meet-up (attended or not) and, for some, pauses."""
    organisation = connector.organisation
    assert organisation is not None
    episodes = []
    for number in range(first, first + count):
        episode = make_episode(
            connector=connector, programme=programmes[number % 2], started_on=days_ago(20 + 9 * number)
        )
        start = episode.started_on
        mix = CONTACT_MIX[number % 7 :: 3]
        for offset, (kind, outcome) in enumerate(mix, start=1):
            services.contact_log(
                actor=OPERATOR,
                episode=episode,
                occurred_at=london(start + dt.timedelta(days=min(offset, 15)), 10, offset % 60),
                type=kind,
                outcome=outcome,
                next_contact_on=local_today() + dt.timedelta(days=number) if offset == 2 else None,
            )
        services.budget_spend(actor=OPERATOR, episode=episode, amount_pence=300 + number, purpose="Bus fare")
        services.budget_spend(actor=OPERATOR, episode=episode, amount_pence=125, purpose="Tea")
        if number % 3 == 0:
            measure_record(
                actor=OPERATOR, episode=episode, instrument="ucla3", time_point="baseline", answers=LONELY
            )
        elif number % 3 == 1:
            measure_skip(
                actor=OPERATOR,
                episode=episode,
                instrument="swemwbs",
                time_point="baseline",
                reason="declined",
            )
        meetup = services.meetup_record(
            actor=OPERATOR,
            organisation=organisation,
            held_at=london(start + dt.timedelta(days=3)),
            place="Library",
            attendee_episodes=[episode],
        )
        if number % 4 == 3:
            MeetUpAttendance.objects.filter(meetup=meetup).update(attended=False)
        stage = number % 5
        if stage in (1, 2):  # paused, and for 2 resumed again
            services.episode_pause(actor=OPERATOR, episode=episode, reason="person-asked", on=start)
            if stage == 2:
                services.episode_resume(actor=OPERATOR, episode=episode, on=start + dt.timedelta(days=4))
        elif stage == 3:
            services.episode_plan_ending(
                actor=OPERATOR,
                episode=episode,
                continuing_connections="Choir on Tuesdays",
                contacts_after_ending="",
                follow_up_on=None,
                relies_on_service_for_company=False,
            )
        elif stage == 4:
            services.episode_close(
                actor=OPERATOR, episode=episode, outcome="goals-met", on=start + dt.timedelta(days=16)
            )
        episodes.append(episode)
    return episodes


def count_queries(read: Callable[[], object]) -> int:
    """Queries of the second read: the first also fills per-user caches (roles, teams, session)."""
    read()
    with CaptureQueriesContext(connection) as queries:
        read()
    return len(queries)


def test_the_data_covers_every_state_the_caseload_shows(connector: User, programmes: list[Programme]) -> None:
    add_episodes(connector, programmes, 12)
    rows = selectors.caseload_list(actor=connector)
    assert {row.stage for row in rows} == {
        EpisodeStatus.ACTIVE.label,
        EpisodeStatus.PAUSED.label,
        EpisodeStatus.ENDING_PLANNED.label,
        EpisodeStatus.CLOSED.label,
    }
    overdue = " ".join(item for row in rows for item in row.overdue)
    assert "no contact for" in overdue and "ending was due" in overdue and "was due" in overdue


def test_the_caseload_reads_the_same_number_of_queries_for_2_and_12_episodes(
    organisation: Organisation, connector: User, programmes: list[Programme]
) -> None:
    add_episodes(connector, programmes, 2)
    make_referral(person=make_person(organisation=organisation))  # waiting, shown on the caseload
    small = count_queries(lambda: selectors.caseload_list(actor=connector))
    add_episodes(connector, programmes, 10, first=2)
    rows = selectors.caseload_list(actor=connector)
    assert (sum(1 for row in rows if row.episode_id), sum(1 for row in rows if row.referral_id)) == (12, 1)
    assert count_queries(lambda: selectors.caseload_list(actor=connector)) == small
    assert small <= 6  # episodes, pauses, measures, schedules and the referrals waiting


def test_the_caseload_page_reads_the_same_number_of_queries_for_2_and_12_episodes(
    connector: User, programmes: list[Programme]
) -> None:
    add_episodes(connector, programmes, 2)
    client = signed_in(connector)
    small = count_queries(lambda: client.get("/caseload/"))
    add_episodes(connector, programmes, 10, first=2)
    response = client.get("/caseload/")
    assert response.status_code == 200
    assert response.content.decode().count('class="lw-card"') == 12
    assert count_queries(lambda: client.get("/caseload/")) == small


def test_the_caseload_api_reads_the_same_number_of_queries_for_2_and_12_episodes(
    connector: User, programmes: list[Programme]
) -> None:
    add_episodes(connector, programmes, 2)
    client = signed_in(connector)
    small = count_queries(lambda: client.get("/api/v1/caseload"))
    add_episodes(connector, programmes, 10, first=2)
    response = client.get("/api/v1/caseload")
    assert response.status_code == 200 and len(response.json()) == 12
    assert count_queries(lambda: client.get("/api/v1/caseload")) == small


def test_the_team_view_reads_the_same_number_of_queries_for_one_connector_and_three(
    organisation: Organisation, north: Team, connector: User, supervisor: User, programmes: list[Programme]
) -> None:
    add_episodes(connector, programmes, 3)
    one = count_queries(lambda: selectors.team_caseloads(actor=supervisor))
    for number in range(2):
        colleague = make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[north])
        add_episodes(colleague, programmes, 3, first=3 * (number + 1))
    assert len(selectors.team_caseloads(actor=supervisor)) == 3
    assert count_queries(lambda: selectors.team_caseloads(actor=supervisor)) == one


def test_the_team_view_counts_each_connectors_own_caseload(
    organisation: Organisation, north: Team, connector: User, supervisor: User, programmes: list[Programme]
) -> None:
    colleague = make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[north])
    add_episodes(connector, programmes, 10)
    add_episodes(colleague, programmes, 3, first=10)
    loads = {load.connector: load for load in selectors.team_caseloads(actor=supervisor)}
    for owner in (connector, colleague):
        rows = selectors.caseload_list(actor=supervisor, connector=owner)
        open_stages = {
            EpisodeStatus.ACTIVE.label,
            EpisodeStatus.PAUSED.label,
            EpisodeStatus.ENDING_PLANNED.label,
        }
        assert (loads[owner].open_episodes, loads[owner].paused, loads[owner].overdue) == (
            sum(1 for row in rows if row.stage in open_stages),
            sum(1 for row in rows if row.stage == EpisodeStatus.PAUSED.label),
            sum(1 for row in rows if row.overdue),
        )
    assert (loads[connector].open_episodes, loads[colleague].open_episodes) == (8, 3)


@pytest.mark.parametrize("days_later", [0, 30, 200])
def test_each_row_shows_the_figures_of_its_episode_read_on_its_own(
    connector: User, programmes: list[Programme], days_later: int
) -> None:
    add_episodes(connector, programmes, 12)
    today = local_today() + dt.timedelta(days=days_later)
    fetched = list(selectors.caseload_episodes(actor=connector, connectors=[connector]))
    assert len(fetched) == 12
    with CaptureQueriesContext(connection) as queries:
        figures = [
            (
                selectors.episode_progress(episode, today),
                open_episode_measures_overdue(episode, today),
                measures_due(episode, today),
            )
            for episode in fetched
        ]
    assert len(queries) == 0  # everything came with the caseload
    alone = [
        (
            selectors.episode_progress(SupportEpisode.objects.get(pk=episode.pk), today),
            open_episode_measures_overdue(SupportEpisode.objects.get(pk=episode.pk), today),
            measures_due(SupportEpisode.objects.get(pk=episode.pk), today),
        )
        for episode in fetched
    ]
    assert figures == alone
    assert {progress.contacts_used for progress, _, _ in figures} != {0}
    assert {progress.meetups_attended for progress, _, _ in figures} == {0, 1}
    assert any(progress.days_paused for progress, _, _ in figures)


def test_contacts_counted_in_the_database_follow_the_contact_cap_rule(
    connector: User, programmes: list[Programme]
) -> None:
    episode = make_episode(connector=connector, programme=programmes[0], started_on=days_ago(10))
    for offset, (kind, outcome) in enumerate(CONTACT_MIX):
        services.contact_log(
            actor=OPERATOR,
            episode=episode,
            occurred_at=london(days_ago(5), 9, offset),
            type=kind,
            outcome=outcome,
        )
    fetched = selectors.caseload_episodes(actor=connector, connectors=[connector]).get()
    assert selectors.episode_progress(fetched).contacts_used == services.contacts_used(episode) == 5


def test_a_caseload_never_fetches_another_organisations_episodes(
    connector: User, programmes: list[Programme]
) -> None:
    other = make_organisation(name="Elsewhere")
    stranger = make_staff(organisation=other, roles=[Role.CONNECTOR])
    add_episodes(stranger, [make_programme(organisation=other)] * 2, 2)
    add_episodes(connector, programmes, 1)
    assert list(selectors.caseload_episodes(actor=connector, connectors=[stranger])) == []
    assert selectors.caseload_list(actor=connector, connector=stranger) == []
    assert [row.episode_id for row in selectors.caseload_list(actor=stranger, connector=connector)] == []
