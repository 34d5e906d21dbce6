"""Reads for network maps: the map now or as saved, the comparison of two maps, and the change in
each episode for reports. Access always starts from `visible_to`.

How two maps are compared (`network_compare`), entries matched by their id:

- **size**: every entry on the map, whatever its ring or frequency; also counted by ring, by type and
  by category.
- **new**: on the later map only. **lost**: on the earlier map only (removed since).
- **strengthened**: on both, and moved inward or in touch more often, without moving outward or
  being in touch less often. **weakened**: moved outward, in touch less often, or now "lost touch",
  without the opposite. A tie that moved one way and changed frequency the other way is neither.
  A frequency left empty on either map is not compared.
- **diversity**: the number of different kinds of setting the person is in touch with. Each type of
  group or place (club, class, faith community, community centre, cafe, library, park, day centre)
  counts once, and activities count once between them, so diversity runs from 0 to 9. Entries
  marked "lost touch" do not count.
- **weak ties**: entries in the outer ring in touch at least monthly (daily, weekly or monthly).
- **difficult ties**: entries whose quality is "difficult".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from linkwork.accounts.models import User
from linkwork.audit.services import audit_record
from linkwork.core.errors import DomainError, NotFound, ValidationFailed
from linkwork.core.policies import Action, can, visible_to
from linkwork.networks.choices import CATEGORY_OF, Category, EntryType, Frequency, Ring
from linkwork.networks.ecomap import EcomapEntry
from linkwork.networks.models import (
    NetworkEntry,
    NetworkEntryVersion,
    NetworkMap,
    NetworkSnapshot,
    SnapshotKind,
)
from linkwork.networks.services import entry_frozen
from linkwork.people.models import Person
from linkwork.support.models import SupportEpisode

CURRENT = "current"
SNAPSHOT_CHOICES = (SnapshotKind.BASELINE.value, SnapshotKind.END.value, CURRENT)
NO_BASELINE = "The map has no baseline yet. Mark it complete to save one."
NO_SNAPSHOT = "No {kind} map has been saved for this person."

# Closer rings and more frequent contact rank higher.
RING_RANK = {Ring.OUTER: 0, Ring.MIDDLE: 1, Ring.INNER: 2}
FREQUENCY_RANK = {
    Frequency.LOST_TOUCH: 0,
    Frequency.LESS_OFTEN: 1,
    Frequency.MONTHLY: 2,
    Frequency.WEEKLY: 3,
    Frequency.DAILY: 4,
}
AT_LEAST_MONTHLY = (Frequency.DAILY, Frequency.WEEKLY, Frequency.MONTHLY)
SETTING_CATEGORIES = (Category.GROUPS, Category.ACTIVITIES)

Entry = Mapping[str, Any]


@dataclass(frozen=True)
class NetworkSummary:
    size: int
    by_ring: dict[str, int]
    by_type: dict[str, int]
    by_category: dict[str, int]
    settings: list[str]
    weak_ties: int
    difficult_ties: int

    @property
    def diversity(self) -> int:
        return len(self.settings)


@dataclass(frozen=True)
class TieChange:
    id: int
    label: str
    type: str
    category: str
    ring_before: str = ""
    ring_after: str = ""
    frequency_before: str = ""
    frequency_after: str = ""


class SummaryChange:
    """Change between two summaries; shared by a comparison and a per-episode report row."""

    before: NetworkSummary
    after: NetworkSummary

    @property
    def size_change(self) -> int:
        return self.after.size - self.before.size

    @property
    def diversity_change(self) -> int:
        return self.after.diversity - self.before.diversity

    @property
    def weak_ties_change(self) -> int:
        return self.after.weak_ties - self.before.weak_ties


@dataclass(frozen=True)
class NetworkComparison(SummaryChange):
    before: NetworkSummary
    after: NetworkSummary
    new: list[TieChange] = field(default_factory=list)
    strengthened: list[TieChange] = field(default_factory=list)
    weakened: list[TieChange] = field(default_factory=list)
    lost: list[TieChange] = field(default_factory=list)

    @property
    def difficult_ties_change(self) -> int:
        return self.after.difficult_ties - self.before.difficult_ties


def network_summary(entries: Sequence[Entry]) -> NetworkSummary:
    by_ring = dict.fromkeys(Ring.values, 0)
    by_category = dict.fromkeys(Category.values, 0)
    by_type: dict[str, int] = {}
    settings: set[str] = set()
    weak = difficult = 0
    for entry in entries:
        kind, ring, frequency = entry["type"], entry["ring"], entry.get("frequency", "")
        category = CATEGORY_OF.get(kind, "")
        by_ring[ring] = by_ring.get(ring, 0) + 1
        by_type[kind] = by_type.get(kind, 0) + 1
        by_category[category] = by_category.get(category, 0) + 1
        if category in SETTING_CATEGORIES and frequency != Frequency.LOST_TOUCH:
            settings.add(kind)
        if ring == Ring.OUTER and frequency in AT_LEAST_MONTHLY:
            weak += 1
        if entry.get("quality") == "difficult":
            difficult += 1
    order = {value: index for index, value in enumerate(EntryType.values)}
    return NetworkSummary(
        size=len(entries),
        by_ring=by_ring,
        by_type=dict(sorted(by_type.items(), key=lambda item: order.get(item[0], len(order)))),
        by_category=by_category,
        settings=sorted(settings, key=lambda kind: order.get(kind, len(order))),
        weak_ties=weak,
        difficult_ties=difficult,
    )


def _tie(before: Entry | None, after: Entry | None) -> TieChange:
    latest = after if after is not None else before
    assert latest is not None
    return TieChange(
        id=latest["id"],
        label=latest["label"],
        type=latest["type"],
        category=CATEGORY_OF.get(latest["type"], ""),
        ring_before=before["ring"] if before else "",
        ring_after=after["ring"] if after else "",
        frequency_before=before.get("frequency", "") if before else "",
        frequency_after=after.get("frequency", "") if after else "",
    )


def _direction(before: Entry, after: Entry) -> int:
    """+1 strengthened, -1 weakened, 0 unchanged or mixed."""
    ring = RING_RANK[after["ring"]] - RING_RANK[before["ring"]]
    was, now = before.get("frequency", ""), after.get("frequency", "")
    if now == Frequency.LOST_TOUCH and was != Frequency.LOST_TOUCH:
        return -1
    often = FREQUENCY_RANK[now] - FREQUENCY_RANK[was] if was and now else 0
    stronger, weaker = ring > 0 or often > 0, ring < 0 or often < 0
    return 1 if stronger and not weaker else -1 if weaker and not stronger else 0


def network_compare(before_entries: Sequence[Entry], after_entries: Sequence[Entry]) -> NetworkComparison:
    """Compare two maps (lists of entries as frozen in snapshots); see the module's docstring."""
    before = {entry["id"]: entry for entry in before_entries}
    after = {entry["id"]: entry for entry in after_entries}
    comparison = NetworkComparison(
        before=network_summary(before_entries), after=network_summary(after_entries)
    )
    for entry_id, entry in after.items():
        if entry_id not in before:
            comparison.new.append(_tie(None, entry))
            continue
        direction = _direction(before[entry_id], entry)
        if direction > 0:
            comparison.strengthened.append(_tie(before[entry_id], entry))
        elif direction < 0:
            comparison.weakened.append(_tie(before[entry_id], entry))
    comparison.lost.extend(_tie(entry, None) for entry_id, entry in before.items() if entry_id not in after)
    return comparison


