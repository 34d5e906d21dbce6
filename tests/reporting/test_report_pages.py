"""Report pages and downloads: who may see them, what analysts see of small numbers (never the
number), the filter form's checks, the downloads' types, and the audit entries.

Most tests replace the section builders with one hand-made table of referrals by month whose answers
are known, so the pages are tested apart from the figures (the section modules have their own tests).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from html import unescape

import pytest
from django.test import Client

from linkwork.accounts.models import Organisation, Team, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.matching import gaps as gap_services
from linkwork.reporting import connections, equity, forms, gaps, outcomes, service
from linkwork.reporting.scope import ReportScope
from linkwork.reporting.tables import Column, Figure, Kind, Row, Section, Table
from tests.conftest import signed_in
from tests.factories import make_staff, make_team

# Referrals by source and month, before disclosure control, and as an analyst must see them: the 3
# self-referrals in January are hidden, then GP referrals in January (which would give it away from
# January's total) and the February cells that would give those away from the column totals.
REFERRALS = [("2026-01", "January 2026", 12, 3), ("2026-02", "February 2026", 20, 8)]
AS_IS = [["January 2026", "12", "3", "15"], ["February 2026", "20", "8", "28"], ["Total", "32", "11", "43"]]
SUPPRESSED = [
    ["January 2026", "<5", "<5", "15"],
    ["February 2026", "<5", "<5", "28"],
    ["Total", "32", "11", "43"],
]
REPORT_NAMES = ["service", "outcomes", "connections", "gaps", "equity", "commissioner"]


def referrals_table() -> Table:
    def cells(gp: int, self_referred: int) -> dict[str, Figure]:
        return {
            "gp": Figure.count(gp),
            "self": Figure.count(self_referred),
            "total": Figure.count(gp + self_referred),
        }

    return Table(
        key="referrals_by_month",
        title="Referrals by source and month",
        columns=[
            Column("gp", "GP practice", Kind.COUNT, adds_to_row_total=True),
            Column("self", "Self-referral", Kind.COUNT, adds_to_row_total=True),
            Column("total", "All referrals", Kind.COUNT),
        ],
        rows=[Row(key, label, cells(gp, own)) for key, label, gp, own in REFERRALS],
        description="Counts referrals received in each month, by where they came from.",
        row_header="Month",
        row_total="total",
        total=Row("total", "Total", cells(32, 11)),
    )


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[ReportScope]]:
    """Every section builder replaced: the service section is the table above, the others are empty.
    Yields the scopes the service section was built for (so a test can see nothing was computed)."""
    scopes: list[ReportScope] = []

    def service_section(scope: ReportScope) -> Section:
        scopes.append(scope)
        return Section(key="service", title="Service dashboard", tables=[referrals_table()])

    monkeypatch.setattr(service, "service_section", service_section)
    for module, name in (
        (outcomes, "outcomes"),
        (connections, "connections"),
        (gaps, "gaps"),
        (equity, "equity"),
    ):
        monkeypatch.setattr(
            module, f"{name}_section", lambda scope, name=name: Section(key=name, title=name, tables=[])
        )
    yield scopes


@pytest.fixture
def analyst(organisation: Organisation) -> User:
    return make_staff(organisation=organisation, roles=[Role.ANALYST], username="analyst")


@pytest.fixture
def editor(organisation: Organisation) -> User:
    return make_staff(organisation=organisation, roles=[Role.DIRECTORY_EDITOR], username="editor")


@pytest.fixture
def outsider_supervisor(other_organisation: Organisation) -> User:
    return make_staff(organisation=other_organisation, roles=[Role.SUPERVISOR], username="outsider-sup")


@pytest.fixture
def team(organisation: Organisation) -> Team:
    return make_team(organisation=organisation, name="North team")


@pytest.fixture
def other_team(other_organisation: Organisation) -> Team:
    return make_team(organisation=other_organisation, name="Elsewhere team")


def table_cells(html: str, key: str) -> list[list[str]]:
    """The text of each row (label, then the figures) of the report table with this key."""
    found = re.search(rf'<table[^>]*id="table-{key}".*?</table>', html, re.S)
    assert found, f"no table {key}"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", found.group(0), re.S)
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows[1:]
    ]


def figures(report: dict[str, object], tables: str = "") -> Iterator[tuple[str, dict[str, object]]]:
    """Every figure of a report's JSON (in the tables whose keys start with `tables`), with its
    column's kind."""
    for section in report["sections"]:  # type: ignore[attr-defined]
        for table in section["tables"]:
            if not table["key"].startswith(tables):
                continue
            kinds = {column["key"]: column["kind"] for column in table["columns"]}
            for row in [*table["rows"], *([table["total"]] if table["total"] else [])]:
                for key, figure in row["cells"].items():
                    yield kinds[key], figure


