"""Support episodes for the reports benchmark, written fast.

`load(size, seed, owner)` writes `size` people, each with one referral and one support episode, and
about four measures per episode: UCLA-3 and SWEMWBS at the start for most, at the end for most closed
episodes, a follow-up for some, and now and then a skipped questionnaire. People vary in age band,
gender, ethnic group, disability, how they get about, what brought them to the service and postcode
district; referrals in source. Columns are generated with numpy and written with sqlite3's
executemany on SQLite and COPY on PostgreSQL, with explicit ids, so 1,000,000 episodes take minutes
(about 2 on SQLite), not hours. The same data for the same size and seed, but for ids and references.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection, transaction
from django.db.models import NOT_PROVIDED, Model

from linkwork.accounts.models import Organisation, Team, User
from linkwork.core.time import now
from linkwork.outcomes.definitions import SumScoring, instrument_get
from linkwork.outcomes.models import Measure, SkipReason, TimePoint
from linkwork.people.models import Person
from linkwork.referrals.models import Referral, ReferralSource, ReferralStatus
from linkwork.support.models import EndingOutcome, EpisodeStatus, Programme, SupportEpisode

FIRST_DAY = dt.date(2024, 1, 1)
DAYS = 731  # two years of starts: 2024 and 2025
LAST_DAY = FIRST_DAY + dt.timedelta(days=DAYS - 1)
BIG_CACHE_KIB = 2_000_000  # 2 GB, at most: SQLite only takes what it uses
TEAMS = 4
CONNECTORS = 12

# (value, weight): roughly the mix a community connector service sees.
AGE_BANDS = (
    ("18-24", 6), ("25-34", 8), ("35-49", 12), ("50-64", 18), ("65-74", 22), ("75-84", 20),
    ("85+", 9), ("", 5),
)  # fmt: skip
GENDERS = (("woman", 55), ("man", 40), ("non-binary", 2), ("not-said", 1), ("", 2))
ETHNICITIES = (
    ("white-british", 70), ("white-other", 5), ("asian-indian", 4), ("asian-pakistani", 4),
    ("black-caribbean", 3), ("black-african", 3), ("mixed-white-black-caribbean", 2), ("asian-chinese", 1),
    ("other-any", 1), ("not-said", 2), ("", 5),
)  # fmt: skip
DISABILITIES = (("", 55), ("Arthritis", 15), ("Sight loss", 8), ("COPD", 10), ("Depression", 12))
MOBILITY = (
    ("[]", 20), ('["walks"]', 25), ('["uses-buses", "walks"]', 20), ('["drives"]', 15),
    ('["door-to-door"]', 10), ('["door-to-door", "housebound"]', 10),
)  # fmt: skip
TRIGGER_GROUPS = (
    ("[]", 20), ('["bereaved"]', 20), ('["retired-alone"]', 25), ('["bereaved", "retired-alone"]', 10),
    ('["mobility-health"]', 10), ('["mental-health"]', 10), ('["separated", "mental-health"]', 5),
)  # fmt: skip
SOURCES = tuple(
    (source.value, weight)
    for source, weight in zip(ReferralSource, (30, 8, 8, 10, 5, 2, 10, 15, 10, 2), strict=True)
)
OUTCOMES = (
    (EndingOutcome.GOALS_MET.value, 50), (EndingOutcome.OTHER_SUPPORT.value, 15),
    (EndingOutcome.CHOSE_TO_STOP.value, 15), (EndingOutcome.DISENGAGED.value, 15),
    (EndingOutcome.MOVED_AWAY.value, 5),
)  # fmt: skip
DISTRICTS = tuple(f"{area}{number}" for area in ("LS", "BD", "HX", "WF", "HD") for number in range(1, 31))
INWARD = tuple(f"{digit}{a}{b}" for digit in "1234" for a in "ABDE" for b in "FGHJ")

# Shares of episodes: closed (the rest still open), with each questionnaire at each point.
CLOSED = 0.85
UCLA3_BASELINE, SWEMWBS_BASELINE = 0.95, 0.9
UCLA3_ENDING, SWEMWBS_ENDING = 0.85, 0.8  # of closed episodes
FOLLOW_UP = 0.3  # of closed episodes: both questionnaires three months later
SKIPPED = 0.04  # of the questionnaires asked


@dataclass(frozen=True)
class Generated:
    people: int
    referrals: int
    episodes: int
    measures: int
    date_from: dt.date
    date_to: dt.date


def _pick(rng: np.random.Generator, choices: Sequence[tuple[str, int]], size: int) -> npt.NDArray[Any]:
    values = np.array([value for value, _ in choices], dtype=object)
    weights = np.array([weight for _, weight in choices], dtype=np.float64)
    return values[rng.choice(len(values), size=size, p=weights / weights.sum())]


def _dates(days: npt.NDArray[np.int64]) -> list[str]:
    return (np.datetime64(FIRST_DAY) + days).astype(str).tolist()  # type: ignore[no-any-return]


def _instants(days: npt.NDArray[np.int64], hour: int) -> list[str]:
    """That hour of each day, in UTC, as each database takes a timestamp with a time zone."""
    suffix = f" {hour:02d}:00:00" + ("+00:00" if connection.vendor == "postgresql" else "")
    return [day + suffix for day in _dates(days)]


def _next_id(model: type[Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {model._meta.db_table}")  # noqa: S608 - a model's own table
        (largest,) = cursor.fetchone()
    return int(largest or 0) + 1


def _defaults(model: type[Model]) -> dict[str, object]:
    """Each column's value when the generator does not set it: the field's default, as stored."""
    stamp = now()
    values: dict[str, object] = {}
    for field in model._meta.concrete_fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value: object = stamp
        elif field.default is not NOT_PROVIDED:
            value = field.get_default()
        else:
            value = None if field.null else ""
        if isinstance(value, list | dict):
            value = json.dumps(value)
        elif isinstance(value, bool) and connection.vendor == "sqlite":
            value = int(value)
        elif isinstance(value, dt.datetime):
            value = (
                value.isoformat(sep=" ")
                if connection.vendor == "postgresql"
                else value.strftime("%Y-%m-%d %H:%M:%S")
            )
        values[field.column] = value
    return values


def _write(model: type[Model], first_id: int, columns: dict[str, Sequence[Any] | npt.NDArray[Any]]) -> int:
    """Write the rows the columns hold, with ids from first_id; a column not given takes its default."""
    count = len(next(iter(columns.values())))
    names = [field.column for field in model._meta.concrete_fields]
    defaults = _defaults(model)
    series: list[Iterable[Any]] = []
    for name in names:
        if name == "id":
            series.append(range(first_id, first_id + count))
        elif name in columns:
            given = columns[name]
            series.append(given.tolist() if isinstance(given, np.ndarray) else given)
        else:
            series.append(itertools.repeat(defaults[name], count))
    rows = zip(*series, strict=True)
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in names)
            statement = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608 - model table
            # sqlite3 itself takes the rows as an iterator, so they are never all in memory at once.
            connection.connection.executemany(statement, rows)
    return count


@contextmanager
def _big_cache() -> Iterator[None]:
    """On SQLite, a page cache that holds the indexes while they are written (random inserts into an
    index larger than the default 2 MB cache go to disk one page at a time); restored afterwards, so the
    reports are timed with SQLite's default, as a real installation runs."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-BIG_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _staff(owner: Organisation, tag: str) -> tuple[list[int], list[int], int]:
    teams = [Team.objects.create(organisation=owner, name=f"Team {number}") for number in range(1, TEAMS + 1)]
    connectors = [
        User.objects.create(
            username=f"bench-{tag}-{number}", organisation=owner, first_name=f"Connector {number}"
        )
        for number in range(1, CONNECTORS + 1)
    ]
    programme = Programme.objects.create(
        organisation=owner, name="Community connecting", max_contacts=10, planned_weeks=12
    )
    return [team.pk for team in teams], [user.pk for user in connectors], programme.pk


