"""Output schemas for reports in the API: the same data as a report's JSON download
(`linkwork.reporting.exporting.report_json`).

A hidden figure carries only `suppressed: true` and its `display` marker ("<5"): never its value,
interval or the number of people behind it.
"""

import datetime as dt

from ninja import Field, Schema


class FigureOut(Schema):
    suppressed: bool = Field(
        description="True when the figure is hidden by disclosure control; it then has no value or interval"
    )
    display: str = Field(
        description='The figure as shown on the page: "1,234", "42%", "+1.2", "12 days", "£1,234.50", '
        '"–" when there was nothing to work it out from, or "<5" (the threshold in force) when hidden'
    )
    value: float | None = Field(
        None,
        description="The raw value (a share as 0 to 1, money in pence, days as a number). "
        "Left out when hidden; null when there was nothing to work it out from",
    )
    low: float | None = Field(None, description="Low end of the 95% confidence interval, where there is one")
    high: float | None = Field(
        None, description="High end of the 95% confidence interval, where there is one"
    )
    interval: str = Field("", description='The interval in words, "(95% CI -1.2 to -0.4)", or ""')


class ColumnOut(Schema):
    key: str = Field(description="Names the column in each row's `cells`")
    label: str
    kind: str = Field(
        description="How to read the figures: count, share (0 to 1), mean, median, percentile, days, "
        "pence, number or difference (from the service average)"
    )


class RowOut(Schema):
    key: str = Field(description='Stable key of the row, e.g. "2026-03" for a month or "W10" for an area')
    label: str
    cells: dict[str, FigureOut] = Field(description="One figure per column key")


class TableOut(Schema):
    key: str = Field(description="Stable key; download the table as CSV at /reports/{name}/tables/{key}.csv")
    title: str
    description: str = Field(description="What the table counts")
    row_header: str
    columns: list[ColumnOut]
    rows: list[RowOut]
    total: RowOut | None = Field(description="The row that adds up the others, where the table has one")


class SectionOut(Schema):
    key: str
    title: str
    notes: list[str] = Field(
        description="Notes on reading the section (for the commissioner report's "
        "methods section: definitions, instruments and the suppression rule)"
    )
    tables: list[TableOut]


class ReportOut(Schema):
    name: str = Field(description="service, outcomes, connections, gaps, equity or commissioner")
    title: str
    period_from: dt.date = Field(description="First day of the period (inclusive, London time)")
    period_to: dt.date = Field(description="Last day of the period (inclusive, London time)")
    scope: str = Field(description="The period, and the team or connector, in words")
    generated_at: dt.datetime
    suppressed: bool = Field(
        description="True when small numbers are hidden: always for analysts and for the commissioner report"
    )
    threshold: int = Field(description="Figures about fewer people than this are hidden when `suppressed`")
    sections: list[SectionOut]
