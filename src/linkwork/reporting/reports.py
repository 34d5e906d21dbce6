"""Putting a report together: its sections, then disclosure control, then the charts.

The order matters. Section builders return every figure as it is; small numbers are hidden (when the
audience needs it) before anything is drawn, so a chart can never show what its table hides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from linkwork.audit.services import audit_record
from linkwork.core.time import now, to_london
from linkwork.outcomes.definitions import Instrument, instrument_list
from linkwork.reporting import charts, connections, disclosure, equity, gaps, outcomes, service
from linkwork.reporting.router import reading_for_reports
from linkwork.reporting.scope import ReportName, ReportScope
from linkwork.reporting.tables import Report, Section

TITLES: dict[ReportName, str] = {
    ReportName.SERVICE: "Service",
    ReportName.OUTCOMES: "Outcomes",
    ReportName.CONNECTIONS: "Connections",
    ReportName.GAPS: "Infrastructure gaps",
    ReportName.EQUITY: "Equity",
    ReportName.COMMISSIONER: "Report for commissioners",
}

# How a report was seen: on a page or through the API is a view; anything else is a copy leaving.
VIEWED_HOW = ("page", "api")


def _builders(name: ReportName) -> list[Callable[[ReportScope], Section]]:
    # Looked up at call time (not bound at import) so each section module stays the one source.
    every = {
        ReportName.SERVICE: service.service_section,
        ReportName.OUTCOMES: outcomes.outcomes_section,
        ReportName.CONNECTIONS: connections.connections_section,
        ReportName.GAPS: gaps.gaps_section,
        ReportName.EQUITY: equity.equity_section,
    }
    if name is ReportName.COMMISSIONER:
        return list(every.values())
    return [every[name]]


def build_report(name: ReportName, scope: ReportScope, *, suppressed: bool, scope_label: str = "") -> Report:
    """Compose the named report over `scope`. The commissioner report is always suppressed."""
    limit = disclosure.threshold()
    label = scope_label or scope.describe()
    generated_at = now()
    with reading_for_reports():  # from the read replica, when there is one
        sections = [build(scope) for build in _builders(name)]
    if name is ReportName.COMMISSIONER:
        sections.append(methods_section(sections, label, limit, generated_at))
    report = Report(
        name=name.value,
        title=TITLES[name],
        period_from=scope.date_from,
        period_to=scope.date_to,
        scope=label,
        generated_at=generated_at,
        sections=sections,
        suppressed=False,
        threshold=limit,
    )
    if suppressed or name is ReportName.COMMISSIONER:
        disclosure.suppress_report(report, limit)
    charts.add_charts(report)
    return report


def methods_section(
    sections: list[Section], scope_label: str, limit: int, generated_at: dt.datetime
) -> Section:
    """How the figures were made, in plain words, for readers outside the service."""
    notes = [
        "What is counted: a referral belongs to the period when it was received; a support episode "
        "when it started; a measure, contact or connection when it was recorded or made. Each table "
        "says what it counts.",
        "A support episode is one spell of support for one person from one connector, from its start "
        "to its closing. A connection is an onward referral of a person to a group, activity or "
        "service. A gap is a need recorded when nothing suitable was within reach.",
        "Outcomes compare a person's measure at the start of support (baseline) with the one at the "
        "end of it (ending), and at follow-up where there is one. Only support episodes with both "
        "measures (paired) are counted in a change. Changes are shown as the mean change with its "
        "95% confidence interval (t distribution).",
        f"Small numbers: any figure that counts fewer than {limit} people, or is worked out from fewer "
        f'than {limit}, is shown as "<{limit}" (no one and a few look the same). Where a hidden '
        "figure could be worked out from a total, another figure is hidden too.",
        f"Period and scope: {scope_label}.",
        f"Generated at {to_london(generated_at):%-d %B %Y %H:%M} (London time).",
    ]
    instruments = _instruments_used(sections)
    if not instruments:
        notes.append("No questionnaire results are reported for this period.")
    for instrument in instruments:
        source = next(iter(instrument.sources.values()), "")
        notes.append(
            f"{instrument.name}: {instrument.measures.rstrip('.')}. "
            + (f"Source: {source.rstrip('.')}." if source else "")
        )
    return Section(key="methods", title="Methods", tables=[], notes=notes)


def _instruments_used(sections: list[Section]) -> list[Instrument]:
    """The instruments the outcomes tables report on (each has its own `outcomes_missing_<code>`
    table, and UCLA-3 its headline tables), in the order the instruments are listed."""
    keys = {table.key for section in sections for table in section.tables}
    return [
        instrument
        for instrument in instrument_list()
        if f"outcomes_missing_{instrument.code}" in keys
        or any(key.startswith(f"{instrument.code}_") for key in keys)
    ]


def record_report_view(actor: Any, report: Report, how: str, *, organisation_id: int | None = None) -> None:
    """Write the audit entry for a report being seen (`how` is "page" or "api") or exported (the
    format: "csv", "json", "html", "pdf"). Pass `organisation_id` when the actor is an operator."""
    audit_record(
        actor=actor,
        event="report.viewed" if how in VIEWED_HOW else "report.exported",
        organisation_id=organisation_id,
        detail={
            "report": report.name,
            "how": how,
            "period_from": report.period_from.isoformat(),
            "period_to": report.period_to.isoformat(),
            "scope": report.scope,
            "suppressed": report.suppressed,
        },
    )
