"""The outcomes section (issue 8 item 2): what changed for the people a service supported.

Every figure counts support episodes that started in the period (narrowed by team and connector).
For each questionnaire with any measure in scope, an episode's start, end and follow-up scores are
paired in one grouped query: a measure counts when it was answered with a valid score and not
skipped; where the same questionnaire was recorded more than once at the same point, the highest
score is used. The number compared is the one `linkwork.outcomes.scoring.change` compares: the metric
score where the instrument converts its total (SWEMWBS), else the total; each item for ONS4; and the
place of the answer in the published order for a question without a score (the ONS direct question).
Improvement follows the instrument's polarity, and a reliable improvement is an improvement at least
as large as the instrument's change threshold, as in `scoring.change`.

Network map change pairs an episode's end map with its baseline as
`linkwork.networks.selectors.network_change_for_episodes` does (its own baseline, else the person's
latest baseline saved before the end map). Goal progress counts the goals set in those episodes.

The SQL is assembled from table names, code constants and instrument definitions (hence the
`noqa: S608`); every value that comes from the scope is a query parameter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connections, router
from django.db.backends.utils import CursorWrapper

from linkwork.networks.models import NetworkSnapshot, SnapshotKind
from linkwork.outcomes.definitions import (
    CategoryScoring,
    Instrument,
    PerItemScoring,
    Polarity,
    SumScoring,
    instrument_list,
)
from linkwork.outcomes.models import Measure, SkipReason, TimePoint
from linkwork.people.models import Person
from linkwork.reporting.consent import measures_allowed_sql
from linkwork.reporting.scope import ReportScope
from linkwork.reporting.statistics import mean_interval
from linkwork.reporting.tables import Column, Figure, Kind, Row, Section, Table
from linkwork.support.models import OPEN_EPISODE_STATUSES, Goal, GoalStatus, SupportEpisode

# The usual UCLA-3 cut-off (docs/instruments.md); used only if the ucla3 bands are overridden to none.
UCLA3_LONELY_FROM = 6
# Scores are whole numbers or have two decimals (SWEMWBS metric). scoring.change rounds a difference
# to 2 decimals before comparing it with the threshold; this tolerance does the same for float error.
_TOLERANCE = 1e-6

Param = int | str | dt.date

# Column prefix in the paired query, time point, and the missing-measures column it fills.
_POINTS = (
    ("b", TimePoint.BASELINE, "baseline", "At the start"),
    ("e", TimePoint.ENDING, "ending", "At the end"),
    ("f", TimePoint.FOLLOW_UP, "follow_up", "At follow-up"),
)
# Prefix of the later point, row key suffix, and words for the comparison.
_COMPARISONS = (("e", "end", "start to end"), ("f", "follow_up", "start to follow-up"))


@dataclass(frozen=True)
class _Scale:
    """One number compared between time points: an instrument's score, or one ONS4 item."""

    key: str
    label: str
    value_sql: str  # the number in one measure row (alias m)
    polarity: Polarity
    threshold: float | None
    is_score: bool  # False when the number only orders the answers, so a mean change means nothing


@dataclass(frozen=True)
class _Episodes:
    """SQL that keeps the support episodes in scope (alias e), and its parameters."""

    joins: str
    where: str
    params: list[Param]


@dataclass
class _Results:
    """One row of aggregates, by name; a sum over no rows reads as 0."""

    values: dict[str, object]

    def count(self, key: str) -> int:
        return int(self.number(key))

    def number(self, key: str) -> float:
        value = self.values[key]  # PostgreSQL sums whole numbers as Decimal
        return float(value) if isinstance(value, int | float | Decimal) else 0.0


def outcomes_section(scope: ReportScope) -> Section:
    """Change on each questionnaire used, why measures are missing, network map change and goals."""
    episodes = _episodes_in_scope(scope)
    change_rows: list[Row] = []
    tables: list[Table] = []
    notes = [
        "Counts support episodes that started in the period. A measure counts when the questionnaire was "
        "answered with a valid score and not skipped; where one was recorded more than once at the same "
        "point, the highest score is used."
    ]
    with connections[router.db_for_read(Measure)].cursor() as cursor:
        in_use = _instruments_recorded(cursor)
        for instrument in instrument_list():
            if instrument.code in in_use:
                _add_instrument(cursor, episodes, instrument, change_rows, tables, notes)
        network = _network_table(cursor, episodes)
        goals = _goal_tables(cursor, episodes)
    return Section(
        key="outcomes",
        title="Outcomes",
        tables=[_change_table(change_rows), *tables, network, *goals],
        notes=notes,
    )


