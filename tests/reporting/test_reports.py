"""Composing reports: which sections each report holds, suppression before charts, the methods note,
and the audit entry for a report being seen or exported.

The section builders are replaced with hand-built sections here (their own figures are tested next to
them), so these tests check only how a report is put together. `sample_sections` is shared with the
chart, export and command tests.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from linkwork.accounts.models import Organisation, User
from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.core.policies import Operator
from linkwork.reporting import connections, equity, gaps, outcomes, service
from linkwork.reporting.reports import build_report, methods_section, record_report_view
from linkwork.reporting.scope import ReportName, ReportScope
from linkwork.reporting.tables import Column, Figure, Kind, Report, Row, Section, Table

MONTHS = (("2026-01", "January 2026"), ("2026-02", "February 2026"), ("2026-03", "March 2026"))


def count_row(key: str, label: str, counts: dict[str, int]) -> Row:
    return Row(key, label, {name: Figure.count(n) for name, n in counts.items()})


def referrals_by_month(by_month: list[tuple[int, int]]) -> Table:
    """Referrals from two sources each month, with the row and column totals the service declares."""
    columns = [
        Column("self", "Self-referral", Kind.COUNT, adds_to_row_total=True),
        Column("gp", "GP practice", Kind.COUNT, adds_to_row_total=True),
        Column("total", "All referrals", Kind.COUNT),
    ]
    rows = [
        count_row(key, label, {"self": own, "gp": gp, "total": own + gp})
        for (key, label), (own, gp) in zip(MONTHS, by_month, strict=True)
    ]
    own_sum, gp_sum = sum(own for own, _ in by_month), sum(gp for _, gp in by_month)
    total = count_row("total", "Whole period", {"self": own_sum, "gp": gp_sum, "total": own_sum + gp_sum})
    return Table(
        "referrals_by_month",
        "Referrals by source and month",
        columns,
        rows,
        description="Counts referrals received.",
        row_header="Month",
        row_total="total",
        total=total,
    )


def waiting_times() -> Table:
    columns = [
        Column("referrals", "Referrals with a first contact", Kind.COUNT),
        Column("median_days", "Median wait", Kind.DAYS),
        Column("p90_days", "90th percentile wait", Kind.DAYS),
    ]
    people = (12, 3, 9)
    medians = (6.0, 4.0, 11.5)
    rows = [
        Row(
            key,
            label,
            {
                "referrals": Figure.count(n),
                "median_days": Figure(median, n),
                "p90_days": Figure(median * 2, n),
            },
        )
        for (key, label), n, median in zip(MONTHS, people, medians, strict=True)
    ]
    total = Row(
        "total",
        "Whole period",
        {"referrals": Figure.count(24), "median_days": Figure(7.0, 24), "p90_days": Figure(20.0, 24)},
    )
    return Table("waiting_times", "Waiting times", columns, rows, row_header="Month", total=total)


def ucla3_distribution() -> Table:
    baseline = {3: 0, 4: 1, 5: 2, 6: 6, 7: 8, 8: 7, 9: 6}
    ending = {3: 7, 4: 9, 5: 6, 6: 5, 7: 2, 8: 1, 9: 0}
    columns = [Column("baseline", "At the start", Kind.COUNT), Column("ending", "At the end", Kind.COUNT)]
    rows = [
        count_row(str(score), str(score), {"baseline": baseline[score], "ending": ending[score]})
        for score in range(3, 10)
    ]
    total = count_row("total", "All paired", {"baseline": 30, "ending": 30})
    return Table("ucla3_distribution", "UCLA-3 scores", columns, rows, row_header="UCLA-3 score", total=total)


def equity_age_band() -> Table:
    columns = [
        Column("episodes", "Support episodes", Kind.COUNT),
        Column("ucla3_change", "Mean change in UCLA-3", Kind.MEAN),
    ]
    changes = {
        "18-49": (8, -1.5, -2.4, -0.6),
        "50-64": (3, -2.0, -4.0, 0.0),
        "65+": (19, -0.8, -1.3, -0.3),
    }
    rows = [
        Row(
            band,
            band,
            {"episodes": Figure.count(n), "ucla3_change": Figure(mean, n, low=low, high=high)},
        )
        for band, (n, mean, low, high) in changes.items()
    ]
    total = Row(
        "all",
        "All support episodes",
        {"episodes": Figure.count(30), "ucla3_change": Figure(-1.1, 30, low=-1.5, high=-0.7)},
    )
    return Table("equity_age_band", "By age band", columns, rows, row_header="Age band", total=total)


def gaps_by_area() -> Table:
    counts = {"LS1": 9, "LS2": 2, "Not given": 6}
    rows = [count_row(area, area, {"gaps": n}) for area, n in counts.items()]
    return Table(
        "gaps_by_area",
        "Gaps by area",
        [Column("gaps", "Gaps recorded", Kind.COUNT)],
        rows,
        row_header="Area",
        total=count_row("total", "All areas", {"gaps": 17}),
    )


def sample_sections() -> dict[str, Section]:
    """One small section per report, with the tables other engineers' keys promise."""
    return {
        "service": Section(
            "service",
            "Service dashboard",
            [referrals_by_month([(7, 6), (2, 9), (5, 5)]), waiting_times()],
        ),
        "outcomes": Section("outcomes", "Outcomes", [ucla3_distribution()]),
        "connections": Section(
            "connections",
            "Connections",
            [
                Table(
                    "connections_summary",
                    "Onward referrals",
                    [Column("made", "Connections made", Kind.COUNT)],
                    [count_row("all", "All", {"made": 14})],
                )
            ],
        ),
        "gaps": Section("gaps", "Infrastructure gaps", [gaps_by_area()]),
        "equity": Section("equity", "Equity", [equity_age_band()]),
    }


