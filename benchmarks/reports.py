"""`linkwork bench reports --size N`: the outcomes and equity reports over N support episodes, against pandas.

Writes N people, each with a referral and a support episode and about four measures
(benchmarks/report_data.py), then times the full outcomes section (`outcomes_section`) and the full
equity section (`equity_section`) over the whole two years, each computed in the database. The
baseline, in the same run, is what an analyst would do with pandas: read the rows it needs with
`pandas.read_sql` (measures of the episodes in the period; for equity, each episode's person, referral
source and UCLA-3 scores) and compute the headline figures in memory: per questionnaire, the episodes
with a start and end (and start and follow-up) score, the mean change and how many improved, stayed the
same or got worse, and the UCLA-3 distribution; per group of every equity dimension, the episodes with a
UCLA-3 pair and their mean change. The baseline computes less than the reports do (no confidence
intervals, missing-measure reasons, network maps, goals, referrals or connections), which flatters it.

Every run checks that both give the same headline figures: `figures_compared` and `figures_agree`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
import uuid
import warnings
from collections.abc import Callable
from typing import Any

import pandas as pd
from django.db import connection

from benchmarks import report_data
from benchmarks.common import progress, report, result, sample_ms
from linkwork.accounts.models import Organisation
from linkwork.core.policies import Operator
from linkwork.core.time import local_today
from linkwork.outcomes.definitions import SumScoring, instrument_get
from linkwork.outcomes.models import Measure
from linkwork.people.models import Person
from linkwork.referrals.models import Referral
from linkwork.reporting.dimensions import DIMENSIONS, NOT_KNOWN
from linkwork.reporting.equity import SERVICE, equity_section
from linkwork.reporting.outcomes import outcomes_section
from linkwork.reporting.scope import ReportScope
from linkwork.reporting.tables import Section
from linkwork.support.models import SupportEpisode

RUNS = 3
BASELINE_RUNS = 2
INSTRUMENTS = ("ucla3", "swemwbs")
COMPARISONS = (("ending", "end"), ("follow-up", "follow_up"))
# Means are compared to this many decimal places (they come from sums of whole numbers or 2-dp scores).
PLACES = 6
OUTCOMES_BASELINE = (
    "pandas: read_sql of the period's valid measures, then per questionnaire the start/end and "
    "start/follow-up pairs, mean change, improved/unchanged/worse and the UCLA-3 distribution"
)
EQUITY_BASELINE = (
    "pandas: read_sql of the period's episodes with person, referral source and UCLA-3 start and end "
    "scores, then per group of each of the 8 dimensions the pairs and mean change"
)

# Headline figures: (table key, row key, column key) -> (people, value)
Figures = dict[tuple[str, str, str], tuple[int, float | None]]


def _count(n: int) -> tuple[int, float]:
    """A count as the reports give it: it counts n people and its value is n."""
    return n, float(n)


def _read_sql(sql: str, scope: ReportScope) -> pd.DataFrame:
    """The rows with pandas, through the same database connection the reports use."""
    connection.ensure_connection()
    mark = "?" if connection.vendor == "sqlite" else "%s"
    period: list[Any] = [scope.organisation_id, scope.date_from, scope.date_to]
    if connection.vendor == "sqlite":
        period = [scope.organisation_id, scope.date_from.isoformat(), scope.date_to.isoformat()]
    with warnings.catch_warnings():
        # pandas names only SQLAlchemy and sqlite3 as supported; psycopg's DB-API connection works.
        warnings.simplefilter("ignore", UserWarning)
        return pd.read_sql(sql.replace("%s", mark), connection.connection, params=period)


def _episodes_where() -> str:
    return "e.organisation_id = %s AND e.started_on >= %s AND e.started_on <= %s"


def _sum_scoring(code: str) -> SumScoring:
    scoring = instrument_get(code).scoring
    assert isinstance(scoring, SumScoring)  # both benchmarked questionnaires add up their items
    return scoring


def pandas_outcomes(scope: ReportScope) -> Figures:
    """Per questionnaire: pairs, mean change and direction of change; the UCLA-3 distribution."""
    measures = _read_sql(
        f"SELECT m.episode_id, m.instrument, m.time_point, m.total, m.metric "  # noqa: S608 - model tables
        f"FROM {Measure._meta.db_table} m JOIN {SupportEpisode._meta.db_table} e ON e.id = m.episode_id "
        f"WHERE {_episodes_where()} AND m.valid AND NOT m.skipped",
        scope,
    )
    figures: Figures = {}
    for code in INSTRUMENTS:
        rows = measures[measures["instrument"] == code]
        scores = rows.pivot_table(
            index="episode_id",
            columns="time_point",
            values="total" if _sum_scoring(code).conversion is None else "metric",
            aggfunc="max",
        )
        lower_is_better = _sum_scoring(code).polarity == "higher_is_worse"
        for point, suffix in COMPARISONS:
            if "baseline" not in scores or point not in scores:
                continue
            change = (scores[point] - scores["baseline"]).dropna().round(PLACES)
            better = (change < 0) if lower_is_better else (change > 0)
            worse = (change > 0) if lower_is_better else (change < 0)
            row = f"{code}:{suffix}"
            n = int(change.size)
            figures["outcomes_change", row, "paired"] = _count(n)
            figures["outcomes_change", row, "mean_change"] = (n, float(change.mean()) if n else None)
            figures["outcomes_change", row, "improved"] = _count(int(better.sum()))
            figures["outcomes_change", row, "unchanged"] = _count(int((change == 0).sum()))
            figures["outcomes_change", row, "worse"] = _count(int(worse.sum()))
        if code == "ucla3" and {"baseline", "ending"} <= set(scores.columns):
            paired = scores[["baseline", "ending"]].dropna()
            for point in ("baseline", "ending"):
                counts = paired[point].astype(int).value_counts()
                for score in range(3, 10):
                    figures["ucla3_distribution", str(score), point] = _count(int(counts.get(score, 0)))
                figures["ucla3_distribution", "total", point] = _count(len(paired))
    return figures


def pandas_equity(scope: ReportScope) -> Figures:
    """Per group of each equity dimension (and the whole service): UCLA-3 pairs and mean change."""
    episodes = _read_sql(
        "SELECT e.id, p.age_band, p.gender, p.ethnicity, p.disability_and_conditions, p.mobility, "  # noqa: S608
        "p.trigger_groups, p.postcode, r.source "
        f"FROM {SupportEpisode._meta.db_table} e JOIN {Person._meta.db_table} p ON p.id = e.person_id "
        f"LEFT JOIN {Referral._meta.db_table} r ON r.id = e.referral_id WHERE {_episodes_where()}",
        scope,
    )
    measures = _read_sql(
        f"SELECT m.episode_id, m.time_point, m.total FROM {Measure._meta.db_table} m "  # noqa: S608
        f"JOIN {SupportEpisode._meta.db_table} e ON e.id = m.episode_id WHERE {_episodes_where()} "
        "AND m.instrument = 'ucla3' AND m.time_point IN ('baseline', 'ending') "
        "AND m.valid AND NOT m.skipped",
        scope,
    )
    scores = measures.pivot_table(index="episode_id", columns="time_point", values="total", aggfunc="max")
    scores = scores.reindex(columns=["baseline", "ending"])
    episodes = episodes.join(scores, on="id")
    change = episodes["ending"] - episodes["baseline"]
    groups = _groups(episodes)
    figures: Figures = {}
    for dimension in DIMENSIONS:
        table = f"equity_{dimension.key}"
        by_group = pd.DataFrame({"episode": episodes["id"], "group": groups[dimension.key], "change": change})
        if not dimension.disjoint:
            by_group = by_group.explode("group")
            by_group["group"] = by_group["group"].fillna(NOT_KNOWN)
            # An episode counts once in each group it names.
            by_group = by_group.drop_duplicates(subset=["episode", "group"])
        paired = by_group.dropna(subset=["change"]).groupby("group")["change"].agg(["count", "mean"])
        for value, (count, mean) in paired.iterrows():
            figures[table, str(value) or "not-known", "ucla3_change"] = (int(count), float(mean))
        n = int(change.notna().sum())
        figures[table, SERVICE, "ucla3_change"] = (n, float(change.mean()) if n else None)
    return figures


def _groups(episodes: pd.DataFrame) -> dict[str, pd.Series]:
    """Each episode's group in every dimension (a list of groups for mobility and trigger groups)."""
    known = {dimension.key: {group.value for group in dimension.groups} for dimension in DIMENSIONS}

    def one_of(column: str, key: str) -> pd.Series:
        return episodes[column].fillna("").where(episodes[column].isin(known[key]), NOT_KNOWN)

    def listed(column: str, key: str) -> pd.Series:
        return episodes[column].map(
            lambda text: [value for value in _json_list(text) if value in known[key]] or [NOT_KNOWN]
        )

    compact = episodes["postcode"].fillna("").str.strip().str.upper().str.replace(" ", "", regex=False)
    district = compact.where(compact.str.len() <= 3, compact.str[:-3])
    return {
        "age_band": one_of("age_band", "age_band"),
        "gender": one_of("gender", "gender"),
        "ethnicity": one_of("ethnicity", "ethnicity"),
        "disability": episodes["disability_and_conditions"]
        .fillna("")
        .str.strip()
        .ne("")
        .map({True: "recorded", False: "none"}),
        "mobility": listed("mobility", "mobility"),
        "trigger_group": listed("trigger_groups", "trigger_group"),
        "referral_source": one_of("source", "referral_source"),
        "area": district,
    }