# Reading one person's map


def map_get(*, actor: User, person_id: int, action: str = Action.VIEW) -> NetworkMap:
    """The person's map; unsaved (and empty) when casework staff open a map not started yet."""
    network_map = (
        visible_to(actor, action, NetworkMap).select_related("person").filter(person_id=person_id).first()
    )
    if network_map is not None:
        return network_map
    if action in (Action.VIEW, Action.UPDATE):
        person = visible_to(actor, Action.UPDATE, Person).filter(pk=person_id).first()
        if person is not None and not NetworkMap.objects.filter(person=person).exists():
            return NetworkMap(person=person, organisation_id=person.organisation_id)
    raise NotFound()


def map_may_edit(*, actor: User, network_map: NetworkMap) -> bool:
    """Casework staff may change the map and read its notes; a volunteer it is shared with may not."""
    return can(actor, Action.UPDATE, network_map)


def map_current(*, actor: User, person: Person) -> QuerySet[NetworkEntry]:
    """The entries on the map now (removed ones left out), oldest first."""
    return (
        visible_to(actor, Action.VIEW, NetworkEntry)
        .filter(person=person, removed_at__isnull=True)
        .order_by("created_at", "pk")
    )


def snapshot_get(
    *, actor: User, person: Person, kind: str, episode: SupportEpisode | None = None
) -> NetworkSnapshot | None:
    """The latest baseline or end map saved for the person (or for one of their episodes)."""
    snapshots = visible_to(actor, Action.VIEW, NetworkSnapshot).filter(person=person, kind=kind)
    if episode is not None:
        snapshots = snapshots.filter(episode=episode)
    return snapshots.order_by("-taken_at", "-pk").first()


