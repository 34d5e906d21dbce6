"""The ranking engine: published services scored for one person, best first, with every part shown.

`rank(profile, ...)` scores every service in the matching index at once with numpy. The score is a
weighted mean of six parts, each in [0, 1] (docs/matching.md has the full rules):

- interest: the person's interests (now, past at a lower weight) and the free-text need, expanded
  with the synonym and related-interest list (interests.json), matched against the directory's
  word index; a direct match counts more than a synonym, and a synonym more than a related interest;
- practical: travel time against the person's limit and how they travel, step-free access when
  they need it, sessions at the times they are free, and their language when they need it;
- cost: free and low cost first when money is a barrier;
- social: small, quiet, structured groups, a welcome at the door and a companion free, weighed up
  when confidence holds the person back;
- identity: shared-experience or general settings as the person prefers, and age limits that fit;
- freshness: recently checked entries first; stale ones are marked down.

A fact nobody recorded scores 0.5 (neutral) and is said as "not known". Hard limits take services
out: only public states, nothing outside the age limits, nothing beyond the travel limit (unless
`include_beyond_limit`), and for someone housebound only what comes to them (home visits, online
or by phone).

The interest part is lexical; with the `linkwork[semantic]` extra installed (semantic.py), the
similarity of sentence embeddings of the person's interests and the service's text is blended in:
`interest = max(lexical, semantic)`, the semantic score rescaled to at most 0.9 so that a direct word
match still comes first. Results say which mode ran ("lexical" or "lexical+semantic") and, when
semantic matching is off, why.
"""

from __future__ import annotations

import bisect
import math
import time
import uuid
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from linkwork.core.errors import ValidationFailed
from linkwork.directory import search
from linkwork.directory.geography import (
    BUS_KMH,
    BUS_OVERHEAD_MINUTES,
    ROAD_FACTOR,
    WALKING_KMH,
    Place,
    distances_km,
    locate,
)
from linkwork.directory.models import PUBLIC_STATES, EntryState
from linkwork.matching import interests as interest_list
from linkwork.matching import semantic
from linkwork.matching.index import DAY_KEYS, DAY_PARTS, MatchIndex, current, slot_bit
from linkwork.matching.profile import MatchProfile

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

MODE = "lexical"
SEMANTIC_MODE = "lexical+semantic"
SEMANTIC_STATUS = semantic.NOT_INSTALLED
SEMANTIC_SKIPPED = "off for this search"

PAST_FACTOR = 0.7  # interests the person had in the past count for a little less than current ones
UNKNOWN = 0.5  # what a fact nobody recorded scores: neither for nor against
NO_LIMIT_MINUTES = 30.0  # without a travel limit, a journey this long halves the travel score
MONTH_SECONDS = 30.44 * 86400
FRESH_MONTHS = 6.0  # checked within this: fully fresh
OLD_MONTHS = 24.0  # checked this long ago or more: freshness 0.2
STALE_FACTOR = 0.5

PART_NAMES = ("interest", "practical", "cost", "social", "identity", "freshness")
BASE_WEIGHTS = {
    "interest": 3.0,
    "practical": 2.0,
    "cost": 0.5,
    "social": 0.5,
    "identity": 1.0,
    "freshness": 0.5,
}
COST_WEIGHT_WITH_BARRIER = 2.0
SOCIAL_WEIGHT_LOW_CONFIDENCE = 2.0
PUBLIC_CODES = np.asarray([search.STATE_CODES[state] for state in PUBLIC_STATES], dtype=np.int8)
STALE_CODE = search.STATE_CODES[EntryState.STALE]
REVIEW_DUE_CODE = search.STATE_CODES[EntryState.REVIEW_DUE]


@dataclass(frozen=True)
class Options:
    limit: int = 20
    max_minutes: int | None = None  # overrides the person's own travel limit in minutes
    free_only: bool = False
    include_beyond_limit: bool = False
    semantic: bool = True  # blend in semantic similarity when the extra is installed and checks out


@dataclass
class Part:
    name: str
    score: float
    weight: float
    explanation: str


@dataclass
class Result:
    service_id: uuid.UUID
    row: int
    score: float
    parts: list[Part]
    reasons: list[str] = field(default_factory=list)
    cautions: list[str] = field(default_factory=list)
    distance_km: float | None = None
    walk_minutes: int | None = None
    bus_minutes: int | None = None
    beyond_limit: bool = False


