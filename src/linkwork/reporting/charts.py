"""Report charts: matplotlib drawn on the server as SVG, each with a text alternative.

Charts are drawn from a report's tables after disclosure control, so a hidden figure is simply left
out of the picture (a hidden bar is marked "<5" where it would be) and the text alternative says
"fewer than 5". A chart whose table is missing, empty or wholly hidden is not drawn. The SVG is
deterministic (no date, ids salted with the chart's key) and its text stays text (ADR 0011).
matplotlib is imported inside the drawing functions so pages without charts do not pay for it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from linkwork.reporting.formatting import display
from linkwork.reporting.tables import Chart, Figure, Kind, Report, Row, Table

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as PlotFigure

INK = "#0b0c0c"
SECONDARY = "#505a5f"
BLUE = "#1d70b8"
ORANGE = "#f47738"
GRID = "#d9dadb"
WIDTH_INCHES = 7.0
MAX_HEIGHT_INCHES = 8.5
TICK_LABEL_MAX = 36
CHANGE_COLUMN = "ucla3_change"


@dataclass(frozen=True)
class _Series:
    key: str
    label: str
    kind: Kind
    colour: str


def add_charts(report: Report) -> None:
    """Draw every chart the report's tables allow, into the section that holds each table."""
    for section in report.sections:
        for table in section.tables:
            draw = _drawer(table)
            if draw is None:
                continue
            chart = draw(table, report.threshold)
            if chart is not None:
                section.charts.append(chart)


def _drawer(table: Table) -> Callable[[Table, int], Chart | None] | None:
    if table.key == "referrals_by_month":
        return referrals_chart
    if table.key == "waiting_times":
        return waiting_times_chart
    if table.key == "ucla3_distribution":
        return ucla3_distribution_chart
    if table.key == "gaps_by_area":
        return gaps_by_area_chart
    if table.key.startswith("equity_") and any(column.key == CHANGE_COLUMN for column in table.columns):
        return change_by_subgroup_chart
    return None


def referrals_chart(table: Table, threshold: int) -> Chart | None:
    """Referrals received each month (the `total` column of `referrals_by_month`)."""
    series = [_Series("total", "Referrals", Kind.COUNT, BLUE)]
    return _column_chart(table, threshold, series, y_label="Referrals received")


def waiting_times_chart(table: Table, threshold: int) -> Chart | None:
    """Median and 90th percentile days from referral to first contact, by month."""
    series = [
        _Series("median_days", "Median", Kind.DAYS, BLUE),
        _Series("p90_days", "90th percentile", Kind.DAYS, ORANGE),
    ]
    return _column_chart(table, threshold, series, y_label="Days from referral to first contact")


def ucla3_distribution_chart(table: Table, threshold: int) -> Chart | None:
    """How many support episodes had each UCLA-3 score at baseline and at the end."""
    series = [
        _Series("baseline", "Baseline", Kind.COUNT, BLUE),
        _Series("ending", "Ending", Kind.COUNT, ORANGE),
    ]
    return _column_chart(
        table,
        threshold,
        series,
        y_label="Support episodes",
        x_label="UCLA-3 score (3 least lonely, 9 most lonely)",
    )


def gaps_by_area_chart(table: Table, threshold: int) -> Chart | None:
    """Recorded gaps by area, as horizontal bars."""
    rows = table.rows
    values = _values(rows, "gaps")
    if not rows or not any(value is not None for value in values):
        return None
    from matplotlib.ticker import MaxNLocator

    figure, axes = _canvas(_rows_height(len(rows), 0.9))
    positions = list(range(len(rows)))[::-1]
    axes.barh(positions, [value or 0.0 for value in values], color=BLUE, height=0.6)
    _mark_hidden(axes, rows, "gaps", positions, horizontal=True, threshold=threshold)
    axes.set_yticks(positions, [_tick(row.label) for row in rows], fontsize=_tick_size(len(rows)))
    axes.set_xlabel("Gaps recorded")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="x", color=GRID)
    parts = [f"{row.label}: {_words(row.cells.get('gaps'), Kind.COUNT, threshold)}" for row in rows]
    return _chart(table, figure, f"{table.title}. Gaps recorded by area: " + "; ".join(parts) + ".")