def _json_list(value: object) -> list[str]:
    """A JSON list column as read: text on SQLite, already a list on PostgreSQL."""
    if isinstance(value, str):
        value = json.loads(value)
    return [str(item) for item in value] if isinstance(value, list) else []


def section_figures(section: Section, wanted: Figures) -> Figures:
    """The report's figures at the places the baseline computed."""
    found: Figures = {}
    for table in section.tables:
        for row in table.all_rows():
            for column, figure in row.cells.items():
                place = (table.key, row.key, column)
                if place in wanted:
                    found[place] = (figure.people, figure.value)
    return found


def agreement(section: Section, baseline: Figures) -> dict[str, Any]:
    """How many of the baseline's figures the report has, and whether each matches (people and value)."""
    found = section_figures(section, baseline)
    differ = []
    for place, (people, value) in sorted(baseline.items()):
        if place not in found:
            differ.append({"figure": list(place), "baseline": [people, value], "report": None})
            continue
        report_people, report_value = found[place]
        same_value = (value is None and report_value is None) or (
            value is not None
            and report_value is not None
            and math.isclose(value, report_value, rel_tol=1e-9, abs_tol=10**-PLACES)
        )
        if report_people != people or not same_value:
            differ.append(
                {"figure": list(place), "baseline": [people, value], "report": [report_people, report_value]}
            )
    return {
        "figures_compared": len(baseline),
        "figures_agree": not differ and bool(baseline),
        "differences": differ[:10],
    }


