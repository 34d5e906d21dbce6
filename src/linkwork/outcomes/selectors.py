"""Reads for measures: what is due, what changed, and the safeguarding alerts waiting for action."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from linkwork.accounts.models import User
from linkwork.accounts.roles import Role
from linkwork.audit.services import audit_record
from linkwork.core.errors import NotFound
from linkwork.core.policies import Action, visible_to
from linkwork.core.time import local_today
from linkwork.outcomes.models import Measure, SafeguardingAlert, Story, TimePoint
from linkwork.outcomes.scoring import ChangeResult, ItemScore, ScoreResult, SubscaleScore, change
from linkwork.people.choices import ConsentPurpose
from linkwork.people.models import Consent
from linkwork.support.models import OPEN_EPISODE_STATUSES, EndingOutcome, EpisodeStatus, SupportEpisode

# A due questionnaire shows as overdue this long after its due date.
OVERDUE_AFTER = dt.timedelta(days=14)


@dataclass(frozen=True)
class DueMeasure:
    instrument: str
    time_point: str
    months_after_ending: int | None
    label: str
    due_on: dt.date
    overdue: bool


def _months_later(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate_day)
        except ValueError:
            continue
    raise ValueError("unreachable")


def measures_due(episode: SupportEpisode, today: dt.date | None = None) -> list[DueMeasure]:
    """The programme's scheduled questionnaires not yet answered or skipped, with their due dates.

    Baseline is due when support starts; ending when support is closing (from the planned end, or
    once the ending is planned); each follow-up so many months after support ended, when support has a
    follow-up. Nothing is due once support ended because the person died.
    """
    day = today or local_today()
    if episode.outcome == EndingOutcome.DIED:
        return []
    done = {(m.instrument, m.time_point, m.months_after_ending) for m in episode.measures.all()}
    due: list[DueMeasure] = []
    for entry in episode.programme.measure_schedule.all():
        key = (entry.instrument, entry.time_point, entry.months_after_ending)
        if key in done:
            continue
        if entry.time_point == TimePoint.BASELINE:
            due_on = episode.started_on
        elif entry.time_point == TimePoint.ENDING:
            if episode.closed_on:
                due_on = episode.closed_on
            elif episode.status == EpisodeStatus.ENDING_PLANNED:
                due_on = min(day, episode.planned_end_on)
            else:
                due_on = episode.planned_end_on
        else:
            if not episode.closed_on or not episode.follow_up_on:  # no follow-up, e.g. they moved away
                continue
            due_on = _months_later(episode.closed_on, entry.months_after_ending or 0)
        if due_on > day and entry.time_point != TimePoint.BASELINE:
            continue
        due.append(
            DueMeasure(
                instrument=entry.instrument,
                time_point=entry.time_point,
                months_after_ending=entry.months_after_ending,
                label=f"{entry.instrument} {entry.time_label}",
                due_on=due_on,
                overdue=day > due_on + OVERDUE_AFTER,
            )
        )
    return due


def measure_list(*, actor: User, episode: SupportEpisode) -> QuerySet[Measure]:
    return visible_to(actor, Action.VIEW, Measure).filter(episode=episode).order_by("recorded_at")


def measure_get(*, actor: User, measure_id: int) -> Measure:
    measure = visible_to(actor, Action.VIEW, Measure).select_related("episode").filter(pk=measure_id).first()
    if measure is None:
        raise NotFound()
    return measure


def measure_as_result(measure: Measure) -> ScoreResult:
    """A stored measure as the engine's result, so change() compares what was recorded."""
    return ScoreResult(
        instrument=measure.instrument,
        total=None if measure.total is None else int(measure.total),
        band=measure.band or None,
        subscales={code: SubscaleScore(s["total"], s["band"]) for code, s in measure.subscales.items()},
        flags=list(measure.flags),
        missing=[],
        valid=measure.valid,
        reason=measure.reason,
        metric=measure.metric,
        per_item={int(n): ItemScore(i["name"], i["score"], i["band"]) for n, i in measure.items.items()},
    )


@dataclass(frozen=True)
class MeasureChange:
    instrument: str
    baseline: Measure
    latest: Measure
    change: ChangeResult


def measure_changes(*, actor: User, episode: SupportEpisode) -> list[MeasureChange]:
    """For each questionnaire: from the baseline to the latest valid answer after it."""
    measures = [m for m in measure_list(actor=actor, episode=episode) if m.valid and not m.skipped]
    result = []
    for instrument in sorted({m.instrument for m in measures}):
        own = [m for m in measures if m.instrument == instrument]
        baseline = next((m for m in own if m.time_point == TimePoint.BASELINE), None)
        later = [m for m in own if m.time_point != TimePoint.BASELINE]
        if baseline is not None and later:
            latest = later[-1]
            result.append(
                MeasureChange(
                    instrument,
                    baseline,
                    latest,
                    change(instrument, measure_as_result(baseline), measure_as_result(latest)),
                )
            )
    return result


def alerts_waiting(*, actor: User) -> QuerySet[SafeguardingAlert]:
    """Alerts with no action recorded, for the person's connector and the supervisors of their team."""
    alerts = visible_to(actor, Action.VIEW, SafeguardingAlert).filter(actioned_at__isnull=True)
    mine = Q(episode__connector=actor)
    if actor.has_role(Role.SUPERVISOR):
        mine |= Q(episode__person__team__in=actor.teams.all())
    return alerts.filter(mine).select_related("episode__person").order_by("raised_at")


def alert_get(*, actor: User, alert_id: int) -> SafeguardingAlert:
    alert = (
        visible_to(actor, Action.UPDATE, SafeguardingAlert)
        .select_related("episode__person")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None:
        raise NotFound()
    return alert


def _stories_with_consent(actor: User) -> QuerySet[Story]:
    """Stories are shown only while the person's `story` consent is in force: withdrawing it hides
    them at once, everywhere they are read (the page, the API, the anonymised version)."""
    in_force = Consent.objects.filter(
        person=OuterRef("episode__person"),
        purpose=ConsentPurpose.STORY,
        agreed=True,
        withdrawn_at__isnull=True,
    )
    return visible_to(actor, Action.VIEW, Story).filter(Exists(in_force))


def story_list(*, actor: User, episode: SupportEpisode) -> QuerySet[Story]:
    return _stories_with_consent(actor).filter(episode=episode)


def open_episode_measures_overdue(episode: SupportEpisode, today: dt.date | None = None) -> list[str]:
    """Plain-words overdue questionnaire labels, for caseloads."""
    if episode.status not in (*OPEN_EPISODE_STATUSES, EpisodeStatus.CLOSED, EpisodeStatus.FOLLOW_UP_DUE):
        return []
    return [f"{due.label} was due {due.due_on:%d %b}" for due in measures_due(episode, today) if due.overdue]


def story_get(*, actor: User, story_id: int) -> Story:
    story = _stories_with_consent(actor).select_related("episode__person").filter(pk=story_id).first()
    if story is None:
        raise NotFound()
    audit_record(actor=actor, event="story.viewed", target=story)
    return story