# Scope ------------------------------------------------------------------------------------------------


def _episodes_in_scope(scope: ReportScope) -> _Episodes:
    joins = ""
    where = ["e.organisation_id = %s", "e.started_on >= %s", "e.started_on <= %s"]
    params: list[Param] = [scope.organisation_id, scope.date_from, scope.date_to]
    if scope.team_id is not None:
        joins = f"JOIN {Person._meta.db_table} p ON p.id = e.person_id"
        where.append("p.team_id = %s")
        params.append(scope.team_id)
    if scope.connector_id is not None:
        where.append("e.connector_id = %s")
        params.append(scope.connector_id)
    return _Episodes(joins=joins, where=" AND ".join(where), params=params)


def _instruments_recorded(cursor: CursorWrapper) -> set[str]:
    """Every questionnaire with a measure anywhere: a scan of the measure index, cheaper than joining
    each measure to its episode; a questionnaire with nothing in scope is then dropped when its own
    query finds no episode."""
    cursor.execute(f"SELECT DISTINCT instrument FROM {Measure._meta.db_table}")  # noqa: S608
    return {code for (code,) in cursor.fetchall()}


def _literal(text: str) -> str:
    """A SQL string literal for a value from the code or the instrument definitions (never user input)."""
    return "'" + text.replace("'", "''") + "'"


def _select(cursor: CursorWrapper, aggregates: dict[str, str], source: str, params: list[Param]) -> _Results:
    cursor.execute(f"SELECT {', '.join(aggregates.values())} FROM {source}", params)  # noqa: S608
    return _Results(dict(zip(aggregates, cursor.fetchone() or (), strict=True)))


def _mean(n: int, total: float, sum_of_squares: float) -> Figure:
    interval = mean_interval(n, total, sum_of_squares)
    if interval is None:
        return Figure(value=None, people=0)
    return Figure(value=interval.mean, people=n, low=interval.low, high=interval.high)


# Questionnaires ----------------------------------------------------------------------------------------


def _scales(instrument: Instrument, vendor: str) -> list[_Scale]:
    scoring = instrument.scoring
    name = instrument.name.split(" (")[0]  # without the bracketed expansion
    threshold = instrument.change.threshold
    if isinstance(scoring, SumScoring):
        value = "m.metric" if scoring.conversion is not None else "m.total"
        return [_Scale(instrument.code, name, value, scoring.polarity, threshold, True)]
    if isinstance(scoring, PerItemScoring):
        return [
            _Scale(
                f"{instrument.code}-{item.number}",
                f"{name}: {item.name}",
                _item_score_sql(item.number, vendor),
                item.polarity,
                threshold,
                True,
            )
            for item in instrument.items
        ]
    assert isinstance(scoring, CategoryScoring)
    positions = " ".join(
        f"WHEN {_literal(option.label)} THEN {position}"
        for position, option in enumerate(instrument.answers.options)
    )
    return [_Scale(instrument.code, name, f"CASE m.band {positions} END", scoring.polarity, None, False)]


def _item_score_sql(number: int, vendor: str) -> str:
    if vendor == "postgresql":
        return f"CAST(m.items -> '{number}' ->> 'score' AS DOUBLE PRECISION)"
    return f"json_extract(m.items, '$.\"{number}\".score')"


# What was recorded at one time point, as a code: the highest code among an episode's measures there
# wins, so a usable score beats a skip, and a skip beats an answer that could not be scored.
_USABLE = 9
_UNSCORED = 1
_SKIP_CODES = {reason: 2 + position for position, reason in enumerate(SkipReason.values)}


