"""The matching index: connector facts as numpy arrays, beside the directory search index.

The directory search index (directory/search.py) already holds, per process, each service's words,
locations, schedules and state, and rebuilds itself when a cheap fingerprint of the directory tables
changes (checked at most once a second). This module reads that index and adds, row for row, what
ranking needs and search does not: cost band, group size, atmosphere, activity level, audience,
step-free access and the other connector facts, age limits, last check, languages, and the parts
of the day each service meets. It is rebuilt whenever the search index object changes, so it is
exactly as fresh as search, in every process, over one PostgreSQL database.

Unknown facts are kept as unknown: tri-state arrays hold -1 for "not known", 0 for no, 1 for yes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from linkwork.directory import search
from linkwork.directory.models import (
    ActivityLevel,
    Atmosphere,
    Audience,
    CostBand,
    GroupSize,
    Language,
    Service,
)
from linkwork.directory.recurrence import Recurrence, occurrences

Codes = npt.NDArray[np.int8]
Floats = npt.NDArray[np.float64]
Rows = npt.NDArray[np.int32]

COST_CODES = {CostBand.FREE: 0, CostBand.LOW_COST: 1, CostBand.PAID: 2}
GROUP_CODES = {GroupSize.ONE_TO_ONE: 0, GroupSize.SMALL: 1, GroupSize.MEDIUM: 2, GroupSize.LARGE: 3}
ATMOSPHERE_CODES = {Atmosphere.QUIET: 0, Atmosphere.BUSY: 1}
ACTIVITY_CODES = {ActivityLevel.ACTIVE: 0, ActivityLevel.GENTLE: 1, ActivityLevel.SIT_AND_CHAT: 2}
AUDIENCE_CODES = {Audience.GENERAL: 0, Audience.SHARED_EXPERIENCE: 1}
TRI_STATE_FIELDS = (
    "step_free",
    "newcomers_met",
    "companion_free",
    "home_visits",
    "online_option",
    "phone_option",
    "near_public_transport",
)

DAY_PARTS = ("morning", "afternoon", "evening")  # before 12:00, 12:00 to 17:00, from 17:00
DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SCHEDULE_WINDOW_DAYS = 28


def slot_bit(weekday: int, part: int) -> int:
    return 1 << (weekday * 3 + part)


def parts_of(opens_at: dt.time | None, closes_at: dt.time | None) -> list[int]:
    """The parts of the day a session overlaps; [] when its times are not known."""
    if opens_at is None:
        return []
    start = opens_at.hour * 60 + opens_at.minute
    end = (
        closes_at.hour * 60 + closes_at.minute
        if closes_at is not None and closes_at > opens_at
        else start + 1
    )
    bounds = ((0, 12 * 60), (12 * 60, 17 * 60), (17 * 60, 24 * 60))
    return [part for part, (low, high) in enumerate(bounds) if start < high and end > low]


@dataclass(frozen=True)
class MatchIndex:
    base: Any  # the directory search index this was built from (search._Index)
    cost: Codes  # -1 not known, else COST_CODES
    group_size: Codes
    atmosphere: Codes
    activity: Codes
    audience: Codes
    facts: dict[str, Codes]  # TRI_STATE_FIELDS -> -1 / 0 / 1
    minimum_age: Floats  # NaN: no limit
    maximum_age: Floats
    verified: Floats  # epoch seconds of the last check; NaN: never checked
    shared_experience: list[str]
    languages: dict[str, Rows]  # language (case-folded) -> rows
    has_language: npt.NDArray[np.bool_]
    slots: npt.NDArray[np.uint32]  # bit weekday*3+part: a session then (times known)
    days: npt.NDArray[np.uint8]  # bit weekday: a session that day (times known or not)
    has_schedule: npt.NDArray[np.bool_]
    posting_factor: npt.NDArray[np.float32]  # how much a word match counts, by where it is

    @property
    def size(self) -> int:
        return int(self.cost.size)


_lock = threading.Lock()
_current: MatchIndex | None = None


def _code(values: list[str], codes: dict[Any, int]) -> Codes:
    table = {str(key): code for key, code in codes.items()}
    return np.asarray([table.get(value, -1) for value in values], dtype=np.int8)


def _schedule_masks(
    recurrences: list[tuple[int, Recurrence]], n: int, today: dt.date
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint8]]:
    end = today + dt.timedelta(days=SCHEDULE_WINDOW_DAYS - 1)
    slots = np.zeros(n, dtype=np.uint32)
    days = np.zeros(n, dtype=np.uint8)
    seen: dict[Recurrence, tuple[int, int]] = {}
    for row, recurrence in recurrences:
        # The search index's window key drops times; keep them, they decide the part of the day.
        key = search._window_key(recurrence, today, end)  # noqa: SLF001 - read-only reuse
        key = dataclasses.replace(key, opens_at=recurrence.opens_at, closes_at=recurrence.closes_at)
        masks = seen.get(key)
        if masks is None:
            slot_mask = day_mask = 0
            for occurrence in occurrences(key, today, end):
                weekday = occurrence.on.weekday()
                day_mask |= 1 << weekday
                for part in parts_of(occurrence.opens_at, occurrence.closes_at):
                    slot_mask |= slot_bit(weekday, part)
            masks = seen[key] = (slot_mask, day_mask)
        slots[row] |= masks[0]
        days[row] |= masks[1]
    return slots, days


def _build(base: Any) -> MatchIndex:
    n = base.size
    rows_by_id = {key: row for row, key in enumerate(base.ids)}
    columns = ("cost_band", "group_size", "atmosphere", "activity_level", "audience")
    values: dict[str, list[Any]] = defaultdict(list)
    ordered: list[tuple[Any, ...]] = [()] * n
    fields = (
        *columns,
        *TRI_STATE_FIELDS,
        "minimum_age",
        "maximum_age",
        "last_verified_at",
        "shared_experience",
    )
    query = Service.objects.annotate(key=search._hex("id")).values_list("key", *fields).order_by()  # noqa: SLF001
    for key, *rest in query.iterator(chunk_size=5000):
        row = rows_by_id.get(key)
        if row is not None:
            ordered[row] = tuple(rest)
    blank: tuple[Any, ...] = ("",) * len(columns) + (None,) * (len(TRI_STATE_FIELDS) + 3) + ("",)
    for record in ordered:
        for name, value in zip(fields, record or blank, strict=True):
            values[name].append(value)
    facts = {
        name: np.asarray([-1 if v is None else int(bool(v)) for v in values[name]], dtype=np.int8)
        for name in TRI_STATE_FIELDS
    }
    cost = _code(values["cost_band"], COST_CODES)
    cost[(cost == -1) & base.free] = 0  # a cost option of 0 says free even without the fact
    languages: dict[str, list[int]] = defaultdict(list)
    language_rows = Language.objects.filter(service_id__isnull=False).annotate(key=search._hex("service_id"))  # noqa: SLF001
    for key, name in language_rows.values_list("key", "name").order_by():
        row = rows_by_id.get(key)
        if row is not None and name.strip():
            languages[name.strip().casefold()].append(row)
    has_language = np.zeros(n, dtype=np.bool_)
    for rows in languages.values():
        has_language[np.asarray(rows, dtype=np.int64)] = True
    slots, days = _schedule_masks(base.recurrences, n, base.today)
    has_schedule = np.zeros(n, dtype=np.bool_)
    if base.recurrences:
        has_schedule[np.asarray([row for row, _ in base.recurrences], dtype=np.int64)] = True
    weights = base.posting_weights
    factor = np.where(
        weights >= search.NAME_WEIGHT,
        1.0,
        np.where(
            weights >= search.CATEGORY_WEIGHT, 0.9, np.where(weights >= search.PROVIDER_WEIGHT, 0.4, 0.7)
        ),
    ).astype(np.float32)

    def ages(name: str) -> Floats:
        return np.asarray([math.nan if v is None else float(v) for v in values[name]], dtype=np.float64)

    return MatchIndex(
        base=base,
        cost=cost,
        group_size=_code(values["group_size"], GROUP_CODES),
        atmosphere=_code(values["atmosphere"], ATMOSPHERE_CODES),
        activity=_code(values["activity_level"], ACTIVITY_CODES),
        audience=_code(values["audience"], AUDIENCE_CODES),
        facts=facts,
        minimum_age=ages("minimum_age"),
        maximum_age=ages("maximum_age"),
        verified=np.asarray(
            [math.nan if v is None else v.timestamp() for v in values["last_verified_at"]], dtype=np.float64
        ),
        shared_experience=[v or "" for v in values["shared_experience"]],
        languages={key: np.unique(np.asarray(rows, dtype=np.int32)) for key, rows in languages.items()},
        has_language=has_language,
        slots=slots,
        days=days,
        has_schedule=has_schedule,
        posting_factor=factor,
    )


def current() -> MatchIndex:
    """The index for the directory as it is now (as fresh as the search index)."""
    global _current
    base = search._current_index()  # noqa: SLF001 - checks the fingerprint, rebuilds when it changed
    index = _current
    if index is not None and index.base is base:
        return index
    with _lock:
        index = _current
        if index is None or index.base is not base:
            index = _build(base)
            _current = index
        return index


def invalidate() -> None:
    """Forget both indexes; the next ranking rebuilds them (tests call it after writing)."""
    global _current
    search.invalidate()
    with _lock:
        _current = None
