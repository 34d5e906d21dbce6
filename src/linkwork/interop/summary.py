"""The loneliness and social connection summary of one support episode, for care and discharge plans.

`loneliness_summary(episode=...)` gathers what the summary says; it checks no permission, so callers
must (interop.summary_services does, and so does the FHIR CarePlan export). The same data is shown as a
page, printed as a PDF, returned by the API (`as_dict`) and written into the CarePlan (`as_text`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from linkwork.core.time import to_london
from linkwork.matching.models.connections import Connection, ConnectionStatus
from linkwork.networks.models import NetworkEntry, NetworkSnapshot, SnapshotKind
from linkwork.networks.selectors import network_compare
from linkwork.networks.services import entry_frozen
from linkwork.outcomes.definitions import SumScoring, instrument_get
from linkwork.outcomes.models import Measure
from linkwork.outcomes.scoring import change
from linkwork.outcomes.selectors import measure_as_result
from linkwork.support.models import GoalStatus, SupportEpisode

# The questionnaires each part of the summary reports, in the order shown.
LONELINESS_INSTRUMENTS = ("ucla3", "djg6", "cel", "ons-loneliness")
WELLBEING_INSTRUMENTS = ("wemwbs", "swemwbs", "ons4")
# A connection "made" got the person there at least once; one that "continues" is still going.
MADE_STATUSES = (
    ConnectionStatus.ATTENDED,
    ConnectionStatus.ATTENDING,
    ConnectionStatus.STILL_ATTENDING,
    ConnectionStatus.STOPPED,
)
CONTINUING_STATUSES = (ConnectionStatus.ATTENDING, ConnectionStatus.STILL_ATTENDING)


@dataclass(frozen=True)
class NetworkPicture:
    """The network map at the start of support and now (or at its end): ties counted, gained and lost."""

    start_size: int | None  # None when no map was completed at the start of this support
    latest_size: int
    latest_is_end: bool  # the map saved as support ended, rather than the map as it is now
    gained: tuple[str, ...]
    lost: tuple[str, ...]
    strengthened: tuple[str, ...]


@dataclass(frozen=True)
class GoalLine:
    title: str
    status: str
    first_progress: int | None  # 0-10 ratings, the first and the latest given
    latest_progress: int | None


@dataclass(frozen=True)
class ConnectionLine:
    activity: str
    status: str
    continues: bool


@dataclass(frozen=True)
class ItemLine:
    name: str
    score: float | None
    first_score: float | None


@dataclass(frozen=True)
class MeasureLine:
    """The latest answer to one questionnaire, and the change from the first answer in this support."""

    instrument: str
    name: str
    topic: str  # "loneliness" or "wellbeing"
    score: float | None  # None for a one-question category (its band is the answer) or per-item scoring
    band: str
    measured_on: dt.date
    scale: str  # e.g. "3 to 9, lower is better"
    first_score: float | None
    first_band: str
    first_measured_on: dt.date | None  # None when this is the only answer so far
    change: float | None
    direction: str  # "better", "worse", "same", or "" when not comparable
    items: tuple[ItemLine, ...] = ()


@dataclass(frozen=True)
class ContactLine:
    organisation: str
    team: str
    connector: str
    connector_email: str
    after_support: str  # the ending plan's "whom to contact"


@dataclass(frozen=True)
class PlanLine:
    status: str
    started_on: dt.date
    planned_end_on: dt.date
    closed_on: dt.date | None
    how_it_ended: str
    what_continues: str
    follow_up_on: dt.date | None


@dataclass(frozen=True)
class LonelinessSummary:
    episode_id: int
    person_name: str
    first_name: str
    what_matters: str
    network: NetworkPicture | None
    goals: tuple[GoalLine, ...]
    connections: tuple[ConnectionLine, ...]
    measures: tuple[MeasureLine, ...]
    plan: PlanLine
    contact: ContactLine

    @property
    def continuing_connections(self) -> tuple[ConnectionLine, ...]:
        return tuple(line for line in self.connections if line.continues)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO 8601 strings."""
        return _json_ready(asdict(self))  # type: ignore[no-any-return]

    def as_text(self) -> str:
        """Plain-English paragraphs, one per part, separated by blank lines."""
        name = self.first_name
        parts = [f"What matters to {name}: {self.what_matters or 'not recorded yet.'}"]
        parts.append(_network_text(self.network))
        if self.goals:
            parts.append("Goals: " + "; ".join(_goal_text(goal) for goal in self.goals) + ".")
        else:
            parts.append("Goals: none set yet.")
        if self.connections:
            made = "; ".join(
                f"{line.activity} ({'still going' if line.continues else line.status.lower()})"
                for line in self.connections
            )
            parts.append(f"Connections made: {made}.")
        else:
            parts.append("Connections made: none yet.")
        if self.measures:
            parts.append("Measures: " + " ".join(measure_sentence(line) for line in self.measures))
        else:
            parts.append("Measures: no loneliness or wellbeing questionnaire answered yet.")
        parts.append(_plan_text(self.plan))
        contact = self.contact
        who = (
            f"{contact.connector} ({contact.connector_email})"
            if contact.connector_email
            else contact.connector
        )
        team = f", {contact.team} team" if contact.team else ""
        text = f"Who to contact: {who}{team}, {contact.organisation}."
        if contact.after_support:
            text += f" After support: {contact.after_support}"
        parts.append(text)
        return "\n\n".join(parts)


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _number(value: float | None) -> str:
    if value is None:
        return "no score"
    return f"{value:g}"


