"""Input and output schemas for network maps, their entries and comparisons."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from linkwork.networks.choices import CATEGORY_OF
from linkwork.networks.models import LABEL_MAX_LENGTH, NetworkEntry
from linkwork.networks.selectors import ComparisonView, MapView, NetworkSummary, TieChange
from linkwork.networks.services import entry_frozen

LABEL_HELP = "First names or a short description only (no surnames), e.g. 'Jean' or 'Tuesday choir'"


class EntryIn(Schema):
    """The short form for the field: label, type and ring; the rest may follow later."""

    label: str = Field(max_length=LABEL_MAX_LENGTH, description=LABEL_HELP)
    type: str = Field(description="family, friend, club, activity, animal, spiritual, ... (EntryType)")
    ring: str = Field(description="inner (closest), middle or outer")
    frequency: str = Field("", description="daily, weekly, monthly, less-often or lost-touch")
    quality: str = Field("", description="supportive, mixed or difficult")
    wants: str = Field("", description="What the person wants: more, same or less")
    new_since_support: bool | None = Field(
        None, description="Defaults to true once the map has a baseline, false before"
    )
    note: str = Field("", max_length=300)


class EntryUpdateIn(Schema):
    """Only the fields sent change. `null` clears frequency, quality, wants or the note.
    Sending only `ring` moves the entry."""

    label: str | None = Field(None, max_length=LABEL_MAX_LENGTH, description=LABEL_HELP)
    type: str | None = None
    ring: str | None = None
    frequency: str | None = None
    quality: str | None = None
    wants: str | None = None
    new_since_support: bool | None = None
    note: str | None = Field(None, max_length=300)


class EntryOut(Schema):
    id: int
    label: str
    type: str
    category: str
    ring: str
    frequency: str
    quality: str
    wants: str
    new_since_support: bool
    note: str

    @staticmethod
    def build(entry: dict[str, Any]) -> EntryOut:
        return EntryOut(
            id=entry["id"],
            label=entry["label"],
            type=entry["type"],
            category=entry.get("category") or CATEGORY_OF.get(entry["type"], ""),
            ring=entry["ring"],
            frequency=entry.get("frequency", ""),
            quality=entry.get("quality", ""),
            wants=entry.get("wants", ""),
            new_since_support=bool(entry.get("new_since_support")),
            note=entry.get("note", ""),
        )

    @staticmethod
    def of(entry: NetworkEntry) -> EntryOut:
        return EntryOut.build(entry_frozen(entry))


class MapOut(Schema):
    person_id: int
    snapshot: str = Field(description="baseline, end or current")
    taken_at: dt.datetime | None = Field(description="When a baseline or end map was saved")
    completed_at: dt.datetime | None
    shared_with_volunteers: bool
    may_edit: bool
    entries: list[EntryOut]

    @staticmethod
    def build(view: MapView) -> MapOut:
        return MapOut(
            person_id=view.network_map.person_id,
            snapshot=view.snapshot,
            taken_at=view.taken_at,
            completed_at=view.network_map.completed_at,
            shared_with_volunteers=view.network_map.shared_with_volunteers,
            may_edit=view.may_edit,
            entries=[EntryOut.build(entry) for entry in view.entries],
        )


class SharingIn(Schema):
    shared_with_volunteers: bool


class SummaryOut(Schema):
    size: int
    by_ring: dict[str, int]
    by_type: dict[str, int]
    by_category: dict[str, int]
    diversity: int = Field(description="Distinct kinds of group, place or activity (0 to 9)")
    settings: list[str]
    weak_ties: int = Field(description="Outer ring, in touch at least monthly")
    difficult_ties: int

    @staticmethod
    def build(summary: NetworkSummary) -> SummaryOut:
        return SummaryOut(
            size=summary.size,
            by_ring=summary.by_ring,
            by_type=summary.by_type,
            by_category=summary.by_category,
            diversity=summary.diversity,
            settings=summary.settings,
            weak_ties=summary.weak_ties,
            difficult_ties=summary.difficult_ties,
        )


class TieOut(Schema):
    id: int
    label: str
    type: str
    category: str
    ring_before: str
    ring_after: str
    frequency_before: str
    frequency_after: str

    @staticmethod
    def build(tie: TieChange) -> TieOut:
        return TieOut(**tie.__dict__)


class ComparisonOut(Schema):
    before_snapshot: str
    before_taken_at: dt.datetime | None
    after_snapshot: str = Field(description="end once support has closed, else current")
    after_taken_at: dt.datetime | None
    before: SummaryOut
    after: SummaryOut
    size_change: int
    diversity_change: int
    weak_ties_change: int
    difficult_ties_change: int
    new: list[TieOut]
    strengthened: list[TieOut]
    weakened: list[TieOut]
    lost: list[TieOut]

    @staticmethod
    def build(view: ComparisonView) -> ComparisonOut:
        comparison = view.comparison
        return ComparisonOut(
            before_snapshot=view.before.snapshot,
            before_taken_at=view.before.taken_at,
            after_snapshot=view.after.snapshot,
            after_taken_at=view.after.taken_at,
            before=SummaryOut.build(comparison.before),
            after=SummaryOut.build(comparison.after),
            size_change=comparison.size_change,
            diversity_change=comparison.diversity_change,
            weak_ties_change=comparison.weak_ties_change,
            difficult_ties_change=comparison.difficult_ties_change,
            new=[TieOut.build(t) for t in comparison.new],
            strengthened=[TieOut.build(t) for t in comparison.strengthened],
            weakened=[TieOut.build(t) for t in comparison.weakened],
            lost=[TieOut.build(t) for t in comparison.lost],
        )