def entry_get(*, actor: User, entry_id: int, action: str = Action.UPDATE) -> NetworkEntry:
    entry = visible_to(actor, action, NetworkEntry).select_related("person").filter(pk=entry_id).first()
    if entry is None:
        raise NotFound()
    return entry


def entry_history(*, actor: User, entry: NetworkEntry) -> QuerySet[NetworkEntryVersion]:
    """Every state the entry has had, oldest first (entries the actor cannot see have none)."""
    visible = visible_to(actor, Action.VIEW, NetworkEntry).filter(pk=entry.pk)
    return NetworkEntryVersion.objects.filter(entry__in=visible).order_by("recorded_at", "pk")


@dataclass(frozen=True)
class MapView:
    network_map: NetworkMap
    snapshot: str
    taken_at: dt.datetime | None
    entries: list[dict[str, Any]]
    may_edit: bool

    @property
    def centre_label(self) -> str:
        """The person at the centre of the map, by the name they use: never their surname."""
        person = self.network_map.person
        return person.preferred_name.strip() or person.first_name


def _entries(
    actor: User, network_map: NetworkMap, kind: str
) -> tuple[list[dict[str, Any]], dt.datetime | None]:
    if kind == CURRENT:
        if network_map.pk is None:
            return [], None
        return [entry_frozen(entry) for entry in map_current(actor=actor, person=network_map.person)], None
    snapshot = snapshot_get(actor=actor, person=network_map.person, kind=kind)
    if snapshot is None:
        raise NotFound(NO_SNAPSHOT.format(kind=SnapshotKind(kind).label.lower()))
    return [dict(entry) for entry in snapshot.entries], snapshot.taken_at


def map_view(*, actor: User, person_id: int, snapshot: str = CURRENT) -> MapView:
    """The map now, or as saved at the baseline or the end; audited as a view of the record."""
    if snapshot not in SNAPSHOT_CHOICES:
        raise ValidationFailed(
            "Choose baseline, end or current.", fields={"snapshot": "Choose baseline, end or current."}
        )
    network_map = map_get(actor=actor, person_id=person_id)
    entries, taken_at = _entries(actor, network_map, snapshot)
    may_edit = map_may_edit(actor=actor, network_map=network_map)
    if not may_edit:  # notes are for casework; volunteers see the ties only
        entries = [entry | {"note": ""} for entry in entries]
    audit_record(
        actor=actor,
        event="network_map.viewed",
        target=network_map if network_map.pk else network_map.person,
        detail={"snapshot": snapshot},
    )
    return MapView(network_map, snapshot, taken_at, entries, may_edit)


@dataclass(frozen=True)
class ComparisonView:
    before: MapView
    after: MapView
    comparison: NetworkComparison


def map_comparison(*, actor: User, person_id: int) -> ComparisonView:
    """The baseline against the end map when support has ended, or else against the map now."""
    network_map = map_get(actor=actor, person_id=person_id)
    if snapshot_get(actor=actor, person=network_map.person, kind=SnapshotKind.BASELINE) is None:
        raise DomainError(NO_BASELINE, code="NO_BASELINE")
    before = map_view(actor=actor, person_id=person_id, snapshot=SnapshotKind.BASELINE)
    end = snapshot_get(actor=actor, person=network_map.person, kind=SnapshotKind.END)
    later = (
        SnapshotKind.END if end is not None and end.taken_at >= (before.taken_at or end.taken_at) else CURRENT
    )
    after = map_view(actor=actor, person_id=person_id, snapshot=later)
    return ComparisonView(before, after, network_compare(before.entries, after.entries))


# Reporting


@dataclass(frozen=True)
class EpisodeNetworkChange(SummaryChange):
    episode_id: int
    person_id: int
    before: NetworkSummary
    after: NetworkSummary


@dataclass(frozen=True)
class CohortNetworkChange:
    episodes: int
    mean_size_change: float | None
    mean_diversity_change: float | None
    mean_weak_ties_change: float | None