def _paired_sql(scales: list[_Scale], episodes: _Episodes) -> str:
    """One row per episode in scope with a measure of the instrument (the first parameter): its status,
    a code for what was recorded at each time point, and each scale's number there.

    Grouping by the episode's start date and id follows the (organisation, started_on) index, so
    SQLite groups as it reads instead of sorting; PostgreSQL allows e.status because e.id is grouped."""
    skips = " ".join(f"WHEN {_literal(reason)} THEN {code}" for reason, code in _SKIP_CODES.items())
    state = (
        f"CASE WHEN m.skipped THEN CASE m.skip_reason {skips} ELSE {max(_SKIP_CODES.values())} END "
        f"WHEN m.valid THEN {_USABLE} ELSE {_UNSCORED} END"
    )
    columns = ["e.status AS status"]
    for prefix, point, _, _ in _POINTS:
        at = f"m.time_point = {_literal(point)}"
        columns.append(f"MAX(CASE WHEN {at} THEN {state} END) AS {prefix}_state")
        usable = f"{at} AND m.valid AND NOT m.skipped"
        columns += [
            f"MAX(CASE WHEN {usable} THEN {scale.value_sql} END) AS {prefix}_{index}"
            for index, scale in enumerate(scales)
        ]
    return (
        f"(SELECT {', '.join(columns)} FROM {Measure._meta.db_table} m "  # noqa: S608
        f"JOIN {SupportEpisode._meta.db_table} e ON e.id = m.episode_id {episodes.joins} "
        f"WHERE m.instrument = %s AND {episodes.where} AND {measures_allowed_sql('e')} "
        "GROUP BY e.started_on, e.id) paired"
    )


def _missing_sql() -> dict[str, str]:
    """Episodes by what was recorded at each point; "not recorded" is what is left (`_not_recorded`)."""
    still_open = ", ".join(_literal(status) for status in OPEN_EPISODE_STATUSES)
    sql = {"episodes": "COUNT(*)"}
    for prefix, _, _, _ in _POINTS:
        state = f"{prefix}_state"
        sql[f"{prefix}_usable"] = f"COUNT(CASE WHEN {state} = {_USABLE} THEN 1 END)"
        for reason, code in _SKIP_CODES.items():
            sql[f"{prefix}_skip_{reason}"] = f"COUNT(CASE WHEN {state} = {code} THEN 1 END)"
        sql[f"{prefix}_unscored"] = f"COUNT(CASE WHEN {state} = {_UNSCORED} THEN 1 END)"
        if prefix != "b":  # an end or follow-up measure is not due while support is open
            sql[f"{prefix}_open"] = (
                f"COUNT(CASE WHEN {state} IS NULL AND status IN ({still_open}) THEN 1 END)"
            )
    return sql


def _not_recorded(results: _Results) -> None:
    for prefix, _, _, _ in _POINTS:
        recorded = sum(
            results.count(key)
            for key in results.values
            if key.startswith(f"{prefix}_") and key.split("_", 1)[1] in _MISSING_KEYS
        )
        results.values[f"{prefix}_not_recorded"] = results.count("episodes") - recorded


def _change_sql(index: int, scale: _Scale) -> dict[str, str]:
    """Pairs, the sum and sum of squares of the differences, and how many got better, worse and
    reliably better; unchanged is what is left."""
    sql = {}
    before = f"b_{index}"
    for prefix, _, _ in _COMPARISONS:
        after = f"{prefix}_{index}"
        key = f"{index}{prefix}"
        difference = f"({after} - {before})"
        better, worse = (">", "<") if scale.polarity == "higher_is_better" else ("<", ">")
        sql[f"{key}_n"] = f"COUNT({difference})"
        sql[f"{key}_sum"] = f"SUM({difference})"
        sql[f"{key}_squares"] = f"SUM({difference} * {difference})"
        sql[f"{key}_better"] = f"COUNT(CASE WHEN {after} {better} {before} THEN 1 END)"
        sql[f"{key}_worse"] = f"COUNT(CASE WHEN {after} {worse} {before} THEN 1 END)"
        if scale.threshold is not None:
            gain = difference if scale.polarity == "higher_is_better" else f"({before} - {after})"
            at_least = repr(scale.threshold - _TOLERANCE)
            sql[f"{key}_reliable"] = f"COUNT(CASE WHEN {gain} >= {at_least} THEN 1 END)"
    return sql