def _metric(totals: npt.NDArray[np.int64]) -> npt.NDArray[Any]:
    scoring = instrument_get("swemwbs").scoring
    assert isinstance(scoring, SumScoring) and scoring.conversion is not None
    table = scoring.conversion.table
    lookup = np.array([table.get(total, np.nan) for total in range(36)], dtype=np.float64)
    return lookup[totals]


def load(size: int, seed: int, *, owner: Organisation) -> Generated:
    """Write `size` support episodes (with their people, referrals and measures) for `owner`."""
    rng = np.random.default_rng(seed)
    tag = uuid.uuid4().hex[:4]
    with _big_cache(), transaction.atomic():
        teams, connectors, programme = _staff(owner, tag)
        person_id, referral_id, episode_id, measure_id = (
            _next_id(model) for model in (Person, Referral, SupportEpisode, Measure)
        )
        people = _write(Person, person_id, _person_columns(rng, size, owner.pk, teams))
        persons = np.arange(person_id, person_id + size)
        # Sorted, so ids follow time as they do when a service records its work day by day.
        started = np.sort(rng.integers(0, DAYS, size=size))
        referrals = _write(
            Referral, referral_id, _referral_columns(rng, size, owner.pk, persons, started, tag)
        )
        closed = rng.random(size) < CLOSED
        length = rng.integers(42, 140, size=size)
        episodes = _write(
            SupportEpisode,
            episode_id,
            _episode_columns(
                rng, owner.pk, persons, referral_id, started, closed, length, connectors, programme
            ),
        )
        measure_columns = _measure_columns(rng, episode_id, started, closed, length)
        measures = _write(Measure, measure_id, measure_columns)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (Person, Referral, SupportEpisode, Measure):
                    table = model._meta.db_table
                    largest = f"SELECT MAX(id) FROM {table}"  # noqa: S608 - a model's own table
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), ({largest}))")
    return Generated(people, referrals, episodes, measures, FIRST_DAY, LAST_DAY)