def assert_no_small_numbers(report: dict[str, object], tables: str = "") -> None:
    for kind, figure in figures(report, tables):
        if figure["suppressed"]:
            assert set(figure) == {"suppressed", "display"}
            assert figure["display"] == "<5"
        elif kind == "count":
            assert figure["value"] >= 5  # type: ignore[operator]


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode())))


# Who may see reports


@pytest.mark.parametrize("who", ["supervisor", "admin", "analyst"])
def test_managers_and_analysts_see_the_six_reports_listed(who: str, request: pytest.FixtureRequest) -> None:
    response = signed_in(request.getfixturevalue(who)).get("/reports/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in REPORT_NAMES:
        assert f'href="/reports/{name}/"' in html
    assert "Report for commissioners" in html


def test_the_index_tells_an_analyst_small_numbers_are_hidden(analyst: User, supervisor: User) -> None:
    assert "shown as &lt;5 in every report you see" in signed_in(analyst).get("/reports/").content.decode()
    assert "shown as &lt;5" not in signed_in(supervisor).get("/reports/").content.decode()


def test_reports_are_in_the_navigation_only_for_those_who_may_see_them(
    supervisor: User, analyst: User, connector: User
) -> None:
    assert 'href="/reports/"' in signed_in(supervisor).get("/").content.decode()
    assert 'href="/reports/"' in signed_in(analyst).get("/").content.decode()
    assert 'href="/reports/"' not in signed_in(connector).get("/").content.decode()


REPORT_ADDRESSES = [
    "/reports/",
    "/reports/service/",
    "/reports/service.json",
    "/reports/service/referrals_by_month.csv",
    "/reports/commissioner/print/",
    "/reports/commissioner.pdf",
]


@pytest.mark.parametrize("address", REPORT_ADDRESSES)
@pytest.mark.parametrize("who", ["connector", "volunteer", "editor"])
def test_other_staff_are_refused_every_report_address(
    built: list[ReportScope], who: str, address: str, request: pytest.FixtureRequest
) -> None:
    response = signed_in(request.getfixturevalue(who)).get(address)
    assert response.status_code == 403
    assert built == []
    assert not AuditEvent.objects.filter(event__startswith="report.").exists()


@pytest.mark.parametrize("address", REPORT_ADDRESSES)
def test_anonymous_visitors_are_sent_to_sign_in(db: None, address: str) -> None:
    response = Client().get(address)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_an_unknown_report_or_table_is_not_found(built: list[ReportScope], supervisor: User) -> None:
    client = signed_in(supervisor)
    assert client.get("/reports/wellbeing/").status_code == 404
    assert client.get("/reports/wellbeing.json").status_code == 404
    assert client.get("/reports/service/no_such_table.csv").status_code == 404


# What each audience sees


def test_a_supervisor_sees_the_real_numbers(built: list[ReportScope], supervisor: User) -> None:
    html = signed_in(supervisor).get("/reports/service/").content.decode()
    assert table_cells(html, "referrals_by_month") == AS_IS
    assert "shown as &lt;5" not in html
    assert "small numbers included" in html


def test_an_analyst_sees_small_numbers_hidden_on_the_page(built: list[ReportScope], analyst: User) -> None:
    html = signed_in(analyst).get("/reports/service/").content.decode()
    assert table_cells(html, "referrals_by_month") == SUPPRESSED
    assert "Numbers below 5 are shown as &lt;5" in html


def test_an_analysts_json_never_holds_a_hidden_number(built: list[ReportScope], analyst: User) -> None:
    response = signed_in(analyst).get("/reports/service.json")
    report = json.loads(response.content)
    assert report["suppressed"] is True
    assert_no_small_numbers(report)
    january = report["sections"][0]["tables"][0]["rows"][0]["cells"]
    assert january["self"] == {"suppressed": True, "display": "<5"}
    assert january["total"]["value"] == 15


def test_an_analysts_csv_shows_hidden_numbers_as_less_than_five(
    built: list[ReportScope], analyst: User
) -> None:
    response = signed_in(analyst).get("/reports/service/referrals_by_month.csv")
    assert csv_rows(response.content) == [
        ["Month", "GP practice", "Self-referral", "All referrals"],
        *SUPPRESSED,
    ]


def test_a_supervisors_csv_and_json_have_the_real_numbers(built: list[ReportScope], supervisor: User) -> None:
    client = signed_in(supervisor)
    assert csv_rows(client.get("/reports/service/referrals_by_month.csv").content)[1:] == AS_IS
    report = json.loads(client.get("/reports/service.json").content)
    assert report["suppressed"] is False
    assert report["sections"][0]["tables"][0]["rows"][0]["cells"]["self"]["value"] == 3


def test_the_commissioner_report_hides_small_numbers_even_from_a_supervisor(
    built: list[ReportScope], supervisor: User
) -> None:
    client = signed_in(supervisor)
    html = client.get("/reports/commissioner/").content.decode()
    assert table_cells(html, "referrals_by_month") == SUPPRESSED
    assert "Numbers below 5 are shown as &lt;5" in html
    assert_no_small_numbers(json.loads(client.get("/reports/commissioner.json").content))
    printable = client.get("/reports/commissioner/print/").content.decode()
    assert table_cells(printable, "referrals_by_month") == SUPPRESSED


def test_only_the_commissioner_report_links_to_the_printable_page_and_pdf(
    built: list[ReportScope], supervisor: User
) -> None:
    client = signed_in(supervisor)
    assert "/reports/commissioner.pdf?" in client.get("/reports/commissioner/").content.decode()
    assert "/reports/commissioner.pdf" not in client.get("/reports/service/").content.decode()


# The filters


def test_the_default_period_is_the_twelve_months_to_today_in_london(
    built: list[ReportScope], supervisor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(forms, "local_today", lambda: dt.date(2026, 11, 24))
    html = signed_in(supervisor).get("/reports/service/").content.decode()
    assert built == [
        ReportScope(supervisor.organisation_id or 0, dt.date(2025, 11, 25), dt.date(2026, 11, 24))
    ]
    assert "25 November 2025 to 24 November 2026" in html
    assert 'value="25/11/2025"' in html


def test_on_29_february_the_period_starts_on_1_march(db: None) -> None:
    assert forms.default_period(dt.date(2028, 2, 29)) == (dt.date(2027, 3, 1), dt.date(2028, 2, 29))


def test_the_filters_narrow_to_a_team_and_connector_and_the_downloads_keep_them(
    built: list[ReportScope], supervisor: User, team: Team, connector: User
) -> None:
    query = f"date_from=01/01/2026&date_to=31/03/2026&team={team.pk}&connector={connector.pk}"
    html = signed_in(supervisor).get(f"/reports/service/?{query}").content.decode()
    assert built == [
        ReportScope(
            supervisor.organisation_id or 0, dt.date(2026, 1, 1), dt.date(2026, 3, 31), team.pk, connector.pk
        )
    ]
    assert f"team: North team; connector: {connector}" in html
    kept = f"date_from=2026-01-01&amp;date_to=2026-03-31&amp;team={team.pk}&amp;connector={connector.pk}"
    assert f"/reports/service.json?{kept}" in html
    assert f"/reports/service/referrals_by_month.csv?{kept}" in html


def test_only_connectors_of_the_organisation_are_offered(
    built: list[ReportScope], supervisor: User, connector: User, outsider_admin: User, analyst: User
) -> None:
    html = signed_in(supervisor).get("/reports/service/").content.decode()
    offered = re.findall(r'<option value="(\d+)"', html.split('name="connector"')[1].split("</select>")[0])
    assert offered == [str(connector.pk)]


def test_an_analyst_is_not_offered_the_connector_filter_and_it_is_ignored(
    built: list[ReportScope], analyst: User, connector: User
) -> None:
    html = signed_in(analyst).get(
        f"/reports/service/?date_from=2026-01-01&date_to=2026-01-31&connector={connector.pk}"
    )
    assert 'name="connector"' not in html.content.decode()
    assert built[0].connector_id is None


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            "date_from=01/03/2026&date_to=01/02/2026",
            "date_to",
            "The last day of the period must be the same as or after",
        ),
        (
            "date_from=31/02/2026&date_to=01/03/2026",
            "date_from",
            "Enter the first day of the period as a real date",
        ),
        (
            "date_from=soon&date_to=01/03/2026",
            "date_from",
            "Enter the first day of the period as a real date",
        ),
        ("date_from=&date_to=01/03/2026", "date_from", "Enter the first day of the period"),
        ("date_from=01/01/2026&date_to=01/03/2026&team=999999", "team", "Choose a team from the list"),
        ("date_from=01/01/2026&date_to=01/03/2026&team=north", "team", "Choose a team from the list"),
        (
            "date_from=01/01/2026&date_to=01/03/2026&connector=999999",
            "connector",
            "Choose a connector from the list",
        ),
    ],
)
def test_bad_filters_are_explained_and_nothing_is_computed(
    built: list[ReportScope], supervisor: User, query: str, field: str, message: str
) -> None:
    response = signed_in(supervisor).get(f"/reports/service/?{query}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert f'<a href="#id_{field}">{message}' in html
    assert "<title>Error: " in html
    assert built == []
    assert 'id="table-' not in html
    assert not AuditEvent.objects.filter(event__startswith="report.").exists()


def test_another_organisations_team_or_connector_is_not_in_the_list(
    built: list[ReportScope], supervisor: User, other_team: Team, outsider_admin: User
) -> None:
    html = (
        signed_in(supervisor)
        .get(
            f"/reports/service/?date_from=2026-01-01&date_to=2026-01-31&team={other_team.pk}&connector={outsider_admin.pk}"
        )
        .content.decode()
    )
    assert "Choose a team from the list" in html
    assert "Choose a connector from the list" in html
    assert "Elsewhere team" not in html
    assert built == []


def test_another_organisations_supervisor_cannot_use_our_team(
    built: list[ReportScope], outsider_supervisor: User, team: Team
) -> None:
    html = (
        signed_in(outsider_supervisor)
        .get(f"/reports/service/?date_from=2026-01-01&date_to=2026-01-31&team={team.pk}")
        .content.decode()
    )
    assert "Choose a team from the list" in html
    assert "North team" not in html
    assert built == []


@pytest.mark.parametrize(
    "address",
    ["/reports/service.json", "/reports/service/referrals_by_month.csv", "/reports/commissioner.pdf"],
)
def test_a_download_with_bad_filters_goes_back_to_the_page_to_explain(
    built: list[ReportScope], supervisor: User, address: str
) -> None:
    response = signed_in(supervisor).get(f"{address}?date_from=2026-03-01&date_to=2026-02-01")
    page = "commissioner" if "commissioner" in address else "service"
    assert response.status_code == 302
    assert response["Location"] == f"/reports/{page}/?date_from=2026-03-01&date_to=2026-02-01"
    assert built == []


# Downloads and audit


def test_downloads_have_their_types_and_file_names(built: list[ReportScope], supervisor: User) -> None:
    client = signed_in(supervisor)
    query = "?date_from=2026-01-01&date_to=2026-03-31"
    period = "2026-01-01-to-2026-03-31"
    table = client.get(f"/reports/service/referrals_by_month.csv{query}")
    assert table["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        table["Content-Disposition"]
        == f'attachment; filename="linkwork-service-{period}-referrals_by_month.csv"'
    )
    whole = client.get(f"/reports/service.json{query}")
    assert whole["Content-Type"] == "application/json"
    assert whole["Content-Disposition"] == f'attachment; filename="linkwork-service-{period}.json"'
    printable = client.get(f"/reports/commissioner/print/{query}")
    assert printable["Content-Type"] == "text/html; charset=utf-8"
    assert "Methods" in printable.content.decode()
    pdf = client.get(f"/reports/commissioner.pdf{query}")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="linkwork-commissioner-{period}.pdf"'
    assert pdf.content.startswith(b"%PDF")
    assert all("no-store" in response["Cache-Control"] for response in (table, whole, printable, pdf))


def test_each_view_and_download_is_audited(built: list[ReportScope], analyst: User) -> None:
    client = signed_in(analyst)
    query = "?date_from=2026-01-01&date_to=2026-03-31"
    for address in (
        "/reports/service/",
        "/reports/service/referrals_by_month.csv",
        "/reports/service.json",
        "/reports/commissioner/print/",
        "/reports/commissioner.pdf",
    ):
        assert client.get(f"{address}{query}").status_code == 200
    entries = AuditEvent.objects.filter(event__startswith="report.").order_by("seq")
    assert [(entry.event, entry.detail["report"], entry.detail["how"]) for entry in entries] == [
        ("report.viewed", "service", "page"),
        ("report.exported", "service", "csv"),
        ("report.exported", "service", "json"),
        ("report.exported", "commissioner", "html"),
        ("report.exported", "commissioner", "pdf"),
    ]
    first = entries[0]
    assert (first.actor_id, first.organisation_id) == (analyst.pk, analyst.organisation_id)
    assert first.detail["period_from"] == "2026-01-01"
    assert first.detail["period_to"] == "2026-03-31"
    assert first.detail["suppressed"] is True


# The real sections


@pytest.mark.parametrize("name", REPORT_NAMES)
@pytest.mark.parametrize("who", ["supervisor", "analyst"])
def test_every_report_page_opens_with_the_real_sections(
    name: str, who: str, connector: User, request: pytest.FixtureRequest
) -> None:
    for area, times in (("W10", 3), ("W11", 7)):
        for _ in range(times):
            gap_services.gap_record(actor=connector, need="Chess", area=area)
    response = signed_in(request.getfixturevalue(who)).get(f"/reports/{name}/")
    assert response.status_code == 200
    assert 'id="table-' in response.content.decode()


def test_an_analyst_sees_real_gaps_by_area_suppressed(
    supervisor: User, analyst: User, connector: User
) -> None:
    for area, times in (("W10", 3), ("W11", 7)):
        for _ in range(times):
            gap_services.gap_record(actor=connector, need="Chess", area=area)
    as_is = signed_in(supervisor).get("/reports/gaps/").content.decode()
    assert table_cells(as_is, "gaps_by_area") == [["W11", "7"], ["W10", "3"], ["All gaps", "10"]]
    hidden = signed_in(analyst).get("/reports/gaps/").content.decode()
    assert table_cells(hidden, "gaps_by_area") == [["W11", "<5"], ["W10", "<5"], ["All gaps", "10"]]


def test_another_organisations_supervisor_gets_only_their_own_organisations_report(
    built: list[ReportScope], outsider_supervisor: User, supervisor: User
) -> None:
    assert signed_in(outsider_supervisor).get("/reports/service/").status_code == 200
    assert [scope.organisation_id for scope in built] == [outsider_supervisor.organisation_id]
    assert outsider_supervisor.organisation_id != supervisor.organisation_id
