"""Report charts: drawn from the tables as disclosure control left them, with words for each, the same
bytes every time, and nothing drawn for a table that is missing, empty or wholly hidden."""

from __future__ import annotations

import datetime as dt

from linkwork.reporting.charts import (
    add_charts,
    change_by_subgroup_chart,
    gaps_by_area_chart,
    referrals_chart,
    ucla3_distribution_chart,
    waiting_times_chart,
)
from linkwork.reporting.disclosure import suppress_table
from linkwork.reporting.tables import Column, Figure, Kind, Report, Section, Table
from tests.reporting.test_reports import (
    count_row,
    equity_age_band,
    gaps_by_area,
    referrals_by_month,
    ucla3_distribution,
    waiting_times,
)


def _report(*tables: Table) -> Report:
    return Report(
        "service",
        "Service",
        dt.date(2026, 1, 1),
        dt.date(2026, 3, 31),
        "Q1",
        dt.datetime(2026, 4, 1, tzinfo=dt.UTC),
        [Section("s", "Section", list(tables))],
        True,
        5,
    )


def test_a_chart_is_an_inline_svg_labelled_with_its_words() -> None:
    chart = referrals_chart(referrals_by_month([(7, 6), (8, 9), (5, 5)]), 5)
    assert chart is not None
    assert chart.key == "referrals_by_month" and chart.title == "Referrals by source and month"
    assert chart.svg.startswith('<svg role="img" aria-label="Referrals by source and month, by month: ')
    assert "<?xml" not in chart.svg and "<!DOCTYPE" not in chart.svg
    assert chart.alt == (
        "Referrals by source and month, by month: January 2026: referrals 13; "
        "February 2026: referrals 17; March 2026: referrals 10."
    )
    # Text stays text (svg.fonttype none), so the page can be searched and read.
    assert "Referrals received" in chart.svg


def test_the_same_figures_give_the_same_svg_with_no_date_in_it() -> None:
    first = referrals_chart(referrals_by_month([(7, 6), (8, 9), (5, 5)]), 5)
    second = referrals_chart(referrals_by_month([(7, 6), (8, 9), (5, 5)]), 5)
    assert first is not None and second is not None
    assert first.svg == second.svg
    assert "<dc:date>" not in first.svg


def test_a_hidden_figure_is_left_out_and_cannot_be_told_from_the_picture() -> None:
    """Two tables differing only in a number that gets hidden give exactly the same chart."""
    charts = []
    for in_ls2 in (1, 3):
        table = gaps_by_area()
        table.rows[1].cells["gaps"] = Figure.count(in_ls2)
        table.total = count_row("total", "All areas", {"gaps": 15 + in_ls2})
        suppress_table(table, 5)
        charts.append(gaps_by_area_chart(table, 5))
    assert charts[0] is not None and charts[1] is not None
    assert charts[0].svg == charts[1].svg
    assert "LS2: fewer than 5" in charts[0].alt
    assert charts[0].svg.count("&lt;5") == 2  # LS2, and "Not given" hidden so LS2 cannot be worked out


def test_waiting_times_are_drawn_by_month_without_the_whole_period_row() -> None:
    chart = waiting_times_chart(waiting_times(), 5)
    assert chart is not None
    assert chart.alt == (
        "Waiting times, by month: January 2026: median 6 days, 90th percentile 12 days; "
        "February 2026: median 4 days, 90th percentile 8 days; "
        "March 2026: median 11.5 days, 90th percentile 23 days."
    )


def test_the_ucla3_chart_shows_scores_before_and_after() -> None:
    table = ucla3_distribution()
    suppress_table(table, 5)
    chart = ucla3_distribution_chart(table, 5)
    assert chart is not None
    assert chart.alt.startswith(
        "UCLA-3 scores, by UCLA-3 score: 3: baseline fewer than 5, ending 7; "
        "4: baseline fewer than 5, ending 9;"
    )
    assert chart.alt.endswith("9: baseline 6, ending fewer than 5.")
    assert "Baseline" in chart.svg and "Ending" in chart.svg