@dataclass
class Ranking:
    results: list[Result]
    considered: int  # services that passed the hard limits
    beyond_limit: int  # services left out only because they are beyond the travel limit
    mode: str = MODE
    semantic: str = SEMANTIC_STATUS
    travel_limit_minutes: float | None = None
    travel_limit_km: float | None = None
    place_known: bool = False
    took_ms: float = 0.0


@dataclass
class Scored:
    """Everything worked out for every row: the parts, and what explain.py needs for the top rows."""

    index: MatchIndex
    profile: MatchProfile
    parts: dict[str, Floats]
    weights: dict[str, float]
    total: Floats
    keep: Bools
    beyond: Bools
    km: Floats
    minutes: Floats
    remote: Bools
    place: Place | None
    limit_minutes: float | None
    limit_km: float | None
    phrase_hits: list[tuple[interest_list.Phrase, npt.NDArray[np.int32], npt.NDArray[np.float32]]]
    person_slots: int
    person_days: int
    mode: str = MODE
    semantic_status: str = SEMANTIC_STATUS
    semantic_scores: Floats | None = None  # the semantic part of interest fit, when it ran


# --- Interest ---------------------------------------------------------------------------------


def _word_postings(index: MatchIndex, word: str) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
    base = index.base
    vocabulary = base.vocabulary
    at = bisect.bisect_left(vocabulary, word)
    if at >= len(vocabulary) or vocabulary[at] != word:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    start, stop = int(base.word_starts[at]), int(base.word_starts[at + 1])
    return base.posting_rows[start:stop], index.posting_factor[start:stop]


