"""Disclosure control: small numbers are hidden and cannot be worked back from the totals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkwork.reporting.disclosure import is_small, suppress_report, suppress_table, threshold
from linkwork.reporting.tables import Column, Figure, Kind, Report, Row, Section, Table


def counts_table(rows: dict[str, list[int]], *, with_total_row: bool = True) -> Table:
    """A table of counts by group (rows) and category (columns a, b, c) with row and column totals."""
    columns = [Column(key, key.upper(), Kind.COUNT, adds_to_row_total=True) for key in ("a", "b", "c")]
    columns.append(Column("total", "Total", Kind.COUNT))
    body = [
        Row(
            name,
            name,
            {
                **{key: Figure.count(n) for key, n in zip("abc", values, strict=True)},
                "total": Figure.count(sum(values)),
            },
        )
        for name, values in rows.items()
    ]
    total = None
    if with_total_row:
        sums = [sum(values[index] for values in rows.values()) for index in range(3)]
        total = Row(
            "all",
            "All",
            {
                **{key: Figure.count(n) for key, n in zip("abc", sums, strict=True)},
                "total": Figure.count(sum(sums)),
            },
        )
    return Table("t", "Counts", columns, body, row_total="total", total=total)


def test_counts_below_the_threshold_including_zero_are_hidden_and_others_kept() -> None:
    table = Table(
        "t",
        "Counts",
        [Column("n", "People", Kind.COUNT)],
        [Row(str(n), str(n), {"n": Figure.count(n)}) for n in (0, 1, 4, 5, 12)],
    )
    suppress_table(table, 5)
    shown = {row.key: row.cells["n"] for row in table.rows}
    assert [shown[key].suppressed for key in ("0", "1", "4", "5", "12")] == [True, True, True, False, False]
    assert shown["4"].value is None and shown["12"].value == 12


def test_a_mean_from_fewer_people_than_the_threshold_is_hidden_with_its_interval() -> None:
    table = Table(
        "t",
        "Change",
        [Column("change", "Mean change", Kind.MEAN)],
        [
            Row("few", "Few", {"change": Figure(-1.5, people=4, low=-3.0, high=0.0)}),
            Row("many", "Many", {"change": Figure(-1.2, people=40, low=-1.6, high=-0.8)}),
        ],
    )
    suppress_table(table, 5)
    few, many = (row.cells["change"] for row in table.rows)
    assert few.suppressed and few.value is None and few.low is None and few.high is None
    assert not many.suppressed and many.low == -1.6


@pytest.mark.parametrize(
    ("numerator", "people", "small"),
    [(2, 50, True), (48, 50, True), (45, 50, False), (5, 10, False), (0, 30, True), (30, 30, True)],
)
def test_a_share_is_hidden_when_its_top_or_its_remainder_is_below_the_threshold(
    numerator: int, people: int, small: bool
) -> None:
    assert is_small(Figure.share(numerator, people), 5) is small


def test_one_hidden_cell_in_a_row_forces_a_second_so_the_row_total_cannot_give_it_away() -> None:
    table = counts_table({"north": [3, 20, 30], "south": [10, 12, 40]}, with_total_row=False)
    suppress_table(table, 5)
    north = table.rows[0].cells
    assert north["a"].suppressed
    # The smallest other part is hidden too: 20 (b), not the larger 30 (c) or the total.
    assert north["b"].suppressed and not north["c"].suppressed and not north["total"].suppressed


def test_secondary_suppression_reaches_across_rows_and_the_total_row() -> None:
    table = counts_table({"north": [3, 20, 30], "south": [10, 12, 40], "east": [9, 15, 8]})
    suppress_table(table, 5)
    assert_no_sum_has_a_single_hidden_member(table)
    assert_no_visible_count_below(table, 5)


def test_shares_follow_the_count_they_are_made_from() -> None:
    columns = [
        Column("accepted", "Accepted", Kind.COUNT, adds_to_row_total=True),
        Column("declined", "Declined", Kind.COUNT, adds_to_row_total=True),
        Column("referrals", "Referrals", Kind.COUNT),
        Column("accepted_share", "Share accepted", Kind.SHARE, share_of="accepted"),
    ]
    rows = [
        Row(
            "a",
            "A",
            {
                "accepted": Figure.count(3),
                "declined": Figure.count(30),
                "referrals": Figure.count(33),
                "accepted_share": Figure(3 / 33, people=33),
            },
        ),
    ]
    table = Table("t", "Referrals", columns, rows, row_total="referrals")
    suppress_table(table, 5)
    assert rows[0].cells["accepted_share"].suppressed


def test_a_table_of_things_rather_than_people_is_left_as_it_is() -> None:
    table = Table(
        "directory",
        "Services",
        [Column("n", "Services", Kind.COUNT)],
        [Row("a", "A", {"n": Figure.count(2)})],
        counts_people=False,
    )
    suppress_table(table, 5)
    assert table.rows[0].cells["n"].value == 2 and not table.rows[0].cells["n"].suppressed


def test_the_threshold_setting_is_never_taken_below_three(settings: object) -> None:
    settings.LINKWORK_REPORT_THRESHOLD = 2  # type: ignore[attr-defined]
    assert threshold() == 3
    settings.LINKWORK_REPORT_THRESHOLD = 10  # type: ignore[attr-defined]
    assert threshold() == 10


def test_suppressing_a_report_marks_it_and_applies_the_threshold_to_every_table() -> None:
    import datetime as dt

    table = counts_table({"north": [6, 6, 6], "south": [6, 6, 9]})
    report = Report(
        "service",
        "Service",
        dt.date(2026, 1, 1),
        dt.date(2026, 6, 30),
        "",
        dt.datetime.now(dt.UTC),
        [Section("s", "S", [table])],
        suppressed=False,
        threshold=0,
    )
    suppress_report(report, limit=7)
    assert report.suppressed and report.threshold == 7
    # Every 6 is below 7; south's 9 then goes too, or column c's total would give north's 6 away.
    assert table.rows[0].cells["a"].suppressed and table.rows[1].cells["c"].suppressed
    assert table.rows[1].cells["total"].value == 21


def assert_no_visible_count_below(table: Table, limit: int) -> None:
    for row in table.all_rows():
        for key, figure in row.cells.items():
            column = next(column for column in table.columns if column.key == key)
            if column.kind is Kind.COUNT and not figure.suppressed:
                assert figure.value is not None and figure.value >= limit, (row.key, key, figure)


def assert_no_sum_has_a_single_hidden_member(table: Table) -> None:
    """A sum with exactly one hidden member would let anyone subtract to find it."""
    keys = [column.key for column in table.columns if column.adds_to_row_total]
    for row in table.all_rows():
        members = [row.cells[key] for key in [*keys, "total"]]
        assert sum(figure.suppressed for figure in members) != 1, row.key
    assert table.total is not None
    for key in [*keys, "total"]:
        members = [row.cells[key] for row in table.all_rows()]
        assert sum(figure.suppressed for figure in members) != 1, key


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.integers(min_value=0, max_value=40), min_size=3, max_size=3), min_size=1, max_size=6)
)
def test_no_suppressed_count_can_be_worked_out_from_any_row_or_column_total(grid: list[list[int]]) -> None:
    table = counts_table({f"g{index}": values for index, values in enumerate(grid)})
    suppress_table(table, 5)
    assert_no_visible_count_below(table, 5)
    assert_no_sum_has_a_single_hidden_member(table)
