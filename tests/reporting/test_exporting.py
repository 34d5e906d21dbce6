"""Writing figures for people (every kind), CSV with formulas made harmless, JSON that never holds a
hidden value, and the commissioner page."""

from __future__ import annotations

import copy
import csv
import io
import json
from typing import Any

import pytest

from linkwork.reporting.disclosure import suppress_report
from linkwork.reporting.exporting import (
    commissioner_html,
    neutralise,
    report_csv,
    report_json,
    table_csv,
)
from linkwork.reporting.formatting import display, interval, table_view
from linkwork.reporting.scope import ReportName
from linkwork.reporting.tables import Column, Figure, Kind, Report, Row, Section, Table
from tests.reporting.test_reports import equity_age_band, referrals_by_month, sample_report, sample_sections


@pytest.mark.parametrize(
    ("figure", "kind", "shown"),
    [
        (Figure.count(1234), Kind.COUNT, "1,234"),
        (Figure.count(0), Kind.COUNT, "0"),
        (Figure.share(42, 100), Kind.SHARE, "42%"),
        (Figure.share(1, 3), Kind.SHARE, "33%"),
        (Figure(-1.234, 30), Kind.MEAN, "-1.2"),
        (Figure(2.25, 30), Kind.MEAN, "2.2"),
        (Figure(-0.04, 30), Kind.MEAN, "0.0"),
        (Figure(1.26, 30), Kind.DIFFERENCE, "+1.3"),
        (Figure(-0.4, 30), Kind.DIFFERENCE, "-0.4"),
        (Figure(0.0, 30), Kind.DIFFERENCE, "0.0"),
        (Figure(0.04, 30), Kind.DIFFERENCE, "0.0"),
        (Figure(12.0, 30), Kind.DAYS, "12 days"),
        (Figure(1.0, 30), Kind.DAYS, "1 day"),
        (Figure(11.5, 30), Kind.DAYS, "11.5 days"),
        (Figure(123450.0, 30), Kind.PENCE, "£1,234.50"),
        (Figure(-250.0, 30), Kind.PENCE, "-£2.50"),
        (Figure(7.0, 30), Kind.MEDIAN, "7"),
        (Figure(7.5, 30), Kind.PERCENTILE, "7.5"),
        (Figure(1500.0, 30), Kind.NUMBER, "1,500"),
        (Figure(None, 0), Kind.SHARE, "–"),
    ],
)
def test_display_writes_each_kind_of_figure(figure: Figure, kind: Kind, shown: str) -> None:
    assert display(figure, kind, 5) == shown


@pytest.mark.parametrize("kind", list(Kind))
def test_a_hidden_figure_of_any_kind_shows_the_threshold(kind: Kind) -> None:
    hidden = Figure(3.0, 3, low=1.0, high=5.0).hidden()
    assert display(hidden, kind, 5) == "<5"
    assert display(hidden, kind, 10) == "<10"
    assert interval(hidden, kind) == ""


def test_interval_is_written_in_the_figures_own_style_or_left_empty() -> None:
    assert interval(Figure(-0.8, 30, low=-1.23, high=-0.36), Kind.MEAN) == "(95% CI -1.2 to -0.4)"
    assert interval(Figure(0.4, 30, numerator=12, low=0.25, high=0.58), Kind.SHARE) == "(95% CI 25% to 58%)"
    assert interval(Figure(-0.8, 30), Kind.MEAN) == ""


def test_table_view_writes_every_cell_and_marks_the_total_row() -> None:
    table = equity_age_band()
    view = table_view(table, 5)
    assert view.headers == ["Support episodes", "Mean change in UCLA-3"]
    assert [row.label for row in view.rows] == ["18-49", "50-64", "65+", "All support episodes"]
    assert [row.is_total for row in view.rows] == [False, False, False, True]
    assert view.rows[0].cells[1].text == "-1.5"
    assert view.rows[0].cells[1].interval == "(95% CI -2.4 to -0.6)"


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rReturn", "'\rReturn"),
        ("-0.4", "-0.4"),
        ("+1.2", "+1.2"),
        ("-£2.50", "'-£2.50"),
        ("Plain words", "Plain words"),
        ("<5", "<5"),
    ],
)
def test_cells_a_spreadsheet_would_run_as_formulas_get_an_apostrophe(cell: str, written: str) -> None:
    assert neutralise(cell) == written


def test_table_csv_has_a_header_one_row_per_row_and_the_total_last() -> None:
    table = referrals_by_month([(7, 6), (8, 9), (5, 5)])
    rows = list(csv.reader(io.StringIO(table_csv(table, 5))))
    assert rows == [
        ["Month", "Self-referral", "GP practice", "All referrals"],
        ["January 2026", "7", "6", "13"],
        ["February 2026", "8", "9", "17"],
        ["March 2026", "5", "5", "10"],
        ["Whole period", "20", "20", "40"],
    ]


