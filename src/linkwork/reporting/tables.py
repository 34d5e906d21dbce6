"""What every report is made of: figures in rows and columns, grouped into sections.

Each figure says how many people it counts or is derived from, so disclosure control
(`linkwork.reporting.disclosure`) can decide, for any kind of figure, whether it may be shown.
A table also declares which of its counts add up to which totals: that is what secondary
suppression needs to stop a hidden cell being worked out by subtraction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from enum import StrEnum


class Kind(StrEnum):
    """How a figure is read and written: a count of people, a share (0 to 1), money in pence, …"""

    COUNT = "count"
    SHARE = "share"
    MEAN = "mean"
    MEDIAN = "median"
    PERCENTILE = "percentile"
    DAYS = "days"
    PENCE = "pence"
    NUMBER = "number"
    DIFFERENCE = "difference"


@dataclass(frozen=True)
class Figure:
    """One number in a report.

    `people` is how many people the figure counts (for a count) or is worked out from (the base of a
    share, mean or median). `numerator` is, for a share, how many people are in the top of the
    fraction. `low` and `high` are a 95% confidence interval where one is given. A suppressed figure
    keeps nothing: its value, interval and numerator are cleared by `disclosure.suppress`.
    """

    value: float | None
    people: int
    numerator: int | None = None
    low: float | None = None
    high: float | None = None
    suppressed: bool = False

    @classmethod
    def count(cls, people: int) -> Figure:
        return cls(value=float(people), people=people)

    @classmethod
    def share(cls, numerator: int, people: int) -> Figure:
        return cls(value=numerator / people if people else None, people=people, numerator=numerator)

    def hidden(self) -> Figure:
        return replace(self, value=None, numerator=None, low=None, high=None, suppressed=True)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind
    # Counts whose values, across this row, add up to the row's `Table.row_total` column.
    adds_to_row_total: bool = False
    # For a share: the key of the count column in the same row that is its numerator, so hiding
    # that count also hides the share.
    share_of: str | None = None


@dataclass
class Row:
    key: str
    label: str
    cells: dict[str, Figure]


@dataclass
class Table:
    """Rows of figures. `row_total` names the column that is the sum of the columns marked
    `adds_to_row_total`; when `total` is set it is the row that sums every other row's counts
    column by column (for columns of kind COUNT)."""

    key: str
    title: str
    columns: list[Column]
    rows: list[Row]
    description: str = ""
    row_header: str = ""
    row_total: str | None = None
    total: Row | None = None
    # False for tables that count things, not people (the directory's services): disclosure control
    # leaves them alone, since a small number there is a fact about the directory, not about anyone.
    counts_people: bool = True

    def all_rows(self) -> list[Row]:
        return [*self.rows, *([self.total] if self.total is not None else [])]


@dataclass
class Chart:
    """A server-rendered picture with its text alternative (the figures it shows, in words)."""

    key: str
    title: str
    alt: str
    svg: str


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table]
    notes: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Report:
    name: str
    title: str
    period_from: dt.date
    period_to: dt.date
    scope: str
    generated_at: dt.datetime
    sections: list[Section]
    suppressed: bool
    threshold: int

    def tables(self) -> list[Table]:
        return [table for section in self.sections for table in section.tables]

    def table(self, key: str) -> Table:
        for table in self.tables():
            if table.key == key:
                return table
        raise KeyError(key)
