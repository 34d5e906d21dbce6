"""The directory search engine: words, categories, distance, days and filters, over an in-memory index.

`search_services(query)` answers a `DirectoryQuery` (see query.py) for the public pages, staff search
and the Open Referral UK API alike. It does not decide who may see what: callers choose `states` and
`owner_id` (staff selectors enforce the policies).

How it works. Each process holds one index built from the database with a handful of bulk queries (no
model instances): numpy arrays with one element per service (state, owner, provider, free, step-free,
online, last modified, name order, this week's weekdays), the coordinates of every location a service
is at, an inverted word index and the service areas. A search is a few vectorised operations over
those arrays, so it takes milliseconds at national scale on SQLite and PostgreSQL alike.

- Words. Text is lower-cased, accents and HTML tags are dropped, and plurals are reduced ("groups" ->
  "group", "activities" -> "activity"); common words ("the", "and", ...) are ignored. Every word must
  match somewhere. Matches weigh by where they are: the name (4) beats a category (3), the provider's
  name (2) and the description (1). The last word also matches as the start of a word ("knit" finds
  "knitting") at a little less weight, unless the text ends with a space. A service scores the sum,
  over the words, of its best match.
- Distance is to the nearest of a service's locations that has usable coordinates (latitude -90..90,
  longitude -180..180, not 0,0). Services whose service area covers the place match whatever
  `max_km` says, and sort as if they were 0 km away (their own distance is still reported).
- Days. `day` and `this_week` use the sessions in the seven days from today, computed with
  `recurrence.occurrences` (closures and validity dates included) when the index is built, and again
  when the date changes. Services with no dated schedule match neither.
- Order: with words, best score first, then nearest (with a postcode), then name; with a postcode and
  no words, nearest first; otherwise by name.

Freshness. Each process checks a cheap fingerprint of the directory tables (row counts and latest
change times) at most once every `CHECK_INTERVAL_SECONDS` and rebuilds the index when it changed; the
first search after a change pays for the rebuild: 6 to 8 seconds at 100,000 services, well under a
second for a borough's few thousand (docs/benchmarks.md). The fingerprint sees new and removed rows
and every change to a service or provider (their `updated_at`); an edit to a child row alone (a
location's coordinates, a schedule's day) shows once its service is saved, as the editing services
do. While one thread rebuilds, the process's other threads keep answering from the previous index
instead of waiting. `invalidate()` drops this process's index at once (tests call it after writing).

Categories (`taxonomy_term_ids`) match the terms given, not their child terms.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import html
import math
import re
import threading
import time
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Coalesce, Replace

from linkwork.core.errors import ValidationFailed
from linkwork.core.time import LONDON, local_today
from linkwork.directory import connector_facts
from linkwork.directory.geography import (
    AreaRule,
    Place,
    area_covers,
    distances_km,
    journey,
    locate,
    parse_area,
)
from linkwork.directory.models import (
    Attribute,
    Closure,
    CostBand,
    CostOption,
    EntryState,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)
from linkwork.directory.query import MAX_PER_PAGE, DirectoryQuery, SearchHit, SearchResults
from linkwork.directory.recurrence import Closure as RecurrenceClosure
from linkwork.directory.recurrence import Recurrence, occurrences

CHECK_INTERVAL_SECONDS = 1.0

NAME_WEIGHT = 4.0
ALTERNATE_NAME_WEIGHT = 3.0
CATEGORY_WEIGHT = 3.0
PROVIDER_WEIGHT = 2.0
DESCRIPTION_WEIGHT = 1.0
PREFIX_FACTOR = 0.8  # a word that only starts the same way counts for a little less

_COMMON_WORDS = (
    "a an and are as at be by for from in is it its of on or our the their this that to we with you your"
)
STOP_WORDS = frozenset(_COMMON_WORDS.split())

STATE_CODES: dict[str, int] = {state: code for code, state in enumerate(EntryState.values)}

Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Rows = npt.NDArray[np.int32]

_EMPTY_ROWS: Rows = np.zeros(0, dtype=np.int32)


# --- Words --------------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    """Lower case, no accents, no HTML tags or entities, apostrophes dropped ("men's" -> "mens")."""
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    text = text.casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return text.replace("'", "").replace("\u2019", "")


def stem(word: str) -> str:
    """Light English plural stemming: groups -> group, classes -> class, activities -> activity."""
    if len(word) <= 3 or not word.endswith("s") or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zzes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is")):
        return word
    return word[:-1]


def words_of(text: str) -> list[str]:
    """The stemmed, meaningful words of a text, in order."""
    return [stem(word) for word in _WORD.findall(normalise(text)) if word not in STOP_WORDS]


@dataclass(frozen=True)
class _QueryWord:
    stemmed: str
    prefix: str  # "" when the word must match whole


def _query_words(text: str) -> list[_QueryWord]:
    raw = [word for word in _WORD.findall(normalise(text)) if word not in STOP_WORDS]
    finished = not text or not text[-1].isalnum()
    return [
        _QueryWord(stem(word), "" if finished or index < len(raw) - 1 else word)
        for index, word in enumerate(raw)
    ]


# --- The index ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Areas:
    districts: dict[str, Rows]
    sectors: dict[str, Rows]
    authorities: dict[str, Rows]
    shapes: list[tuple[int, AreaRule]]


@dataclass(frozen=True)
class _Index:
    fingerprint: tuple[Any, ...]
    today: dt.date
    ids: list[str]  # 32 hex digits
    states: npt.NDArray[np.int8]
    owners: Ints
    providers: npt.NDArray[np.int32]  # position in provider_codes, -1 for none
    provider_codes: dict[str, int]
    free: Bools
    step_free: Bools
    online: Bools
    modified: Floats  # epoch seconds; NaN when never recorded
    name_rank: npt.NDArray[np.int32]
    location_rows: Rows  # sorted; a service may appear several times
    latitudes: Floats
    longitudes: Floats
    vocabulary: list[str]  # sorted; word id = position
    word_starts: Ints  # postings of word i are [word_starts[i], word_starts[i + 1])
    posting_rows: Rows
    posting_weights: npt.NDArray[np.float32]
    term_rows: dict[str, Rows]
    taxonomy_rows: dict[str, Rows]
    areas: _Areas
    recurrences: list[tuple[int, Recurrence]]
    weekdays: npt.NDArray[np.uint8]  # bit d set: a session on weekday d in the 7 days from `today`

    @property
    def size(self) -> int:
        return len(self.ids)


@dataclass
class _State:
    index: _Index | None = None
    checked_at: float = -math.inf
    lock: threading.Lock = field(default_factory=threading.Lock)


_state = _State()


def invalidate() -> None:
    """Forget the index; the next search rebuilds it. Call after writing when results must be exact."""
    with _state.lock:
        _state.index = None
        _state.checked_at = -math.inf


def _table(model: type[Any]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


_COUNTED = (Location, ServiceAtLocation, Schedule, ServiceArea, CostOption, Attribute, TaxonomyTerm)


def _fingerprint() -> tuple[Any, ...]:
    """Row counts and latest change times of everything the index is built from, in one query."""
    aggregates: list[tuple[type[Any], str]] = [
        (Service, "COUNT(*)"),
        (Service, "MAX(updated_at)"),
        (Service, "MAX(last_modified)"),
        (Service, "MAX(state_changed_at)"),
        (Service, "MAX(source_recorded_at)"),
        (Organization, "COUNT(*)"),
        (Organization, "MAX(updated_at)"),
        (Closure, "COUNT(*)"),
        (Closure, "MAX(id)"),
        *((model, "COUNT(*)") for model in _COUNTED),
    ]
    # Only our own table names and fixed aggregates go into the text: nothing from outside.
    sql = "SELECT " + ", ".join(f"(SELECT {what} FROM {_table(model)})" for model, what in aggregates)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return tuple(str(value) for value in row)


def _rows_of(groups: dict[str, list[int]]) -> dict[str, Rows]:
    return {key: np.unique(np.asarray(rows, dtype=np.int32)) for key, rows in groups.items()}


def _usable(latitude: float, longitude: float) -> bool:
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return False
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return False
    return not (latitude == 0 and longitude == 0)


# Ids are read as text, as 32 hex digits: turning hundreds of thousands of them into uuid.UUID
# objects would be most of the build time. Hits turn back into UUIDs one page at a time.


def _hex(field: str) -> Replace:
    """The id as 32 hex digits, whichever way the database keeps it (SQLite: hex; PostgreSQL: uuid)."""
    return Replace(Cast(field, output_field=CharField()), Value("-"), Value(""))


def _text(field: str) -> Cast:
    return Cast(field, output_field=CharField())


def _build(fingerprint: tuple[Any, ...], today: dt.date) -> _Index:
    rows_by_id: dict[str, int] = {}
    ids: list[str] = []
    names: list[str] = []
    states: list[int] = []
    owners: list[int] = []
    provider_ids: list[str | None] = []
    free: list[bool] = []
    step_free: list[bool] = []
    online: list[bool] = []
    modified: list[float] = []
    texts: list[tuple[int, float, str]] = []
    service_rows = (
        Service.objects.annotate(
            key=_hex("id"),
            provider=_hex("organization_id"),
            changed=Coalesce("last_modified", "updated_at"),
        )
        .values_list(
            "key",
            "name",
            "alternate_name",
            "description",
            "provider",
            "owner_id",
            "state",
            "cost_band",
            "step_free",
            "online_option",
            "phone_option",
            "changed",
        )
        .order_by()
    )
    for row, values in enumerate(service_rows.iterator(chunk_size=5000)):
        key, name, alternate, description, provider, owner, state, cost, step, web, phone, changed = values
        rows_by_id[key] = row
        ids.append(key)
        names.append(name)
        states.append(STATE_CODES.get(state, -1))
        owners.append(owner)
        provider_ids.append(provider)
        free.append(cost == CostBand.FREE)
        step_free.append(bool(step))
        online.append(bool(web) or bool(phone))
        modified.append(changed.timestamp() if changed is not None else math.nan)
        texts.append((row, NAME_WEIGHT, name))
        if alternate:
            texts.append((row, ALTERNATE_NAME_WEIGHT, alternate))
        if description:
            texts.append((row, DESCRIPTION_WEIGHT, description))
    n = len(ids)

    free_array = np.asarray(free, dtype=np.bool_)
    no_cost = (
        CostOption.objects.filter(amount=0).annotate(key=_hex("service_id")).values_list("key", flat=True)
    )
    free_rows = [rows_by_id[key] for key in no_cost.order_by() if key in rows_by_id]
    free_array[np.asarray(free_rows, dtype=np.int64)] = True

    provider_codes: dict[str, int] = {}
    provider_names: dict[str, str] = {}
    organizations = Organization.objects.annotate(key=_hex("id")).values_list("key", "name").order_by()
    for key, org_name in organizations.iterator(chunk_size=5000):
        provider_codes[key] = len(provider_codes)
        provider_names[key] = org_name
    providers = np.full(n, -1, dtype=np.int32)
    for row, provider in enumerate(provider_ids):
        if provider is not None:
            if provider not in provider_codes:  # a dangling HSDS reference: still filterable by its id
                provider_codes[provider] = len(provider_codes)
            providers[row] = provider_codes[provider]
            if provider_name := provider_names.get(provider):
                texts.append((row, PROVIDER_WEIGHT, provider_name))

    # Categories: attributes whose link is a service, except the connector facts (those are filters).
    facts_taxonomy = connector_facts.TAXONOMY_ID.hex
    excluded_terms = {fact.term_id.hex for fact in connector_facts.FACTS} | {
        connector_facts.CLOSURE_TERM_ID.hex
    }
    terms: dict[str, tuple[str, str | None]] = {}
    term_rows = TaxonomyTerm.objects.annotate(key=_hex("id"), taxonomy_key=_hex("taxonomy_detail_id"))
    for key, term_name, taxonomy in term_rows.values_list("key", "name", "taxonomy_key").order_by():
        if taxonomy != facts_taxonomy and key not in excluded_terms:
            terms[key] = (term_name, taxonomy)
    term_groups: dict[str, list[int]] = defaultdict(list)
    taxonomy_groups: dict[str, list[int]] = defaultdict(list)
    attributes = (
        Attribute.objects.exclude(taxonomy_term_id=None)
        .annotate(link=_hex("link_id"), term=_hex("taxonomy_term_id"))
        .values_list("link", "term")
        .order_by()
    )
    for link, term in attributes.iterator(chunk_size=5000):
        found = rows_by_id.get(link)
        if found is None or term in excluded_terms:
            continue
        term_groups[term].append(found)
        if term in terms:
            term_name, taxonomy = terms[term]
            if term_name:
                texts.append((found, CATEGORY_WEIGHT, term_name))
            if taxonomy is not None:
                taxonomy_groups[taxonomy].append(found)

    # Coordinates of every location each service is at.
    located: list[tuple[int, float, float]] = []
    at_locations = (
        ServiceAtLocation.objects.annotate(key=_hex("service_id"))
        .values_list("key", "location__latitude", "location__longitude")
        .order_by()
    )
    for raw, latitude, longitude in at_locations.iterator(chunk_size=5000):
        found = rows_by_id.get(raw)
        if found is None or latitude is None or longitude is None:
            continue
        if _usable(latitude, longitude):
            located.append((found, latitude, longitude))
    located.sort()
    location_rows = np.asarray([item[0] for item in located], dtype=np.int32)
    latitudes = np.asarray([item[1] for item in located], dtype=np.float64)
    longitudes = np.asarray([item[2] for item in located], dtype=np.float64)

    vocabulary, word_starts, posting_rows, posting_weights = _word_index(texts)

    order = sorted(range(n), key=lambda row: (normalise(names[row]).strip(), ids[row]))
    name_rank = np.empty(n, dtype=np.int32)
    name_rank[np.asarray(order, dtype=np.int64)] = np.arange(n, dtype=np.int32)

    recurrences = _recurrences(rows_by_id)
    return _Index(
        fingerprint=fingerprint,
        today=today,
        ids=ids,
        states=np.asarray(states, dtype=np.int8),
        owners=np.asarray(owners, dtype=np.int64),
        providers=providers,
        provider_codes=provider_codes,
        free=free_array,
        step_free=np.asarray(step_free, dtype=np.bool_),
        online=np.asarray(online, dtype=np.bool_),
        modified=np.asarray(modified, dtype=np.float64),
        name_rank=name_rank,
        location_rows=location_rows,
        latitudes=latitudes,
        longitudes=longitudes,
        vocabulary=vocabulary,
        word_starts=word_starts,
        posting_rows=posting_rows,
        posting_weights=posting_weights,
        term_rows=_rows_of(term_groups),
        taxonomy_rows=_rows_of(taxonomy_groups),
        areas=_service_areas(rows_by_id),
        recurrences=recurrences,
        weekdays=_weekdays(recurrences, n, today),
    )


def _word_index(
    texts: list[tuple[int, float, str]],
) -> tuple[list[str], Ints, Rows, npt.NDArray[np.float32]]:
    """An inverted index: each word's services, with the weight of the best field it appears in.

    Python only splits the texts into words; numbering, de-duplicating and grouping are numpy's.
    """
    findall = _WORD.findall
    tokens: list[str] = []
    counts: list[int] = []
    for _row, _weight, text in texts:
        found = findall(normalise(text))
        tokens.extend(found)
        counts.append(len(found))
    word_ids: dict[str, int] = {}  # stemmed word -> id
    raw_ids: dict[str, int] = {}  # word as written -> id of its stem; -1 for common words
    for word in set(tokens):
        raw_ids[word] = -1 if word in STOP_WORDS else word_ids.setdefault(stem(word), len(word_ids))
    vocabulary = sorted(word_ids)
    if not vocabulary:
        return [], np.zeros(1, dtype=np.int64), _EMPTY_ROWS, np.zeros(0, dtype=np.float32)
    # Renumber words in alphabetical order, so the words starting with a prefix are one slice.
    renumber = np.full(len(word_ids) + 1, -1, dtype=np.int64)
    renumber[np.asarray([word_ids[word] for word in vocabulary], dtype=np.int64)] = np.arange(len(vocabulary))
    words = renumber[np.fromiter(map(raw_ids.__getitem__, tokens), dtype=np.int64, count=len(tokens))]
    repeat = np.asarray(counts, dtype=np.int64)
    rows = np.repeat(np.asarray([text[0] for text in texts], dtype=np.int64), repeat)
    weights = np.repeat(np.asarray([text[1] for text in texts], dtype=np.float32), repeat)
    meaningful = words >= 0
    words, rows, weights = words[meaningful], rows[meaningful], weights[meaningful]
    # Group by (word, service) and keep the best weight of each.
    pairs = words * (int(rows.max(initial=0)) + 1) + rows
    order = np.argsort(pairs, kind="stable")
    pairs, weights = pairs[order], weights[order]
    firsts = np.flatnonzero(np.concatenate(([True], pairs[1:] != pairs[:-1])))
    best = np.maximum.reduceat(weights, firsts) if firsts.size else weights[:0]
    words, rows = words[order][firsts], rows[order][firsts]
    starts = np.searchsorted(words, np.arange(len(vocabulary) + 1)).astype(np.int64)
    return vocabulary, starts, rows.astype(np.int32), best.astype(np.float32)


def _service_areas(rows_by_id: dict[str, int]) -> _Areas:
    districts: dict[str, list[int]] = defaultdict(list)
    sectors: dict[str, list[int]] = defaultdict(list)
    authorities: dict[str, list[int]] = defaultdict(list)
    shapes: list[tuple[int, AreaRule]] = []
    areas = (
        ServiceArea.objects.exclude(extent="")
        .annotate(key=_hex("service_id"))
        .values_list("key", "extent", "extent_type")
        .order_by()
    )
    for raw, extent, extent_type in areas.iterator(chunk_size=5000):
        row = rows_by_id.get(raw)
        if row is None:
            continue
        try:
            rule = parse_area(extent, extent_type)
        except ValidationFailed:
            rule = None  # a malformed area is shown to people but never matched
        if rule is None:
            continue
        if rule.kind == "postcode":
            for district in rule.districts:
                districts[district].append(row)
            for sector in rule.sectors:
                sectors[sector].append(row)
        elif rule.kind == "local_authority":
            authorities[rule.authority.casefold()].append(row)
        else:
            shapes.append((row, rule))
    return _Areas(_rows_of(districts), _rows_of(sectors), _rows_of(authorities), shapes)


_SCHEDULE_FIELDS = (
    "freq",
    "interval",
    "byday",
    "bymonthday",
    "byweekno",
    "byyearday",
    "wkst",
    "count",
    "until",
    "dtstart",
    "valid_from",
    "valid_to",
    "opens_at",
    "closes_at",
    "description",
)


_SCHEDULE_DATES = ("until", "dtstart", "valid_from", "valid_to")
_SCHEDULE_TIMES = ("opens_at", "closes_at")


def _recurrences(rows_by_id: dict[str, int]) -> list[tuple[int, Recurrence]]:
    """Each service's schedules (its own and those at its locations), with the service's closures."""
    closures: dict[int, list[RecurrenceClosure]] = defaultdict(list)
    closure_rows = Closure.objects.annotate(key=_hex("service_id")).values_list("key", "starts_on", "ends_on")
    for raw, starts_on, ends_on in closure_rows.order_by():
        if (row := rows_by_id.get(raw)) is not None:
            closures[row].append(RecurrenceClosure(starts_on, ends_on))
    found: list[tuple[int, Recurrence]] = []
    # Dates and times come as text: fromisoformat is much quicker than the ORM's converters.
    as_text = {f"{name}_text": _text(name) for name in (*_SCHEDULE_DATES, *_SCHEDULE_TIMES)}
    columns = [f"{name}_text" if f"{name}_text" in as_text else name for name in _SCHEDULE_FIELDS]
    schedules = (
        Schedule.objects.annotate(
            key=_hex("service_id"), via=_hex("service_at_location__service_id"), **as_text
        )
        .values_list("key", "via", *columns)
        .order_by()
    )
    for raw, via_location, *values in schedules.iterator(chunk_size=5000):
        row = rows_by_id.get(raw)
        if row is None:
            row = rows_by_id.get(via_location)
        if row is None:
            continue
        fields = dict(zip(_SCHEDULE_FIELDS, values, strict=True))
        for name in _SCHEDULE_DATES:
            if (text := fields[name]) is not None:
                fields[name] = dt.date.fromisoformat(text[:10])
        for name in _SCHEDULE_TIMES:
            if (text := fields[name]) is not None:
                fields[name] = dt.time.fromisoformat(text[:8])
        found.append((row, Recurrence(**fields, closures=tuple(closures.get(row, ())))))
    return found


def _window_key(r: Recurrence, start: dt.date, end: dt.date) -> Recurrence:
    """A recurrence with the same sessions from start to end, stripped of what cannot change them there.

    Most weekly and monthly rules do not depend on when they began (no interval above 1, no count),
    so many schedules share one key and the (slow) rule is evaluated once per key, not per schedule.
    Dates before the window and end dates after it only matter through the checks in
    `recurrence.problems`, and each replacement here keeps those checks' outcome for the window.
    """
    freq = r.freq.strip().upper()
    if not freq:
        return r
    interval = r.interval or 1
    phase_free = (
        r.count is None
        and interval == 1
        and (
            freq == "DAILY"
            or (freq == "WEEKLY" and r.byday.strip() != "")
            or (freq == "MONTHLY" and (r.byday.strip() != "" or r.bymonthday.strip() != ""))
        )
    )
    # Every `interval` days or weeks: moving the start on by whole periods keeps the same days.
    periodic = r.count is None and interval > 1 and freq in ("DAILY", "WEEKLY")
    changes: dict[str, Any] = {"description": ""}
    bad_times = r.opens_at is not None and r.closes_at is not None and r.closes_at <= r.opens_at
    if not bad_times:
        changes |= {"opens_at": None, "closes_at": None}
    if phase_free:
        if r.dtstart is None or r.dtstart <= start:
            # Any start on or before the window gives the same sessions (and a recent one is quick
            # to count on from); an `until` before it gives none either way.
            changes["dtstart"] = start - dt.timedelta(days=start.weekday() + 7)
        if r.valid_from is not None and r.valid_from <= start:
            changes["valid_from"] = None
    elif periodic:
        anchor = r.dtstart if r.dtstart is not None else r.valid_from
        if anchor is None or anchor > start:
            return dataclasses.replace(r, **changes)
        period = interval * (7 if freq == "WEEKLY" else 1)
        moved = anchor + dt.timedelta(days=(start - anchor).days // period * period)
        changes["dtstart" if r.dtstart is not None else "valid_from"] = moved
        if r.dtstart is not None and r.valid_from is not None and r.valid_from <= start:
            changes["valid_from"] = None
    else:
        return dataclasses.replace(r, **changes)
    if r.until is not None and r.until >= end and (r.dtstart is None or r.dtstart <= start):
        changes["until"] = None
    if r.valid_to is not None and r.valid_to >= end and (r.valid_from is None or r.valid_from <= start):
        changes["valid_to"] = None
    return dataclasses.replace(r, **changes)


def _weekdays(recurrences: Sequence[tuple[int, Recurrence]], n: int, today: dt.date) -> npt.NDArray[np.uint8]:
    """Bit d set for each service with a session on weekday d (0 = Monday) in the 7 days from today."""
    end = today + dt.timedelta(days=6)
    masks = np.zeros(n, dtype=np.uint8)
    seen: dict[Recurrence, int] = {}
    for row, recurrence in recurrences:
        mask = seen.get(recurrence)
        if mask is None:
            key = _window_key(recurrence, today, end)
            mask = seen.get(key)
            if mask is None:
                mask = 0
                for occurrence in occurrences(key, today, end):
                    mask |= 1 << occurrence.on.weekday()
                seen[key] = mask
            seen[recurrence] = mask
        masks[row] |= mask
    return masks


def _current_index() -> _Index:
    index = _state.index
    today = local_today()
    if (
        index is not None
        and index.today == today
        and time.monotonic() - _state.checked_at < CHECK_INTERVAL_SECONDS
    ):
        return index
    # While another thread of this process rebuilds, answer from the index we have rather than queue
    # every request behind the rebuild; only the thread that found the change waits for it.
    if not _state.lock.acquire(blocking=index is None):
        assert index is not None
        return index
    try:
        index = _state.index
        recent = time.monotonic() - _state.checked_at < CHECK_INTERVAL_SECONDS
        if index is not None and recent and index.today == today:
            return index
        fingerprint = _fingerprint()
        if index is None or index.fingerprint != fingerprint:
            index = _build(fingerprint, today)
        elif index.today != today:
            index = dataclasses.replace(
                index, today=today, weekdays=_weekdays(index.recurrences, index.size, today)
            )
        _state.index = index
        _state.checked_at = time.monotonic()
        return index
    finally:
        _state.lock.release()


def index_stats() -> dict[str, int]:
    """Sizes of the current index, for benchmarks and diagnostics."""
    index = _current_index()
    return {
        "services": index.size,
        "locations": int(index.location_rows.size),
        "words": len(index.vocabulary),
        "postings": int(index.posting_rows.size),
        "schedules": len(index.recurrences),
    }


# --- Searching ----------------------------------------------------------------------------------


def _check(query: DirectoryQuery) -> int:
    """Refuse what cannot be answered; the page size, capped at MAX_PER_PAGE."""
    errors: dict[str, str] = {}
    if query.page < 1:
        errors["page"] = "The page number must be 1 or more."
    if query.per_page < 1:
        errors["per_page"] = "Ask for at least 1 result a page."
    if query.day is not None and not 0 <= query.day <= 6:
        errors["day"] = "Choose a day of the week."
    if query.max_km is not None and not (math.isfinite(query.max_km) and query.max_km > 0):
        errors["max_km"] = "The distance must be more than 0 km."
    unknown = [state for state in query.states if state not in STATE_CODES]
    if unknown:
        errors["states"] = f"Unknown state: {', '.join(unknown)}."
    if errors:
        raise ValidationFailed("Check the search.", fields=errors)
    return min(query.per_page, MAX_PER_PAGE)


def _any_of(index: _Index, groups: dict[str, Rows], keys: Iterable[uuid.UUID]) -> Bools:
    mask = np.zeros(index.size, dtype=np.bool_)
    for key in keys:
        rows = groups.get(key.hex)
        if rows is not None:
            mask[rows] = True
    return mask


def _filters(index: _Index, query: DirectoryQuery) -> Bools:
    codes = sorted({STATE_CODES[state] for state in query.states})
    mask = np.isin(index.states, np.asarray(codes, dtype=np.int8))
    if query.owner_id is not None:
        mask &= index.owners == query.owner_id
    if query.organization_id is not None:
        code = index.provider_codes.get(query.organization_id.hex, -2)
        mask &= index.providers == code
    if query.taxonomy_term_ids:
        mask &= _any_of(index, index.term_rows, query.taxonomy_term_ids)
    if query.taxonomy_ids:
        mask &= _any_of(index, index.taxonomy_rows, query.taxonomy_ids)
    if query.free_only:
        mask &= index.free
    if query.step_free:
        mask &= index.step_free
    if query.online:
        mask &= index.online
    if query.modified_after is not None:
        after = query.modified_after
        if after.tzinfo is None:  # a date and time without a zone is taken as London time
            after = after.replace(tzinfo=LONDON)
        mask &= index.modified >= after.timestamp()  # on or after, as the database filters
    if query.day is not None:
        mask &= (index.weekdays & np.uint8(1 << query.day)) != 0
    if query.this_week:
        # The window starts today, so today's weekday up to Sunday is "between today and Sunday".
        rest_of_week = sum(1 << day for day in range(index.today.weekday(), 7))
        mask &= (index.weekdays & np.uint8(rest_of_week)) != 0
    return mask


def _word_scores(index: _Index, word: _QueryWord) -> npt.NDArray[np.float32]:
    scores = np.zeros(index.size, dtype=np.float32)
    vocabulary = index.vocabulary
    if word.prefix:
        low = bisect.bisect_left(vocabulary, word.prefix)
        high = bisect.bisect_left(vocabulary, word.prefix + "\x7f")
        if high > low:
            start, stop = int(index.word_starts[low]), int(index.word_starts[high])
            weights = index.posting_weights[start:stop] * np.float32(PREFIX_FACTOR)
            np.maximum.at(scores, index.posting_rows[start:stop], weights)
    position = bisect.bisect_left(vocabulary, word.stemmed)
    if position < len(vocabulary) and vocabulary[position] == word.stemmed:
        start, stop = int(index.word_starts[position]), int(index.word_starts[position + 1])
        rows = index.posting_rows[start:stop]
        scores[rows] = np.maximum(scores[rows], index.posting_weights[start:stop])
    return scores


def _in_areas(index: _Index, place: Place) -> Bools:
    mask = np.zeros(index.size, dtype=np.bool_)
    areas = index.areas
    for rows in (
        areas.districts.get(place.district),
        areas.sectors.get(place.key) if place.precision == "sector" else None,
        areas.authorities.get(place.area_name.casefold()) if place.area_name else None,
    ):
        if rows is not None:
            mask[rows] = True
    for row, rule in areas.shapes:
        if not mask[row] and area_covers(rule, place):
            mask[row] = True
    return mask


def _nearest(index: _Index, place: Place, wanted: Bools) -> Floats:
    """Distance in km to each wanted service's nearest location; inf for the rest."""
    distances = np.full(index.size, np.inf, dtype=np.float64)
    take = wanted[index.location_rows]
    rows = index.location_rows[take]
    if rows.size == 0:
        return distances
    km = distances_km(place.latitude, place.longitude, index.latitudes[take], index.longitudes[take])
    starts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
    distances[rows[starts]] = np.minimum.reduceat(km, starts)
    return distances


