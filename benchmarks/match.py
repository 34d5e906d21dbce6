"""`linkwork bench match --size N`: one person's top 20 from a directory of N services.

The engine (linkwork.matching.engine.rank: every part for every service with numpy over the matching
index, the interest part from the word postings, then reasons and cautions for the top 20) against a
naive baseline in the same run: the same parts worked out service by service in plain Python over
the same facts, already in memory (loading them is not timed), then the best 20.

When the `linkwork[semantic]` extra is installed and its weights check out, the same run also embeds
every service once (timed as `embed_s`, stored as in real use) and times the lexical+semantic
ranking, the embedding of the person's interests included in every sample.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import random
import time
import uuid
from collections import defaultdict
from typing import Any

from benchmarks import directory_data
from benchmarks.common import progress, report, result, sample_ms
from linkwork.accounts.models import Organisation
from linkwork.core.policies import Operator
from linkwork.core.time import local_today
from linkwork.directory import geography
from linkwork.matching import engine, semantic
from linkwork.matching import index as match_index
from linkwork.matching.engine import Options, rank
from linkwork.matching.profile import MatchProfile

RUNS = 100
BASELINE_RUNS = 5
LIMIT = 20
BASELINE = (
    "plain Python: every part for each service in a loop over the same facts in memory, then the best 20"
)
INTERESTS: tuple[tuple[list[str], list[str]], ...] = (
    (["walking", "gardening"], ["cost", "confidence"]),
    (["knitting"], ["stairs"]),
    (["singing", "animals"], []),
    (["making things"], ["cost"]),
    (["books", "computers"], ["confidence"]),
)


def _profiles(seed: int) -> list[MatchProfile]:
    rng = random.Random(seed + 3)
    sectors = [sector for sector, _, _ in directory_data._sectors()]  # noqa: SLF001
    profiles = []
    for number, (interests, barriers) in enumerate(INTERESTS):
        profiles.append(
            MatchProfile(
                postcode=rng.choice(sectors),
                interests_now=interests,
                interests_past=["history"] if number % 2 else [],
                barriers=barriers,
                confidence="hinders" if "confidence" in barriers else "",
                availability=["tue-morning", "thu-afternoon"],
                age=70.0,
                mobility=["uses-buses"],
                wants_company_first_visit=number % 2 == 0,
            )
        )
    return profiles


def _rows(index: match_index.MatchIndex) -> list[dict[str, Any]]:
    """Each service as a plain dict, as a naive implementation would hold it."""
    base = index.base
    words: list[dict[str, float]] = [{} for _ in range(index.size)]
    for word_id, word in enumerate(base.vocabulary):
        start, stop = int(base.word_starts[word_id]), int(base.word_starts[word_id + 1])
        for row, factor in zip(
            base.posting_rows[start:stop].tolist(), index.posting_factor[start:stop].tolist(), strict=True
        ):
            words[row][word] = factor
    locations: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for row, lat, lon in zip(
        base.location_rows.tolist(), base.latitudes.tolist(), base.longitudes.tolist(), strict=True
    ):
        locations[row].append((lat, lon))
    public = set(engine.PUBLIC_CODES.tolist())
    return [
        {
            "public": int(base.states[row]) in public,
            "stale": int(base.states[row]) == engine.STALE_CODE,
            "words": words[row],
            "locations": locations.get(row, []),
            "cost": int(index.cost[row]),
            "group": int(index.group_size[row]),
            "atmosphere": int(index.atmosphere[row]),
            "activity": int(index.activity[row]),
            "audience": int(index.audience[row]),
            "facts": {name: int(values[row]) for name, values in index.facts.items()},
            "min_age": float(index.minimum_age[row]),
            "max_age": float(index.maximum_age[row]),
            "verified": float(index.verified[row]),
            "slots": int(index.slots[row]),
            "days": int(index.days[row]),
            "scheduled": bool(index.has_schedule[row]),
        }
        for row in range(index.size)
    ]


def _tri(value: int, yes: float, no: float) -> float:
    return yes if value == 1 else no if value == 0 else engine.UNKNOWN


def _naive(rows: list[dict[str, Any]], profile: MatchProfile) -> list[int]:
    """The engine's rules, one service at a time."""
    phrases = [(phrase.words, phrase.weight) for phrase in engine.interest_phrases(profile)]
    place = geography.locate(profile.postcode)
    slots, days = engine.person_slots(profile.availability)
    weights = engine.weights_for(profile)
    low = profile.low_confidence
    now_seconds = time.time()
    scored: list[tuple[float, int]] = []
    for row, r in enumerate(rows):
        if not r["public"]:
            continue
        age = profile.age
        if age is not None and (
            (not math.isnan(r["min_age"]) and age < r["min_age"])
            or (not math.isnan(r["max_age"]) and age > r["max_age"])
        ):
            continue
        miss = 1.0
        for words, weight in phrases:
            miss *= 1.0 - weight * min(r["words"].get(word, 0.0) for word in words)
        interest = 1.0 - miss if phrases else engine.UNKNOWN
        km = min(
            (geography.distance_km(place.latitude, place.longitude, lat, lon) for lat, lon in r["locations"]),
            default=math.inf,
        )
        facts = r["facts"]
        remote = facts["home_visits"] == 1 or facts["online_option"] == 1 or facts["phone_option"] == 1
        if math.isfinite(km):
            road = km * geography.ROAD_FACTOR
            minutes = min(
                road / geography.WALKING_KMH * 60,
                road / geography.BUS_KMH * 60 + geography.BUS_OVERHEAD_MINUTES,
            )
            travel = 1.0 / (1.0 + minutes / engine.NO_LIMIT_MINUTES)
        else:
            travel = engine.UNKNOWN
        if remote:
            travel = max(travel, 0.9)
        total, weight = travel * 2, 2.0
        if profile.step_free_needed:
            total, weight = total + _tri(facts["step_free"], 1.0, 0.0), weight + 1
        if slots:
            fit = engine.UNKNOWN
            if r["scheduled"]:
                fit = 1.0 if r["slots"] & slots else 0.6 if r["days"] & days else 0.0
            total, weight = total + fit, weight + 1
        practical = total / weight
        cost_table = (1.0, 0.6, 0.0) if profile.money_barrier else (1.0, 0.8, 0.6)
        cost = engine.UNKNOWN if r["cost"] < 0 else cost_table[r["cost"]]
        group_table = (1.0, 1.0, 0.5, 0.1) if low else (0.8, 0.9, 0.8, 0.6)
        group = engine.UNKNOWN if r["group"] < 0 else group_table[r["group"]]
        quiet = (
            1.0 if r["atmosphere"] == 0 else (0.1 if low else 0.6) if r["atmosphere"] == 1 else engine.UNKNOWN
        )
        activity_table = (0.9, 1.0, 0.4) if low else (0.8, 0.8, 0.8)
        activity = engine.UNKNOWN if r["activity"] < 0 else activity_table[r["activity"]]
        welcome = _tri(facts["newcomers_met"], 1.0, 0.2 if low else 0.5)
        companion = _tri(facts["companion_free"], 1.0, 0.2 if profile.wants_company_first_visit else 0.5)
        companion_weight = 2.0 if profile.wants_company_first_visit else 1.0
        social = (group * 2 + quiet + activity + welcome * 1.5 + companion * companion_weight) / (
            5.5 + companion_weight
        )
        has_limits = not (math.isnan(r["min_age"]) and math.isnan(r["max_age"]))
        identity = (engine.UNKNOWN * 2 + (1.0 if has_limits and age is not None else engine.UNKNOWN)) / 3
        if math.isnan(r["verified"]):
            fresh = engine.UNKNOWN
        else:
            months = (now_seconds - r["verified"]) / engine.MONTH_SECONDS
            fresh = min(1.0, max(0.2, 1.0 - (months - engine.FRESH_MONTHS) * 0.8 / 18))
        if r["stale"]:
            fresh *= engine.STALE_FACTOR
        parts = {
            "interest": interest,
            "practical": practical,
            "cost": cost,
            "social": social,
            "identity": identity,
            "freshness": fresh,
        }
        score = sum(parts[name] * weights[name] for name in engine.PART_NAMES) / sum(weights.values())
        scored.append((score, row))
    return [row for _score, row in heapq.nlargest(LIMIT, scored)]