def network_change_for_episodes(
    *, actor: User, episodes: Iterable[SupportEpisode]
) -> list[EpisodeNetworkChange]:
    """For each episode with an end map, the change from its baseline to its end map.

    The baseline is the episode's own, or else the person's latest baseline saved before the end map.
    Episodes without both (support still open, or the map never completed) are left out, as are
    episodes whose maps the actor may not see.
    """
    episode_ids = [episode.pk for episode in episodes]
    visible = visible_to(actor, Action.VIEW, NetworkSnapshot)
    ends = visible.filter(episode_id__in=episode_ids, kind=SnapshotKind.END).order_by("episode_id")
    baselines = list(visible.filter(person_id__in=ends.values("person_id"), kind=SnapshotKind.BASELINE))
    changes = []
    for end in ends:
        own = [b for b in baselines if b.episode_id == end.episode_id]
        earlier = [b for b in baselines if b.person_id == end.person_id and b.taken_at <= end.taken_at]
        candidates = own or earlier
        if not candidates or end.episode_id is None:
            continue
        baseline = max(candidates, key=lambda snapshot: (snapshot.taken_at, snapshot.pk))
        changes.append(
            EpisodeNetworkChange(
                episode_id=end.episode_id,
                person_id=end.person_id,
                before=network_summary(baseline.entries),
                after=network_summary(end.entries),
            )
        )
    return changes


def network_change_mean(changes: Sequence[EpisodeNetworkChange]) -> CohortNetworkChange:
    """Mean change in size, diversity and weak ties over a cohort (None for an empty cohort)."""
    count = len(changes)
    if not count:
        return CohortNetworkChange(0, None, None, None)
    return CohortNetworkChange(
        episodes=count,
        mean_size_change=sum(c.size_change for c in changes) / count,
        mean_diversity_change=sum(c.diversity_change for c in changes) / count,
        mean_weak_ties_change=sum(c.weak_ties_change for c in changes) / count,
    )


PANEL_TITLES = {SnapshotKind.BASELINE.value: "Baseline", SnapshotKind.END.value: "End", CURRENT: "Now"}


@dataclass(frozen=True)
class MapPanels:
    """What the ecomap draws: the centre label (the person's first or preferred name, never a
    surname), titled panels of entries, and the words the picture must never show (the surname)."""

    centre_label: str
    panels: list[tuple[str, list[dict[str, Any]]]]
    forbidden_words: list[str]


def map_panels(*, actor: User, person_id: int, snapshot: str | None = None) -> MapPanels:
    """One snapshot when asked for; otherwise the baseline beside the end map or the map now, or only
    the map now when there is no baseline yet."""
    network_map = map_get(actor=actor, person_id=person_id)
    person = network_map.person
    # The whole surname and each part of a double-barrelled one never appear in a picture.
    surname = person.last_name.strip()
    forbidden = sorted({surname, *re.split(r"[\s-]+", surname)} - {""})
    has_baseline = network_map.pk is not None and (
        snapshot_get(actor=actor, person=person, kind=SnapshotKind.BASELINE) is not None
    )
    if snapshot is None and has_baseline:
        compared = map_comparison(actor=actor, person_id=person_id)
        panels = [(PANEL_TITLES[view.snapshot], view.entries) for view in (compared.before, compared.after)]
        return MapPanels(compared.before.centre_label, panels, forbidden)
    view = map_view(actor=actor, person_id=person_id, snapshot=snapshot or CURRENT)
    return MapPanels(view.centre_label, [(PANEL_TITLES[view.snapshot], view.entries)], forbidden)


# Converting a map to the renderer's entries: unrecorded quality and frequency (the short form
# leaves them blank) are drawn as mixed, seen less often.
DRAWN_WHEN_BLANK = {"quality": "mixed", "frequency": "less-often"}


def ecomap_panels(drawn: MapPanels) -> list[tuple[str, list[EcomapEntry]]]:
    return [
        (
            title,
            [
                EcomapEntry(
                    id=entry["id"],
                    label=entry["label"],
                    type=entry["type"],
                    category=entry.get("category") or CATEGORY_OF[entry["type"]],
                    ring=entry["ring"],
                    quality=entry.get("quality") or DRAWN_WHEN_BLANK["quality"],
                    frequency=entry.get("frequency") or DRAWN_WHEN_BLANK["frequency"],
                    new_since_support=bool(entry.get("new_since_support")),
                )
                for entry in entries
            ],
        )
        for title, entries in drawn.panels
    ]
