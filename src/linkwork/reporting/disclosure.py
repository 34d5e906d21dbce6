"""Statistical disclosure control: no one outside the service's management sees a small number.

Primary suppression hides every figure that counts fewer people than the threshold (zero included, so
"no one" and "one person" look the same), every figure worked out from fewer people than that, and
every share whose top or whose remainder (the people not in it) is below the threshold.

Secondary suppression then stops a hidden figure being recovered from the totals it belongs to: while
any sum (a row's parts and its total, or a column's rows and the total row) has exactly one hidden
member, the smallest visible part of that sum is hidden too. Shares follow the counts they are made
from. Tables that count things rather than people (`Table.counts_people` False, such as the
directory's services) are left as they are. The threshold comes from `LINKWORK_REPORT_THRESHOLD`
(default 5, never below 3).
"""

from __future__ import annotations

from django.conf import settings

from linkwork.reporting.tables import Column, Figure, Kind, Report, Row, Table

MINIMUM_THRESHOLD = 3


def threshold() -> int:
    return max(MINIMUM_THRESHOLD, int(getattr(settings, "LINKWORK_REPORT_THRESHOLD", 5)))


def is_small(figure: Figure, limit: int) -> bool:
    """Whether a figure, on its own, would let someone learn about fewer than `limit` people."""
    if figure.people < limit:
        return True
    if figure.numerator is not None:
        return figure.numerator < limit or figure.people - figure.numerator < limit
    return False


def suppress_report(report: Report, limit: int | None = None) -> Report:
    """Suppress every table of the report in place and mark the report as suppressed."""
    limit = threshold() if limit is None else max(MINIMUM_THRESHOLD, limit)
    for table in report.tables():
        suppress_table(table, limit)
    report.suppressed = True
    report.threshold = limit
    return report


def suppress_table(table: Table, limit: int) -> Table:
    if not table.counts_people:
        return table
    for row in table.all_rows():
        for key, figure in row.cells.items():
            if not figure.suppressed and is_small(figure, limit):
                row.cells[key] = figure.hidden()
    _protect_sums(table)
    _hide_shares_of_hidden_counts(table)
    return table


def _sums(table: Table) -> list[list[tuple[Row, str]]]:
    """Every set of cells that adds up: each row's parts with its total, then each count column's
    cells across the rows with the total row. The total is always the last member."""
    sums: list[list[tuple[Row, str]]] = []
    parts = [column.key for column in table.columns if column.adds_to_row_total]
    if table.row_total is not None and parts:
        row_total = table.row_total
        sums.extend(
            [(row, key) for key in parts if key in row.cells] + [(row, row_total)] for row in table.all_rows()
        )
    if table.total is not None:
        for column in table.columns:
            if column.kind is Kind.COUNT and column.key in table.total.cells:
                members = [(row, column.key) for row in table.rows if column.key in row.cells]
                sums.append([*members, (table.total, column.key)])
    return sums


def _protect_sums(table: Table) -> None:
    sums = _sums(table)
    changed = True
    while changed:
        changed = False
        for members in sums:
            hidden = [member for member in members if member[0].cells[member[1]].suppressed]
            if len(hidden) != 1:
                continue
            visible_parts = [member for member in members[:-1] if not member[0].cells[member[1]].suppressed]
            total = members[-1]
            candidates = visible_parts or ([total] if not total[0].cells[total[1]].suppressed else [])
            if not candidates:
                continue
            row, key = min(candidates, key=lambda member: member[0].cells[member[1]].value or 0.0)
            row.cells[key] = row.cells[key].hidden()
            changed = True


def _hide_shares_of_hidden_counts(table: Table) -> None:
    shares: list[Column] = [column for column in table.columns if column.share_of is not None]
    for row in table.all_rows():
        total_hidden = table.row_total is not None and _hidden(row, table.row_total)
        for column in shares:
            figure = row.cells.get(column.key)
            if figure is None or figure.suppressed:
                continue
            if total_hidden or _hidden(row, column.share_of or ""):
                row.cells[column.key] = figure.hidden()


def _hidden(row: Row, key: str) -> bool:
    figure = row.cells.get(key)
    return figure is not None and figure.suppressed
