"""Equity (issue 8 item 5): the service's headline figures split by who people are, each with its
difference from the whole service, so a service can see whom it serves less well.

SQL is put together from table names, column expressions and choice values in the code (hence the
`noqa: S608`); every value that comes from outside is a query parameter.

One statement does all the work, whatever the number of dimensions. It reads the UCLA-3 measures ONCE
(conditional aggregation per episode), works out one row of facts per referral received in the period
and per support episode started in it (joined to the person and the referral), materialises those facts
once, adds them up by every combination of the fixed-list dimensions (a small "cube"), and groups the
cube (and, for areas, the facts) by each dimension, joined with UNION ALL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper

from linkwork.matching.models import Connection, ConnectionMove, ConnectionStatus
from linkwork.outcomes.definitions import SumScoring, instrument_get
from linkwork.outcomes.models import Measure, TimePoint
from linkwork.people.models import Person
from linkwork.referrals.models import OPEN_REFERRAL_STATUSES, Referral, ReferralStatus
from linkwork.reporting.consent import measures_allowed_sql
from linkwork.reporting.dimensions import DIMENSIONS, NOT_KNOWN, Dimension
from linkwork.reporting.scope import ReportScope
from linkwork.reporting.statistics import mean_interval
from linkwork.reporting.tables import Column, Figure, Kind, Row, Section, Table
from linkwork.support.models import EndingOutcome, SupportEpisode

SERVICE = "service"
SERVICE_LABEL = "Whole service"
# Reaching the first visit: the connection is at or past it now, or its history shows it got there
# (a connection that later stopped keeps that in its moves).
VISITED_STATUSES = (ConnectionStatus.ATTENDED, ConnectionStatus.ATTENDING, ConnectionStatus.STILL_ATTENDING)
POINTS = "percentage points"

COLUMNS = [
    Column("referrals", "Referrals received", Kind.COUNT),
    Column("accepted", "Referrals accepted, of those decided", Kind.SHARE, share_of="referrals"),
    Column(
        "accepted_difference",
        f"Accepted: difference from the service ({POINTS})",
        Kind.DIFFERENCE,
        share_of="referrals",
    ),
    Column("episodes", "Support episodes started", Kind.COUNT),
    Column("goals_met", "Ended with goals met, of those closed", Kind.SHARE, share_of="episodes"),
    Column(
        "goals_met_difference",
        f"Goals met: difference from the service ({POINTS})",
        Kind.DIFFERENCE,
        share_of="episodes",
    ),
    Column("ucla3_paired", "Episodes with a UCLA-3 score at the start and the end", Kind.COUNT),
    Column(
        "ucla3_change",
        "Mean change in UCLA-3 score (lower is less lonely)",
        Kind.MEAN,
        share_of="ucla3_paired",
    ),
    Column(
        "ucla3_change_difference",
        "UCLA-3 change: difference from the service",
        Kind.DIFFERENCE,
        share_of="ucla3_paired",
    ),
    Column(
        "no_longer_lonely",
        "No longer lonely at the end, of those lonely at the start",
        Kind.SHARE,
        share_of="ucla3_paired",
    ),
    Column(
        "no_longer_lonely_difference",
        f"No longer lonely: difference from the service ({POINTS})",
        Kind.DIFFERENCE,
        share_of="ucla3_paired",
    ),
    Column(
        "first_visit", "Reached a first visit, of those with a connection", Kind.SHARE, share_of="episodes"
    ),
    Column(
        "first_visit_difference",
        f"First visit: difference from the service ({POINTS})",
        Kind.DIFFERENCE,
        share_of="episodes",
    ),
]


@dataclass(frozen=True)
class Counts:
    """What the facts add up to for one group: referrals, then support episodes."""

    received: int = 0
    decided: int = 0
    accepted: int = 0
    started: int = 0
    closed: int = 0
    goals_met: int = 0
    paired: int = 0
    change_sum: float = 0.0
    change_squares: float = 0.0
    lonely: int = 0
    no_longer_lonely: int = 0
    with_connection: int = 0
    first_visit: int = 0

    @classmethod
    def from_sums(cls, sums: Sequence[int | float | Decimal | None]) -> Counts:
        # A sum over nothing is NULL, and PostgreSQL adds up integers as numeric (Decimal).
        values: dict[str, Any] = {
            field.name: float(value or 0) if field.name.startswith("change") else int(value or 0)
            for field, value in zip(fields(cls), sums, strict=True)
        }
        return cls(**values)


Key = tuple[str, str]  # (dimension key or SERVICE, group value)


def equity_section(scope: ReportScope) -> Section:
    connection = connections[router.db_for_read(SupportEpisode)]
    lonely_from = _lonely_from()
    counts = _counts(connection, scope, lonely_from)
    return Section(
        key="equity",
        title="Who the service reaches",
        tables=[_table(dimension, counts) for dimension in DIMENSIONS],
        notes=[
            "Each group's figures sit beside the whole service's, with the difference, so you can see "
            "whom the service reaches or helps less well. Differences between small groups are often "
            "chance: look at the confidence interval of the UCLA-3 change.",
            f"Lonely means a UCLA-3 score of {lonely_from} or more (the instrument's 'lonely' band).",
        ],
    )


def _lonely_from() -> int:
    """The lowest UCLA-3 score in the instrument's "lonely" band, as this service has it configured."""
    scoring = instrument_get("ucla3").scoring
    assert isinstance(scoring, SumScoring), "UCLA-3 is scored as a sum"
    return next(band.minimum for band in scoring.bands.bands if band.label == "lonely")


