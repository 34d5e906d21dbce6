"""Reports leaving the service: CSV per table, JSON for the whole report, the commissioner HTML and PDF.

Every export writes figures as `formatting.display` shows them, or (JSON) the raw value beside its
display. A hidden figure is written as its "<5" marker and nothing else: not its value, interval,
or the number of people it was worked out from.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from django.template.loader import render_to_string

from linkwork.core.time import to_london
from linkwork.reporting.formatting import display, interval, number, table_view
from linkwork.reporting.tables import Column, Figure, Kind, Report, Section, Table
from linkwork.web.pdf import pdf_from_html

# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# ... but a plain signed number such as "-0.4" or "+1.2" is read as a number, so it is left alone.
PLAIN_NUMBER = re.compile(r"[+-]?\d[\d,]*(\.\d+)?%?")


def neutralise(cell: str) -> str:
    """Stop a spreadsheet from running a cell as a formula by putting an apostrophe in front."""
    if cell.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def _has_interval(table: Table, column: Column) -> bool:
    if column.kind in (Kind.MEAN, Kind.DIFFERENCE):
        return True
    return any(
        (figure := row.cells.get(column.key)) is not None and figure.low is not None
        for row in table.all_rows()
    )


def table_csv(table: Table, threshold: int) -> str:
    """The table as CSV: a header row, then one row per table row (the total last). A column with
    confidence intervals is followed by a pair of columns for the interval's low and high ends."""
    with_interval = {column.key for column in table.columns if _has_interval(table, column)}
    header = [table.row_header or "Row"]
    for column in table.columns:
        header.append(column.label)
        if column.key in with_interval:
            header.extend([f"{column.label}: 95% CI low", f"{column.label}: 95% CI high"])
    lines = [header]
    for row in table.all_rows():
        line = [row.label]
        for column in table.columns:
            figure = row.cells.get(column.key)
            line.append("" if figure is None else display(figure, column.kind, threshold))
            if column.key in with_interval:
                line.extend(_bounds(figure, column.kind))
        lines.append(line)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([[neutralise(cell) for cell in line] for line in lines])
    return buffer.getvalue()


def _bounds(figure: Figure | None, kind: Kind) -> list[str]:
    if figure is None or figure.suppressed or figure.low is None or figure.high is None:
        return ["", ""]
    return [number(figure.low, kind), number(figure.high, kind)]


def report_csv(report: Report) -> str:
    """Every table of the report in one CSV file: each starts with a line holding its title and is
    separated from the one before by a blank line."""
    parts = []
    for table in report.tables():
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow([neutralise(table.title)])
        parts.append(buffer.getvalue() + table_csv(table, report.threshold))
    return "\r\n".join(parts)


def _figure_json(figure: Figure, kind: Kind, threshold: int) -> dict[str, Any]:
    if figure.suppressed:
        return {"suppressed": True, "display": display(figure, kind, threshold)}
    # `people` is left out on purpose: a visible mean's base can be a count hidden elsewhere.
    return {
        "value": figure.value,
        "low": figure.low,
        "high": figure.high,
        "display": display(figure, kind, threshold),
        "interval": interval(figure, kind),
        "suppressed": False,
    }


def table_json(table: Table, threshold: int) -> dict[str, Any]:
    def row_json(row_key: str, label: str, cells: dict[str, Figure]) -> dict[str, Any]:
        return {
            "key": row_key,
            "label": label,
            "cells": {
                column.key: _figure_json(cells[column.key], column.kind, threshold)
                for column in table.columns
                if column.key in cells
            },
        }

    return {
        "key": table.key,
        "title": table.title,
        "description": table.description,
        "row_header": table.row_header,
        "columns": [
            {"key": column.key, "label": column.label, "kind": column.kind.value} for column in table.columns
        ],
        "rows": [row_json(row.key, row.label, row.cells) for row in table.rows],
        "total": None
        if table.total is None
        else row_json(table.total.key, table.total.label, table.total.cells),
    }


def report_json(report: Report) -> dict[str, Any]:
    """The whole report as JSON-ready data. Charts are left out: they are pictures of these tables."""
    return {
        "name": report.name,
        "title": report.title,
        "period_from": report.period_from.isoformat(),
        "period_to": report.period_to.isoformat(),
        "scope": report.scope,
        "generated_at": report.generated_at.isoformat(),
        "suppressed": report.suppressed,
        "threshold": report.threshold,
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "notes": section.notes,
                "tables": [table_json(table, report.threshold) for table in section.tables],
            }
            for section in report.sections
        ],
    }


def commissioner_html(report: Report) -> str:
    """The printable page (also what the PDF is made from): every section's tables, each with its
    chart just before it, and the methods note; standing alone with its own styles."""
    return render_to_string(
        "reporting/commissioner.html",
        {
            "report": report,
            "sections": [_section_blocks(section, report.threshold) for section in report.sections],
            "generated_at": to_london(report.generated_at),
        },
    )


def _section_blocks(section: Section, threshold: int) -> dict[str, Any]:
    """A section as blocks of (charts, table): a chart goes with the table it was drawn from (its key
    is the table's key, or starts with it)."""
    remaining = list(section.charts)
    blocks = []
    for table in section.tables:
        charts = [
            chart for chart in remaining if chart.key == table.key or chart.key.startswith(f"{table.key}_")
        ]
        remaining = [chart for chart in remaining if chart not in charts]
        blocks.append({"charts": charts, "table": table_view(table, threshold)})
    if remaining:
        blocks.append({"charts": remaining, "table": None})
    return {"key": section.key, "title": section.title, "notes": section.notes, "blocks": blocks}


def commissioner_pdf(report: Report) -> bytes:
    """The printable page as an A4 PDF, charts included (they are inline SVG)."""
    return pdf_from_html(commissioner_html(report))
