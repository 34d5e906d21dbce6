"""Support episodes: the lifecycle, starting, pausing, extending, the caps on contacts, goals,
budget and meet-ups, conversations, closing and follow-up, and who may record what."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from linkwork.accounts.models import Organisation, Team, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.core.errors import DomainError, InvalidTransition, PermissionDenied, ValidationFailed
from linkwork.core.time import now
from linkwork.referrals.models import OutcomeMessage, OutcomeMessageKind, Referral, ReferralStatus
from linkwork.referrals.services import referral_decline
from linkwork.support import services
from linkwork.support.models import (
    BudgetEntry,
    Contact,
    Conversation,
    EpisodeStatus,
    Extension,
    ExtensionStatus,
    Goal,
    GoalStatus,
    GoalUpdate,
    MeetUp,
    Pause,
    Programme,
    SupportEpisode,
)
from linkwork.support.selectors import extensions_waiting
from linkwork.support.transitions import EPISODE_LIFECYCLE
from tests.factories import OPERATOR, make_staff, make_team
from tests.journey_factories import (
    days_ago,
    give_consent,
    london,
    make_episode,
    make_person,
    make_programme,
    make_referral,
)

S = EpisodeStatus
START_DAYS_AGO = 60


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
        organisation=organisation,
        name="Connect 12",
        max_contacts=2,
        max_meetups=2,
        planned_weeks=12,
        budget_pence=10_000,
        follow_up_weeks=8,
    )


@pytest.fixture
def episode(connector: User, programme: Programme) -> SupportEpisode:
    return make_episode(connector=connector, programme=programme, started_on=days_ago(START_DAYS_AGO))


def day(episode: SupportEpisode, days: int) -> dt.date:
    return episode.started_on + dt.timedelta(days=days)


def log_contact(
    episode: SupportEpisode,
    *,
    days: int = 1,
    kind: str = "phone",
    outcome: str = "attended",
    actor: User | None = None,
) -> Contact:
    return services.contact_log(
        actor=actor or episode.connector,
        episode=episode,
        occurred_at=london(day(episode, days), 11),
        type=kind,
        outcome=outcome,
    )


def plan_ending(episode: SupportEpisode, **changes: Any) -> SupportEpisode:
    arguments: dict[str, Any] = {
        "continuing_connections": "Tuesday walking group",
        "contacts_after_ending": "Phone the walking group leader",
        "follow_up_on": None,
        "relies_on_service_for_company": False,
    }
    arguments.update(changes)
    return services.episode_plan_ending(actor=OPERATOR, episode=episode, **arguments)


# The lifecycle ----------------------------------------------------------------------------

EPISODE_ACTIONS = [
    "pause",
    "resume",
    "resume_ending",
    "reopen",
    "plan_ending",
    "close",
    "mark_follow_up_due",
    "record_follow_up",
]
# Written out by hand: where each action leads from each status; a missing pair is refused.
EXPECTED: dict[tuple[str, str], str] = {
    (S.ACTIVE, "pause"): S.PAUSED,
    (S.ENDING_PLANNED, "pause"): S.PAUSED,
    (S.PAUSED, "resume"): S.ACTIVE,
    (S.PAUSED, "resume_ending"): S.ENDING_PLANNED,
    (S.ENDING_PLANNED, "reopen"): S.ACTIVE,
    (S.ACTIVE, "plan_ending"): S.ENDING_PLANNED,
    (S.ACTIVE, "close"): S.CLOSED,
    (S.PAUSED, "close"): S.CLOSED,
    (S.ENDING_PLANNED, "close"): S.CLOSED,
    (S.CLOSED, "mark_follow_up_due"): S.FOLLOW_UP_DUE,
    (S.CLOSED, "record_follow_up"): S.FOLLOWED_UP,
    (S.FOLLOW_UP_DUE, "record_follow_up"): S.FOLLOWED_UP,
}


@pytest.mark.parametrize("action", EPISODE_ACTIONS)
@pytest.mark.parametrize("status", S.values)
def test_the_lifecycle_table_is_as_designed(status: str, action: str) -> None:
    expected = EXPECTED.get((status, action))
    if expected is None:
        with pytest.raises(InvalidTransition):
            EPISODE_LIFECYCLE.target(status, action)
    else:
        assert EPISODE_LIFECYCLE.target(status, action) == expected


def episode_in(status: str, episode: SupportEpisode) -> SupportEpisode:
    """Bring a new episode to `status` through the services."""
    if status == S.PAUSED:
        services.episode_pause(actor=OPERATOR, episode=episode, reason="mental-health", on=day(episode, 5))
    elif status == S.ENDING_PLANNED:
        plan_ending(episode)
    elif status in (S.CLOSED, S.FOLLOW_UP_DUE, S.FOLLOWED_UP):
        services.episode_close(actor=OPERATOR, episode=episode, outcome="goals-met", on=day(episode, 30))
        if status == S.FOLLOW_UP_DUE:
            assert episode.follow_up_on is not None
            services.episodes_mark_follow_ups_due(actor=OPERATOR, today=episode.follow_up_on)
        elif status == S.FOLLOWED_UP:
            services.episode_record_follow_up(actor=OPERATOR, episode=episode, note="Doing well.")
    episode.refresh_from_db()
    assert episode.status == status
    return episode


SERVICE_ACTIONS: dict[str, Callable[[SupportEpisode], object]] = {
    "pause": lambda e: services.episode_pause(
        actor=OPERATOR, episode=e, reason="physical-health", on=day(e, 40)
    ),
    "resume": lambda e: services.episode_resume(actor=OPERATOR, episode=e, on=day(e, 40)),
    "plan_ending": plan_ending,
    "close": lambda e: services.episode_close(actor=OPERATOR, episode=e, outcome="goals-met", on=day(e, 40)),
    "record_follow_up": lambda e: services.episode_record_follow_up(
        actor=OPERATOR, episode=e, note="Still going to the walking group.", on=day(e, 50)
    ),
}


@pytest.mark.parametrize("action", sorted(SERVICE_ACTIONS))
@pytest.mark.parametrize("status", S.values)
def test_every_service_transition_is_allowed_or_refused_as_the_lifecycle_says(
    episode: SupportEpisode, status: str, action: str
) -> None:
    episode = episode_in(status, episode)
    before = SupportEpisode.objects.filter(pk=episode.pk).values().get()
    pauses, letters, events = (
        Pause.objects.count(),
        OutcomeMessage.objects.count(),
        AuditEvent.objects.count(),
    )
    expected = EXPECTED.get((status, action))
    if expected is None:
        with pytest.raises(InvalidTransition) as raised:
            SERVICE_ACTIONS[action](episode)
        assert raised.value.status == 409
        assert episode.status == status
        assert SupportEpisode.objects.filter(pk=episode.pk).values().get() == before
        assert (Pause.objects.count(), OutcomeMessage.objects.count()) == (pauses, letters)
        assert AuditEvent.objects.count() == events
    else:
        SERVICE_ACTIONS[action](episode)
        episode.refresh_from_db()
        assert episode.status == expected
        moved = AuditEvent.objects.filter(object_type="support.supportepisode", object_id=str(episode.pk))
        assert moved.latest("seq").values["status"] == [status, expected]


@pytest.mark.parametrize("status", S.values)
def test_only_closed_episodes_are_marked_follow_up_due(episode: SupportEpisode, status: str) -> None:
    episode = episode_in(status, episode)
    moved = services.episodes_mark_follow_ups_due(actor=OPERATOR, today=day(episode, 365))
    episode.refresh_from_db()
    assert moved == (1 if status == S.CLOSED else 0)
    assert episode.status == EXPECTED.get((status, "mark_follow_up_due"), status)


@pytest.mark.parametrize("status", [S.ACTIVE, S.PAUSED, S.ENDING_PLANNED])
def test_an_approved_extension_reopens_only_an_episode_whose_ending_was_planned(
    episode: SupportEpisode, supervisor: User, status: str
) -> None:
    episode = episode_in(status, episode)
    extension = services.extension_request(
        actor=OPERATOR, episode=episode, new_end_on=None, extra_contacts=2, reason="More time to settle in."
    )
    services.extension_decide(actor=supervisor, extension=extension, approve=True)
    episode.refresh_from_db()
    assert episode.status == EXPECTED.get((status, "reopen"), status)


# Starting support -------------------------------------------------------------------------


def test_starting_support_accepts_the_referral_and_sets_the_plan(
    organisation: Organisation, north: Team, connector: User, supervisor: User
) -> None:
    programme = make_programme(
        organisation=organisation, max_contacts=6, planned_weeks=26, budget_pence=5_000
    )
    volunteer = make_staff(organisation=organisation, roles=[Role.VOLUNTEER])
    referral = make_referral(person=make_person(organisation=organisation))
    give_consent(person=referral.person, purpose="volunteer-contact")
    start = days_ago(3)
    episode = services.episode_start(
        actor=supervisor,
        referral=referral,
        programme=programme,
        connector=connector,
        volunteers=[volunteer],
        started_on=start,
    )
    assert episode.status == S.ACTIVE
    assert episode.started_on == start
    assert episode.planned_end_on == start + dt.timedelta(weeks=26)
    assert (episode.contact_allowance, episode.budget_allowance_pence) == (6, 5_000)
    assert episode.previous_episode is None
    assert list(episode.volunteers.all()) == [volunteer]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert referral.decided_at is not None
    assert episode.person.team == north, "the person joins the connector's team"
    assert AuditEvent.objects.get(event="episode.started").actor_id == supervisor.pk
    assert OutcomeMessage.objects.get(referral=referral).kind == OutcomeMessageKind.ACCEPTED


def test_support_starts_today_by_default(connector: User, programme: Programme) -> None:
    episode = make_episode(connector=connector, programme=programme)
    assert episode.started_on == now().date()
    assert episode.planned_end_on == now().date() + dt.timedelta(weeks=12)


def test_a_re_referral_links_the_new_episode_to_the_earlier_one(
    organisation: Organisation, connector: User, programme: Programme
) -> None:
    person = make_person(organisation=organisation)
    first = make_episode(connector=connector, programme=programme, person=person, started_on=days_ago(200))
    services.episode_close(actor=OPERATOR, episode=first, outcome="goals-met", on=days_ago(100))
    second = make_episode(connector=connector, programme=programme, person=person, started_on=days_ago(10))
    assert first.previous_episode is None
    assert second.previous_episode == first
    assert second.referral != first.referral


@pytest.fixture
def waiting_referral(organisation: Organisation) -> Referral:
    return make_referral(person=make_person(organisation=organisation))


def assert_nothing_started(referral: Referral) -> None:
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED
    assert not SupportEpisode.objects.filter(referral=referral).exists()
    assert not OutcomeMessage.objects.exists()


def test_a_connector_from_another_organisation_cannot_be_given_the_person(
    other_organisation: Organisation, waiting_referral: Referral, programme: Programme
) -> None:
    outsider = make_staff(organisation=other_organisation, roles=[Role.CONNECTOR])
    with pytest.raises(ValidationFailed) as raised:
        services.episode_start(
            actor=OPERATOR, referral=waiting_referral, programme=programme, connector=outsider
        )
    assert raised.value.fields == {"connector": services.CONNECTOR_REQUIRED}
    assert_nothing_started(waiting_referral)


def test_the_person_can_only_be_given_to_someone_with_the_connector_role(
    supervisor: User, waiting_referral: Referral, programme: Programme
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        services.episode_start(
            actor=OPERATOR, referral=waiting_referral, programme=programme, connector=supervisor
        )
    assert raised.value.fields == {"connector": services.CONNECTOR_REQUIRED}
    assert_nothing_started(waiting_referral)


def test_programmes_teams_and_volunteers_must_be_the_organisations_own(
    organisation: Organisation,
    other_organisation: Organisation,
    connector: User,
    waiting_referral: Referral,
) -> None:
    their_programme = make_programme(organisation=other_organisation)
    their_team = make_team(organisation=other_organisation)
    not_a_volunteer = make_staff(organisation=organisation, roles=[Role.ANALYST])
    with pytest.raises(ValidationFailed) as raised:
        services.episode_start(
            actor=OPERATOR,
            referral=waiting_referral,
            programme=their_programme,
            connector=connector,
            team=their_team,
            volunteers=[not_a_volunteer],
        )
    assert set(raised.value.fields) == {"programme", "team", "volunteers"}
    assert_nothing_started(waiting_referral)


def test_staff_of_another_organisation_cannot_start_support(
    other_organisation: Organisation, connector: User, waiting_referral: Referral, programme: Programme
) -> None:
    outsider = make_staff(organisation=other_organisation, roles=[Role.SUPERVISOR, Role.CONNECTOR])
    with pytest.raises(PermissionDenied):
        services.episode_start(
            actor=outsider, referral=waiting_referral, programme=programme, connector=connector
        )
    assert_nothing_started(waiting_referral)
    denial = AuditEvent.objects.get(event="auth.permission_denied")
    assert denial.actor_id == outsider.pk, "the refusal is audited, not rolled back with the attempt"


def test_support_cannot_start_from_a_decided_referral(
    connector: User, waiting_referral: Referral, programme: Programme
) -> None:
    referral_decline(actor=OPERATOR, referral=waiting_referral)
    with pytest.raises(InvalidTransition):
        services.episode_start(
            actor=OPERATOR, referral=waiting_referral, programme=programme, connector=connector
        )
    assert not SupportEpisode.objects.exists()


# Pauses -----------------------------------------------------------------------------------


def test_a_pause_moves_the_planned_end_by_the_days_paused(episode: SupportEpisode) -> None:
    planned = episode.planned_end_on
    services.episode_pause(
        actor=OPERATOR, episode=episode, reason="physical-health", note=" Operation ", on=day(episode, 10)
    )
    assert episode.status == S.PAUSED
    assert episode.planned_end_on == planned, "the end moves when the pause ends"
    services.episode_resume(actor=OPERATOR, episode=episode, on=day(episode, 20))
    episode.refresh_from_db()
    assert episode.status == S.ACTIVE
    assert episode.planned_end_on == planned + dt.timedelta(days=10)
    pause = Pause.objects.get(episode=episode)
    assert (pause.started_on, pause.ended_on, pause.note) == (day(episode, 10), day(episode, 20), "Operation")


def test_several_pauses_add_up(episode: SupportEpisode) -> None:
    planned = episode.planned_end_on
    for start, end in ((3, 6), (10, 17), (30, 30)):
        services.episode_pause(actor=OPERATOR, episode=episode, reason="person-asked", on=day(episode, start))
        services.episode_resume(actor=OPERATOR, episode=episode, on=day(episode, end))
    episode.refresh_from_db()
    assert episode.planned_end_on == planned + dt.timedelta(days=3 + 7 + 0)
    assert episode.pauses.count() == 3


def test_support_cannot_resume_before_the_pause_began(episode: SupportEpisode) -> None:
    planned = episode.planned_end_on
    services.episode_pause(actor=OPERATOR, episode=episode, reason="mental-health", on=day(episode, 10))
    with pytest.raises(ValidationFailed) as raised:
        services.episode_resume(actor=OPERATOR, episode=episode, on=day(episode, 9))
    assert list(raised.value.fields) == ["on"]
    episode.refresh_from_db()
    assert (episode.status, episode.planned_end_on) == (S.PAUSED, planned)
    assert Pause.objects.get(episode=episode).ended_on is None


def test_a_pause_needs_a_reason_from_the_list(episode: SupportEpisode) -> None:
    with pytest.raises(ValidationFailed) as raised:
        services.episode_pause(actor=OPERATOR, episode=episode, reason="holiday")
    assert list(raised.value.fields) == ["reason"]
    episode.refresh_from_db()
    assert episode.status == S.ACTIVE
    assert not Pause.objects.exists()


def test_closing_a_paused_episode_ends_the_pause(episode: SupportEpisode) -> None:
    services.episode_pause(actor=OPERATOR, episode=episode, reason="mental-health", on=day(episode, 10))
    services.episode_close(actor=OPERATOR, episode=episode, outcome="chose-to-stop", on=day(episode, 25))
    assert Pause.objects.get(episode=episode).ended_on == day(episode, 25)


# Extensions -------------------------------------------------------------------------------


def request_extension(
    episode: SupportEpisode, *, weeks: int = 4, extra_contacts: int = 3, actor: User | None = None
) -> Extension:
    return services.extension_request(
        actor=actor or episode.connector,
        episode=episode,
        new_end_on=episode.planned_end_on + dt.timedelta(weeks=weeks),
        extra_contacts=extra_contacts,
        reason="Needs company for the first visits to the choir.",
    )


def test_a_supervisor_approves_an_extension(episode: SupportEpisode, supervisor: User) -> None:
    planned, allowance = episode.planned_end_on, episode.contact_allowance
    extension = request_extension(episode)
    assert extension.status == ExtensionStatus.REQUESTED
    assert extension.requested_by == episode.connector
    services.extension_decide(actor=supervisor, extension=extension, approve=True, note="Agreed")
    episode.refresh_from_db()
    extension.refresh_from_db()
    assert episode.planned_end_on == planned + dt.timedelta(weeks=4)
    assert episode.contact_allowance == allowance + 3
    assert (extension.status, extension.decided_by, extension.decision_note) == (
        ExtensionStatus.APPROVED,
        supervisor,
        "Agreed",
    )


def test_approving_an_extension_returns_an_ending_episode_to_active(
    episode: SupportEpisode, supervisor: User
) -> None:
    plan_ending(episode)
    extension = request_extension(episode, weeks=2, extra_contacts=0)
    services.extension_decide(actor=supervisor, extension=extension, approve=True)
    episode.refresh_from_db()
    assert episode.status == S.ACTIVE


def test_a_refused_extension_changes_nothing_on_the_episode(
    episode: SupportEpisode, supervisor: User
) -> None:
    before = SupportEpisode.objects.filter(pk=episode.pk).values().get()
    extension = request_extension(episode)
    services.extension_decide(actor=supervisor, extension=extension, approve=False)
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.REFUSED
    assert SupportEpisode.objects.filter(pk=episode.pk).values().get() == before
    assert request_extension(episode).status == ExtensionStatus.REQUESTED, "a new request may follow"


def test_a_connector_cannot_approve_an_extension(
    organisation: Organisation, north: Team, episode: SupportEpisode
) -> None:
    extension = request_extension(episode)
    colleague = make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[north])
    for actor in (episode.connector, colleague):
        with pytest.raises(PermissionDenied):
            services.extension_decide(actor=actor, extension=extension, approve=True)
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.REQUESTED


def test_a_supervisor_of_another_team_cannot_approve_an_extension(
    organisation: Organisation, episode: SupportEpisode
) -> None:
    south = make_team(organisation=organisation, name="South")
    elsewhere = make_staff(organisation=organisation, roles=[Role.SUPERVISOR], teams=[south])
    extension = request_extension(episode)
    with pytest.raises(PermissionDenied):
        services.extension_decide(actor=elsewhere, extension=extension, approve=True)


def test_only_one_extension_may_wait_at_a_time(episode: SupportEpisode) -> None:
    request_extension(episode)
    with pytest.raises(DomainError) as raised:
        request_extension(episode, weeks=8)
    assert raised.value.code == "EXTENSION_PENDING"
    assert Extension.objects.count() == 1


def test_an_extension_cannot_be_decided_twice(episode: SupportEpisode, supervisor: User) -> None:
    extension = request_extension(episode)
    services.extension_decide(actor=supervisor, extension=extension, approve=True)
    allowance = SupportEpisode.objects.get(pk=episode.pk).contact_allowance
    for approve in (True, False):
        with pytest.raises(DomainError) as raised:
            services.extension_decide(actor=supervisor, extension=extension, approve=approve)
        assert raised.value.code == "EXTENSION_DECIDED"
    assert SupportEpisode.objects.get(pk=episode.pk).contact_allowance == allowance
    assert Extension.objects.get(pk=extension.pk).status == ExtensionStatus.APPROVED


@pytest.mark.parametrize(
    ("weeks", "extra_contacts", "reason", "field"),
    [
        (-1, 2, "Reason", "new_end_on"),
        (0, 0, "Reason", "new_end_on"),
        (2, -1, "Reason", "extra_contacts"),
        (2, 51, "Reason", "extra_contacts"),
        (2, 2, "  ", "reason"),
    ],
)
def test_a_bad_extension_request_is_refused(
    episode: SupportEpisode, weeks: int, extra_contacts: int, reason: str, field: str
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        services.extension_request(
            actor=OPERATOR,
            episode=episode,
            new_end_on=episode.planned_end_on + dt.timedelta(weeks=weeks),
            extra_contacts=extra_contacts,
            reason=reason,
        )
    assert list(raised.value.fields) == [field]
    assert not Extension.objects.exists()


# The contact cap --------------------------------------------------------------------------


def test_one_to_one_contacts_stop_at_the_cap(episode: SupportEpisode) -> None:
    assert episode.contact_allowance == 2
    log_contact(episode, days=1, kind="phone")
    log_contact(episode, days=2, kind="home-visit")
    with pytest.raises(DomainError) as raised:
        log_contact(episode, days=3, kind="community-visit")
    assert raised.value.code == "CONTACT_CAP_REACHED"
    assert raised.value.message == services.CONTACT_CAP_REACHED.format(allowance=2)
    assert Contact.objects.count() == 2
    assert services.contacts_used(episode) == 2


@pytest.mark.parametrize(
    ("kind", "outcome"),
    [
        ("check-in", "attended"),
        ("meetup", "attended"),
        ("phone", "no-answer"),
        ("home-visit", "person-cancelled"),
        ("video", "connector-cancelled"),
    ],
)
def test_check_ins_meet_ups_and_contacts_that_did_not_happen_do_not_count(
    episode: SupportEpisode, kind: str, outcome: str
) -> None:
    log_contact(episode, days=1)
    log_contact(episode, days=2)
    for days in (3, 4, 5):
        contact = log_contact(episode, days=days, kind=kind, outcome=outcome)
        assert not contact.counts_against_cap
    assert services.contacts_used(episode) == 2
    assert Contact.objects.count() == 5


def test_an_approved_extension_with_extra_contacts_allows_more(
    episode: SupportEpisode, supervisor: User
) -> None:
    log_contact(episode, days=1)
    log_contact(episode, days=2)
    extension = request_extension(episode, weeks=0, extra_contacts=1)
    with pytest.raises(DomainError):
        log_contact(episode, days=3)
    services.extension_decide(actor=supervisor, extension=extension, approve=True)
    episode.refresh_from_db()
    log_contact(episode, days=4)
    with pytest.raises(DomainError) as raised:
        log_contact(episode, days=5)
    assert raised.value.code == "CONTACT_CAP_REACHED"
    assert services.contacts_used(episode) == 3


def test_a_contact_in_the_future_or_before_support_began_is_refused(episode: SupportEpisode) -> None:
    for moment in (now() + dt.timedelta(hours=1), london(day(episode, -1), 12)):
        with pytest.raises(ValidationFailed) as raised:
            services.contact_log(actor=OPERATOR, episode=episode, occurred_at=moment, type="phone")
        assert list(raised.value.fields) == ["occurred_at"]
    assert not Contact.objects.exists()


def test_a_contact_just_after_midnight_on_the_first_day_counts_in_london_time(
    connector: User, programme: Programme
) -> None:
    summer = dt.date(now().year - 1, 7, 1)
    episode = make_episode(connector=connector, programme=programme, started_on=summer)
    # 00:30 in London during summer time is 23:30 UTC the day before.
    first_morning = london(summer, 0, 30).astimezone(dt.UTC)
    assert first_morning.date() < summer
    services.contact_log(actor=connector, episode=episode, occurred_at=first_morning, type="phone")
    night_before = london(summer - dt.timedelta(days=1), 23, 30).astimezone(dt.UTC)
    with pytest.raises(ValidationFailed):
        services.contact_log(actor=connector, episode=episode, occurred_at=night_before, type="phone")
    assert Contact.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"type": "carrier-pigeon"}, "type"),
        ({"outcome": "maybe"}, "outcome"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 24 * 60 + 1}, "duration_minutes"),
    ],
)
def test_a_contact_with_bad_details_is_refused(
    episode: SupportEpisode, changes: dict[str, Any], field: str
) -> None:
    arguments: dict[str, Any] = {"occurred_at": london(day(episode, 1)), "type": "phone", **changes}
    with pytest.raises(ValidationFailed) as raised:
        services.contact_log(actor=OPERATOR, episode=episode, **arguments)
    assert list(raised.value.fields) == [field]
    assert not Contact.objects.exists()


# Goals ------------------------------------------------------------------------------------


def test_three_goals_at_a_time(episode: SupportEpisode) -> None:
    goals = [
        services.goal_create(actor=episode.connector, episode=episode, title=title)
        for title in ("Join a choir", "Walk to the park", "Call my sister")
    ]
    with pytest.raises(DomainError) as raised:
        services.goal_create(actor=episode.connector, episode=episode, title="Learn to swim")
    assert raised.value.code == "TOO_MANY_GOALS"
    assert Goal.objects.count() == 3
    services.goal_update(actor=episode.connector, goal=goals[0], status=GoalStatus.ACHIEVED)
    fourth = services.goal_create(actor=episode.connector, episode=episode, title="Learn to swim")
    assert fourth.status == GoalStatus.NOT_STARTED
    with pytest.raises(DomainError):
        services.goal_create(actor=episode.connector, episode=episode, title="Bake bread")


@pytest.mark.parametrize("status", [GoalStatus.DROPPED, GoalStatus.PAUSED, GoalStatus.CHANGED])
def test_a_goal_set_aside_makes_room_and_cannot_come_back_while_three_are_active(
    episode: SupportEpisode, status: str
) -> None:
    first = services.goal_create(actor=OPERATOR, episode=episode, title="One")
    services.goal_create(actor=OPERATOR, episode=episode, title="Two")
    services.goal_create(actor=OPERATOR, episode=episode, title="Three")
    services.goal_update(actor=OPERATOR, goal=first, status=status)
    services.goal_create(actor=OPERATOR, episode=episode, title="Four")
    with pytest.raises(DomainError) as raised:
        services.goal_update(actor=OPERATOR, goal=first, status=GoalStatus.IN_PROGRESS)
    assert raised.value.code == "TOO_MANY_GOALS"
    first.refresh_from_db()
    assert first.status == status


def test_revising_a_goal_keeps_its_history(episode: SupportEpisode) -> None:
    connector = episode.connector
    goal = services.goal_create(actor=connector, episode=episode, title=" Join a choir ", steps="Find one")
    services.goal_update(actor=connector, goal=goal, title="Join a community choir", steps="Go to a taster")
    services.goal_update(actor=connector, goal=goal, progress=4, note="Went once")
    goal.refresh_from_db()
    assert (goal.title, goal.progress, goal.status) == ("Join a community choir", 4, GoalStatus.IN_PROGRESS)
    history = list(goal.updates.values_list("title", "steps", "status", "progress", "note"))
    assert history == [
        ("Join a choir", "Find one", GoalStatus.NOT_STARTED, None, ""),
        ("Join a community choir", "Go to a taster", GoalStatus.NOT_STARTED, None, ""),
        ("Join a community choir", "Go to a taster", GoalStatus.IN_PROGRESS, 4, "Went once"),
    ]
    assert all(update.recorded_by == connector for update in goal.updates.all())


def test_each_progress_rating_is_kept_even_when_it_repeats(episode: SupportEpisode) -> None:
    goal = services.goal_create(actor=OPERATOR, episode=episode, title="Walk to the park")
    services.goal_update(actor=OPERATOR, goal=goal, progress=5)
    services.goal_update(actor=OPERATOR, goal=goal, progress=5)
    assert list(goal.updates.values_list("progress", flat=True)) == [None, 5, 5]


def test_an_update_that_changes_nothing_adds_no_history(episode: SupportEpisode) -> None:
    goal = services.goal_create(actor=OPERATOR, episode=episode, title="Walk to the park")
    services.goal_update(actor=OPERATOR, goal=goal, title="Walk to the park")
    assert goal.updates.count() == 1


@pytest.mark.parametrize("progress", [0, 10])
def test_progress_from_0_to_10_is_accepted(episode: SupportEpisode, progress: int) -> None:
    goal = services.goal_create(actor=OPERATOR, episode=episode, title="Walk to the park")
    services.goal_update(actor=OPERATOR, goal=goal, progress=progress)
    goal.refresh_from_db()
    assert goal.progress == progress


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"progress": -1}, "progress"),
        ({"progress": 11}, "progress"),
        ({"status": "abandoned"}, "status"),
        ({"title": "  "}, "title"),
    ],
)
def test_a_bad_goal_update_is_refused_and_adds_no_history(
    episode: SupportEpisode, changes: dict[str, Any], field: str
) -> None:
    goal = services.goal_create(actor=OPERATOR, episode=episode, title="Walk to the park")
    with pytest.raises(ValidationFailed) as raised:
        services.goal_update(actor=OPERATOR, goal=goal, **changes)
    assert list(raised.value.fields) == [field]
    goal.refresh_from_db()
    assert (goal.title, goal.status, goal.progress) == ("Walk to the park", GoalStatus.NOT_STARTED, None)
    assert GoalUpdate.objects.count() == 1


def test_a_goal_needs_a_title(episode: SupportEpisode) -> None:
    with pytest.raises(ValidationFailed):
        services.goal_create(actor=OPERATOR, episode=episode, title="   ")
    assert not Goal.objects.exists()


# Budget -----------------------------------------------------------------------------------


def test_spending_within_the_allowance_is_recorded(episode: SupportEpisode) -> None:
    first = services.budget_spend(
        actor=episode.connector, episode=episode, amount_pence=6_000, purpose="Choir membership"
    )
    second = services.budget_spend(
        actor=episode.connector, episode=episode, amount_pence=4_000, purpose="Bus pass"
    )
    assert (first.approved_by, second.approved_by) == (None, None)
    assert services.budget_spent_pence(episode) == 10_000


def test_a_connector_cannot_spend_beyond_the_allowance(episode: SupportEpisode) -> None:
    services.budget_spend(actor=episode.connector, episode=episode, amount_pence=9_000, purpose="Choir")
    events = AuditEvent.objects.count()
    with pytest.raises(DomainError) as raised:
        services.budget_spend(actor=episode.connector, episode=episode, amount_pence=1_001, purpose="Taxi")
    assert raised.value.code == "BUDGET_EXCEEDED"
    assert "£100.01" in raised.value.message and "£100.00" in raised.value.message
    assert BudgetEntry.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_a_supervisor_may_spend_beyond_the_allowance_and_approves_it(
    episode: SupportEpisode, supervisor: User
) -> None:
    within = services.budget_spend(actor=supervisor, episode=episode, amount_pence=10_000, purpose="Choir")
    assert within.approved_by is None
    over = services.budget_spend(actor=supervisor, episode=episode, amount_pence=500, purpose="Taxi home")
    assert over.approved_by == supervisor
    assert over.recorded_by == supervisor
    assert services.budget_spent_pence(episode) == 10_500


@pytest.mark.parametrize(("amount", "purpose", "field"), [(0, "Bus", "amount_pence"), (100, " ", "purpose")])
def test_bad_spending_is_refused(episode: SupportEpisode, amount: int, purpose: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        services.budget_spend(actor=OPERATOR, episode=episode, amount_pence=amount, purpose=purpose)
    assert list(raised.value.fields) == [field]
    assert not BudgetEntry.objects.exists()


# Meet-ups ---------------------------------------------------------------------------------


def test_meet_up_attendance_is_capped_by_the_programme(
    organisation: Organisation, episode: SupportEpisode
) -> None:
    other = make_episode(connector=episode.connector, programme=episode.programme, started_on=days_ago(30))
    for days in (3, 2):
        services.meetup_record(
            actor=episode.connector,
            organisation=organisation,
            held_at=london(days_ago(days)),
            place="Central Library",
            attendee_episodes=[episode, other],
        )
    with pytest.raises(DomainError) as raised:
        services.meetup_record(
            actor=episode.connector,
            organisation=organisation,
            held_at=london(days_ago(1)),
            place="Central Library",
            attendee_episodes=[other],
        )
    assert raised.value.code == "MEETUP_CAP_REACHED"
    assert MeetUp.objects.count() == 2


def test_a_programme_without_meet_ups_allows_none(organisation: Organisation, connector: User) -> None:
    episode = make_episode(
        connector=connector, programme=make_programme(organisation=organisation, max_meetups=0)
    )
    with pytest.raises(DomainError) as raised:
        services.meetup_record(
            actor=connector,
            organisation=organisation,
            held_at=london(days_ago(1)),
            place="Café",
            attendee_episodes=[episode],
        )
    assert raised.value.code == "MEETUP_CAP_REACHED"
    assert not MeetUp.objects.exists()


# Conversations ----------------------------------------------------------------------------

CONVERSATION: dict[str, Any] = {
    "what_matters": "Being useful again",
    "interests_now": "gardening, crosswords",
    "barriers": ["transport", "confidence"],
    "prefers": "groups",
    "setting_preference": "general",
    "availability": ["tue-morning", "sat-afternoon"],
    "participation_factors": {"desire": {"rating": "helps", "note": "Wants to meet people"}},
    "civic_profile": {"stigma": {"rating": "need"}},
}


def test_each_conversation_is_a_new_version_and_earlier_ones_are_kept(episode: SupportEpisode) -> None:
    first = services.conversation_record(actor=episode.connector, episode=episode, data=CONVERSATION)
    second = services.conversation_record(
        actor=episode.connector, episode=episode, data={**CONVERSATION, "what_matters": "Getting out more"}
    )
    third = services.conversation_record(actor=OPERATOR, episode=episode, data={})
    assert (first.version, second.version, third.version) == (1, 2, 3)
    first.refresh_from_db()
    assert first.what_matters == "Being useful again"
    assert first.interests_now == ["gardening", "crosswords"]
    assert first.barriers == ["confidence", "transport"]
    assert first.participation_factors == {"desire": {"rating": "helps", "note": "Wants to meet people"}}
    assert [c.version for c in episode.conversations.all()] == [3, 2, 1]
    assert third.recorded_by == episode.connector


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"barriers": ["transport", "dragons"]}, "barriers"),
        ({"participation_factors": {"desire": {"rating": "great"}}}, "participation_factors"),
        ({"participation_factors": {"luck": {"rating": "helps"}}}, "participation_factors"),
        ({"civic_profile": {"stigma": {"rating": "huge"}}}, "civic_profile"),
        ({"civic_profile": {"wealth": {"rating": "need"}}}, "civic_profile"),
        ({"prefers": "crowds"}, "prefers"),
        ({"setting_preference": "moon"}, "setting_preference"),
        ({"availability": ["mon-midnight"]}, "availability"),
        ({"largest_group": 0}, "largest_group"),
        ({"travel_limit_km": 201}, "travel_limit_km"),
        ({"travel_limit_minutes": 301}, "travel_limit_minutes"),
    ],
)
def test_a_conversation_with_unknown_choices_is_refused(
    episode: SupportEpisode, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        services.conversation_record(actor=OPERATOR, episode=episode, data={**CONVERSATION, **changes})
    assert list(raised.value.fields) == [field]
    assert not Conversation.objects.exists()


# Closing and follow-up --------------------------------------------------------------------


def test_closing_sets_the_follow_up_and_writes_the_support_ended_letter(episode: SupportEpisode) -> None:
    closed_on = day(episode, 50)
    services.episode_close(
        actor=OPERATOR, episode=episode, outcome="goals-met", note=" Well done ", on=closed_on
    )
    episode.refresh_from_db()
    assert episode.status == S.CLOSED
    assert (episode.closed_on, episode.outcome, episode.outcome_note) == (closed_on, "goals-met", "Well done")
    assert episode.follow_up_on == closed_on + dt.timedelta(weeks=8)
    letter = OutcomeMessage.objects.get(kind=OutcomeMessageKind.SUPPORT_ENDED)
    assert letter.referral == episode.referral


def test_a_follow_up_date_set_when_planning_the_ending_is_kept(episode: SupportEpisode) -> None:
    planned = now().date() + dt.timedelta(days=30)
    plan_ending(episode, follow_up_on=planned)
    services.episode_close(actor=OPERATOR, episode=episode, outcome="other-support")
    episode.refresh_from_db()
    assert episode.follow_up_on == planned


@pytest.mark.parametrize("outcome", ["died", "moved-away"])
def test_no_follow_up_is_set_for_someone_who_died_or_moved_away(
    episode: SupportEpisode, outcome: str
) -> None:
    services.episode_close(actor=OPERATOR, episode=episode, outcome=outcome)
    episode.refresh_from_db()
    assert episode.follow_up_on is None


def test_a_follow_up_date_in_the_past_is_refused_when_planning_the_ending(episode: SupportEpisode) -> None:
    with pytest.raises(ValidationFailed) as raised:
        plan_ending(episode, follow_up_on=days_ago(1))
    assert list(raised.value.fields) == ["follow_up_on"]
    episode.refresh_from_db()
    assert episode.status == S.ACTIVE


@pytest.mark.parametrize(("outcome", "days", "field"), [("cured", 10, "outcome"), ("goals-met", -1, "on")])
def test_a_bad_closing_is_refused(episode: SupportEpisode, outcome: str, days: int, field: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        services.episode_close(actor=OPERATOR, episode=episode, outcome=outcome, on=day(episode, days))
    assert list(raised.value.fields) == [field]
    episode.refresh_from_db()
    assert episode.status == S.ACTIVE
    assert not OutcomeMessage.objects.filter(kind=OutcomeMessageKind.SUPPORT_ENDED).exists()


def test_follow_ups_that_have_come_due_are_marked(connector: User, programme: Programme) -> None:
    today = now().date()
    due = make_episode(connector=connector, programme=programme, started_on=days_ago(200))
    not_yet = make_episode(connector=connector, programme=programme, started_on=days_ago(200))
    no_follow_up = make_episode(connector=connector, programme=programme, started_on=days_ago(200))
    still_open = make_episode(connector=connector, programme=programme, started_on=days_ago(200))
    services.episode_close(actor=OPERATOR, episode=due, outcome="goals-met", on=today - dt.timedelta(weeks=8))
    services.episode_close(actor=OPERATOR, episode=not_yet, outcome="goals-met", on=days_ago(55))
    services.episode_close(actor=OPERATOR, episode=no_follow_up, outcome="moved-away", on=days_ago(100))
    assert services.episodes_mark_follow_ups_due(actor=OPERATOR, today=today) == 1
    statuses = {e.pk: e.status for e in SupportEpisode.objects.all()}
    assert statuses == {
        due.pk: S.FOLLOW_UP_DUE,
        not_yet.pk: S.CLOSED,
        no_follow_up.pk: S.CLOSED,
        still_open.pk: S.ACTIVE,
    }
    assert services.episodes_mark_follow_ups_due(actor=OPERATOR, today=today) == 0
    assert services.episodes_mark_follow_ups_due(actor=OPERATOR, today=today + dt.timedelta(days=1)) == 1


def test_recording_the_follow_up(episode: SupportEpisode) -> None:
    services.episode_close(actor=OPERATOR, episode=episode, outcome="goals-met", on=day(episode, 30))
    services.episode_record_follow_up(
        actor=OPERATOR, episode=episode, note=" Still singing ", on=day(episode, 50)
    )
    episode.refresh_from_db()
    assert (episode.status, episode.followed_up_on, episode.follow_up_note) == (
        S.FOLLOWED_UP,
        day(episode, 50),
        "Still singing",
    )


# Nothing is recorded once support has ended -----------------------------------------------

RECORDERS: dict[str, Callable[[SupportEpisode, Goal, Extension, User], object]] = {
    "contact": lambda e, g, x, s: log_contact(e, days=40),
    "goal_create": lambda e, g, x, s: services.goal_create(actor=OPERATOR, episode=e, title="New goal"),
    "goal_update": lambda e, g, x, s: services.goal_update(actor=OPERATOR, goal=g, progress=3),
    "conversation": lambda e, g, x, s: services.conversation_record(actor=OPERATOR, episode=e, data={}),
    "budget": lambda e, g, x, s: services.budget_spend(
        actor=OPERATOR, episode=e, amount_pence=100, purpose="Tea"
    ),
    "extension_request": lambda e, g, x, s: services.extension_request(
        actor=OPERATOR, episode=e, new_end_on=None, extra_contacts=1, reason="More"
    ),
    "extension_decide": lambda e, g, x, s: services.extension_decide(actor=s, extension=x, approve=True),
    "meetup": lambda e, g, x, s: services.meetup_record(
        actor=OPERATOR,
        organisation=e.organisation,
        held_at=london(days_ago(1)),
        place="Hall",
        attendee_episodes=[e],
    ),
    "assign": lambda e, g, x, s: services.episode_assign(
        actor=OPERATOR, episode=e, connector=e.connector, volunteers=[]
    ),
}


@pytest.mark.parametrize("status", [S.CLOSED, S.FOLLOW_UP_DUE, S.FOLLOWED_UP])
@pytest.mark.parametrize("recorder", sorted(RECORDERS))
def test_nothing_can_be_recorded_once_support_has_ended(
    episode: SupportEpisode, supervisor: User, recorder: str, status: str
) -> None:
    goal = services.goal_create(actor=OPERATOR, episode=episode, title="Join a choir")
    extension = request_extension(episode)
    episode = episode_in(status, episode)
    counts = [
        model.objects.count() for model in (Contact, Goal, GoalUpdate, Conversation, BudgetEntry, MeetUp)
    ]
    with pytest.raises(DomainError) as raised:
        RECORDERS[recorder](episode, goal, extension, supervisor)
    assert raised.value.code == "EPISODE_NOT_OPEN"
    assert raised.value.message == services.EPISODE_NOT_OPEN
    assert [
        model.objects.count() for model in (Contact, Goal, GoalUpdate, Conversation, BudgetEntry, MeetUp)
    ] == (counts)
    assert Extension.objects.get(pk=extension.pk).status == ExtensionStatus.REQUESTED


# Volunteers -------------------------------------------------------------------------------


def test_a_volunteer_logs_contacts_only_on_episodes_they_are_assigned_to(
    organisation: Organisation, connector: User, programme: Programme
) -> None:
    volunteer = make_staff(organisation=organisation, roles=[Role.VOLUNTEER])
    theirs = make_episode(
        connector=connector, programme=programme, volunteers=[volunteer], started_on=days_ago(10)
    )
    not_theirs = make_episode(connector=connector, programme=programme, started_on=days_ago(10))
    contact = log_contact(theirs, days=2, kind="accompanied", actor=volunteer)
    assert contact.staff == volunteer
    with pytest.raises(PermissionDenied):
        log_contact(not_theirs, days=2, actor=volunteer)
    with pytest.raises(PermissionDenied):
        services.goal_create(actor=volunteer, episode=theirs, title="Join a choir")
    with pytest.raises(PermissionDenied):
        services.budget_spend(actor=volunteer, episode=theirs, amount_pence=100, purpose="Tea")
    services.episode_close(actor=OPERATOR, episode=theirs, outcome="goals-met")
    with pytest.raises(PermissionDenied):
        log_contact(theirs, days=3, actor=volunteer)
    assert list(Contact.objects.values_list("staff", flat=True)) == [volunteer.pk]


def test_a_connector_from_another_organisation_can_record_nothing(
    other_organisation: Organisation, episode: SupportEpisode
) -> None:
    outsider = make_staff(organisation=other_organisation, roles=[Role.CONNECTOR, Role.SUPERVISOR])
    attempts: list[Callable[[], object]] = [
        lambda: log_contact(episode, actor=outsider),
        lambda: services.goal_create(actor=outsider, episode=episode, title="Goal"),
        lambda: services.episode_pause(actor=outsider, episode=episode, reason="person-asked"),
        lambda: services.conversation_record(actor=outsider, episode=episode, data={}),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert not Contact.objects.exists() and not Goal.objects.exists()
    episode.refresh_from_db()
    assert episode.status == S.ACTIVE


# Rules added after review ------------------------------------------------------------------


def test_every_action_in_the_table_is_checked_above() -> None:
    assert set(EPISODE_LIFECYCLE.transitions) == set(EPISODE_ACTIONS)


def test_a_pause_during_a_planned_ending_resumes_to_the_planned_ending(episode: SupportEpisode) -> None:
    plan_ending(episode)
    services.episode_pause(actor=OPERATOR, episode=episode, reason="physical-health", on=day(episode, 3))
    services.episode_resume(actor=OPERATOR, episode=episode, on=day(episode, 6))
    episode.refresh_from_db()
    assert episode.status == S.ENDING_PLANNED


@pytest.mark.parametrize("offset", [-1, 10_000])
def test_a_pause_cannot_start_before_support_or_in_the_future(episode: SupportEpisode, offset: int) -> None:
    with pytest.raises(ValidationFailed):
        services.episode_pause(
            actor=OPERATOR, episode=episode, reason="mental-health", on=day(episode, offset)
        )
    episode.refresh_from_db()
    assert episode.status == S.ACTIVE and not episode.pauses.exists()


def test_a_person_cannot_have_two_open_episodes(
    organisation: Organisation, connector: User, programme: Programme, episode: SupportEpisode
) -> None:
    again = make_referral(person=episode.person)
    with pytest.raises(DomainError) as raised:
        services.episode_start(actor=OPERATOR, referral=again, programme=programme, connector=connector)
    assert raised.value.code == "ALREADY_SUPPORTED"
    assert episode.person.episodes.count() == 1


def test_a_supervisor_cannot_approve_their_own_extension(
    organisation: Organisation, north: Team, programme: Programme
) -> None:
    supervising_connector = make_staff(
        organisation=organisation, roles=[Role.CONNECTOR, Role.SUPERVISOR], teams=[north]
    )
    episode = make_episode(connector=supervising_connector, programme=programme)
    extension = services.extension_request(
        actor=supervising_connector, episode=episode, new_end_on=None, extra_contacts=2, reason="More time"
    )
    with pytest.raises(DomainError) as raised:
        services.extension_decide(actor=supervising_connector, extension=extension, approve=True)
    assert raised.value.code == "OWN_EXTENSION"
    extension.refresh_from_db()
    assert extension.status == "requested"


def test_volunteers_are_assigned_only_with_the_persons_consent(
    organisation: Organisation, connector: User, episode: SupportEpisode
) -> None:
    volunteer = make_staff(organisation=organisation, roles=[Role.VOLUNTEER])
    with pytest.raises(ValidationFailed) as raised:
        services.episode_assign(actor=OPERATOR, episode=episode, connector=connector, volunteers=[volunteer])
    assert raised.value.fields == {"volunteers": services.NO_VOLUNTEER_CONSENT}
    assert not episode.volunteers.exists()
    give_consent(person=episode.person, purpose="volunteer-contact")
    services.episode_assign(actor=OPERATOR, episode=episode, connector=connector, volunteers=[volunteer])
    assert list(episode.volunteers.all()) == [volunteer]


def test_a_meetup_recorded_from_the_command_line_needs_attendees(organisation: Organisation) -> None:
    with pytest.raises(ValidationFailed):
        services.meetup_record(
            actor=OPERATOR, organisation=organisation, held_at=london(days_ago(1), 14), place="Library"
        )


def test_withdrawing_consent_to_volunteers_takes_them_off_at_once(
    organisation: Organisation, connector: User, episode: SupportEpisode
) -> None:
    from linkwork.people.services import consent_withdraw

    volunteer = make_staff(organisation=organisation, roles=[Role.VOLUNTEER])
    consent = give_consent(person=episode.person, purpose="volunteer-contact")
    services.episode_assign(actor=OPERATOR, episode=episode, connector=connector, volunteers=[volunteer])
    consent_withdraw(actor=OPERATOR, consent=consent)
    assert not episode.volunteers.exists()


def test_supervisors_are_not_shown_their_own_extension_requests(
    organisation: Organisation, north: Team, programme: Programme, supervisor: User
) -> None:
    supervising_connector = make_staff(
        organisation=organisation, roles=[Role.CONNECTOR, Role.SUPERVISOR], teams=[north]
    )
    episode = make_episode(connector=supervising_connector, programme=programme)
    services.extension_request(
        actor=supervising_connector, episode=episode, new_end_on=None, extra_contacts=1, reason="More time"
    )
    assert not extensions_waiting(actor=supervising_connector).exists()
    assert extensions_waiting(actor=supervisor).count() == 1


def test_closing_support_saves_the_end_network_map(episode: SupportEpisode) -> None:
    from linkwork.networks.models import NetworkSnapshot
    from linkwork.networks.services import entry_add, map_mark_complete

    entry_add(actor=OPERATOR, person=episode.person, label="Sister", type="family", ring="inner")
    map_mark_complete(actor=OPERATOR, person=episode.person)
    services.episode_close(actor=OPERATOR, episode=episode, outcome="goals-met", on=day(episode, 30))
    kinds = set(NetworkSnapshot.objects.filter(person=episode.person).values_list("kind", flat=True))
    assert kinds == {"baseline", "end"}


def test_a_volunteers_practical_view_covers_only_open_episodes_they_are_assigned_to(
    organisation: Organisation, connector: User, episode: SupportEpisode
) -> None:
    from linkwork.core.policies import Action, visible_to

    volunteer = make_staff(organisation=organisation, roles=[Role.VOLUNTEER])
    give_consent(person=episode.person, purpose="volunteer-contact")
    services.episode_assign(actor=OPERATOR, episode=episode, connector=connector, volunteers=[volunteer])
    assert list(visible_to(volunteer, Action.VIEW_PRACTICAL, SupportEpisode)) == [episode]
    services.episode_close(actor=OPERATOR, episode=episode, outcome="goals-met", on=day(episode, 20))
    assert not visible_to(volunteer, Action.VIEW_PRACTICAL, SupportEpisode).exists()
