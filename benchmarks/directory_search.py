"""`linkwork bench directory-search --size N`: the directory search engine against plain SQL LIKE.

Builds N services with `bulk_create` (benchmarks/directory_data.py), then times representative public
searches through `search_services` (the in-memory index) and, on the same data in the same run, the
same searches as a straightforward implementation would do them: `name/description LIKE %word%` for
every word and the filters as `IN (subquery)` conditions in SQL, with a COUNT and ORDER BY (name
matches first, then name) and LIMIT; with a postcode, a latitude/longitude box in SQL for `max_km`,
then the haversine distance to each location, the nearest per service and the sort in Python.

The baseline is simpler than the engine in ways that flatter it: no plural or prefix matching, no
categories or provider names in the words, service areas ignored, and days approximated by
`byday LIKE '%TU%'` (monthly rules, validity dates and closures ignored).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import connection
from django.db.models import Case, Q, QuerySet, Value, When

from benchmarks import directory_data
from benchmarks.common import progress, report, result, sample_ms
from linkwork.accounts.models import Organisation
from linkwork.core.policies import Operator
from linkwork.core.time import local_today
from linkwork.directory import geography, search
from linkwork.directory.geography import Place, locate
from linkwork.directory.models import Attribute, CostOption, Schedule, Service, ServiceAtLocation
from linkwork.directory.query import DirectoryQuery

BASELINE = (
    "plain SQL: LIKE %word% on name and description, filters as IN (subquery), a latitude/longitude "
    "box for max_km, COUNT and ORDER BY name match then name; with a postcode, distances to each "
    "location, the nearest per service and the sort in Python"
)
RUNS = 200
BASELINE_RUNS = 50
WORDS = ("knit", "walking group", "yoga", "memory cafe", "men's shed", "singing", "debt advice", "coffee")
CATEGORY = uuid.UUID(directory_data.category_term_id("Physical activity"))
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _postcodes(seed: int, count: int = 20) -> list[str]:
    """Sectors spread over the country (as people would type them), the same for the same seed."""
    rng = random.Random(seed + 2)
    sectors = [sector for sector, _, _ in directory_data._sectors()]
    return rng.sample(sectors, count)


def _box(place: Place, km: float) -> Q:
    """A latitude/longitude box holding every point within `km` of the place (a cheap SQL prefilter)."""
    dlat = math.degrees(km / geography.EARTH_RADIUS_KM)
    dlon = dlat / max(math.cos(math.radians(place.latitude)), 0.01)
    return Q(
        location__latitude__range=(place.latitude - dlat, place.latitude + dlat),
        location__longitude__range=(place.longitude - dlon, place.longitude + dlon),
    )


def _baseline(query: DirectoryQuery) -> tuple[list[Any], int]:
    """The query in plain SQL (LIKE, joins, EXISTS), with distances worked out in Python."""
    services: QuerySet[Service] = Service.objects.filter(state__in=query.states)
    words = search._WORD.findall(search.normalise(query.text))
    for word in words:
        services = services.filter(Q(name__icontains=word) | Q(description__icontains=word))
    if query.taxonomy_term_ids:
        terms = Attribute.objects.filter(taxonomy_term_id__in=query.taxonomy_term_ids)
        services = services.filter(pk__in=terms.values("link_id"))
    if query.free_only:
        free_options = CostOption.objects.filter(amount=0).values("service_id")
        services = services.filter(Q(cost_band="free") | Q(pk__in=free_options))
    if query.step_free:
        services = services.filter(step_free=True)
    if query.day is not None or query.this_week:
        days = [query.day] if query.day is not None else list(range(local_today().weekday(), 7))
        on_day = Q()
        for day in days:
            on_day |= Q(byday__contains=DAY_CODES[day])
        services = services.filter(pk__in=Schedule.objects.filter(on_day).values("service_id"))
    name_match: Any = Value(0)
    if words:
        name_match = Case(When(name__icontains=words[0], then=Value(1)), default=Value(0))
    if not query.postcode:
        total = services.count()
        ordered = services.annotate(name_match=name_match).order_by("-name_match", "name")
        return list(ordered.values_list("id", "name")[: query.per_page]), total

    place = locate(query.postcode)
    rows = ServiceAtLocation.objects.filter(service__in=services.values("pk"))
    if query.max_km is not None:
        rows = rows.filter(_box(place, query.max_km))
    if words:
        rows = rows.annotate(
            name_match=Case(When(service__name__icontains=words[0], then=Value(1)), default=Value(0))
        )
    else:
        rows = rows.annotate(name_match=Value(0))
    nearest: dict[Any, tuple[int, float, str]] = {}
    for sid, name, match, latitude, longitude in rows.values_list(
        "service_id", "service__name", "name_match", "location__latitude", "location__longitude"
    ):
        if latitude is None or longitude is None:
            continue
        km = geography.distance_km(place.latitude, place.longitude, latitude, longitude)
        if query.max_km is not None and km > query.max_km:
            continue
        if sid not in nearest or km < nearest[sid][1]:
            nearest[sid] = (-match, km, name)
    ranked = sorted(nearest.items(), key=lambda item: item[1])
    return ranked[: query.per_page], len(ranked)


def _scenarios(postcodes: list[str]) -> list[tuple[str, list[DirectoryQuery]]]:
    return [
        ("words", [DirectoryQuery(text=text) for text in WORDS]),
        (
            "words + distance (postcode, within 10 km)",
            [DirectoryQuery(text=text, postcode=postcodes[i], max_km=10) for i, text in enumerate(WORDS)],
        ),
        (
            "distance + filters (within 5 km, free, step-free, on a day)",
            [
                DirectoryQuery(postcode=postcode, max_km=5, free_only=True, step_free=True, day=i % 7)
                for i, postcode in enumerate(postcodes)
            ],
        ),
        (
            "words + distance + filters (within 15 km, free, this week)",
            [
                DirectoryQuery(
                    text=text, postcode=postcodes[i + 5], max_km=15, free_only=True, this_week=True
                )
                for i, text in enumerate(WORDS)
            ],
        ),
        (
            "category + distance (nearest first, no limit)",
            [DirectoryQuery(taxonomy_term_ids=(CATEGORY,), postcode=postcode) for postcode in postcodes],
        ),
        ("browse by name, page 3", [DirectoryQuery(page=3)]),
    ]


def run(*, size: int, seed: int, actor: Operator) -> dict[str, Any]:
    del actor  # the data is written directly, as the directory's own tables
    tag = uuid.uuid4().hex[:8]
    owner = Organisation.objects.create(name=f"Benchmark directory {tag}", slug=f"bench-directory-{tag}")
    progress(f"directory-search: writing {size} services with bulk_create ...")
    started = time.perf_counter()
    directory_data.load(directory_data.generate(size, seed), owner=owner, seed=seed)
    load_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would have done by now, for the baseline's plans

    progress("directory-search: building the index ...")
    search.invalidate()
    started, cpu = time.perf_counter(), time.process_time()
    stats = search.index_stats()
    build_s, build_cpu_s = time.perf_counter() - started, time.process_time() - cpu

    results = []
    for name, queries in _scenarios(_postcodes(seed)):
        progress(f"directory-search: {name} ...")
        engine: list[Callable[[], object]] = [partial(search.search_services, q) for q in queries]
        baseline: list[Callable[[], object]] = [partial(_baseline, q) for q in queries]
        totals = [search.search_services(q).total for q in queries]
        baseline_totals = [_baseline(q)[1] for q in queries]
        results.append(
            result(
                name,
                sample_ms(engine, RUNS),
                BASELINE,
                sample_ms(baseline, BASELINE_RUNS),
                mean_total=round(sum(totals) / len(totals), 1),
                baseline_mean_total=round(sum(baseline_totals) / len(baseline_totals), 1),
            )
        )
    search.invalidate()
    return report(
        "directory-search",
        size,
        results,
        load_s=round(load_s, 2),
        index_build_s=round(build_s, 2),
        index_build_cpu_s=round(build_cpu_s, 2),
        index=stats,
        date=dt.date.isoformat(local_today()),
    )