def change_by_subgroup_chart(table: Table, threshold: int) -> Chart | None:
    """Mean change in UCLA-3 score with its 95% interval, for each subgroup and the service as a whole."""
    rows = table.all_rows()
    if not table.rows:
        return None
    figures = [row.cells.get(CHANGE_COLUMN) for row in rows]
    if not any(_visible(figure) for figure in figures):
        return None
    figure, axes = _canvas(_rows_height(len(rows), 1.0))
    positions = list(range(len(rows)))[::-1]
    for position, cell in zip(positions, figures, strict=True):
        if cell is None or not _visible(cell) or cell.value is None:
            continue
        if cell.low is not None and cell.high is not None:
            axes.errorbar(
                cell.value,
                position,
                xerr=[[cell.value - cell.low], [cell.high - cell.value]],
                fmt="o",
                color=BLUE,
                ecolor=BLUE,
                capsize=3,
            )
        else:
            axes.plot([cell.value], [position], "o", color=BLUE)
    axes.axvline(0.0, color=SECONDARY, linewidth=0.8)
    _mark_hidden(axes, rows, CHANGE_COLUMN, positions, horizontal=True, threshold=threshold)
    axes.set_yticks(positions, [_tick(row.label) for row in rows], fontsize=_tick_size(len(rows)))
    axes.set_ylim(-0.7, len(rows) - 0.3)
    axes.set_xlabel("Mean change in UCLA-3 score, with 95% interval (below 0: less lonely)")
    axes.grid(axis="x", color=GRID)
    parts = []
    for row, cell in zip(rows, figures, strict=True):
        text = _words(cell, Kind.DIFFERENCE, threshold)
        if cell is not None and _visible(cell) and cell.low is not None and cell.high is not None:
            text += f" (95% interval {cell.low:.1f} to {cell.high:.1f})"
        parts.append(f"{row.label}: {text}")
    alt = f"{table.title}. Mean change in UCLA-3 score from baseline to ending: " + "; ".join(parts) + "."
    return _chart(table, figure, alt, key=f"{table.key}_{CHANGE_COLUMN}")


def _column_chart(
    table: Table, threshold: int, series: list[_Series], *, y_label: str, x_label: str = ""
) -> Chart | None:
    """Vertical bars, one group per row (the total row is left out: it would dwarf the rest)."""
    rows = table.rows
    present = [item for item in series if any(column.key == item.key for column in table.columns)]
    if not rows or not present:
        return None
    if not any(value is not None for item in present for value in _values(rows, item.key)):
        return None
    from matplotlib.ticker import MaxNLocator

    figure, axes = _canvas(3.4)
    width = 0.8 / len(present)
    for index, item in enumerate(present):
        positions = [position - 0.4 + width * (index + 0.5) for position in range(len(rows))]
        values = [value or 0.0 for value in _values(rows, item.key)]
        axes.bar(positions, values, width=width * 0.92, color=item.colour, label=item.label)
        _mark_hidden(axes, rows, item.key, positions, horizontal=False, threshold=threshold)
    axes.set_xticks(range(len(rows)), [_tick(_short(row.label)) for row in rows])
    if len(rows) > 8:
        axes.tick_params(axis="x", labelrotation=45)
    axes.set_ylabel(y_label)
    if x_label:
        axes.set_xlabel(x_label)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="y", color=GRID)
    if len(present) > 1:
        axes.legend(frameon=False)
    parts = []
    for row in rows:
        words = [
            f"{item.label.lower()} {_words(row.cells.get(item.key), item.kind, threshold)}"
            for item in present
        ]
        parts.append(f"{row.label}: {', '.join(words)}")
    return _chart(
        table,
        figure,
        f"{table.title}, by {_lower_first(table.row_header) or 'row'}: " + "; ".join(parts) + ".",
    )


def _values(rows: list[Row], key: str) -> list[float | None]:
    values: list[float | None] = []
    for row in rows:
        figure = row.cells.get(key)
        values.append(figure.value if figure is not None and _visible(figure) else None)
    return values


def _visible(figure: Figure | None) -> bool:
    return figure is not None and not figure.suppressed and figure.value is not None