def _ucla3_sql(lonely_from: int, score_range: tuple[int, int]) -> dict[str, str]:
    """Loneliness at the start and after, and the paired start and end distribution (scale 0)."""
    lonely = f"b_0 >= {lonely_from}"
    sql = {"start_n": "COUNT(b_0)", "start_lonely": f"COUNT(CASE WHEN {lonely} THEN 1 END)"}
    for prefix, _, _ in _COMPARISONS:
        sql[f"{prefix}_lonely_n"] = f"COUNT(CASE WHEN {lonely} THEN {prefix}_0 END)"
        sql[f"{prefix}_left"] = f"COUNT(CASE WHEN {lonely} AND {prefix}_0 < {lonely_from} THEN 1 END)"
    for score in range(score_range[0], score_range[1] + 1):
        sql[f"at_b_{score}"] = f"COUNT(CASE WHEN b_0 = {score} THEN e_0 END)"
        sql[f"at_e_{score}"] = f"COUNT(CASE WHEN e_0 = {score} THEN b_0 END)"
    return sql


def _ucla3_lonely_from(instrument: Instrument) -> int:
    """The lowest score in the "lonely" band (as the equity section reads it), else in the bands above
    the lowest. The ucla3 definition's bands are 3-5 "not lonely" and 6-9 "lonely" (an UNVERIFIED
    convention an organisation may override), so 6."""
    scoring = instrument.scoring
    assert isinstance(scoring, SumScoring)
    bands = scoring.bands.bands
    lonely = [band.minimum for band in bands if band.label == "lonely"]
    if lonely:
        return lonely[0]
    return bands[1].minimum if len(bands) > 1 else UCLA3_LONELY_FROM


def _add_instrument(
    cursor: CursorWrapper,
    episodes: _Episodes,
    instrument: Instrument,
    change_rows: list[Row],
    tables: list[Table],
    notes: list[str],
) -> None:
    scales = _scales(instrument, cursor.db.vendor)
    aggregates = _missing_sql()
    for index, scale in enumerate(scales):
        aggregates.update(_change_sql(index, scale))
    is_ucla3 = instrument.code == "ucla3" and isinstance(instrument.scoring, SumScoring)
    lonely_from = _ucla3_lonely_from(instrument) if is_ucla3 else UCLA3_LONELY_FROM
    if is_ucla3:
        assert isinstance(instrument.scoring, SumScoring)
        aggregates.update(_ucla3_sql(lonely_from, instrument.scoring.range))
    results = _select(cursor, aggregates, _paired_sql(scales, episodes), [instrument.code, *episodes.params])
    if not results.count("episodes"):
        return
    _not_recorded(results)
    for index, scale in enumerate(scales):
        change_rows.extend(_change_rows(index, scale, results))
        if scale.threshold is None:
            notes.append(
                f"{scale.label}: no reliable change threshold is published, so reliable improvement is "
                "not available."
            )
        if not scale.is_score:
            notes.append(
                f"{scale.label}: the answers have no score, so there is no mean change; they are compared "
                "by their place in the published order."
            )
    tables.append(_missing_table(instrument, scales[0].label, results))
    if is_ucla3:
        assert isinstance(instrument.scoring, SumScoring)
        tables.append(_loneliness_table(lonely_from, results))
        tables.append(_distribution_table(instrument.scoring.range, results))
        notes.append(
            f'Lonely means a UCLA-3 score of {lonely_from} or more, the "lonely" band of the ucla3 '
            'definition. Its default, 6 to 9 (3 to 5 is "not lonely"), is a widely used convention that '
            "Hughes et al. 2004 do not publish; an organisation may set its own."
        )


def _change_table(rows: list[Row]) -> Table:
    return Table(
        key="outcomes_change",
        title="Change on each questionnaire",
        columns=[
            Column("paired", "Episodes with both measures", Kind.COUNT),
            Column("mean_change", "Mean change (later minus start)", Kind.MEAN),
            Column("improved", "Improved", Kind.COUNT, adds_to_row_total=True),
            Column("improved_share", "Share improved", Kind.SHARE, share_of="improved"),
            Column("unchanged", "Unchanged", Kind.COUNT, adds_to_row_total=True),
            Column("unchanged_share", "Share unchanged", Kind.SHARE, share_of="unchanged"),
            Column("worse", "Worse", Kind.COUNT, adds_to_row_total=True),
            Column("worse_share", "Share worse", Kind.SHARE, share_of="worse"),
            Column("reliable", "Reliably improved", Kind.COUNT),
            Column("reliable_share", "Share reliably improved", Kind.SHARE, share_of="reliable"),
        ],
        rows=rows,
        description=(
            "Support episodes with a usable measure at the start and at the later point. Improved, "
            "unchanged and worse follow each questionnaire's direction (whether a higher score is better); "
            "reliably improved means improved by at least the questionnaire's published change threshold. "
            "The mean change has its 95% confidence interval."
        ),
        row_header="Questionnaire and comparison",
        row_total="paired",
    )