def test_table_csv_gives_a_mean_a_pair_of_interval_columns_and_hides_small_numbers() -> None:
    table = equity_age_band()
    report = Report("equity", "Equity", *_period(), [Section("equity", "Equity", [table])], False, 5)
    suppress_report(report, 5)
    rows = list(csv.reader(io.StringIO(table_csv(table, 5))))
    assert rows[0] == [
        "Age band",
        "Support episodes",
        "Mean change in UCLA-3",
        "Mean change in UCLA-3: 95% CI low",
        "Mean change in UCLA-3: 95% CI high",
    ]
    assert rows[2] == ["50-64", "<5", "<5", "", ""]
    assert rows[3] == ["65+", "19", "-0.8", "-1.3", "-0.3"]
    assert rows[4] == ["All support episodes", "30", "-1.1", "-1.5", "-0.7"]


def test_a_row_label_written_as_a_formula_is_neutralised_in_the_csv() -> None:
    table = Table(
        "t",
        "Areas",
        [Column("gaps", "Gaps", Kind.COUNT)],
        [Row("x", "=1+1", {"gaps": Figure.count(7)}), Row("y", "@me", {"gaps": Figure.count(9)})],
    )
    rows = list(csv.reader(io.StringIO(table_csv(table, 5))))
    assert [row[0] for row in rows[1:]] == ["'=1+1", "'@me"]


def test_report_csv_puts_each_table_under_its_title_after_a_blank_line() -> None:
    report = sample_report(name=ReportName.SERVICE)
    text = report_csv(report)
    blocks = text.split("\r\n\r\n")
    assert len(blocks) == 2
    assert blocks[0].startswith(
        "Referrals by source and month\r\nMonth,Self-referral,GP practice,All referrals\r\n"
    )
    assert blocks[1].startswith("Waiting times\r\nMonth,Referrals with a first contact,")


def _period() -> tuple[Any, Any, str, Any]:
    report = sample_report(name=ReportName.GAPS)
    return report.period_from, report.period_to, report.scope, report.generated_at


def _cells(report_data: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    found = []
    for section in report_data["sections"]:
        for table in section["tables"]:
            for row in [*table["rows"], *([table["total"]] if table["total"] else [])]:
                for key, cell in row["cells"].items():
                    found.append((table["key"], row["key"], key, cell))
    return found


def test_report_json_never_holds_a_hidden_value() -> None:
    sections = sample_sections()
    original = Report("commissioner", "Report", *_period(), list(sections.values()), False, 5)
    before = copy.deepcopy(original)
    suppress_report(original, 5)
    data = report_json(original)
    assert data["suppressed"] is True and data["threshold"] == 5
    hidden = [cell for cell in _cells(data) if cell[3]["suppressed"]]
    assert len(hidden) > 10
    for table_key, row_key, column, cell in hidden:
        # Nothing but the marker: no value, interval, numerator or base that could give it away.
        assert cell == {"suppressed": True, "display": "<5"}, (table_key, row_key, column)
    small_counts = {
        (table.key, row.key, key)
        for table in before.tables()
        for row in table.all_rows()
        for key, figure in row.cells.items()
        if figure.people < 5
    }
    shown = {(table, row, key) for table, row, key, cell in _cells(data) if not cell["suppressed"]}
    assert small_counts and not small_counts & shown
    # And the text as a whole never says how many people a figure counts.
    assert '"people"' not in json.dumps(data) and '"numerator"' not in json.dumps(data)


def test_report_json_keeps_visible_values_raw_beside_their_display() -> None:
    data = report_json(sample_report(name=ReportName.EQUITY))
    table = data["sections"][0]["tables"][0]
    assert table["key"] == "equity_age_band"
    assert table["columns"][1] == {"key": "ucla3_change", "label": "Mean change in UCLA-3", "kind": "mean"}
    assert table["rows"][2]["cells"]["ucla3_change"] == {
        "value": -0.8,
        "low": -1.3,
        "high": -0.3,
        "display": "-0.8",
        "interval": "(95% CI -1.3 to -0.3)",
        "suppressed": False,
    }
    assert data["period_from"] == "2026-01-01" and data["period_to"] == "2026-03-31"
    json.dumps(data)


def test_commissioner_html_shows_tables_charts_and_the_methods_note() -> None:
    html = commissioner_html(sample_report())
    assert html.startswith("<!DOCTYPE html>")
    assert "size: A4" in html
    assert html.count("<table") == 6
    assert html.count('<svg role="img"') == 5
    assert "&lt;5" in html
    assert "<h2>Methods</h2>" in html
    assert "Riverside Connectors: Q1 2026" in html
    # Each chart comes just before the table it was drawn from.
    assert html.index('id="chart-gaps_by_area"') < html.index('id="table-gaps_by_area"')
    assert html.index('id="table-ucla3_distribution"') < html.index('id="chart-gaps_by_area"')