def _network_text(network: NetworkPicture | None) -> str:
    if network is None:
        return "Network map: not drawn yet."
    when = "at the end of support" if network.latest_is_end else "now"
    if network.start_size is None:
        text = f"Network map: {network.latest_size} ties {when}; no map was completed at the start."
    else:
        text = f"Network map: {network.start_size} ties at the start, {network.latest_size} {when}."
    if network.gained:
        text += f" Gained: {', '.join(network.gained)}."
    if network.lost:
        text += f" Lost: {', '.join(network.lost)}."
    if network.strengthened:
        text += f" Closer or more often: {', '.join(network.strengthened)}."
    return text


def _goal_text(goal: GoalLine) -> str:
    text = f"{goal.title} ({goal.status.lower()}"
    if goal.latest_progress is not None:
        if goal.first_progress is not None and goal.first_progress != goal.latest_progress:
            text += f", progress {goal.first_progress} to {goal.latest_progress} out of 10"
        else:
            text += f", progress {goal.latest_progress} out of 10"
    return text + ")"


def measure_sentence(line: MeasureLine) -> str:
    """One measure in a plain-English sentence: the latest answer and its change from the first."""
    if line.items:
        value = ", ".join(f"{item.name} {_number(item.score)}" for item in line.items)
    elif line.score is None:
        value = line.band or "no answer"
    else:
        value = _number(line.score) + (f" ({line.band})" if line.band else "")
    text = f"{line.name}: {value} on {line.measured_on:%d %B %Y}"
    if line.first_measured_on is None:
        return text + "."
    if line.change is not None:
        text += f", a change of {line.change:+g} since {line.first_measured_on:%d %B %Y}"
    else:
        text += f", first answered {line.first_measured_on:%d %B %Y}"
    if line.direction:
        text += f" ({line.direction})"
    return text + (f"; scale {line.scale}." if line.scale else ".")


def _plan_text(plan: PlanLine) -> str:
    if plan.closed_on is not None:
        text = f"Support ended on {plan.closed_on:%d %B %Y}"
        text += f": {plan.how_it_ended.lower()}." if plan.how_it_ended else "."
    else:
        text = (
            f"Support started on {plan.started_on:%d %B %Y} "
            f"and is planned to end on {plan.planned_end_on:%d %B %Y}."
        )
    text += f" What continues after support: {plan.what_continues or 'not planned yet.'}"
    if not text.endswith("."):
        text += "."
    if plan.follow_up_on is not None:
        text += f" Follow-up on {plan.follow_up_on:%d %B %Y}."
    return text


def _network(episode: SupportEpisode) -> NetworkPicture | None:
    baseline = NetworkSnapshot.objects.filter(episode=episode, kind=SnapshotKind.BASELINE).first()
    end = NetworkSnapshot.objects.filter(episode=episode, kind=SnapshotKind.END).first()
    if end is not None:
        latest: list[dict[str, Any]] = list(end.entries)
    else:
        live = NetworkEntry.objects.filter(person_id=episode.person_id, removed_at__isnull=True)
        latest = [entry_frozen(entry) for entry in live.order_by("created_at", "pk")]
    if baseline is None and not latest:
        return None
    comparison = network_compare(baseline.entries if baseline else [], latest)
    return NetworkPicture(
        start_size=None if baseline is None else comparison.before.size,
        latest_size=comparison.after.size,
        latest_is_end=end is not None,
        # Without a baseline every tie would look "gained": say only what was there.
        gained=tuple(tie.label for tie in comparison.new) if baseline else (),
        lost=tuple(tie.label for tie in comparison.lost),
        strengthened=tuple(tie.label for tie in comparison.strengthened),
    )