def _change_rows(index: int, scale: _Scale, results: _Results) -> list[Row]:
    direction = "higher is better" if scale.polarity == "higher_is_better" else "lower is better"
    rows = []
    for prefix, suffix, words in _COMPARISONS:
        key = f"{index}{prefix}"
        n = results.count(f"{key}_n")
        improved, worse = results.count(f"{key}_better"), results.count(f"{key}_worse")
        unchanged = n - improved - worse
        if scale.is_score:
            mean = _mean(n, results.number(f"{key}_sum"), results.number(f"{key}_squares"))
        else:
            mean = Figure(value=None, people=n)
        if scale.threshold is None:
            reliable = reliable_share = Figure(value=None, people=n)
        else:
            count = results.count(f"{key}_reliable")
            reliable, reliable_share = Figure.count(count), Figure.share(count, n)
        rows.append(
            Row(
                key=f"{scale.key}:{suffix}",
                label=f"{scale.label} ({direction}): {words}",
                cells={
                    "paired": Figure.count(n),
                    "mean_change": mean,
                    "improved": Figure.count(improved),
                    "improved_share": Figure.share(improved, n),
                    "unchanged": Figure.count(unchanged),
                    "unchanged_share": Figure.share(unchanged, n),
                    "worse": Figure.count(worse),
                    "worse_share": Figure.share(worse, n),
                    "reliable": reliable,
                    "reliable_share": reliable_share,
                },
            )
        )
    return rows


_MISSING_KEYS = {"usable", *(f"skip_{reason}" for reason in SkipReason.values), "unscored", "open"}


def _missing_table(instrument: Instrument, name: str, results: _Results) -> Table:
    reasons: list[tuple[str, str]] = [("usable", "Answered with a usable score")]
    reasons += [(f"skip_{value}", f"Skipped: {label}") for value, label in SkipReason.choices]
    reasons += [
        ("unscored", "Answered, but too many questions were declined to give a score"),
        ("open", "Not due yet: support is still open"),
        ("not_recorded", "Not recorded"),
    ]
    rows = []
    for reason, label in reasons:
        cells = {
            column: Figure.count(results.count(f"{prefix}_{reason}"))
            for prefix, _, column, _ in _POINTS
            if f"{prefix}_{reason}" in results.values
        }
        rows.append(Row(key=reason, label=label, cells=cells))
    everyone = Figure.count(results.count("episodes"))
    return Table(
        key=f"outcomes_missing_{instrument.code}",
        title=f"{name}: measures recorded and missing",
        columns=[Column(column, label, Kind.COUNT) for _, _, column, label in _POINTS],
        rows=rows,
        description=(
            f"Support episodes with any {name} measure, by what was recorded at each point: a usable score, "
            "or why there is none."
        ),
        row_header="What was recorded",
        total=Row(
            key="total",
            label="Episodes with this questionnaire",
            cells=dict.fromkeys((column for _, _, column, _ in _POINTS), everyone),
        ),
    )


def _loneliness_table(lonely_from: int, results: _Results) -> Table:
    def row(key: str, label: str, numerator: str, base: str) -> Row:
        number, out_of = results.count(numerator), results.count(base)
        return Row(
            key=key,
            label=label,
            cells={
                "out_of": Figure.count(out_of),
                "number": Figure.count(number),
                "rest": Figure.count(out_of - number),
                "share": Figure.share(number, out_of),
            },
        )

    return Table(
        key="ucla3_loneliness",
        title="Loneliness (UCLA-3)",
        columns=[
            Column("out_of", "Out of", Kind.COUNT),
            Column("number", "Episodes", Kind.COUNT, adds_to_row_total=True),
            # The rest is shown so that disclosure control sees (and protects) both parts of the total.
            Column("rest", "The rest", Kind.COUNT, adds_to_row_total=True),
            Column("share", "Share", Kind.SHARE, share_of="number"),
        ],
        rows=[
            row(
                "lonely_at_start",
                f"Lonely at the start (score {lonely_from} or more)",
                "start_lonely",
                "start_n",
            ),
            row(
                "no_longer_lonely_at_end",
                "Lonely at the start, no longer lonely at the end",
                "e_left",
                "e_lonely_n",
            ),
            row(
                "no_longer_lonely_at_follow_up",
                "Lonely at the start, no longer lonely at follow-up",
                "f_left",
                "f_lonely_n",
            ),
        ],
        description=(
            "Support episodes with a usable UCLA-3 score at the start; then those lonely at the start with "
            "a usable score at the end, and at follow-up."
        ),
        row_header="Loneliness",
        row_total="out_of",
    )