def _grouped(pairs_sql: str, connected_sql: str, facts_sql: str, columns: tuple[str, ...]) -> str:
    """The facts (one row each, with `columns` to add up) grouped by every dimension and by nothing (the
    service as a whole), in one statement. Each result row is (dimension, group code, area, sums...).

    The facts are materialised once and added up by every combination of the coded dimensions (the
    "cube", much shorter than the facts); each of those dimensions is then added up from the cube. Only
    areas, which are many, are grouped from the facts. So the facts are grouped twice, not once per
    dimension."""
    coded = [dimension for dimension in DIMENSIONS if dimension.groups]
    keys = ", ".join(f"f.{dimension.key}" for dimension in coded)
    from_facts = ", ".join(f"SUM(f.{column})" for column in columns)
    from_cube = ", ".join(f"SUM(c.{column})" for column in columns)
    cube = f"SELECT {keys}, " + ", ".join(f"SUM(f.{column}) AS {column}" for column in columns)
    parts = [f"SELECT '{SERVICE}' AS dimension, -1 AS code, '' AS area, {from_cube} FROM cube c"]  # noqa: S608
    for dimension in DIMENSIONS:
        key = dimension.key
        if not dimension.groups:
            parts.append(f"SELECT '{key}', -1, f.{key}, {from_facts} FROM facts f GROUP BY f.{key}")  # noqa: S608
        elif dimension.disjoint:
            parts.append(f"SELECT '{key}', c.{key}, '', {from_cube} FROM cube c GROUP BY c.{key}")  # noqa: S608
        else:
            bits = " UNION ALL ".join(
                f"SELECT {code} AS code, {bit} AS bit" for code, bit in dimension.bits()
            )
            parts.append(
                f"SELECT '{key}', b.code, '', {from_cube} FROM cube c "  # noqa: S608
                f"JOIN ({bits}) b ON (c.{key} & b.bit) <> 0 GROUP BY b.code"
            )
            parts.append(
                f"SELECT '{key}', {dimension.not_known}, '', {from_cube} FROM cube c WHERE c.{key} = 0"  # noqa: S608
            )
    return (
        f"WITH pairs AS MATERIALIZED ({pairs_sql}), connected AS MATERIALIZED ({connected_sql}), "
        f"facts AS MATERIALIZED ({facts_sql}), "
        f"cube AS MATERIALIZED ({cube} FROM facts f GROUP BY {keys}) " + " UNION ALL ".join(parts)
    )