def _words(figure: Figure | None, kind: Kind, threshold: int) -> str:
    if figure is None or (figure.value is None and not figure.suppressed):
        return "none"
    if figure.suppressed:
        return f"fewer than {threshold}"
    return display(figure, kind, threshold)


def _lower_first(text: str) -> str:
    """ "Month" reads "month" mid-sentence; "UCLA-3 score" keeps its capitals."""
    return text[0].lower() + text[1:] if text[:2].istitle() else text


def _short(label: str) -> str:
    """ "January 2026" becomes "Jan 2026" under a bar; other labels stay as they are."""
    match = re.fullmatch(r"([A-Z][a-z]+) (\d{4})", label)
    return f"{match.group(1)[:3]} {match.group(2)}" if match else label


def _mark_hidden(
    axes: Axes,
    rows: list[Row],
    key: str,
    positions: Sequence[float],
    *,
    horizontal: bool,
    threshold: int,
) -> None:
    """Write "<5" where a hidden figure would be: at the left edge of its row, or the foot of its bar."""
    for row, position in zip(rows, positions, strict=True):
        figure = row.cells.get(key)
        if figure is None or not figure.suppressed:
            continue
        if horizontal:
            axes.text(
                0.01,
                position,
                f"<{threshold}",
                transform=axes.get_yaxis_transform(),
                va="center",
                ha="left",
                color=SECONDARY,
                fontsize=8,
            )
        else:
            axes.text(position, 0.0, f"<{threshold}", va="bottom", ha="center", color=SECONDARY, fontsize=8)


def _rows_height(rows: int, margin: float) -> float:
    """Room for one row per label, but never taller than fits on an A4 page with its caption."""
    return min(MAX_HEIGHT_INCHES, margin + 0.3 * rows)


def _tick_size(rows: int) -> float:
    return 10.0 if rows <= 25 else max(5.0, 10.0 * 25 / rows)


def _tick(label: str) -> str:
    """A label as matplotlib should print it: short enough to leave room for the plot, and with any
    "$" escaped so that text such as "$5 to $10" is not read as mathematics."""
    if len(label) > TICK_LABEL_MAX:
        label = label[: TICK_LABEL_MAX - 1].rstrip() + "…"
    return label.replace("$", r"\$")


def _canvas(height: float) -> tuple[PlotFigure, Axes]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as PlotFigure

    figure = PlotFigure(figsize=(WIDTH_INCHES, height), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return figure, axes


def _chart(table: Table, figure: PlotFigure, alt: str, *, key: str = "") -> Chart:
    key = key or table.key
    return Chart(key=key, title=table.title, alt=alt, svg=_svg(figure, key, alt))


def _svg(figure: PlotFigure, key: str, alt: str) -> str:
    """The figure as an SVG element to put straight into a page: no XML prologue, labelled for
    screen readers, and the same bytes every time for the same figures."""
    from matplotlib import rc_context

    buffer = io.StringIO()
    with rc_context({"svg.hashsalt": f"linkwork-{key}", "svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    # The page's Content Security Policy allows no inline styles, so matplotlib's <style> rule (every
    # line's join and cap) moves to the root, where it is inherited, and each style attribute becomes
    # the presentation attributes it lists (all of matplotlib's properties have one).
    text = _MATPLOTLIB_STYLE.sub("", text, count=1)
    text = _STYLE_ATTRIBUTE.sub(_presentation_attributes, text)
    return text.replace(
        "<svg ",
        f'<svg role="img" aria-label="{escape(alt)}" stroke-linejoin="round" stroke-linecap="butt" ',
        1,
    )


_MATPLOTLIB_STYLE = re.compile(r"\s*<defs>\s*<style type=\"text/css\">[^<]*</style>\s*</defs>")
_STYLE_ATTRIBUTE = re.compile(r' style="([^"]*)"')


def _presentation_attributes(match: re.Match[str]) -> str:
    declarations = (part.split(":", 1) for part in match.group(1).split(";") if ":" in part)
    # The values were already escaped as one attribute, so they go into the new ones as they are.
    return "".join(f' {name.strip()}="{value.strip()}"' for name, value in declarations)
