"""Reports in the API: who may fetch them, small numbers hidden from analysts (never sent), the filters'
checks, the CSV of one table, the audit entries, and the OpenAPI description."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from linkwork.accounts.models import Team, User
from linkwork.audit.models import AuditEvent
from linkwork.matching import gaps as gap_services
from linkwork.reporting.scope import ReportScope
from tests.conftest import signed_in
from tests.reporting.test_report_pages import (
    AS_IS,
    SUPPRESSED,
    analyst,
    assert_no_small_numbers,
    built,
    csv_rows,
    editor,
    other_team,
    outsider_supervisor,
    team,
)

__all__ = ["analyst", "built", "editor", "other_team", "outsider_supervisor", "team"]

PERIOD = "date_from=2026-01-01&date_to=2026-03-31"


def cells_as_displayed(report: dict[str, object], key: str) -> list[list[str]]:
    for section in report["sections"]:  # type: ignore[attr-defined]
        for table in section["tables"]:
            if table["key"] == key:
                order = [column["key"] for column in table["columns"]]
                rows = [*table["rows"], *([table["total"]] if table["total"] else [])]
                return [
                    [row["label"], *(row["cells"][column]["display"] for column in order)] for row in rows
                ]
    raise AssertionError(f"no table {key}")


def test_a_supervisor_gets_the_real_numbers(built: list[ReportScope], supervisor: User) -> None:
    response = signed_in(supervisor).get(f"/api/v1/reports/service?{PERIOD}")
    assert response.status_code == 200
    report = response.json()
    assert (report["name"], report["suppressed"], report["period_from"], report["period_to"]) == (
        "service",
        False,
        "2026-01-01",
        "2026-03-31",
    )
    assert cells_as_displayed(report, "referrals_by_month") == AS_IS
    january = report["sections"][0]["tables"][0]["rows"][0]["cells"]["self"]
    assert (january["value"], january["suppressed"]) == (3, False)
    assert built == [ReportScope(supervisor.organisation_id or 0, dt.date(2026, 1, 1), dt.date(2026, 3, 31))]


def test_an_analyst_never_receives_a_hidden_number(built: list[ReportScope], analyst: User) -> None:
    report = signed_in(analyst).get(f"/api/v1/reports/service?{PERIOD}").json()
    assert report["suppressed"] is True
    assert report["threshold"] == 5
    assert cells_as_displayed(report, "referrals_by_month") == SUPPRESSED
    assert report["sections"][0]["tables"][0]["rows"][0]["cells"]["self"] == {
        "suppressed": True,
        "display": "<5",
    }
    assert_no_small_numbers(report)


def test_the_commissioner_report_is_suppressed_for_a_supervisor_too(
    built: list[ReportScope], supervisor: User
) -> None:
    report = signed_in(supervisor).get(f"/api/v1/reports/commissioner?{PERIOD}").json()
    assert report["suppressed"] is True
    assert cells_as_displayed(report, "referrals_by_month") == SUPPRESSED
    assert report["sections"][-1]["title"] == "Methods"


def test_an_analyst_sees_real_gaps_from_the_database_suppressed(
    supervisor: User, analyst: User, connector: User
) -> None:
    for need, area, times in (("Chess", "W10", 3), ("Swimming", "W11", 7)):
        for _ in range(times):
            gap_services.gap_record(actor=connector, need=need, area=area)
    as_is = signed_in(supervisor).get("/api/v1/reports/gaps").json()
    assert cells_as_displayed(as_is, "gaps_by_area") == [["W11", "7"], ["W10", "3"], ["All gaps", "10"]]
    hidden = signed_in(analyst).get("/api/v1/reports/gaps").json()
    assert cells_as_displayed(hidden, "gaps_by_area") == [["W11", "<5"], ["W10", "<5"], ["All gaps", "10"]]
    # The gap tables count gaps recorded for people (the directory's tables count services, not people).
    assert_no_small_numbers(hidden, tables="gaps_")


@pytest.mark.parametrize("who", ["connector", "volunteer", "editor"])
def test_other_staff_are_refused(built: list[ReportScope], who: str, request: pytest.FixtureRequest) -> None:
    client = signed_in(request.getfixturevalue(who))
    for address in ("/api/v1/reports/service", "/api/v1/reports/service/tables/referrals_by_month.csv"):
        response = client.get(address)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "PERMISSION_DENIED"
    assert built == []


def test_without_signing_in_the_api_asks_for_credentials(db: None) -> None:
    response = Client().get("/api/v1/reports/service")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHENTICATED"


def test_another_organisations_team_is_not_found(
    built: list[ReportScope], supervisor: User, other_team: Team
) -> None:
    response = signed_in(supervisor).get(f"/api/v1/reports/service?team={other_team.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    assert built == []


def test_another_organisations_supervisor_cannot_use_our_team_or_connector(
    built: list[ReportScope], outsider_supervisor: User, team: Team, connector: User
) -> None:
    client = signed_in(outsider_supervisor)
    assert client.get(f"/api/v1/reports/service?team={team.pk}").status_code == 404
    assert client.get(f"/api/v1/reports/service?connector={connector.pk}").status_code == 404
    assert built == []


def test_a_team_and_connector_narrow_the_report(
    built: list[ReportScope], supervisor: User, team: Team, connector: User
) -> None:
    response = signed_in(supervisor).get(
        f"/api/v1/reports/service?{PERIOD}&team={team.pk}&connector={connector.pk}"
    )
    assert response.status_code == 200
    assert built[0].team_id == team.pk
    assert built[0].connector_id == connector.pk
    assert (
        response.json()["scope"]
        == f"1 January 2026 to 31 March 2026; team: North team; connector: {connector}"
    )


def test_an_analyst_may_not_narrow_to_a_connector(
    built: list[ReportScope], analyst: User, connector: User
) -> None:
    response = signed_in(analyst).get(f"/api/v1/reports/service?connector={connector.pk}")
    assert response.status_code == 403
    assert built == []


def test_without_dates_the_period_is_the_last_twelve_months(
    built: list[ReportScope], supervisor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("linkwork.reporting.forms.local_today", lambda: dt.date(2026, 11, 24))
    report = signed_in(supervisor).get("/api/v1/reports/service").json()
    assert (report["period_from"], report["period_to"]) == ("2025-11-25", "2026-11-24")
    ending = signed_in(supervisor).get("/api/v1/reports/service?date_to=2026-03-31").json()
    assert (ending["period_from"], ending["period_to"]) == ("2025-04-01", "2026-03-31")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("date_from=2026-03-01&date_to=2026-02-01", "date_to"),
        ("date_from=2026-02-31", "date_from"),
        ("date_to=soon", "date_to"),
        ("team=north", "team"),
    ],
)
def test_bad_filters_are_refused_with_the_field_named(
    built: list[ReportScope], supervisor: User, query: str, field: str
) -> None:
    response = signed_in(supervisor).get(f"/api/v1/reports/service?{query}")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert list(error["fields"]) == [field]
    assert built == []


def test_an_unknown_report_or_table(built: list[ReportScope], supervisor: User) -> None:
    client = signed_in(supervisor)
    assert client.get("/api/v1/reports/wellbeing").status_code == 422
    response = client.get("/api/v1/reports/service/tables/no_such_table.csv")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(event__startswith="report.").exists()


def test_one_table_as_csv(built: list[ReportScope], analyst: User, supervisor: User) -> None:
    response = signed_in(analyst).get(f"/api/v1/reports/service/tables/referrals_by_month.csv?{PERIOD}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="linkwork-service-2026-01-01-to-2026-03-31-referrals_by_month.csv"'
    )
    assert csv_rows(response.content) == [
        ["Month", "GP practice", "Self-referral", "All referrals"],
        *SUPPRESSED,
    ]
    as_is = signed_in(supervisor).get(f"/api/v1/reports/service/tables/referrals_by_month.csv?{PERIOD}")
    assert csv_rows(as_is.content)[1:] == AS_IS


def test_each_call_is_audited(built: list[ReportScope], analyst: User) -> None:
    client = signed_in(analyst)
    client.get(f"/api/v1/reports/service?{PERIOD}")
    client.get(f"/api/v1/reports/commissioner/tables/referrals_by_month.csv?{PERIOD}")
    entries = AuditEvent.objects.filter(event__startswith="report.").order_by("seq")
    assert [(entry.event, entry.detail["report"], entry.detail["how"]) for entry in entries] == [
        ("report.viewed", "service", "api"),
        ("report.exported", "commissioner", "csv"),
    ]
    assert all(entry.actor_id == analyst.pk and entry.detail["suppressed"] for entry in entries)


def test_the_openapi_description_documents_both_endpoints(db: None) -> None:
    schema = json.loads(Client().get("/api/v1/openapi.json").content)
    report = schema["paths"]["/api/v1/reports/{name}"]["get"]
    assert {parameter["name"] for parameter in report["parameters"]} == {
        "name",
        "date_from",
        "date_to",
        "team",
        "connector",
    }
    assert "<5" in report["description"]
    table = schema["paths"]["/api/v1/reports/{name}/tables/{table_key}.csv"]["get"]
    assert "text/csv" in table["responses"]["200"]["content"]