def run(*, size: int, seed: int, actor: Operator) -> dict[str, Any]:
    del actor  # the data is written directly, as the directory's own tables
    tag = uuid.uuid4().hex[:8]
    owner = Organisation.objects.create(name=f"Benchmark matching {tag}", slug=f"bench-matching-{tag}")
    progress(f"match: writing {size} services with bulk_create ...")
    started = time.perf_counter()
    directory_data.load(directory_data.generate(size, seed), owner=owner, seed=seed)
    load_s = time.perf_counter() - started
    progress("match: building the index ...")
    match_index.invalidate()
    started, cpu = time.perf_counter(), time.process_time()
    index = match_index.current()
    build_s, build_cpu_s = time.perf_counter() - started, time.process_time() - cpu
    profiles = _profiles(seed)
    options = Options(limit=LIMIT, semantic=False)
    progress("match: ranking ...")
    engine_ops = [lambda p=p: rank(p, options) for p in profiles]
    samples = sample_ms(engine_ops, RUNS)
    progress("match: the naive baseline ...")
    rows = _rows(index)
    baseline_ops = [lambda p=p: _naive(rows, p) for p in profiles]
    baseline_samples = sample_ms(baseline_ops, BASELINE_RUNS)
    overlap = []
    for profile in profiles[:2]:
        fast = {r.row for r in rank(profile, options).results}
        slow = set(_naive(rows, profile))
        overlap.append(len(fast & slow) / max(1, len(slow)))
    results = [
        result(
            "one person's top 20 (lexical)",
            samples,
            BASELINE,
            baseline_samples,
            top20_agreement=round(sum(overlap) / len(overlap), 2),
        )
    ]
    available, status = semantic.status()
    extra: dict[str, Any] = {}
    if available:
        progress(f"match: embedding {size} services (one-off, stored) ...")
        started = time.perf_counter()
        semantic.vectors_for(index)
        extra["embed_s"] = round(time.perf_counter() - started, 2)
        semantic_options = Options(limit=LIMIT, semantic=True)
        progress("match: ranking with semantic matching ...")
        semantic_ops = [lambda p=p: rank(p, semantic_options) for p in profiles]
        semantic_samples = sample_ms(semantic_ops, RUNS)
        results.append(
            result(
                "one person's top 20 (lexical+semantic, query embedding included)",
                semantic_samples,
                BASELINE,
                baseline_samples,
            )
        )
        status = semantic.ACTIVE
    match_index.invalidate()
    return report(
        "match",
        size,
        results,
        mode=engine.SEMANTIC_MODE if available else engine.MODE,
        semantic=status,
        **extra,
        load_s=round(load_s, 2),
        index_build_s=round(build_s, 2),
        index_build_cpu_s=round(build_cpu_s, 2),
        date=dt.date.isoformat(local_today()),
    )