def _first(keys: list[npt.NDArray[Any]], count: int) -> npt.NDArray[np.int64]:
    """Positions of the first `count` items in the order of `keys` (as np.lexsort: the last key first).

    Sorting everything is wasted work for one page of a large result, so the primary key is
    partitioned first; every item tied with the last one kept stays in, so the order is exact.
    """
    size = keys[-1].size
    if size > 4 * count:
        primary = keys[-1]
        threshold = np.partition(primary, count - 1)[count - 1]
        keep = np.flatnonzero(primary <= threshold)
        order = np.lexsort([key[keep] for key in keys])
        return keep[order[:count]]
    order = np.lexsort(keys)
    return order[:count]


def search_services(query: DirectoryQuery) -> SearchResults:
    """Services answering the query, one page of them, best first. See the module docstring."""
    per_page = _check(query)
    place = locate(query.postcode) if query.postcode.strip() else None
    index = _current_index()
    mask = _filters(index, query)

    words = _query_words(query.text)
    scores: npt.NDArray[np.float32] | None = None
    if words:
        scores = np.zeros(index.size, dtype=np.float32)
        for word in words:
            word_scores = _word_scores(index, word)
            mask &= word_scores > 0
            scores += word_scores

    distances: Floats | None = None
    in_area: Bools | None = None
    if place is not None:
        in_area = _in_areas(index, place) & mask
        distances = _nearest(index, place, mask)
        if query.max_km is not None:
            mask &= (distances <= query.max_km) | in_area

    rows = np.flatnonzero(mask)
    total = int(rows.size)
    offset = (query.page - 1) * per_page
    hits: list[SearchHit] = []
    if offset < total:
        keys: list[npt.NDArray[Any]] = [index.name_rank[rows]]
        if distances is not None and in_area is not None:
            own = distances[rows]
            keys += [own, np.where(in_area[rows], 0.0, own)]
        if scores is not None:
            keys.append(-scores[rows])
        page_rows = rows[_first(keys, offset + per_page)[offset:]]
        for row in page_rows.tolist():
            km = float(distances[row]) if distances is not None else math.inf
            hits.append(
                SearchHit(
                    service_id=uuid.UUID(hex=index.ids[row]),
                    score=float(scores[row]) if scores is not None else 0.0,
                    distance_km=km if math.isfinite(km) else None,
                    journey=journey(km) if math.isfinite(km) else None,
                    in_service_area=bool(in_area[row]) if in_area is not None else False,
                )
            )
    return SearchResults(hits=hits, total=total, page=query.page, per_page=per_page, place=place)