def _key(dimension_key: str, code: int, area: str) -> Key:
    """A result row's dimension and group value."""
    dimension = next((dimension for dimension in DIMENSIONS if dimension.key == dimension_key), None)
    if dimension is None or not dimension.groups:
        return dimension_key, area
    return dimension_key, dimension.groups[code].value


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _counts(connection: BaseDatabaseWrapper, scope: ReportScope, lonely_from: int) -> dict[Key, Counts]:
    """Referrals received in the period and support episodes that started in it, added up by group.

    One row of facts per referral received in the period (with its episode when that started in the
    period too), and one per episode started in the period whose referral was not received in it. Team and
    connector narrow both: a referral counts for a connector when its episode is theirs."""
    start, end = (connection.ops.adapt_datetimefield_value(moment) for moment in scope.moments())
    first_day, last_day = (
        connection.ops.adapt_datefield_value(day) for day in (scope.date_from, scope.date_to)
    )
    person, referral, episode = (model._meta.db_table for model in (Person, Referral, SupportEpisode))
    started = "e.started_on >= %s AND e.started_on <= %s"
    received = "r.received_at >= %s AND r.received_at < %s"
    # One pass over the UCLA-3 measures of the period's episodes: the valid baseline and ending scores.
    pairs = (
        "SELECT m.episode_id, "  # noqa: S608
        f"MAX(CASE WHEN m.time_point = '{TimePoint.BASELINE}' THEN m.total END) AS baseline, "
        f"MAX(CASE WHEN m.time_point = '{TimePoint.ENDING}' THEN m.total END) AS ending "
        f"FROM {Measure._meta.db_table} m JOIN {episode} e ON e.id = m.episode_id "
        "WHERE m.instrument = 'ucla3' AND m.valid AND NOT m.skipped AND m.total IS NOT NULL "
        f"AND m.time_point IN ('{TimePoint.BASELINE}', '{TimePoint.ENDING}') "
        f"AND e.organisation_id = %s AND {started} AND {measures_allowed_sql('e')} "
        "GROUP BY m.episode_id"
    )
    pairs_params = [scope.organisation_id, first_day, last_day]
    # Each episode with a connection, and whether any reached a first visit: one pass over connections.
    connected = (
        f"SELECT c.episode_id, MAX(CASE WHEN c.status IN ({_quoted(VISITED_STATUSES)}) OR EXISTS ("  # noqa: S608
        f"SELECT 1 FROM {ConnectionMove._meta.db_table} mv WHERE mv.connection_id = c.id "
        f"AND mv.to_status = '{ConnectionStatus.ATTENDED}') THEN 1 ELSE 0 END) AS visited "
        f"FROM {Connection._meta.db_table} c WHERE c.organisation_id = %s AND c.episode_id IS NOT NULL "
        "GROUP BY c.episode_id"
    )
    connected_params = [scope.organisation_id]
    dimensions = ", ".join(f"{dimension.sql} AS {dimension.key}" for dimension in DIMENSIONS)
    # The episode `e` (missing when none started in the period), its UCLA-3 pair `mp` and connections `cn`.
    episode_facts = (
        "CASE WHEN e.id IS NOT NULL THEN 1 ELSE 0 END AS started, "  # noqa: S608
        "CASE WHEN e.closed_on IS NOT NULL THEN 1 ELSE 0 END AS closed, "
        f"CASE WHEN e.closed_on IS NOT NULL AND e.outcome = '{EndingOutcome.GOALS_MET}' "
        "THEN 1 ELSE 0 END AS goals_met, "
        "CASE WHEN mp.ending IS NOT NULL AND mp.baseline IS NOT NULL THEN 1 ELSE 0 END AS paired, "
        "mp.ending - mp.baseline AS change_sum, "
        "(mp.ending - mp.baseline) * (mp.ending - mp.baseline) AS change_squares, "
        f"CASE WHEN mp.baseline >= {lonely_from} AND mp.ending IS NOT NULL THEN 1 ELSE 0 END AS lonely, "
        f"CASE WHEN mp.baseline >= {lonely_from} AND mp.ending < {lonely_from} THEN 1 ELSE 0 END "
        "AS no_longer_lonely, "
        "CASE WHEN cn.episode_id IS NOT NULL THEN 1 ELSE 0 END AS with_connection, "
        "COALESCE(cn.visited, 0) AS first_visit"
    )
    referral_facts = (
        "1 AS received, "
        f"CASE WHEN r.status IN ({_quoted(OPEN_REFERRAL_STATUSES)}) THEN 0 ELSE 1 END AS decided, "
        f"CASE WHEN r.status = '{ReferralStatus.ACCEPTED}' THEN 1 ELSE 0 END AS accepted"
    )
    team, team_params = (" AND p.team_id = %s", [scope.team_id]) if scope.team_id is not None else ("", [])
    by_referral, by_referral_params, by_episode, by_episode_params = "", [], "", []
    if scope.connector_id is not None:
        by_referral = (
            f" AND EXISTS (SELECT 1 FROM {episode} ce WHERE ce.referral_id = r.id AND ce.connector_id = %s)"  # noqa: S608
        )
        by_referral_params = [scope.connector_id]
        by_episode = " AND e.connector_id = %s"
        by_episode_params = [scope.connector_id]
    facts = (
        f"SELECT {dimensions}, {referral_facts}, {episode_facts} "  # noqa: S608
        f"FROM {referral} r JOIN {person} p ON p.id = r.person_id "
        f"LEFT JOIN {episode} e ON e.referral_id = r.id AND {started} "
        "LEFT JOIN pairs mp ON mp.episode_id = e.id LEFT JOIN connected cn ON cn.episode_id = e.id "
        f"WHERE r.organisation_id = %s AND {received}{team}{by_referral} "
        "UNION ALL "
        f"SELECT {dimensions}, 0, 0, 0, {episode_facts} "
        f"FROM {episode} e JOIN {person} p ON p.id = e.person_id "
        f"LEFT JOIN {referral} r ON r.id = e.referral_id "
        "LEFT JOIN pairs mp ON mp.episode_id = e.id LEFT JOIN connected cn ON cn.episode_id = e.id "
        f"WHERE e.organisation_id = %s AND {started}{team}{by_episode} AND (r.id IS NULL OR NOT ({received}))"
    )
    facts_params = [
        *(first_day, last_day, scope.organisation_id, start, end, *team_params, *by_referral_params),
        *(scope.organisation_id, first_day, last_day, *team_params, *by_episode_params, start, end),
    ]
    columns = tuple(field.name for field in fields(Counts))
    with connection.cursor() as cursor:
        cursor.execute(
            _grouped(pairs, connected, facts, columns), [*pairs_params, *connected_params, *facts_params]
        )
        return {_key(row[0], int(row[1]), row[2]): Counts.from_sums(row[3:]) for row in cursor.fetchall()}