def _distribution_table(score_range: tuple[int, int], results: _Results) -> Table:
    rows = [
        Row(
            key=str(score),
            label=str(score),
            cells={
                "baseline": Figure.count(results.count(f"at_b_{score}")),
                "ending": Figure.count(results.count(f"at_e_{score}")),
            },
        )
        for score in range(score_range[0], score_range[1] + 1)
    ]
    paired = Figure.count(results.count("0e_n"))
    return Table(
        key="ucla3_distribution",
        title="UCLA-3 scores at the start and at the end",
        columns=[Column("baseline", "At the start", Kind.COUNT), Column("ending", "At the end", Kind.COUNT)],
        rows=rows,
        description=(
            "Support episodes with a usable UCLA-3 score both at the start and at the end, by score "
            "(3 is least lonely, 9 most)."
        ),
        row_header="UCLA-3 score",
        total=Row(
            key="total", label="Episodes with both scores", cells={"baseline": paired, "ending": paired}
        ),
    )


# Network maps -------------------------------------------------------------------------------------------


def _network_table(cursor: CursorWrapper, episodes: _Episodes) -> Table:
    snapshots = NetworkSnapshot._meta.db_table
    if cursor.db.vendor == "postgresql":
        size, elements, entry_id = (
            "jsonb_array_length({}.entries)",
            "jsonb_array_elements({}.entries)",
            "{} ->> 'id'",
        )
    else:
        size, elements, entry_id = (
            "json_array_length({}.entries)",
            "json_each({}.entries)",
            "json_extract({}.value, '$.id')",
        )

    def only_on(later: str, earlier: str) -> str:
        """How many entries of one map are not on the other, matched by entry id."""
        return (
            f"(SELECT COUNT(*) FROM {elements.format(later)} x WHERE {entry_id.format('x')} NOT IN "  # noqa: S608
            f"(SELECT {entry_id.format('y')} FROM {elements.format(earlier)} y "
            f"WHERE {entry_id.format('y')} IS NOT NULL))"
        )

    baseline = _literal(SnapshotKind.BASELINE)
    # An episode has at most one baseline of its own (a unique constraint), so MAX picks it.
    baseline_id = (
        f"COALESCE((SELECT MAX(b.id) FROM {snapshots} b WHERE b.kind = {baseline} "  # noqa: S608
        f"AND b.episode_id = en.episode_id), (SELECT b.id FROM {snapshots} b WHERE b.kind = {baseline} "
        "AND b.person_id = en.person_id AND b.taken_at <= en.taken_at ORDER BY b.taken_at DESC, b.id DESC "
        "LIMIT 1))"
    )
    ends = (
        f"SELECT en.entries AS entries, {baseline_id} AS baseline_id FROM {snapshots} en "  # noqa: S608
        f"JOIN {SupportEpisode._meta.db_table} e ON e.id = en.episode_id {episodes.joins} "
        f"WHERE en.kind = {_literal(SnapshotKind.END)} AND {episodes.where}"
    )
    changes = (
        f"(SELECT {size.format('ends')} - {size.format('b')} AS ties, "  # noqa: S608
        f"{only_on('ends', 'b')} AS gained, {only_on('b', 'ends')} AS lost "
        f"FROM ({ends}) ends JOIN {snapshots} b ON b.id = ends.baseline_id) changes"
    )
    measures = (("ties", "Change in the number of ties"), ("gained", "Ties gained"), ("lost", "Ties lost"))
    aggregates = {"episodes": "COUNT(*)"}
    for key, _ in measures:
        aggregates[f"{key}_sum"] = f"SUM({key})"
        aggregates[f"{key}_squares"] = f"SUM({key} * {key})"
    results = _select(cursor, aggregates, changes, episodes.params)
    n = results.count("episodes")
    return Table(
        key="network_change",
        title="Change in network maps",
        columns=[
            Column("episodes", "Episodes with both maps", Kind.COUNT),
            Column("mean", "Mean", Kind.MEAN),
        ],
        rows=[
            Row(
                key=key,
                label=label,
                cells={
                    "episodes": Figure.count(n),
                    "mean": _mean(n, results.number(f"{key}_sum"), results.number(f"{key}_squares")),
                },
            )
            for key, label in measures
        ],
        description=(
            "Support episodes with an end network map and a baseline map, per episode: the change in the "
            "number of ties (people, groups, places and so on on the map), ties on the end map only "
            "(gained) and ties on the baseline map only (lost), with 95% confidence intervals."
        ),
        row_header="Network map",
    )