def sample_report(*, suppressed: bool = True, name: ReportName = ReportName.COMMISSIONER) -> Report:
    """A report composed from the sample sections, without a database."""
    with pytest.MonkeyPatch.context() as patch:
        use_sample_sections(patch)
        return build_report(name, SCOPE, suppressed=suppressed, scope_label="Riverside Connectors: Q1 2026")


def use_sample_sections(patch: pytest.MonkeyPatch) -> None:
    for module, builder in (
        (service, "service_section"),
        (outcomes, "outcomes_section"),
        (connections, "connections_section"),
        (gaps, "gaps_section"),
        (equity, "equity_section"),
    ):
        section = sample_sections()[module.__name__.rsplit(".", 1)[1]]
        patch.setattr(module, builder, lambda scope, section=section: section)


SCOPE = ReportScope(organisation_id=1, date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 3, 31))


@pytest.mark.parametrize(
    ("name", "sections"),
    [
        (ReportName.SERVICE, ["service"]),
        (ReportName.OUTCOMES, ["outcomes"]),
        (ReportName.CONNECTIONS, ["connections"]),
        (ReportName.GAPS, ["gaps"]),
        (ReportName.EQUITY, ["equity"]),
        (ReportName.COMMISSIONER, ["service", "outcomes", "connections", "gaps", "equity", "methods"]),
    ],
)
def test_each_report_holds_its_sections(name: ReportName, sections: list[str]) -> None:
    report = sample_report(name=name, suppressed=False)
    assert [section.key for section in report.sections] == sections
    assert report.name == name.value
    assert (report.period_from, report.period_to) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert report.scope == "Riverside Connectors: Q1 2026"


def test_an_unsuppressed_report_keeps_small_numbers() -> None:
    report = sample_report(name=ReportName.SERVICE, suppressed=False)
    assert report.suppressed is False
    february = report.table("referrals_by_month").rows[1]
    assert february.cells["self"].value == 2
    assert not february.cells["self"].suppressed


def test_a_suppressed_report_hides_small_numbers_and_those_that_would_give_them_away() -> None:
    report = sample_report(name=ReportName.SERVICE, suppressed=True)
    assert report.suppressed is True and report.threshold == 5
    table = report.table("referrals_by_month")
    february = table.rows[1]
    # 2 self-referrals in February are hidden; so is the smallest other part of the same month's sum.
    assert february.cells["self"].suppressed and february.cells["self"].value is None
    assert february.cells["gp"].suppressed or february.cells["total"].suppressed
    assert table.rows[0].cells["self"].value == 7


