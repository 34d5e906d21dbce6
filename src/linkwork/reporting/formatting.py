"""How a figure is written for people to read: in pages, exports and charts alike.

A hidden figure reads "<5" (with the threshold in force), so "no one" and "a few" look the same. A
figure that could not be worked out (nothing to work it from) reads as a dash.
"""

from __future__ import annotations

from dataclasses import dataclass

from linkwork.reporting.tables import Figure, Kind, Row, Table

MISSING = "–"


def display(figure: Figure, kind: Kind, threshold: int) -> str:
    """The figure as shown: "1,234", "42%", "+1.2", "12 days", "£1,234.50", or "<5" when hidden."""
    if figure.suppressed:
        return f"<{threshold}"
    if figure.value is None:
        return MISSING
    text = _number(figure.value, kind)
    if kind is Kind.DIFFERENCE and figure.value > 0 and text != "0.0":
        return f"+{text}"
    if kind is Kind.DAYS:
        return f"{text} day" if figure.value == 1 else f"{text} days"
    return text


def interval(figure: Figure, kind: Kind) -> str:
    """The 95% confidence interval in words, "(95% CI -1.2 to -0.4)", or "" when there is none."""
    if figure.suppressed or figure.low is None or figure.high is None:
        return ""
    return f"(95% CI {_number(figure.low, kind)} to {_number(figure.high, kind)})"


def _number(value: float, kind: Kind) -> str:
    if kind is Kind.COUNT:
        return f"{round(value):,}"
    if kind is Kind.SHARE:
        return f"{round(value * 100)}%"
    if kind is Kind.PENCE:
        pounds = f"£{abs(value) / 100:,.2f}"
        return f"-{pounds}" if value < 0 else pounds
    if kind in (Kind.MEAN, Kind.DIFFERENCE):
        # Rounding to one place can give "-0.0"; a change that small is no change.
        text = f"{value:,.1f}"
        return "0.0" if text == "-0.0" else text
    # Days, medians, percentiles and plain numbers: whole numbers stay whole.
    text = f"{value:,.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def number(value: float, kind: Kind) -> str:
    """A bare number in the style of its kind, with no sign or unit words (for interval bounds)."""
    return _number(value, kind)


@dataclass(frozen=True)
class CellView:
    text: str
    interval: str
    suppressed: bool


@dataclass(frozen=True)
class RowView:
    key: str
    label: str
    cells: list[CellView]
    is_total: bool


@dataclass(frozen=True)
class TableView:
    """A table with every figure already written out, for templates (`reporting/_table.html`)."""

    key: str
    title: str
    description: str
    row_header: str
    headers: list[str]
    rows: list[RowView]


def table_view(table: Table, threshold: int) -> TableView:
    def row_view(row: Row, is_total: bool) -> RowView:
        cells = []
        for column in table.columns:
            figure = row.cells.get(column.key)
            if figure is None:
                cells.append(CellView("", "", False))
            else:
                cells.append(
                    CellView(
                        display(figure, column.kind, threshold),
                        interval(figure, column.kind),
                        figure.suppressed,
                    )
                )
        return RowView(row.key, row.label, cells, is_total)

    rows = [row_view(row, False) for row in table.rows]
    if table.total is not None:
        rows.append(row_view(table.total, True))
    return TableView(
        key=table.key,
        title=table.title,
        description=table.description,
        row_header=table.row_header,
        headers=[column.label for column in table.columns],
        rows=rows,
    )