# Goals --------------------------------------------------------------------------------------------------


def _goal_tables(cursor: CursorWrapper, episodes: _Episodes) -> list[Table]:
    source = (
        f"{Goal._meta.db_table} g JOIN {SupportEpisode._meta.db_table} e ON e.id = g.episode_id "
        f"{episodes.joins} WHERE {episodes.where}"
    )
    aggregates = {"goals": "COUNT(*)", "episodes": "COUNT(DISTINCT g.episode_id)"}
    for status in GoalStatus.values:
        is_status = f"g.status = {_literal(status)}"
        aggregates[f"{status}_goals"] = f"SUM(CASE WHEN {is_status} THEN 1 ELSE 0 END)"
        aggregates[f"{status}_episodes"] = f"COUNT(DISTINCT CASE WHEN {is_status} THEN g.episode_id END)"
    aggregates["rated_goals"] = "COUNT(g.progress)"
    aggregates["rated_episodes"] = "COUNT(DISTINCT CASE WHEN g.progress IS NOT NULL THEN g.episode_id END)"
    aggregates["rating_sum"] = "SUM(g.progress)"
    results = _select(cursor, aggregates, source, episodes.params)
    goals, with_goals = results.count("goals"), results.count("episodes")
    rows = []
    for status, label in GoalStatus.choices:
        in_status, episodes_in = results.count(f"{status}_goals"), results.count(f"{status}_episodes")
        rows.append(
            Row(
                key=status,
                label=label,
                cells={
                    "goals": Figure(value=float(in_status), people=episodes_in),
                    "share": Figure(
                        value=in_status / goals if goals else None, people=with_goals, numerator=episodes_in
                    ),
                },
            )
        )
    by_status = Table(
        key="goals_by_status",
        title="Goals by where they stand",
        columns=[
            Column("goals", "Goals", Kind.COUNT),
            Column("share", "Share of goals", Kind.SHARE, share_of="goals"),
        ],
        rows=rows,
        description=(
            "Goals set in support episodes that started in the period, by their status now; the share of "
            "goals achieved is in the Achieved row. Small numbers are judged by the episodes the goals "
            "belong to."
        ),
        row_header="Status",
        total=Row(
            key="total",
            label="All goals",
            cells={
                "goals": Figure(value=float(goals), people=with_goals),
                "share": Figure(value=1.0 if goals else None, people=with_goals),
            },
        ),
    )
    rated, rated_episodes = results.count("rated_goals"), results.count("rated_episodes")
    rating = Table(
        key="goal_progress",
        title="Progress towards goals",
        columns=[
            Column("goals", "Goals with a rating", Kind.COUNT),
            Column("mean", "Mean rating (0 to 10)", Kind.MEAN),
        ],
        rows=[
            Row(
                key="latest_rating",
                label="Latest progress rating",
                cells={
                    "goals": Figure(value=float(rated), people=rated_episodes),
                    "mean": Figure(
                        value=results.number("rating_sum") / rated if rated else None, people=rated_episodes
                    ),
                },
            )
        ],
        description=(
            "Goals set in support episodes that started in the period with a progress rating: the mean of "
            "each goal's latest rating (0 to 10, higher is further along)."
        ),
        row_header="Goals",
    )
    return [by_status, rating]