def _phrase_postings(
    index: MatchIndex, words: tuple[str, ...]
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
    """Rows where every word of the phrase appears, scored by the weakest word's place."""
    rows, scores = _word_postings(index, words[0])
    for word in words[1:]:
        if rows.size == 0:
            break
        other_rows, other_scores = _word_postings(index, word)
        common, mine, theirs = np.intersect1d(rows, other_rows, assume_unique=True, return_indices=True)
        rows, scores = common.astype(np.int32), np.minimum(scores[mine], other_scores[theirs])
    return rows, scores


def interest_phrases(profile: MatchProfile) -> list[interest_list.Phrase]:
    phrases = interest_list.expand(profile.interests_now)
    phrases += interest_list.expand(profile.interests_past, factor=PAST_FACTOR)
    if profile.text:
        words = search.words_of(profile.text)
        phrases += interest_list.expand(words)
        phrases += [p for p in interest_list.expand([profile.text]) if p.how != "direct"]
    best: dict[tuple[str, ...], interest_list.Phrase] = {}
    for phrase in phrases:
        if phrase.words not in best or best[phrase.words].weight < phrase.weight:
            best[phrase.words] = phrase
    return list(best.values())


def _interest(
    index: MatchIndex, profile: MatchProfile
) -> tuple[Floats, list[tuple[interest_list.Phrase, npt.NDArray[np.int32], npt.NDArray[np.float32]]]]:
    phrases = interest_phrases(profile)
    if not phrases:
        return np.full(index.size, UNKNOWN), []
    miss = np.ones(index.size, dtype=np.float64)
    hits = []
    for phrase in phrases:
        rows, scores = _phrase_postings(index, phrase.words)
        if rows.size:
            weighted = (scores * np.float32(phrase.weight)).astype(np.float32)
            miss[rows] *= 1.0 - weighted
            hits.append((phrase, rows, weighted))
    return 1.0 - miss, hits


def semantic_phrases(profile: MatchProfile) -> list[tuple[str, float]]:
    """What is compared by meaning: each interest (past ones count less) and the free text."""
    phrases = [(text.strip(), 1.0) for text in profile.interests_now if text.strip()]
    phrases += [(text.strip(), PAST_FACTOR) for text in profile.interests_past if text.strip()]
    if profile.text.strip():
        phrases.append((profile.text.strip(), 1.0))
    return phrases


def _semantic(
    index: MatchIndex, profile: MatchProfile, lexical: Floats, options: Options
) -> tuple[Floats, str, str, Floats | None]:
    """Interest fit with the semantic score blended in, the mode, the status, and the semantic score."""
    if not options.semantic:
        return lexical, MODE, SEMANTIC_SKIPPED, None
    available, reason = semantic.status()
    if not available:
        return lexical, MODE, reason, None
    scores = semantic.interest_scores(index, semantic_phrases(profile))
    if scores is None:
        return lexical, SEMANTIC_MODE, semantic.ACTIVE, None
    return np.maximum(lexical, scores), SEMANTIC_MODE, semantic.ACTIVE, scores


# --- Practical --------------------------------------------------------------------------------


def _nearest_km(index: MatchIndex, place: Place) -> Floats:
    base = index.base
    distances = np.full(index.size, np.inf, dtype=np.float64)
    rows = base.location_rows
    if rows.size == 0:
        return distances
    km = distances_km(place.latitude, place.longitude, base.latitudes, base.longitudes)
    starts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
    distances[rows[starts]] = np.minimum.reduceat(km, starts)
    return distances


def travel_minutes(km: Floats, mobility: list[str]) -> Floats:
    """Estimated minutes by the person's way of travelling (geography's walking and bus estimates)."""
    road = km * ROAD_FACTOR
    walk = road / WALKING_KMH * 60
    bus = road / BUS_KMH * 60 + BUS_OVERHEAD_MINUTES
    if "walks" in mobility and not ({"uses-buses", "drives", "door-to-door"} & set(mobility)):
        return np.asarray(walk, dtype=np.float64)
    return np.asarray(np.minimum(walk, bus), dtype=np.float64)


def person_slots(availability: list[str]) -> tuple[int, int]:
    slots = days = 0
    for item in availability:
        day, _, part = item.partition("-")
        if day in DAY_KEYS and part in DAY_PARTS:
            weekday = DAY_KEYS.index(day)
            slots |= slot_bit(weekday, DAY_PARTS.index(part))
            days |= 1 << weekday
    return slots, days


def _tri(values: npt.NDArray[np.int8], yes: float, no: float) -> Floats:
    return np.where(values == 1, yes, np.where(values == 0, no, UNKNOWN)).astype(np.float64)


def _schedule_fit(index: MatchIndex, slots: int, days: int) -> Floats:
    if not slots:
        return np.full(index.size, UNKNOWN)
    fits_slot = (index.slots & np.uint32(slots)) != 0
    fits_day = (index.days & np.uint8(days)) != 0
    return np.where(
        ~index.has_schedule, UNKNOWN, np.where(fits_slot, 1.0, np.where(fits_day, 0.6, 0.0))
    ).astype(np.float64)


def _language_fit(index: MatchIndex, profile: MatchProfile) -> Floats:
    rows = index.languages.get(profile.main_language.strip().casefold())
    fit = np.where(index.has_language, 0.2, UNKNOWN).astype(np.float64)
    if rows is not None:
        fit[rows] = 1.0
    return fit


# --- Score --------------------------------------------------------------------------------------


def _group_fit(index: MatchIndex, profile: MatchProfile) -> Floats:
    # one-to-one, small, medium, large; -1 (not known) -> neutral
    if profile.prefers == "one-to-one":
        table = [1.0, 0.6, 0.3, 0.1]
    elif profile.prefers == "groups":
        table = [0.4, 1.0, 0.9, 0.7]
    elif profile.low_confidence:
        table = [1.0, 1.0, 0.5, 0.1]
    else:
        table = [0.8, 0.9, 0.8, 0.6]
    fit = np.where(index.group_size < 0, UNKNOWN, np.asarray(table)[np.maximum(index.group_size, 0)])
    if profile.largest_group is not None:
        # The smallest each size can be: a group bigger than the person can face scores low.
        smallest = np.asarray([1, 2, 8, 21])[np.maximum(index.group_size, 0)]
        fit = np.where((index.group_size >= 0) & (smallest > profile.largest_group), 0.05, fit)
    return np.asarray(fit, dtype=np.float64)


def _social(index: MatchIndex, profile: MatchProfile) -> Floats:
    low = profile.low_confidence
    group = _group_fit(index, profile)
    busy = 0.1 if low else 0.6
    quiet = np.where(index.atmosphere == 0, 1.0, np.where(index.atmosphere == 1, busy, UNKNOWN))
    # Doing something together (active or gentle, structured, side by side) is easier to join than a
    # group whose whole point is conversation, for someone whose confidence is low.
    activity_table = np.asarray([0.9, 1.0, 0.4] if low else [0.8, 0.8, 0.8])
    activity = np.where(index.activity < 0, UNKNOWN, activity_table[np.maximum(index.activity, 0)])
    welcome = _tri(index.facts["newcomers_met"], 1.0, 0.2 if low else 0.5)
    companion = _tri(index.facts["companion_free"], 1.0, 0.2 if profile.wants_company_first_visit else 0.5)
    companion_weight = 2.0 if profile.wants_company_first_visit else 1.0
    total = group * 2 + quiet + activity + welcome * 1.5 + companion * companion_weight
    return np.asarray(total / (2 + 1 + 1 + 1.5 + companion_weight), dtype=np.float64)


def _identity(index: MatchIndex, profile: MatchProfile) -> Floats:
    setting = profile.setting_preference
    if setting == "shared-experience":
        table = [0.3, 1.0]
    elif setting == "general":
        table = [1.0, 0.3]
    elif setting == "either":
        table = [0.8, 0.8]
    else:
        table = [UNKNOWN, UNKNOWN]
    audience = np.where(index.audience < 0, UNKNOWN, np.asarray(table)[np.maximum(index.audience, 0)])
    has_limits = ~np.isnan(index.minimum_age) | ~np.isnan(index.maximum_age)
    known_age = profile.age is not None or profile.age_range is not None
    # An age range that includes the person (they are inside it: the hard limit removed the rest).
    age = np.where(has_limits & known_age, 1.0, UNKNOWN)
    return np.asarray((audience * 2 + age) / 3, dtype=np.float64)


def _freshness(index: MatchIndex, now_seconds: float) -> Floats:
    months = (now_seconds - index.verified) / MONTH_SECONDS
    slope = (1.0 - 0.2) / (OLD_MONTHS - FRESH_MONTHS)
    fresh = np.clip(1.0 - (months - FRESH_MONTHS) * slope, 0.2, 1.0)
    fresh = np.where(np.isnan(index.verified), UNKNOWN, fresh)
    states = index.base.states
    return np.asarray(np.where(states == STALE_CODE, fresh * STALE_FACTOR, fresh), dtype=np.float64)


def _age_ok(index: MatchIndex, profile: MatchProfile) -> Bools:
    if profile.age is not None:
        low = high = profile.age
    elif profile.age_range is not None:
        low, high = profile.age_range
    else:
        return np.ones(index.size, dtype=np.bool_)
    too_young = ~np.isnan(index.minimum_age) & (high < index.minimum_age)
    too_old = ~np.isnan(index.maximum_age) & (low > index.maximum_age)
    return np.asarray(~(too_young | too_old), dtype=np.bool_)


def weights_for(profile: MatchProfile) -> dict[str, float]:
    weights = dict(BASE_WEIGHTS)
    if profile.money_barrier:
        weights["cost"] = COST_WEIGHT_WITH_BARRIER
    if profile.low_confidence:
        weights["social"] = SOCIAL_WEIGHT_LOW_CONFIDENCE
    return weights


def score_all(profile: MatchProfile, options: Options, *, index: MatchIndex | None = None) -> Scored:
    """Every part for every service, the hard limits, and the total."""
    index = index or current()
    n = index.size
    facts = index.facts
    interest, hits = _interest(index, profile)
    interest, mode, semantic_status, semantic_scores = _semantic(index, profile, interest, options)

    place: Place | None = None
    if profile.postcode:
        try:
            place = locate(profile.postcode)
        except ValidationFailed:  # an unrecognised postcode: distances are not known
            place = None
    km = _nearest_km(index, place) if place is not None else np.full(n, np.inf)
    if place is not None and index.base.areas is not None:
        in_area = search._in_areas(index.base, place)  # noqa: SLF001 - read-only reuse
        km = np.where(in_area & ~np.isfinite(km), 0.0, km)
    minutes = travel_minutes(km, profile.mobility)
    remote = (facts["home_visits"] == 1) | (facts["online_option"] == 1) | (facts["phone_option"] == 1)
    known = np.isfinite(km)

    limit_minutes = float(options.max_minutes) if options.max_minutes is not None else None
    if limit_minutes is None and profile.travel_limit_minutes is not None:
        limit_minutes = float(profile.travel_limit_minutes)
    limit_km = profile.travel_limit_km if options.max_minutes is None else None
    beyond = np.zeros(n, dtype=np.bool_)
    if limit_minutes is not None:
        beyond |= known & (minutes > limit_minutes)
    if limit_km is not None:
        beyond |= known & (km > limit_km)
    beyond &= ~remote
    if limit_minutes:
        travel = np.where(known, 1.0 - 0.5 * np.minimum(minutes / limit_minutes, 2.0), UNKNOWN)
    else:
        travel = np.where(known, 1.0 / (1.0 + minutes / NO_LIMIT_MINUTES), UNKNOWN)
    travel = np.where(remote & ~known, 0.9, np.where(remote, np.maximum(travel, 0.9), travel))
    travel = np.clip(travel, 0.0, 1.0)
    practical_sum, practical_weight = travel * 2.0, 2.0
    if profile.step_free_needed:
        practical_sum = practical_sum + _tri(facts["step_free"], 1.0, 0.0)
        practical_weight += 1.0
    slots, days = person_slots(profile.availability)
    if slots:
        practical_sum = practical_sum + _schedule_fit(index, slots, days)
        practical_weight += 1.0
    if profile.language_needed:
        practical_sum = practical_sum + _language_fit(index, profile)
        practical_weight += 1.0
    practical = practical_sum / practical_weight

    cost_table = np.asarray([1.0, 0.6, 0.0] if profile.money_barrier else [1.0, 0.8, 0.6])
    cost = np.where(index.cost < 0, UNKNOWN, cost_table[np.maximum(index.cost, 0)]).astype(np.float64)

    parts = {
        "interest": np.asarray(interest, dtype=np.float64),
        "practical": np.asarray(practical, dtype=np.float64),
        "cost": cost,
        "social": _social(index, profile),
        "identity": _identity(index, profile),
        "freshness": _freshness(index, time.time()),
    }
    weights = weights_for(profile)
    total = sum((parts[name] * weights[name] for name in PART_NAMES), np.zeros(n)) / sum(weights.values())

    keep = np.isin(index.base.states, PUBLIC_CODES) & _age_ok(index, profile)
    if options.free_only:
        keep &= index.cost == 0
    if profile.housebound:
        keep &= remote
    return Scored(
        index=index,
        profile=profile,
        parts=parts,
        weights=weights,
        total=np.asarray(total, dtype=np.float64),
        keep=keep,
        beyond=beyond,
        km=km,
        minutes=minutes,
        remote=remote,
        place=place,
        limit_minutes=limit_minutes,
        limit_km=limit_km,
        phrase_hits=hits,
        person_slots=slots,
        person_days=days,
        mode=mode,
        semantic_status=semantic_status,
        semantic_scores=semantic_scores,
    )


def top_rows(scored: Scored, options: Options) -> npt.NDArray[np.int64]:
    """The best `limit` rows within the hard limits, best first (ties: nearest, then name)."""
    wanted = scored.keep if options.include_beyond_limit else scored.keep & ~scored.beyond
    rows = np.flatnonzero(wanted)
    if rows.size == 0 or options.limit < 1:
        return rows[:0]
    keys = [scored.index.base.name_rank[rows], scored.km[rows], -np.round(scored.total[rows], 9)]
    return np.asarray(rows[search._first(keys, options.limit)], dtype=np.int64)  # noqa: SLF001


def rank(profile: MatchProfile, options: Options | None = None) -> Ranking:
    """The person's best services, each with its score parts, reasons and cautions."""
    from linkwork.matching import explain

    started = time.perf_counter()
    options = options or Options()
    scored = score_all(profile, options)
    rows = top_rows(scored, options)
    results = [explain.result_for(scored, int(row)) for row in rows.tolist()]
    return Ranking(
        results=results,
        considered=int(np.count_nonzero(scored.keep & ~scored.beyond)),
        beyond_limit=int(np.count_nonzero(scored.keep & scored.beyond)),
        mode=scored.mode,
        semantic=scored.semantic_status,
        travel_limit_minutes=scored.limit_minutes,
        travel_limit_km=scored.limit_km,
        place_known=scored.place is not None,
        took_ms=round((time.perf_counter() - started) * 1000, 3),
    )


def minutes_text(value: float) -> int:
    return max(1, math.ceil(round(value, 6)))