def _goals(episode: SupportEpisode) -> tuple[GoalLine, ...]:
    lines = []
    for goal in episode.goals.exclude(status=GoalStatus.DROPPED).prefetch_related("updates"):
        rated = [update.progress for update in goal.updates.all() if update.progress is not None]
        lines.append(
            GoalLine(
                title=goal.title,
                status=goal.get_status_display(),
                first_progress=rated[0] if len(rated) > 1 else None,
                latest_progress=goal.progress,
            )
        )
    return tuple(lines)


def _connections(episode: SupportEpisode) -> tuple[ConnectionLine, ...]:
    made = Connection.objects.filter(episode=episode, status__in=MADE_STATUSES).order_by("created_at", "pk")
    return tuple(
        ConnectionLine(
            activity=connection.service_name,
            status=connection.get_status_display(),
            continues=connection.status in CONTINUING_STATUSES,
        )
        for connection in made
    )


def _score(measure: Measure) -> float | None:
    return measure.metric if measure.metric is not None else measure.total


def _scale(instrument_key: str) -> str:
    scoring = instrument_get(instrument_key).scoring
    if not isinstance(scoring, SumScoring):
        return ""
    low, high = scoring.range
    better = "higher" if scoring.polarity == "higher_is_better" else "lower"
    if scoring.conversion is not None:
        return f"{scoring.conversion.name} score, {better} is better"
    return f"{low} to {high}, {better} is better"


def measure_lines(measures: Sequence[Measure], instruments: Sequence[str]) -> tuple[MeasureLine, ...]:
    """For each questionnaire in `instruments` answered validly: the latest answer and its change from
    the first. `measures` are one episode's, in any order."""
    answered = sorted((m for m in measures if m.valid and not m.skipped), key=lambda m: (m.recorded_at, m.pk))
    lines = []
    for key in instruments:
        own = [m for m in answered if m.instrument == key]
        if not own:
            continue
        first, latest = own[0], own[-1]
        compared = change(key, measure_as_result(first), measure_as_result(latest)) if len(own) > 1 else None
        items = tuple(
            ItemLine(
                name=str(detail["name"]),
                score=detail["score"],
                first_score=first.items.get(number, {}).get("score") if len(own) > 1 else None,
            )
            for number, detail in sorted(latest.items.items(), key=lambda pair: int(pair[0]))
        )
        lines.append(
            MeasureLine(
                instrument=key,
                name=instrument_get(key).name,
                topic="loneliness" if key in LONELINESS_INSTRUMENTS else "wellbeing",
                score=_score(latest),
                band=latest.band,
                measured_on=to_london(latest.recorded_at).date(),
                scale=_scale(key),
                first_score=_score(first) if len(own) > 1 else None,
                first_band=first.band if len(own) > 1 else "",
                first_measured_on=to_london(first.recorded_at).date() if len(own) > 1 else None,
                change=None if compared is None else compared.difference,
                direction="" if compared is None or compared.direction is None else compared.direction,
                items=items,
            )
        )
    return tuple(lines)


def loneliness_summary(*, episode: SupportEpisode) -> LonelinessSummary:
    """Everything the summary shows for `episode`. No permission check: the caller has made one."""
    person = episode.person
    conversation = episode.conversations.order_by("-version").first()
    connector = episode.connector
    team = person.team
    return LonelinessSummary(
        episode_id=episode.pk,
        person_name=f"{person.first_name} {person.last_name}".strip(),
        first_name=person.preferred_name or person.first_name,
        what_matters=conversation.what_matters.strip() if conversation else "",
        network=_network(episode),
        goals=_goals(episode),
        connections=_connections(episode),
        measures=measure_lines(
            list(episode.measures.all()), (*LONELINESS_INSTRUMENTS, *WELLBEING_INSTRUMENTS)
        ),
        plan=PlanLine(
            status=episode.get_status_display(),
            started_on=episode.started_on,
            planned_end_on=episode.planned_end_on,
            closed_on=episode.closed_on,
            how_it_ended=episode.get_outcome_display() if episode.outcome else "",
            what_continues=episode.continuing_connections.strip(),
            follow_up_on=episode.follow_up_on,
        ),
        contact=ContactLine(
            organisation=episode.organisation.name,
            team=team.name if team else "",
            connector=connector.get_full_name() or connector.get_username(),
            connector_email=connector.email,
            after_support=episode.contacts_after_ending.strip(),
        ),
    )