def test_the_commissioner_report_is_always_suppressed() -> None:
    report = sample_report(name=ReportName.COMMISSIONER, suppressed=False)
    assert report.suppressed is True
    assert report.table("waiting_times").rows[1].cells["referrals"].suppressed


def test_the_threshold_setting_is_used(settings: Any) -> None:
    settings.LINKWORK_REPORT_THRESHOLD = 10
    report = sample_report(name=ReportName.SERVICE, suppressed=True)
    assert report.threshold == 10
    assert report.table("referrals_by_month").rows[0].cells["self"].suppressed  # 7 < 10


def test_charts_are_drawn_from_the_suppressed_tables() -> None:
    report = sample_report(name=ReportName.SERVICE, suppressed=True)
    chart = next(chart for chart in report.sections[0].charts if chart.key == "waiting_times")
    # February's 3 referrals are hidden, so its waits are too: the words say so and give no number.
    assert "February 2026: median fewer than 5, 90th percentile fewer than 5" in chart.alt
    assert "4 days" not in chart.alt


def test_every_chart_key_is_drawn_for_the_commissioner_report() -> None:
    report = sample_report()
    keys = {chart.key for section in report.sections for chart in section.charts}
    assert keys == {
        "referrals_by_month",
        "waiting_times",
        "ucla3_distribution",
        "gaps_by_area",
        "equity_age_band_ucla3_change",
    }


def test_the_methods_section_states_the_rule_the_period_and_the_instruments() -> None:
    report = sample_report()
    methods = report.sections[-1]
    text = "\n".join(methods.notes)
    assert methods.key == "methods" and methods.tables == []
    assert "fewer than 5 people" in text and '"<5"' in text
    assert "Period and scope: Riverside Connectors: Q1 2026." in text
    assert "UCLA 3-item loneliness scale" in text and "Hughes ME" in text
    assert "Generated at" in text
    assert "Patient Health Questionnaire" not in text  # only the instruments the report shows


def test_the_methods_section_says_when_no_questionnaires_are_reported() -> None:
    methods = methods_section([], "Q1", 5, dt.datetime(2026, 4, 1, 9, 30, tzinfo=dt.UTC))
    assert "No questionnaire results are reported for this period." in methods.notes
    assert "Generated at 1 April 2026 10:30 (London time)." in methods.notes


@pytest.mark.django_db
def test_viewing_a_report_on_a_page_is_audited_as_a_view(supervisor: User) -> None:
    report = sample_report(name=ReportName.SERVICE, suppressed=False)
    record_report_view(supervisor, report, "page")
    entry = AuditEvent.objects.get(event="report.viewed")
    assert entry.action == AuditAction.VIEW
    assert entry.actor_id == supervisor.pk and entry.organisation_id == supervisor.organisation_id
    assert entry.detail == {
        "report": "service",
        "how": "page",
        "period_from": "2026-01-01",
        "period_to": "2026-03-31",
        "scope": "Riverside Connectors: Q1 2026",
        "suppressed": False,
    }


@pytest.mark.django_db
def test_an_operator_export_is_audited_as_an_export_of_that_organisation(organisation: Organisation) -> None:
    report = sample_report()
    record_report_view(Operator("alex"), report, "pdf", organisation_id=organisation.pk)
    entry = AuditEvent.objects.get(event="report.exported")
    assert entry.action == AuditAction.EXPORT
    assert entry.actor_username == "operator:alex" and entry.organisation_id == organisation.pk
    assert entry.detail["how"] == "pdf" and entry.detail["suppressed"] is True


def test_the_view_and_export_events_are_registered() -> None:
    from linkwork.audit.events import EVENTS

    assert EVENTS["report.viewed"].action == AuditAction.VIEW
    assert EVENTS["report.exported"].action == AuditAction.EXPORT