def _table(dimension: Dimension, counts: dict[Key, Counts]) -> Table:
    service = _row(SERVICE, SERVICE_LABEL, counts.get((SERVICE, ""), Counts()), None)
    values = [group.value for group in dimension.groups] or _found_groups(dimension, counts)
    rows = [
        _row(
            value or "not-known",
            dimension.label(value),
            counts.get((dimension.key, value), Counts()),
            service,
        )
        for value in values
    ]
    counted = (
        "Counts referrals received in the period and support episodes that started in it, by the "
        f"person's {dimension.row_header.lower()}. Shares of referrals are of those decided (not still "
        "open); goals met is of episodes that have closed; the UCLA-3 figures are of episodes with a valid "
        "score at the start and at the end; first visits are of episodes with at least one connection. "
        "Each difference is the group's figure minus the whole service's; for shares it is in "
        "percentage points."
    )
    if dimension.disjoint:
        return Table(
            key=f"equity_{dimension.key}",
            title=dimension.title,
            columns=COLUMNS,
            rows=rows,
            description=counted,
            row_header=dimension.row_header,
            total=service,
        )
    return Table(
        key=f"equity_{dimension.key}",
        title=dimension.title,
        columns=COLUMNS,
        rows=[*rows, service],
        description=f"{counted} People can be in several groups, so the groups add up to more than the "
        "whole service.",
        row_header=dimension.row_header,
    )


def _found_groups(dimension: Dimension, counts: dict[Key, Counts]) -> list[str]:
    """Groups that come from the data (areas), in order, with "Not known" last."""
    found = {group for key, group in counts if key == dimension.key}
    return sorted(found - {NOT_KNOWN}) + ([NOT_KNOWN] if NOT_KNOWN in found else [])


def _row(key: str, label: str, counts: Counts, service: Row | None) -> Row:
    cells = {
        "referrals": Figure.count(counts.received),
        "accepted": Figure.share(counts.accepted, counts.decided),
        "episodes": Figure.count(counts.started),
        "goals_met": Figure.share(counts.goals_met, counts.closed),
        "ucla3_paired": Figure.count(counts.paired),
        "ucla3_change": _mean(counts),
        "no_longer_lonely": Figure.share(counts.no_longer_lonely, counts.lonely),
        "first_visit": Figure.share(counts.first_visit, counts.with_connection),
    }
    if service is not None:
        for share in ("accepted", "goals_met", "no_longer_lonely", "first_visit"):
            cells[f"{share}_difference"] = _difference(cells[share], service.cells[share], scale=100.0)
        cells["ucla3_change_difference"] = _difference(cells["ucla3_change"], service.cells["ucla3_change"])
    return Row(key=key, label=label, cells=cells)


def _mean(counts: Counts) -> Figure:
    interval = mean_interval(counts.paired, counts.change_sum, counts.change_squares)
    if interval is None:
        return Figure(value=None, people=0)
    return Figure(value=interval.mean, people=counts.paired, low=interval.low, high=interval.high)


def _difference(group: Figure, service: Figure, scale: float = 1.0) -> Figure:
    """The group's figure minus the service's. It keeps the group's base and numerator, so disclosure
    control hides it whenever it hides the group's own figure (the service's figure is public)."""
    value = None if group.value is None or service.value is None else (group.value - service.value) * scale
    return Figure(value=value, people=group.people, numerator=group.numerator)
