"""Every CSV the service writes is known here, with how it treats cells a spreadsheet runs as formulas."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from linkwork.interop.referral_import import COLUMN_NAMES, template_csv
from linkwork.reporting import exporting
from linkwork.reporting.tables import Column, Figure, Kind, Row, Table

SOURCE = Path(exporting.__file__).resolve().parents[1]
WRITES_CSV = re.compile(r"csv\.(writer|DictWriter)\(|text/csv")
# Report downloads neutralise (reporting/exporting.py: table_csv and report_csv, used by the pages,
# the API and `linkwork report`). The HSDS package is open data for other programs and is written
# verbatim on purpose (docs/openreferral-api.md, tests/directory/test_hsds_export.py).
KNOWN_CSV_WRITERS = {
    "reporting/exporting.py": "neutralised",
    "reporting/api.py": "neutralised",
    "reporting/views.py": "neutralised",
    "directory/exporting.py": "verbatim open data",
    # The referral import template: only the header row, linkwork's own column names, no data.
    "interop/referral_import.py": "header row only",
    "interop/referral_import_views.py": "header row only",
}
HOSTILE = ['=HYPERLINK("https://example.org")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_every_module_that_writes_csv_is_known_and_has_a_decision_on_formulas() -> None:
    writers = {
        path.relative_to(SOURCE).as_posix()
        for path in SOURCE.rglob("*.py")
        if WRITES_CSV.search(path.read_text(encoding="utf-8"))
    }
    assert writers == set(KNOWN_CSV_WRITERS)


@pytest.mark.parametrize("cell", HOSTILE)
def test_a_report_table_csv_neutralises_hostile_titles_labels_and_headers(cell: str) -> None:
    table = Table(
        key="hostile",
        title="Hostile",
        columns=[Column(key="people", label=cell, kind=Kind.COUNT)],
        rows=[Row(key="row", label=cell, cells={"people": Figure(value=12, people=12)})],
        row_header=cell,
    )
    header, row = list(csv.reader(io.StringIO(exporting.table_csv(table, threshold=5))))
    for written in [*header, row[0]]:
        assert written == "'" + cell
    assert row[1] == "12"


def test_the_referral_import_template_is_only_linkworks_own_column_names() -> None:
    rows = list(csv.reader(io.StringIO(template_csv())))
    assert rows == [list(COLUMN_NAMES)]
    assert not any(name[:1] in "=+-@\t\r" for name in COLUMN_NAMES)