def _timed(
    name: str,
    build: Callable[[ReportScope], Section],
    baseline_name: str,
    compute: Callable[[ReportScope], Figures],
    scope: ReportScope,
) -> dict[str, Any]:
    # The last run of each is kept, to compare their figures without running them again.
    built: list[Section] = []
    computed: list[Figures] = []
    progress(f"reports: {name} ...")
    samples = sample_ms([lambda: built.append(build(scope))], RUNS)
    progress(f"reports: {name}, the pandas baseline ...")
    baseline_samples = sample_ms([lambda: computed.append(compute(scope))], BASELINE_RUNS)
    return result(name, samples, baseline_name, baseline_samples, **agreement(built[-1], computed[-1]))


def run(*, size: int, seed: int, actor: Operator) -> dict[str, Any]:
    del actor  # the data is written directly, as the applications' own tables
    tag = uuid.uuid4().hex[:8]
    owner = Organisation.objects.create(name=f"Benchmark reports {tag}", slug=f"bench-reports-{tag}")
    progress(f"reports: writing {size} support episodes and their people, referrals and measures ...")
    started = time.perf_counter()
    generated = report_data.load(size, seed, owner=owner)
    load_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        # As autovacuum would have done by now (VACUUM also lets index-only scans skip the rows); inside
        # the transaction of a run that is rolled back, VACUUM is not allowed and ANALYZE is enough.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    scope = ReportScope(owner.pk, generated.date_from, generated.date_to)
    results = [
        _timed(
            "outcomes section (every questionnaire)",
            outcomes_section,
            OUTCOMES_BASELINE,
            pandas_outcomes,
            scope,
        ),
        _timed("equity section (8 dimensions)", equity_section, EQUITY_BASELINE, pandas_equity, scope),
    ]
    return report(
        "reports",
        size,
        results,
        rows={
            "people": generated.people,
            "referrals": generated.referrals,
            "episodes": generated.episodes,
            "measures": generated.measures,
        },
        load_s=round(load_s, 2),
        date=dt.date.isoformat(local_today()),
    )