def _person_columns(rng: np.random.Generator, size: int, owner: int, teams: list[int]) -> dict[str, Any]:
    districts = np.array(DISTRICTS, dtype=object)[rng.integers(0, len(DISTRICTS), size=size)]
    inward = np.array(INWARD, dtype=object)[rng.integers(0, len(INWARD), size=size)]
    postcodes = (districts + " " + inward).astype(object)
    postcodes[rng.random(size) < 0.03] = ""
    return {
        "organisation_id": np.full(size, owner),
        "team_id": np.array(teams)[rng.integers(0, len(teams), size=size)],
        "first_name": ["Person"] * size,
        "last_name": [f"Benchmark {number}" for number in range(size)],
        "postcode": postcodes,
        "age_band": _pick(rng, AGE_BANDS, size),
        "gender": _pick(rng, GENDERS, size),
        "ethnicity": _pick(rng, ETHNICITIES, size),
        "disability_and_conditions": _pick(rng, DISABILITIES, size),
        "mobility": _pick(rng, MOBILITY, size),
        "trigger_groups": _pick(rng, TRIGGER_GROUPS, size),
    }


def _referral_columns(
    rng: np.random.Generator,
    size: int,
    owner: int,
    persons: npt.NDArray[np.int64],
    started: npt.NDArray[np.int64],
    tag: str,
) -> dict[str, Any]:
    waited = rng.integers(1, 30, size=size)
    received = started - waited
    contacted = received + rng.integers(0, waited + 1)
    return {
        "organisation_id": np.full(size, owner),
        "person_id": persons,
        "reference": [f"B{tag}{number:07d}" for number in range(size)],
        "source": _pick(rng, SOURCES, size),
        "received_at": _instants(received, 9),
        "status": [ReferralStatus.ACCEPTED.value] * size,
        "first_contact_at": _instants(contacted, 11),
        "decided_at": _instants(contacted, 12),
    }


def _episode_columns(
    rng: np.random.Generator,
    owner: int,
    persons: npt.NDArray[np.int64],
    first_referral: int,
    started: npt.NDArray[np.int64],
    closed: npt.NDArray[np.bool_],
    length: npt.NDArray[np.int64],
    connectors: list[int],
    programme: int,
) -> dict[str, Any]:
    size = len(persons)
    closed_on = np.array(_dates(started + length), dtype=object)
    closed_on[~closed] = None
    followed_up = closed & (rng.random(size) < FOLLOW_UP)
    followed_up_on = np.array(_dates(started + length + 91), dtype=object)
    followed_up_on[~followed_up] = None
    status = np.where(
        followed_up, EpisodeStatus.FOLLOWED_UP.value, np.where(closed, EpisodeStatus.CLOSED.value, "active")
    ).astype(object)
    outcome = _pick(rng, OUTCOMES, size)
    outcome[~closed] = ""
    return {
        "organisation_id": np.full(size, owner),
        "person_id": persons,
        "referral_id": np.arange(first_referral, first_referral + size),
        "programme_id": np.full(size, programme),
        "connector_id": np.array(connectors)[rng.integers(0, len(connectors), size=size)],
        "status": status,
        "started_on": _dates(started),
        "planned_end_on": _dates(started + 84),
        "contact_allowance": np.full(size, 10),
        "budget_allowance_pence": np.full(size, 0),
        "closed_on": closed_on,
        "outcome": outcome,
        "followed_up_on": followed_up_on,
    }