def test_the_change_by_subgroup_chart_gives_each_interval_in_words() -> None:
    table = equity_age_band()
    suppress_table(table, 5)
    chart = change_by_subgroup_chart(table, 5)
    assert chart is not None
    assert chart.key == "equity_age_band_ucla3_change"
    assert chart.alt == (
        "By age band. Mean change in UCLA-3 score from baseline to ending: "
        "18-49: -1.5 (95% interval -2.4 to -0.6); 50-64: fewer than 5; "
        "65+: -0.8 (95% interval -1.3 to -0.3); All support episodes: -1.1 (95% interval -1.5 to -0.7)."
    )


def test_gaps_by_area_leave_out_hidden_areas() -> None:
    table = gaps_by_area()
    suppress_table(table, 5)
    chart = gaps_by_area_chart(table, 5)
    assert chart is not None
    assert (
        chart.alt
        == "Gaps by area. Gaps recorded by area: LS1: 9; LS2: fewer than 5; Not given: fewer than 5."
    )


def test_add_charts_draws_one_chart_per_known_table_into_its_section() -> None:
    report = _report(
        referrals_by_month([(7, 6), (8, 9), (5, 5)]),
        waiting_times(),
        ucla3_distribution(),
        equity_age_band(),
        gaps_by_area(),
        Table(
            "contacts_by_type",
            "Contacts",
            [Column("n", "Contacts", Kind.COUNT)],
            [count_row("a", "A", {"n": 9})],
        ),
    )
    add_charts(report)
    assert [chart.key for chart in report.sections[0].charts] == [
        "referrals_by_month",
        "waiting_times",
        "ucla3_distribution",
        "equity_age_band_ucla3_change",
        "gaps_by_area",
    ]


def test_a_table_that_is_empty_or_wholly_hidden_gets_no_chart() -> None:
    empty = referrals_by_month([(7, 6), (8, 9), (5, 5)])
    empty.rows = []
    hidden = gaps_by_area()
    for row in hidden.all_rows():
        row.cells["gaps"] = row.cells["gaps"].hidden()
    no_change_column = Table(
        "equity_gender",
        "By gender",
        [Column("episodes", "Episodes", Kind.COUNT)],
        [count_row("f", "F", {"episodes": 9})],
    )
    report = _report(empty, hidden, no_change_column)
    add_charts(report)
    assert report.sections[0].charts == []


def test_a_report_without_the_tables_has_no_charts() -> None:
    report = _report()
    add_charts(report)
    assert report.sections[0].charts == []


def test_a_change_without_an_interval_is_still_drawn() -> None:
    table = Table(
        "equity_area",
        "By area",
        [Column("ucla3_change", "Mean change", Kind.MEAN)],
        [count_row("x", "LS1", {}), count_row("y", "LS2", {})],
    )
    table.rows[0].cells["ucla3_change"] = Figure(-1.0, 1)
    table.rows[1].cells["ucla3_change"] = Figure(-0.5, 8, low=-1.0, high=0.0)
    chart = change_by_subgroup_chart(table, 5)
    assert chart is not None
    assert "LS1: -1.0;" in chart.alt and "LS2: -0.5 (95% interval -1.0 to 0.0)" in chart.alt


def test_labels_with_dollar_signs_are_text_and_long_labels_are_shortened() -> None:
    long_label = "White: English, Welsh, Scottish, Northern Irish or British"
    table = Table(
        "gaps_by_area",
        "Gaps by area",
        [Column("gaps", "Gaps recorded", Kind.COUNT)],
        [count_row("a", "Costs $5 to $10", {"gaps": 6}), count_row("b", long_label, {"gaps": 7})],
    )
    chart = gaps_by_area_chart(table, 5)
    assert chart is not None
    assert "Costs $5 to $10" in chart.svg
    assert "White: English, Welsh, Scottish, No…" in chart.svg
    assert long_label in chart.alt  # the words keep the whole label
