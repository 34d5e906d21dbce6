"""Outcome measures through the services and selectors: safeguarding alerts, schedules and what is due,
recording and skipping, one-time links, change from the baseline, the loneliness ending risk, stories and
their anonymising, who may do what, and the demo data."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Model, QuerySet

from linkwork.accounts.models import Organisation, Team, User
from linkwork.accounts.roles import Role
from linkwork.accounts.services import organisation_update
from linkwork.audit.models import AuditEvent
from linkwork.audit.services import audit_verify
from linkwork.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from linkwork.core.time import local_today, now
from linkwork.demo.builder import DemoOptions, demo_data_build
from linkwork.outcomes import selectors, services
from linkwork.outcomes.models import (
    Measure,
    MeasureLink,
    MeasureSchedule,
    SafeguardingAlert,
    SkipReason,
    Story,
    TimePoint,
)
from linkwork.outcomes.scoring import score
from linkwork.people.services import consent_withdraw
from linkwork.support import services as support
from linkwork.support.models import EndingOutcome, Programme, SupportEpisode
from linkwork.support.selectors import caseload_list, ending_risks
from tests.factories import OPERATOR, make_staff, make_team
from tests.journey_factories import (
    days_ago,
    give_consent,
    make_episode,
    make_person,
    make_programme,
    make_referral,
)
from tests.outcomes.facts import djg_answers

NON_ZERO_ITEM_9 = ["Several days", "More than half the days", "Nearly every day"]
LONELY = ["Often", "Some of the time", "Often"]  # UCLA-3 total 8: "lonely"
NOT_LONELY = ["Hardly ever", "Hardly ever", "Some of the time"]  # total 4: "not lonely"
LONELY_RISK = "was still lonely at the last UCLA loneliness measure"
GUIDANCE = "Ring the Riverside duty worker on 0100 000 0000 before anything else."


def phq9(item_9: str, others: str = "Not at all") -> list[str]:
    return [others] * 8 + [item_9]


def audit_entries(event: str, target: Model) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(event=event, object_id=str(target.pk))


@pytest.fixture
def north(organisation: Organisation) -> Team:
    return make_team(organisation=organisation, name="North")


@pytest.fixture
def south(organisation: Organisation) -> Team:
    return make_team(organisation=organisation, name="South")


@pytest.fixture
def connector(organisation: Organisation, north: Team) -> User:
    return make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[north], username="connector")


@pytest.fixture
def supervisor(organisation: Organisation, north: Team) -> User:
    return make_staff(
        organisation=organisation, roles=[Role.SUPERVISOR], teams=[north], username="supervisor"
    )


@pytest.fixture
def colleague(organisation: Organisation, north: Team) -> User:
    """A connector in the same team who does not support this person."""
    return make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[north], username="colleague")


@pytest.fixture
def south_supervisor(organisation: Organisation, south: Team) -> User:
    return make_staff(organisation=organisation, roles=[Role.SUPERVISOR], teams=[south], username="southsup")


@pytest.fixture
def outsider(other_organisation: Organisation) -> User:
    team = make_team(organisation=other_organisation, name="Elsewhere")
    return make_staff(
        organisation=other_organisation,
        roles=[Role.CONNECTOR, Role.SUPERVISOR, Role.ORGANISATION_ADMIN],
        teams=[team],
        username="outsider",
    )


@pytest.fixture
def programme(organisation: Organisation) -> Programme:
    return make_programme(organisation=organisation, name="Connect 12", planned_weeks=12, follow_up_weeks=12)


@pytest.fixture
def episode(connector: User, programme: Programme, volunteer: User) -> SupportEpisode:
    person = make_person(
        organisation=programme.organisation,
        first_name="Marjorie",
        last_name="Quennell",
        preferred_name="Madge",
        address="14 Larkspur Road\nTodmorden",
        postcode="OL14 5AB",
    )
    referral = make_referral(person=person, referrer_name="Dr Ada Shah")
    return make_episode(
        connector=connector,
        programme=programme,
        referral=referral,
        volunteers=[volunteer],
        started_on=days_ago(20),
    )


def record(
    episode: SupportEpisode,
    instrument: str,
    answers: list[str],
    time_point: str = TimePoint.BASELINE,
    *,
    months: int | None = None,
    age_days: int | None = None,
) -> Measure:
    measure = services.measure_record(
        actor=episode.connector,
        episode=episode,
        instrument=instrument,
        time_point=time_point,
        answers=answers,
        months_after_ending=months,
    )
    if age_days is not None:  # measures are ordered by when they were recorded
        Measure.objects.filter(pk=measure.pk).update(recorded_at=now() - dt.timedelta(days=age_days))
        measure.refresh_from_db()
    return measure


def set_schedule(programme: Programme, entries: list[tuple[str, str, int | None]]) -> None:
    services.schedule_set(actor=OPERATOR, programme=programme, entries=entries)


# Safeguarding alerts -------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", NON_ZERO_ITEM_9)
def test_each_non_zero_answer_to_phq9_item_9_raises_one_alert_at_once(
    episode: SupportEpisode, answer: str
) -> None:
    measure = record(episode, "phq9", phq9(answer))
    alert = SafeguardingAlert.objects.get()
    assert (alert.measure, alert.episode, alert.organisation) == (measure, episode, episode.organisation)
    assert alert.flag == "self-harm-thoughts"
    assert alert.actioned_at is None and alert.action_taken == ""
    assert "self-harm-thoughts" in measure.flags
    raised = audit_entries("safeguarding.raised", alert).get()
    assert raised.actor_id == episode.connector.pk
    assert raised.detail == {"flag": "self-harm-thoughts"}
    assert raised.organisation_id == episode.organisation_id


@pytest.mark.parametrize("answer", ["Not at all", "declined"])
def test_no_alert_when_item_9_is_not_at_all_or_declined(episode: SupportEpisode, answer: str) -> None:
    measure = record(episode, "phq9", phq9(answer, others="Nearly every day"))
    assert not SafeguardingAlert.objects.exists()
    assert not AuditEvent.objects.filter(event="safeguarding.raised").exists()
    assert "self-harm-thoughts" not in measure.flags
    if answer == "declined":  # a prompt to follow up, not an alert
        assert "self-harm-question-declined" in measure.flags


def test_the_caseness_threshold_alone_raises_no_alert(episode: SupportEpisode) -> None:
    measure = record(episode, "phq9", ["More than half the days"] * 5 + ["Not at all"] * 4)
    assert measure.total == 10 and measure.flags == ["caseness"]
    assert not SafeguardingAlert.objects.exists()


def test_the_alert_waits_for_the_connector_and_the_team_supervisor_only(
    episode: SupportEpisode,
    connector: User,
    supervisor: User,
    colleague: User,
    south_supervisor: User,
    volunteer: User,
    outsider: User,
) -> None:
    record(episode, "phq9", phq9("Several days"))
    alert = SafeguardingAlert.objects.get()
    assert list(selectors.alerts_waiting(actor=connector)) == [alert]
    assert list(selectors.alerts_waiting(actor=supervisor)) == [alert]
    for other in (colleague, south_supervisor, volunteer, outsider):
        assert not selectors.alerts_waiting(actor=other).exists(), other.username


def test_the_alert_stays_until_an_action_is_recorded_and_only_once(
    episode: SupportEpisode, connector: User, supervisor: User
) -> None:
    record(episode, "phq9", phq9("Nearly every day"))
    alert = SafeguardingAlert.objects.get()

    for empty in ("", "   \n "):
        with pytest.raises(ValidationFailed) as refused:
            services.alert_record_action(actor=supervisor, alert=alert, action_taken=empty)
        assert refused.value.fields == {"action_taken": services.ACTION_REQUIRED}
    alert.refresh_from_db()
    assert (alert.action_taken, alert.actioned_by, alert.actioned_at) == ("", None, None)
    assert not audit_entries("safeguarding.actioned", alert).exists()
    assert list(selectors.alerts_waiting(actor=connector)) == [alert]

    services.alert_record_action(
        actor=supervisor, alert=alert, action_taken="  Spoke to Madge; GP appointment booked for today.  "
    )
    alert.refresh_from_db()
    assert alert.action_taken == "Spoke to Madge; GP appointment booked for today."
    assert alert.actioned_by == supervisor and alert.actioned_at is not None
    assert not selectors.alerts_waiting(actor=connector).exists()
    assert not selectors.alerts_waiting(actor=supervisor).exists()

    with pytest.raises(DomainError) as again:
        services.alert_record_action(actor=connector, alert=alert, action_taken="Something else.")
    assert again.value.code == "ALERT_ACTIONED"
    alert.refresh_from_db()
    assert alert.action_taken == "Spoke to Madge; GP appointment booked for today."
    assert alert.actioned_by == supervisor

    actioned = audit_entries("safeguarding.actioned", alert).get()
    assert actioned.actor_id == supervisor.pk
    assert actioned.fields == ["action_taken"]
    assert "GP appointment" not in str(actioned.values)  # free text is never copied into the log
    assert audit_entries("safeguarding.raised", alert).count() == 1
    assert audit_verify().ok


def test_two_people_acting_on_the_same_alert_at_once_keep_the_first_action(
    episode: SupportEpisode, connector: User, supervisor: User
) -> None:
    """A double submit: both requests loaded the alert before either recorded anything."""
    record(episode, "phq9", phq9("Several days"))
    first, second = SafeguardingAlert.objects.get(), SafeguardingAlert.objects.get()
    services.alert_record_action(actor=connector, alert=first, action_taken="Called her; she is safe.")
    with pytest.raises(DomainError) as refused:
        services.alert_record_action(actor=supervisor, alert=second, action_taken="Visited at home.")
    assert refused.value.code == "ALERT_ACTIONED"
    stored = SafeguardingAlert.objects.get()
    assert (stored.action_taken, stored.actioned_by) == ("Called her; she is safe.", connector)
    assert AuditEvent.objects.filter(event="safeguarding.actioned").count() == 1


def test_the_organisation_crisis_guidance_comes_with_the_alert(episode: SupportEpisode) -> None:
    organisation_update(
        actor=OPERATOR,
        organisation=episode.organisation,
        name=episode.organisation.name,
        crisis_guidance=GUIDANCE,
    )
    record(episode, "phq9", phq9("Several days"))
    assert SafeguardingAlert.objects.get().organisation.crisis_guidance == GUIDANCE


# Schedules and what is due -------------------------------------------------------------------------


def schedule_of(programme: Programme) -> list[tuple[str, str, int | None]]:
    return sorted(
        programme.measure_schedule.values_list("instrument", "time_point", "months_after_ending"),
        key=str,
    )


def test_schedule_set_replaces_the_whole_schedule(
    programme: Programme, admin: User, supervisor: User
) -> None:
    services.schedule_set(
        actor=admin,
        programme=programme,
        entries=[("ucla3", "baseline", None), ("ucla3", "ending", None), ("phq9", "baseline", None)],
    )
    services.schedule_set(
        actor=supervisor,
        programme=programme,
        entries=[("swemwbs", "baseline", None), ("ucla3", "follow-up", 6), ("ucla3", "follow-up", 6)],
    )
    assert schedule_of(programme) == [("swemwbs", "baseline", None), ("ucla3", "follow-up", 6)]
    assert AuditEvent.objects.filter(event="schedule.updated", object_id=str(programme.pk)).count() == 2
    services.schedule_set(actor=admin, programme=programme, entries=[])
    assert schedule_of(programme) == []


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        (("nope", "baseline", None), "instrument"),
        (("ucla3", "sometime", None), "time_point"),
        (("ucla3", "follow-up", None), "months_after_ending"),
        (("ucla3", "follow-up", 0), "months_after_ending"),
        (("ucla3", "follow-up", 61), "months_after_ending"),
    ],
)
def test_schedule_set_refuses_unknown_instruments_and_bad_follow_ups_and_changes_nothing(
    programme: Programme, admin: User, entry: tuple[str, str, int | None], field: str
) -> None:
    services.schedule_set(actor=admin, programme=programme, entries=[("ucla3", "baseline", None)])
    with pytest.raises(ValidationFailed) as refused:
        services.schedule_set(actor=admin, programme=programme, entries=[("phq9", "baseline", None), entry])
    assert field in refused.value.fields
    assert schedule_of(programme) == [("ucla3", "baseline", None)]


def test_only_admins_and_supervisors_set_a_schedule(
    programme: Programme, connector: User, volunteer: User, outsider: User
) -> None:
    for actor in (connector, volunteer, outsider):
        with pytest.raises(PermissionDenied):
            services.schedule_set(actor=actor, programme=programme, entries=[("ucla3", "baseline", None)])
    assert not MeasureSchedule.objects.exists()
    assert AuditEvent.objects.filter(event="auth.permission_denied").count() == 3


def due_keys(episode: SupportEpisode, today: dt.date | None = None) -> list[tuple[str, str, int | None]]:
    return [
        (d.instrument, d.time_point, d.months_after_ending) for d in selectors.measures_due(episode, today)
    ]


def test_the_baseline_is_due_when_support_starts(programme: Programme, connector: User) -> None:
    set_schedule(
        programme, [("ucla3", "baseline", None), ("ucla3", "ending", None), ("ucla3", "follow-up", 3)]
    )
    episode = make_episode(connector=connector, programme=programme)
    (due,) = selectors.measures_due(episode)
    assert (due.instrument, due.time_point, due.due_on, due.overdue) == (
        "ucla3",
        "baseline",
        local_today(),
        False,
    )
    assert due.label == "ucla3 at the start"


def test_the_ending_is_due_at_the_planned_end(programme: Programme, connector: User) -> None:
    set_schedule(programme, [("ucla3", "ending", None)])
    episode = make_episode(connector=connector, programme=programme, started_on=days_ago(10))
    end = episode.planned_end_on
    assert due_keys(episode, end - dt.timedelta(days=1)) == []
    (due,) = selectors.measures_due(episode, end)
    assert (due.time_point, due.due_on, due.overdue) == ("ending", end, False)


def test_the_ending_is_due_as_soon_as_the_ending_is_planned(programme: Programme, connector: User) -> None:
    set_schedule(programme, [("ucla3", "ending", None)])
    episode = make_episode(connector=connector, programme=programme, started_on=days_ago(10))
    assert due_keys(episode) == []
    support.episode_plan_ending(
        actor=connector,
        episode=episode,
        continuing_connections="Walking group",
        contacts_after_ending="",
        follow_up_on=None,
        relies_on_service_for_company=False,
    )
    (due,) = selectors.measures_due(episode)
    assert (due.time_point, due.due_on) == ("ending", local_today())


def test_the_ending_is_due_at_the_close(programme: Programme, connector: User) -> None:
    set_schedule(programme, [("ucla3", "ending", None)])
    episode = make_episode(connector=connector, programme=programme, started_on=days_ago(30))
    support.episode_close(actor=connector, episode=episode, outcome="goals-met", on=days_ago(3))
    (due,) = selectors.measures_due(episode)
    assert (due.time_point, due.due_on) == ("ending", days_ago(3))


def test_follow_ups_are_due_so_many_months_after_support_ends(programme: Programme, connector: User) -> None:
    set_schedule(programme, [("ucla3", "follow-up", 3), ("ucla3", "follow-up", 6)])
    episode = make_episode(connector=connector, programme=programme, started_on=dt.date(2025, 6, 2))
    assert due_keys(episode, dt.date(2026, 6, 1)) == []  # nothing before support ends
    support.episode_close(actor=connector, episode=episode, outcome="goals-met", on=dt.date(2025, 8, 31))
    assert due_keys(episode, dt.date(2025, 11, 29)) == []
    assert due_keys(episode, dt.date(2025, 11, 30)) == [("ucla3", "follow-up", 3)]
    assert due_keys(episode, dt.date(2026, 2, 27)) == [("ucla3", "follow-up", 3)]
    # Six months after 31 August is the last day of February.
    due = {d.months_after_ending: d for d in selectors.measures_due(episode, dt.date(2026, 2, 28))}
    assert due[6].due_on == dt.date(2026, 2, 28) and due[6].label == "ucla3 6-month follow-up"
    assert due[3].overdue and not due[6].overdue


def test_nothing_is_asked_after_the_person_died(programme: Programme, connector: User) -> None:
    set_schedule(
        programme, [("ucla3", "baseline", None), ("ucla3", "ending", None), ("ucla3", "follow-up", 3)]
    )
    episode = make_episode(connector=connector, programme=programme, started_on=days_ago(200))
    support.episode_close(actor=connector, episode=episode, outcome=EndingOutcome.DIED, on=days_ago(150))
    assert due_keys(episode) == []


def test_follow_ups_are_due_only_when_support_has_a_follow_up(programme: Programme, connector: User) -> None:
    set_schedule(programme, [("ucla3", "ending", None), ("ucla3", "follow-up", 3)])
    episode = make_episode(connector=connector, programme=programme, started_on=days_ago(200))
    support.episode_close(
        actor=connector, episode=episode, outcome=EndingOutcome.MOVED_AWAY, on=days_ago(150)
    )
    assert episode.follow_up_on is None
    assert due_keys(episode) == [("ucla3", "ending", None)]


def test_answered_and_skipped_questionnaires_are_no_longer_due(
    episode: SupportEpisode, programme: Programme
) -> None:
    set_schedule(
        programme, [("ucla3", "baseline", None), ("swemwbs", "baseline", None), ("phq9", "baseline", None)]
    )
    record(episode, "ucla3", LONELY)
    services.measure_skip(
        actor=episode.connector,
        episode=episode,
        instrument="swemwbs",
        time_point="baseline",
        reason=SkipReason.TOO_DISTRESSED,
    )
    assert due_keys(episode) == [("phq9", "baseline", None)]
    record(episode, "phq9", phq9("Not at all"))
    assert due_keys(episode) == []


def test_a_questionnaire_is_overdue_14_days_after_it_was_due(programme: Programme, connector: User) -> None:
    set_schedule(programme, [("ucla3", "baseline", None)])
    start = dt.date(2026, 1, 5)
    episode = make_episode(connector=connector, programme=programme, started_on=start)
    assert not selectors.measures_due(episode, start + dt.timedelta(days=14))[0].overdue
    assert selectors.measures_due(episode, start + dt.timedelta(days=15))[0].overdue
    assert selectors.open_episode_measures_overdue(episode, start + dt.timedelta(days=14)) == []
    assert selectors.open_episode_measures_overdue(episode, start + dt.timedelta(days=15)) == [
        "ucla3 at the start was due 05 Jan"
    ]


def test_caseload_rows_show_overdue_questionnaires(
    episode: SupportEpisode, programme: Programme, connector: User
) -> None:
    set_schedule(programme, [("ucla3", "baseline", None), ("swemwbs", "baseline", None)])
    record(episode, "swemwbs", ["Often"] * 7)
    (row,) = [row for row in caseload_list(actor=connector) if row.episode_id == episode.pk]
    started = episode.started_on
    assert f"ucla3 at the start was due {started:%d %b}" in row.overdue
    assert not any("swemwbs" in item for item in row.overdue)
    record(episode, "ucla3", LONELY)
    (row,) = [row for row in caseload_list(actor=connector) if row.episode_id == episode.pk]
    assert not any("ucla3" in item for item in row.overdue)


# Recording and skipping ----------------------------------------------------------------------------


def test_measure_record_stores_the_engines_result(episode: SupportEpisode, connector: User) -> None:
    measure = record(episode, "ucla3", ["often", " Some of the time ", "Hardly ever or never"])
    measure.refresh_from_db()
    assert measure.answers == ["often", " Some of the time ", "Hardly ever or never"]
    assert (measure.total, measure.band, measure.valid, measure.reason) == (6, "lonely", True, "")
    assert (measure.recorded_by, measure.skipped, measure.time_point) == (connector, False, "baseline")
    recorded = audit_entries("measure.recorded", measure).get()
    assert recorded.values == {"instrument": [None, "ucla3"], "time_point": [None, "baseline"]}
    assert sorted(recorded.fields) == ["answers", "band", "total"]


def test_measure_record_stores_subscales_flags_metric_and_item_scores(episode: SupportEpisode) -> None:
    djg = record(episode, "djg6", djg_answers({1, 2}))
    assert (djg.total, djg.band) == (2, "moderately lonely")
    assert djg.subscales == {
        "emotional": {"total": 1, "band": "lonely"},
        "social": {"total": 1, "band": "lonely"},
    }
    phq = record(episode, "phq9", ["Nearly every day"] * 4 + ["Not at all"] * 5)
    assert (phq.total, phq.band, phq.flags) == (12, "moderate", ["caseness"])
    swemwbs = record(episode, "swemwbs", ["Some of the time"] * 7)
    assert swemwbs.total == 21 and swemwbs.metric == score("swemwbs", ["Some of the time"] * 7).metric
    ons4 = record(episode, "ons4", ["7", "8", "6", "2"])
    assert ons4.total is None and ons4.valid
    assert ons4.items["4"]["score"] == 2 and ons4.items["1"]["band"]


def test_a_total_the_missing_rule_does_not_allow_is_stored_as_not_valid(episode: SupportEpisode) -> None:
    measure = record(episode, "ucla3", ["Often", "declined", "Often"])
    assert (measure.total, measure.band, measure.valid) == (None, "", False)
    assert "declined" in measure.reason


@pytest.mark.parametrize(
    "answers",
    [
        ["Often", "Sometimes", "Often"],
        ["Often", "Often"],
        ["Often", "Often", "Often", "Often"],
        ["1", "2", "3"],
    ],
)
def test_answers_that_do_not_fit_are_refused_and_nothing_is_stored(
    episode: SupportEpisode, answers: list[str]
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        record(episode, "ucla3", answers)
    assert refused.value.code == "INVALID_ANSWER"
    assert "Allowed answers" in refused.value.message
    assert not Measure.objects.exists()
    assert not AuditEvent.objects.filter(event="measure.recorded").exists()


def test_unknown_instruments_and_time_points_are_refused(episode: SupportEpisode) -> None:
    with pytest.raises(ValidationFailed) as unknown:
        record(episode, "ucla4", LONELY)
    assert "instrument" in unknown.value.fields
    with pytest.raises(ValidationFailed):
        record(episode, "ucla3", LONELY, time_point="midway")
    with pytest.raises(ValidationFailed):
        record(episode, "ucla3", LONELY, time_point=TimePoint.FOLLOW_UP)  # months missing
    assert not Measure.objects.exists()


@pytest.mark.parametrize("reason", SkipReason.values)
def test_skipping_records_the_reason(episode: SupportEpisode, reason: str) -> None:
    measure = services.measure_skip(
        actor=episode.connector, episode=episode, instrument="ucla3", time_point="baseline", reason=reason
    )
    assert (measure.skipped, measure.skip_reason, measure.valid, measure.total) == (True, reason, False, None)
    assert audit_entries("measure.skipped", measure).get().values == {"skip_reason": [None, reason]}


@pytest.mark.parametrize("reason", ["", "busy", "Declined"])
def test_skipping_needs_a_reason_from_the_list(episode: SupportEpisode, reason: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.measure_skip(
            actor=episode.connector, episode=episode, instrument="ucla3", time_point="baseline", reason=reason
        )
    assert "reason" in refused.value.fields
    assert not Measure.objects.exists()


# One-time links ------------------------------------------------------------------------------------


def test_a_link_is_stored_only_as_a_hash_and_lasts_seven_days(
    episode: SupportEpisode, connector: User
) -> None:
    link, raw = services.measure_link_create(
        actor=connector, episode=episode, instrument="ucla3", time_point="ending"
    )
    assert len(raw) >= 32
    assert link.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert not MeasureLink.objects.filter(token_hash__contains=raw).exists()
    assert abs(link.expires_at - link.created_at - dt.timedelta(days=7)) < dt.timedelta(seconds=1)
    assert link.used_at is None and link.created_by == connector
    assert audit_entries("measure.link_created", link).count() == 1
    assert services.measure_link_get(raw) == link


def test_answering_through_a_link_stores_a_measure_without_a_recorder_and_spends_the_link(
    episode: SupportEpisode, connector: User
) -> None:
    link, raw = services.measure_link_create(
        actor=connector, episode=episode, instrument="ucla3", time_point="follow-up", months_after_ending=3
    )
    measure = services.measure_link_answer(raw=raw, answers=NOT_LONELY)
    assert measure.recorded_by is None
    assert (measure.episode, measure.instrument, measure.time_point, measure.months_after_ending) == (
        episode,
        "ucla3",
        "follow-up",
        3,
    )
    assert (measure.total, measure.band) == (4, "not lonely")
    link.refresh_from_db()
    assert link.used_at is not None
    assert audit_entries("measure.recorded", measure).get().actor_id is None
    with pytest.raises(NotFound):
        services.measure_link_get(raw)
    with pytest.raises(NotFound):
        services.measure_link_answer(raw=raw, answers=LONELY)
    assert Measure.objects.count() == 1


def test_wrong_answers_through_a_link_store_nothing_and_leave_it_usable(
    episode: SupportEpisode, connector: User
) -> None:
    link, raw = services.measure_link_create(
        actor=connector, episode=episode, instrument="ucla3", time_point="baseline"
    )
    with pytest.raises(ValidationFailed):
        services.measure_link_answer(raw=raw, answers=["Often"])
    link.refresh_from_db()
    assert link.used_at is None and not Measure.objects.exists()
    services.measure_link_answer(raw=raw, answers=LONELY)
    assert Measure.objects.count() == 1


def test_an_expired_or_unknown_link_is_not_found(episode: SupportEpisode, connector: User) -> None:
    link, raw = services.measure_link_create(
        actor=connector, episode=episode, instrument="ucla3", time_point="baseline"
    )
    MeasureLink.objects.filter(pk=link.pk).update(expires_at=now() - dt.timedelta(seconds=1))
    for token in (raw, "not-a-token"):
        with pytest.raises(NotFound):
            services.measure_link_get(token)
        with pytest.raises(NotFound):
            services.measure_link_answer(raw=token, answers=LONELY)
    assert not Measure.objects.exists()


def test_a_worrying_answer_through_a_link_raises_the_alert_too(
    episode: SupportEpisode, connector: User, supervisor: User
) -> None:
    _, raw = services.measure_link_create(
        actor=connector, episode=episode, instrument="phq9", time_point="baseline"
    )
    services.measure_link_answer(raw=raw, answers=phq9("More than half the days"))
    alert = SafeguardingAlert.objects.get()
    assert list(selectors.alerts_waiting(actor=supervisor)) == [alert]
    assert audit_entries("safeguarding.raised", alert).get().actor_id is None


def test_no_link_for_support_that_has_been_followed_up(programme: Programme, connector: User) -> None:
    episode = make_episode(connector=connector, programme=programme, started_on=days_ago(100))
    support.episode_close(actor=connector, episode=episode, outcome="goals-met", on=days_ago(50))
    support.episode_record_follow_up(actor=connector, episode=episode, note="Doing well.")
    with pytest.raises(DomainError) as refused:
        services.measure_link_create(
            actor=connector,
            episode=episode,
            instrument="ucla3",
            time_point="follow-up",
            months_after_ending=3,
        )
    assert refused.value.code == "EPISODE_NOT_OPEN"


# Change from the baseline --------------------------------------------------------------------------


def test_measure_changes_compare_the_baseline_with_the_latest(
    episode: SupportEpisode, connector: User
) -> None:
    baseline = record(episode, "ucla3", LONELY, age_days=15)
    record(episode, "ucla3", ["Often", "Often", "Hardly ever"], TimePoint.ENDING, age_days=10)
    latest = record(episode, "ucla3", NOT_LONELY, TimePoint.FOLLOW_UP, months=3, age_days=1)
    record(episode, "ucla3", ["declined"] * 3, TimePoint.FOLLOW_UP, months=6)  # not valid: ignored
    record(episode, "swemwbs", ["Rarely"] * 7, age_days=15)
    record(episode, "swemwbs", ["Often"] * 7, TimePoint.ENDING)
    record(episode, "phq9", phq9("Not at all"))  # a baseline with nothing after it

    changes = {item.instrument: item for item in selectors.measure_changes(actor=connector, episode=episode)}
    assert sorted(changes) == ["swemwbs", "ucla3"]
    ucla = changes["ucla3"]
    assert (ucla.baseline, ucla.latest) == (baseline, latest)
    assert (ucla.change.difference, ucla.change.direction) == (-4, "better")
    assert ucla.change.band_change == "lonely -> not lonely"
    assert ucla.change.reliable is None  # no published threshold
    wellbeing = changes["swemwbs"].change
    assert wellbeing.direction == "better" and wellbeing.reliable is True
    before, after = score("swemwbs", ["Rarely"] * 7).metric, score("swemwbs", ["Often"] * 7).metric
    assert before is not None and after is not None
    assert wellbeing.difference == pytest.approx(after - before)


def test_a_change_for_the_worse_and_no_band_change(episode: SupportEpisode, connector: User) -> None:
    record(episode, "ucla3", ["Often", "Some of the time", "Some of the time"], age_days=5)
    record(episode, "ucla3", ["Often", "Often", "Often"], TimePoint.ENDING)
    (item,) = selectors.measure_changes(actor=connector, episode=episode)
    assert (item.change.difference, item.change.direction, item.change.band_change) == (2, "worse", None)


def test_no_change_without_a_valid_baseline(episode: SupportEpisode, connector: User) -> None:
    services.measure_skip(
        actor=connector,
        episode=episode,
        instrument="ucla3",
        time_point="baseline",
        reason=SkipReason.DECLINED,
    )
    record(episode, "ucla3", NOT_LONELY, TimePoint.ENDING)
    assert selectors.measure_changes(actor=connector, episode=episode) == []


# The loneliness ending risk ------------------------------------------------------------------------


def test_no_loneliness_risk_without_a_ucla_measure(episode: SupportEpisode) -> None:
    record(episode, "swemwbs", ["Rarely"] * 7)
    assert LONELY_RISK not in ending_risks(episode)


def test_the_loneliness_risk_follows_the_last_valid_ucla_band(episode: SupportEpisode) -> None:
    record(episode, "ucla3", NOT_LONELY, age_days=15)
    assert LONELY_RISK not in ending_risks(episode)
    record(episode, "ucla3", LONELY, TimePoint.ENDING, age_days=5)
    assert LONELY_RISK in ending_risks(episode)
    # A declined (not valid) or skipped questionnaire afterwards does not hide it.
    record(
        episode,
        "ucla3",
        ["declined", "Hardly ever", "Hardly ever"],
        TimePoint.FOLLOW_UP,
        months=3,
        age_days=2,
    )
    services.measure_skip(
        actor=episode.connector,
        episode=episode,
        instrument="ucla3",
        time_point="follow-up",
        months_after_ending=6,
        reason=SkipReason.DECLINED,
    )
    assert LONELY_RISK in ending_risks(episode)
    record(episode, "ucla3", NOT_LONELY, TimePoint.FOLLOW_UP, months=12)
    assert LONELY_RISK not in ending_risks(episode)


def test_other_loneliness_measures_do_not_count_as_ucla(episode: SupportEpisode) -> None:
    record(episode, "djg6", djg_answers({1, 2, 3, 4, 5, 6}))
    assert LONELY_RISK not in ending_risks(episode)


# Stories -------------------------------------------------------------------------------------------


def test_a_story_needs_the_story_consent(episode: SupportEpisode, connector: User) -> None:
    def attempt() -> Story:
        return services.story_create(
            actor=connector, episode=episode, title="Out again", text="She goes out."
        )

    with pytest.raises(DomainError) as refused:
        attempt()
    assert refused.value.code == "NO_STORY_CONSENT"
    give_consent(person=episode.person, purpose="story", agreed=False)
    give_consent(person=episode.person, purpose="anonymous-measures")
    with pytest.raises(DomainError):
        attempt()
    agreed = give_consent(person=episode.person, purpose="story")
    consent_withdraw(actor=OPERATOR, consent=agreed)
    with pytest.raises(DomainError):
        attempt()
    assert not Story.objects.exists()
    assert not AuditEvent.objects.filter(event="story.recorded").exists()

    give_consent(person=episode.person, purpose="story")
    story = attempt()
    assert (story.title, story.text, story.created_by) == ("Out again", "She goes out.", connector)
    recorded = audit_entries("story.recorded", story).get()
    assert recorded.fields == ["text", "title"] and recorded.values == {}


def test_a_story_needs_a_title_and_text(episode: SupportEpisode, connector: User) -> None:
    give_consent(person=episode.person, purpose="story")
    with pytest.raises(ValidationFailed) as refused:
        services.story_create(actor=connector, episode=episode, title="  ", text="")
    assert set(refused.value.fields) == {"title", "text"}
    assert not Story.objects.exists()


def test_story_anonymised_removes_names_places_and_dates(
    episode: SupportEpisode, connector: User, volunteer: User
) -> None:
    organisation_update(
        actor=OPERATOR,
        organisation=episode.organisation,
        name=episode.organisation.name,
        anonymise_terms=["Hebden Allotments", "St Aidan's Hall"],
    )
    give_consent(person=episode.person, purpose="story")
    text = (
        f"Marjorie Quennell (Madge to her friends) had hardly left 14 Larkspur Road, OL14 5AB, since "
        f"her husband died. Dr Shah referred her on 3 March 2026. {connector.first_name} "
        f"{connector.last_name} first visited on a Tuesday, and {volunteer.first_name} went with her to "
        f"the Hebden Allotments on 12/03/2026. Now MADGE runs the Thursday tea at st aidan's hall. "
        f"She says quennell family history is her next project, and she walks along Larkspur Road "
        f"to the bus every week."
    )
    story = services.story_create(actor=connector, episode=episode, title="The allotment", text=text)
    anonymised = services.story_anonymised(story)
    for revealing in (
        "Marjorie",
        "Quennell",
        "Madge",
        "Larkspur",
        "OL14",
        "5AB",
        "Shah",
        connector.first_name,
        connector.last_name,
        volunteer.first_name,
        "Hebden",
        "Aidan",
        "March",
        "2026",
        "Tuesday",
        "Thursday",
        "12/03",
    ):
        assert revealing.casefold() not in anonymised.casefold(), revealing
    assert anonymised.startswith(
        "[name] [name] ([name] to her friends) had hardly left [place], [place], since"
    )
    assert "Dr [name] referred her on [date]." in anonymised
    assert "to the [place] on [date]." in anonymised
    assert "walks along [place] to the bus" in anonymised
    assert "husband died" in anonymised and "tea" in anonymised
    assert story.text == text  # the story itself is kept as told


# Who may see and record ----------------------------------------------------------------------------


def test_volunteers_cannot_see_or_record_measures_alerts_or_stories(
    episode: SupportEpisode, volunteer: User
) -> None:
    assert episode.volunteers.filter(pk=volunteer.pk).exists()
    measure = record(episode, "phq9", phq9("Several days"))
    alert = SafeguardingAlert.objects.get()
    give_consent(person=episode.person, purpose="story")
    story = services.story_create(actor=episode.connector, episode=episode, title="A story", text="Text.")

    assert not selectors.measure_list(actor=volunteer, episode=episode).exists()
    assert not selectors.story_list(actor=volunteer, episode=episode).exists()
    assert not selectors.alerts_waiting(actor=volunteer).exists()
    reads: list[Callable[[], object]] = [
        lambda: selectors.measure_get(actor=volunteer, measure_id=measure.pk),
        lambda: selectors.story_get(actor=volunteer, story_id=story.pk),
        lambda: selectors.alert_get(actor=volunteer, alert_id=alert.pk),
    ]
    for read in reads:
        with pytest.raises(NotFound):
            read()
    writes: list[Callable[[], object]] = [
        lambda: services.measure_record(
            actor=volunteer, episode=episode, instrument="ucla3", time_point="baseline", answers=LONELY
        ),
        lambda: services.measure_skip(
            actor=volunteer, episode=episode, instrument="ucla3", time_point="baseline", reason="declined"
        ),
        lambda: services.measure_link_create(
            actor=volunteer, episode=episode, instrument="ucla3", time_point="baseline"
        ),
        lambda: services.story_create(actor=volunteer, episode=episode, title="Mine", text="Text."),
        lambda: services.alert_record_action(actor=volunteer, alert=alert, action_taken="Rang her."),
    ]
    for write in writes:
        with pytest.raises(PermissionDenied):
            write()
    assert Measure.objects.count() == 1 and Story.objects.count() == 1
    assert not MeasureLink.objects.exists()
    assert SafeguardingAlert.objects.get().actioned_at is None


def test_another_organisations_staff_cannot_see_or_record_anything(
    episode: SupportEpisode, outsider: User
) -> None:
    measure = record(episode, "phq9", phq9("Several days"))
    alert = SafeguardingAlert.objects.get()
    give_consent(person=episode.person, purpose="story")
    story = services.story_create(actor=episode.connector, episode=episode, title="A story", text="Text.")

    assert not selectors.measure_list(actor=outsider, episode=episode).exists()
    assert not selectors.alerts_waiting(actor=outsider).exists()
    with pytest.raises(NotFound):
        selectors.measure_get(actor=outsider, measure_id=measure.pk)
    with pytest.raises(NotFound):
        selectors.story_get(actor=outsider, story_id=story.pk)
    with pytest.raises(NotFound):
        selectors.alert_get(actor=outsider, alert_id=alert.pk)
    with pytest.raises(PermissionDenied):
        services.measure_record(
            actor=outsider, episode=episode, instrument="ucla3", time_point="baseline", answers=LONELY
        )
    with pytest.raises(PermissionDenied):
        services.story_create(actor=outsider, episode=episode, title="Theirs", text="Text.")
    with pytest.raises(PermissionDenied):
        services.alert_record_action(actor=outsider, alert=alert, action_taken="Rang her.")
    assert Measure.objects.count() == 1 and Story.objects.count() == 1


def test_the_team_supervisor_may_read_and_act(episode: SupportEpisode, supervisor: User) -> None:
    measure = record(episode, "ucla3", LONELY)
    assert list(selectors.measure_list(actor=supervisor, episode=episode)) == [measure]
    assert selectors.measure_get(actor=supervisor, measure_id=measure.pk) == measure
    services.measure_record(
        actor=supervisor, episode=episode, instrument="ucla3", time_point="ending", answers=NOT_LONELY
    )
    assert Measure.objects.count() == 2


# The demo data -------------------------------------------------------------------------------------


# The demo spreads people over connectors by their referral's id (demo/journeys.py), and `demo-data` loads
# only into an empty database, so ids start at 1 here too. PostgreSQL keeps sequences past rolled-back tests.
@pytest.mark.django_db(reset_sequences=True)
def test_demo_data_has_measures_one_open_alert_and_a_story() -> None:
    demo_data_build(DemoOptions(people=20))
    riverside = Organisation.objects.get(name="Riverside Community Connectors")
    measures = Measure.objects.filter(episode__organisation=riverside, valid=True)
    assert measures.filter(time_point=TimePoint.BASELINE, instrument="ucla3").exists()
    assert measures.filter(time_point=TimePoint.BASELINE, instrument="swemwbs").exists()
    assert measures.filter(time_point=TimePoint.ENDING, instrument="ucla3").exists()
    assert measures.filter(time_point=TimePoint.ENDING, instrument="swemwbs").exists()
    (alert,) = SafeguardingAlert.objects.filter(actioned_at__isnull=True)
    assert alert.episode.connector.username == "connector"
    connector = User.objects.get(username="connector")
    supervisor = User.objects.get(username="supervisor")
    assert list(selectors.alerts_waiting(actor=connector)) == [alert]
    assert alert in selectors.alerts_waiting(actor=supervisor)
    story = Story.objects.filter(episode__organisation=riverside).get()
    anonymised = services.story_anonymised(story)
    assert story.episode.person.first_name not in anonymised
    assert "[name]" in anonymised and "[place]" in anonymised and "[date]" in anonymised
    assert audit_verify().ok


def test_an_alert_emails_the_connector_and_team_supervisors_without_naming_anyone(
    db: None, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    organisation = Organisation.objects.create(name="Mail Test Connectors", slug="mail-test")
    team = make_team(organisation=organisation)
    connector = make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[team])
    supervisor = make_staff(organisation=organisation, roles=[Role.SUPERVISOR], teams=[team])
    make_staff(organisation=organisation, roles=[Role.SUPERVISOR])  # another team's supervisor
    episode = make_episode(connector=connector, team=team)
    answers = ["Not at all"] * 8 + ["Several days"]
    with django_capture_on_commit_callbacks(execute=True):
        services.measure_record(
            actor=connector, episode=episode, instrument="phq9", time_point="baseline", answers=answers
        )
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert sorted(message.to) == sorted([connector.email, supervisor.email])
    assert episode.person.first_name not in message.body and episode.person.first_name not in message.subject
    assert "/alerts/" in message.body