def _measure_columns(
    rng: np.random.Generator,
    first_episode: int,
    started: npt.NDArray[np.int64],
    closed: npt.NDArray[np.bool_],
    length: npt.NDArray[np.int64],
) -> dict[str, Any]:
    """UCLA-3 (3 to 9, higher is lonelier) and SWEMWBS (7 to 35) at the start, end and follow-up."""
    size = len(started)
    episodes = np.arange(first_episode, first_episode + size)
    follow_up = closed & (rng.random(size) < FOLLOW_UP)
    ucla_start = np.clip(np.rint(rng.normal(6.6, 1.6, size)), 3, 9).astype(np.int64)
    ucla_end = np.clip(ucla_start + np.rint(rng.normal(-1.2, 1.5, size)), 3, 9).astype(np.int64)
    ucla_later = np.clip(ucla_end + np.rint(rng.normal(0.3, 1.0, size)), 3, 9).astype(np.int64)
    wellbeing_start = np.clip(np.rint(rng.normal(19, 4.5, size)), 7, 35).astype(np.int64)
    wellbeing_end = np.clip(wellbeing_start + np.rint(rng.normal(2.5, 3.5, size)), 7, 35).astype(np.int64)
    wellbeing_later = np.clip(wellbeing_end + np.rint(rng.normal(-0.5, 2.5, size)), 7, 35).astype(np.int64)
    plan = (
        ("ucla3", TimePoint.BASELINE, rng.random(size) < UCLA3_BASELINE, ucla_start, started),
        ("swemwbs", TimePoint.BASELINE, rng.random(size) < SWEMWBS_BASELINE, wellbeing_start, started),
        ("ucla3", TimePoint.ENDING, closed & (rng.random(size) < UCLA3_ENDING), ucla_end, started + length),
        (
            "swemwbs",
            TimePoint.ENDING,
            closed & (rng.random(size) < SWEMWBS_ENDING),
            wellbeing_end,
            started + length,
        ),
        ("ucla3", TimePoint.FOLLOW_UP, follow_up, ucla_later, started + length + 91),
        ("swemwbs", TimePoint.FOLLOW_UP, follow_up, wellbeing_later, started + length + 91),
    )
    parts: dict[str, list[npt.NDArray[Any]]] = {name: [] for name in _MEASURE_COLUMNS}
    for instrument, point, asked, totals, days in plan:
        count = int(asked.sum())
        skipped = rng.random(count) < SKIPPED
        total = totals[asked].astype(np.float64)
        total[skipped] = np.nan
        metric = _metric(totals[asked]) if instrument == "swemwbs" else np.full(count, np.nan)
        metric[skipped] = np.nan
        parts["episode_id"].append(episodes[asked])
        parts["instrument"].append(np.full(count, instrument, dtype=object))
        parts["time_point"].append(np.full(count, point.value, dtype=object))
        parts["months_after_ending"].append(np.full(count, 3 if point == TimePoint.FOLLOW_UP else -1))
        parts["day"].append(days[asked])
        parts["total"].append(total)
        parts["metric"].append(metric)
        parts["valid"].append(~skipped)
        parts["skipped"].append(skipped)
        parts["skip_reason"].append(np.where(skipped, SkipReason.DECLINED.value, "").astype(object))
    joined = {name: np.concatenate(values) for name, values in parts.items()}
    # In the order they would have been recorded: by day, then by episode.
    order = np.lexsort((joined["episode_id"], joined.pop("day")))
    columns: dict[str, Any] = {name: values[order] for name, values in joined.items()}
    columns["recorded_at"] = _instants(np.sort(np.concatenate(parts["day"])), 10)
    columns["total"] = _nullable(columns["total"])
    columns["metric"] = _nullable(columns["metric"])
    columns["months_after_ending"] = [
        None if months < 0 else months for months in columns["months_after_ending"].tolist()
    ]
    if connection.vendor == "sqlite":
        columns["valid"] = columns["valid"].astype(np.int64)
        columns["skipped"] = columns["skipped"].astype(np.int64)
    return columns


_MEASURE_COLUMNS = (
    "episode_id", "instrument", "time_point", "months_after_ending", "day", "total", "metric",
    "valid", "skipped", "skip_reason",
)  # fmt: skip


def _nullable(values: npt.NDArray[np.float64]) -> list[float | None]:
    return [None if value != value else value for value in values.tolist()]  # NaN is the only value != itself
