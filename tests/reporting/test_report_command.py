"""`linkwork report`: every format, always suppressed, audited as the operator, and a clear error with
nothing written for bad dates, an unknown team or organisation, or a period that ends before it starts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.core.management import CommandError, call_command

from linkwork.accounts.models import Organisation
from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.reporting import service
from linkwork.reporting.scope import ReportScope
from linkwork.reporting.tables import Section
from tests.factories import make_organisation, make_team
from tests.reporting.test_reports import sample_sections, use_sample_sections

pytestmark = pytest.mark.django_db

PERIOD = ["--from", "2026-01-01", "--to", "2026-03-31"]


@pytest.fixture(autouse=True)
def sample_sections_only(monkeypatch: pytest.MonkeyPatch) -> None:
    use_sample_sections(monkeypatch)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_csv_puts_every_table_in_one_file_with_small_numbers_hidden(
    organisation: Organisation, tmp_path: Path
) -> None:
    output = tmp_path / "service.csv"
    said = run("service", *PERIOD, "--format", "csv", "--output", str(output))
    assert said.strip() == f"Wrote the service report (csv) to {output}."
    raw = output.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte order mark, so spreadsheets read UTF-8
    text = raw.decode("utf-8-sig")
    first, second = text.split("\r\n\r\n")
    rows = list(csv.reader(io.StringIO(first)))
    assert rows[0] == ["Referrals by source and month"]
    assert rows[1] == ["Month", "Self-referral", "GP practice", "All referrals"]
    assert rows[3][0] == "February 2026" and rows[3][1] == "<5"  # 2 self-referrals
    assert second.startswith("Waiting times\r\n")


def test_csv_into_a_directory_writes_one_file_per_table(organisation: Organisation, tmp_path: Path) -> None:
    run("commissioner", *PERIOD, "--format", "csv", "--output", str(tmp_path))
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "connections_summary.csv",
        "equity_age_band.csv",
        "gaps_by_area.csv",
        "referrals_by_month.csv",
        "ucla3_distribution.csv",
        "waiting_times.csv",
    ]
    gaps = list(csv.reader(io.StringIO((tmp_path / "gaps_by_area.csv").read_text("utf-8-sig"))))
    assert gaps == [
        ["Area", "Gaps recorded"],
        ["LS1", "9"],
        ["LS2", "<5"],
        ["Not given", "<5"],
        ["All areas", "17"],
    ]


def test_json_is_always_suppressed_and_names_the_organisation(
    organisation: Organisation, tmp_path: Path
) -> None:
    output = tmp_path / "outcomes.json"
    run("outcomes", *PERIOD, "--format", "json", "--output", str(output))
    data = json.loads(output.read_text())
    assert data["name"] == "outcomes" and data["suppressed"] is True and data["threshold"] == 5
    assert data["scope"] == "Riverside Connectors: 1 January 2026 to 31 March 2026"
    three = data["sections"][0]["tables"][0]["rows"][0]["cells"]["baseline"]
    assert three == {"suppressed": True, "display": "<5"}


def test_html_and_pdf_are_the_printable_page(organisation: Organisation, tmp_path: Path) -> None:
    run("commissioner", *PERIOD, "--format", "html", "--output", str(tmp_path / "report.html"))
    run("commissioner", *PERIOD, "--format", "pdf", "--output", str(tmp_path / "report.pdf"))
    html = (tmp_path / "report.html").read_text()
    assert "<h1>Report for commissioners</h1>" in html and "<h2>Methods</h2>" in html
    document = pdfium.PdfDocument((tmp_path / "report.pdf").read_bytes())
    try:
        assert len(document) >= 4
    finally:
        document.close()


def test_the_export_is_audited_as_the_operator_for_the_organisation(
    organisation: Organisation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "sam")
    run("gaps", *PERIOD, "--format", "json", "--output", str(tmp_path / "gaps.json"))
    entry = AuditEvent.objects.get(event="report.exported")
    assert entry.action == AuditAction.EXPORT
    assert entry.actor_username == "operator:sam" and entry.actor_id is None
    assert entry.organisation_id == organisation.pk
    assert entry.detail["report"] == "gaps" and entry.detail["how"] == "json"
    assert entry.detail["suppressed"] is True


def test_a_team_and_an_organisation_narrow_the_scope(
    organisation: Organisation,
    other_organisation: Organisation,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    north = make_team(organisation=other_organisation, name="North")
    make_team(organisation=organisation, name="North")
    seen: list[ReportScope] = []

    def record(scope: ReportScope) -> Section:
        seen.append(scope)
        return sample_sections()["service"]

    monkeypatch.setattr(service, "service_section", record)
    output = tmp_path / "north.json"
    run(
        "service",
        *PERIOD,
        "--organisation",
        other_organisation.slug,
        "--team",
        "north",
        "--format",
        "json",
        "--output",
        str(output),
    )
    assert seen == [
        ReportScope(other_organisation.pk, dt.date(2026, 1, 1), dt.date(2026, 3, 31), team_id=north.pk)
    ]
    scope = json.loads(output.read_text())["scope"]
    assert scope == "Northgate Befriending: 1 January 2026 to 31 March 2026; team: North"
    run(
        "service",
        *PERIOD,
        "--organisation",
        other_organisation.slug,
        "--team",
        str(north.pk),
        "--format",
        "json",
        "--output",
        str(output),
    )
    assert seen[-1].team_id == north.pk


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--from", "2026-13-01", "--to", "2026-03-31"],
            "--from '2026-13-01' is not a date: write it as YYYY-MM-DD.",
        ),
        (
            ["--from", "2026-01-01", "--to", "31/03/2026"],
            "--to '31/03/2026' is not a date: write it as YYYY-MM-DD.",
        ),
        (["--from", "2026-03-31", "--to", "2026-01-01"], "--to must not be before --from."),
        ([*PERIOD, "--team", "Nowhere"], "Riverside Connectors has no team 'Nowhere'."),
        ([*PERIOD, "--organisation", "nobody"], "There is no organisation 'nobody'."),
    ],
)
def test_bad_input_is_refused_clearly_and_nothing_is_written(
    organisation: Organisation, tmp_path: Path, args: list[str], message: str
) -> None:
    output = tmp_path / "report.csv"
    with pytest.raises(CommandError) as refused:
        run("service", *args, "--format", "csv", "--output", str(output))
    assert str(refused.value).startswith(message)
    assert refused.value.returncode == 2
    assert list(tmp_path.iterdir()) == []
    assert not AuditEvent.objects.filter(event="report.exported").exists()


def test_with_several_organisations_one_must_be_named(
    organisation: Organisation, other_organisation: Organisation, tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="more than one organisation: say which with --organisation"):
        run("service", *PERIOD, "--format", "csv", "--output", str(tmp_path / "r.csv"))
    assert list(tmp_path.iterdir()) == []


def test_a_missing_directory_or_a_directory_for_one_file_is_refused(
    organisation: Organisation, tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="There is no directory"):
        run("service", *PERIOD, "--format", "json", "--output", str(tmp_path / "missing" / "r.json"))
    with pytest.raises(CommandError, match="is a directory: give a file name for pdf"):
        run("service", *PERIOD, "--format", "pdf", "--output", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_report_name_is_refused(organisation: Organisation, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="invalid choice: 'everything'"):
        run("everything", *PERIOD, "--format", "csv", "--output", str(tmp_path / "r.csv"))


def test_there_must_be_an_organisation(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="There are no organisations yet"):
        run("service", *PERIOD, "--format", "csv", "--output", str(tmp_path / "r.csv"))
    make_organisation(name="Only One")
    run("service", *PERIOD, "--format", "csv", "--output", str(tmp_path / "r.csv"))
    assert (tmp_path / "r.csv").exists()


def test_the_real_sections_give_the_promised_tables_with_nothing_small_shown(
    organisation: Organisation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.undo()  # the section builders as they are, on an organisation with no work yet
    output = tmp_path / "commissioner.json"
    run("commissioner", *PERIOD, "--format", "json", "--output", str(output))
    data = json.loads(output.read_text())
    keys = {table["key"] for section in data["sections"] for table in section["tables"]}
    # (UCLA-3 tables appear only once some UCLA-3 measures are recorded.)
    assert {"referrals_by_month", "waiting_times", "gaps_by_area"} <= keys
    assert {f"equity_{dimension}" for dimension in ("age_band", "gender", "area")} <= keys
    assert data["sections"][-1]["key"] == "methods"
    counts = 0
    for section in data["sections"]:
        # The directory's tables count services, not people, and are shown as they are.
        for table in (table for table in section["tables"] if not table["key"].startswith("directory_")):
            kinds = {column["key"]: column["kind"] for column in table["columns"]}
            for row in [*table["rows"], *([table["total"]] if table["total"] else [])]:
                for key, cell in row["cells"].items():
                    if kinds[key] == "count":
                        counts += 1
                        assert cell == {"suppressed": True, "display": "<5"}, (table["key"], row["key"], key)
    assert counts > 50
