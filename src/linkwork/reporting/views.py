"""Report pages and their downloads, for supervisors, organisation admins and analysts.

Every page and download goes through `scope.scope_for` (who may see reports, and that a team or connector
is the organisation's own), hides small numbers when `scope.sees_suppressed` says so, and writes an audit
entry. Downloads take the same filters as the page, in the query string; when they are wrong the
download goes back to the page, which says what to put right.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from linkwork.core.errors import NotFound, PermissionDenied
from linkwork.reporting import exporting
from linkwork.reporting.disclosure import threshold
from linkwork.reporting.formatting import table_view
from linkwork.reporting.forms import ReportFilterForm, filter_form
from linkwork.reporting.reports import TITLES, build_report, record_report_view
from linkwork.reporting.scope import ReportName, may_see_reports, scope_for, sees_suppressed
from linkwork.reporting.tables import Report
from linkwork.web.http import StaffRequest

SUMMARIES: dict[ReportName, str] = {
    ReportName.SERVICE: "Referrals, waiting times, caseloads, contacts, support episodes, budgets "
    "and endings.",
    ReportName.OUTCOMES: "How loneliness, wellbeing and networks changed from the start to the end of "
    "support, with confidence intervals.",
    ReportName.CONNECTIONS: "Onward referrals to groups and services: first visits, who is still going, "
    "and why people stopped.",
    ReportName.GAPS: "Needs nothing in reach could meet, directory coverage by area, and out-of-date "
    "entries.",
    ReportName.EQUITY: "The headline figures split by age, gender, ethnicity, disability, area and more, "
    "against the service average.",
    ReportName.COMMISSIONER: "Everything above with small numbers hidden, as a printable page and a PDF "
    "with a methods note.",
}


def _report_name(name: str) -> ReportName:
    try:
        return ReportName(name)
    except ValueError:
        raise NotFound() from None


def _report(request: StaffRequest, name: ReportName) -> tuple[ReportFilterForm, Report | None]:
    """The filter form and, when the filters are right, the report as this user may see it."""
    # The form lists the organisation's teams and connectors, so no one else may even see it.
    if not may_see_reports(request.user):
        raise PermissionDenied()
    form = filter_form(request.GET, user=request.user)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    team, connector = data.get("team"), data.get("connector")
    scope = scope_for(
        request.user,
        date_from=data["date_from"],
        date_to=data["date_to"],
        team_id=team.pk if team else None,
        connector_id=connector.pk if connector else None,
    )
    label = scope.describe(team.name if team else "", str(connector) if connector else "")
    suppressed = sees_suppressed(request.user, name)
    return form, build_report(name, scope, suppressed=suppressed, scope_label=label)


def _query(form: ReportFilterForm) -> str:
    """The filters as a query string for the download links (dates as YYYY-MM-DD)."""
    data = form.cleaned_data
    values = {"date_from": data["date_from"].isoformat(), "date_to": data["date_to"].isoformat()}
    for key in ("team", "connector"):
        if data.get(key):
            values[key] = str(data[key].pk)
    return urlencode(values)


def _sections(report: Report, query: str) -> list[dict[str, object]]:
    """What the page shows of each section: its tables as displayed, each with its CSV link."""
    return [
        {
            "key": section.key,
            "title": section.title,
            "notes": section.notes,
            "charts": section.charts,
            "tables": [
                {
                    "view": table_view(table, report.threshold),
                    "csv_url": f"{reverse('report_table_csv', args=[report.name, table.key])}?{query}",
                }
                for table in section.tables
            ],
        }
        for section in report.sections
    ]


def _back_to_page(request: StaffRequest, name: ReportName) -> HttpResponse:
    query = request.GET.urlencode()
    url = reverse("report_detail", args=[name.value])
    return HttpResponseRedirect(f"{url}?{query}" if query else url)


def download_filename(report: Report, suffix: str) -> str:
    """linkwork-service-2026-01-01-to-2026-03-31 followed by `suffix` (".json", "-<table>.csv", ...)."""
    return (
        f"linkwork-{report.name}-{report.period_from.isoformat()}-to-{report.period_to.isoformat()}{suffix}"
    )


def _download(body: str | bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def report_index(request: StaffRequest) -> HttpResponse:
    if not may_see_reports(request.user):
        raise PermissionDenied()
    reports = [
        (name, TITLES[name], SUMMARIES[name], reverse("report_detail", args=[name.value]))
        for name in ReportName
    ]
    context = {
        "reports": reports,
        "suppressed": sees_suppressed(request.user, ReportName.SERVICE),
        "threshold": threshold(),
    }
    return render(request, "reporting/index.html", context)


@never_cache
@login_required
@require_GET
def report_detail(request: StaffRequest, name: str) -> HttpResponse:
    report_key = _report_name(name)
    form, report = _report(request, report_key)
    context: dict[str, object] = {"form": form, "report": report, "title": TITLES[report_key]}
    if report is not None:
        record_report_view(request.user, report, "page")
        query = _query(form)
        context.update(
            query=query,
            json_url=f"{reverse('report_json', args=[report_key.value])}?{query}",
            print_url=f"{reverse('report_commissioner_print')}?{query}",
            pdf_url=f"{reverse('report_commissioner_pdf')}?{query}",
            is_commissioner=report_key is ReportName.COMMISSIONER,
            sections=_sections(report, query),
        )
    return render(request, "reporting/report.html", context)


@never_cache
@login_required
@require_GET
def report_table_csv(request: StaffRequest, name: str, table_key: str) -> HttpResponse:
    report_key = _report_name(name)
    _, report = _report(request, report_key)
    if report is None:
        return _back_to_page(request, report_key)
    try:
        table = report.table(table_key)
    except KeyError:
        raise NotFound() from None
    record_report_view(request.user, report, "csv")
    body = exporting.table_csv(table, report.threshold)
    return _download(body, "text/csv; charset=utf-8", download_filename(report, f"-{table.key}.csv"))


@never_cache
@login_required
@require_GET
def report_json(request: StaffRequest, name: str) -> HttpResponse:
    report_key = _report_name(name)
    _, report = _report(request, report_key)
    if report is None:
        return _back_to_page(request, report_key)
    record_report_view(request.user, report, "json")
    response = JsonResponse(exporting.report_json(report), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{download_filename(report, ".json")}"'
    return response


@never_cache
@login_required
@require_GET
def report_commissioner_print(request: StaffRequest) -> HttpResponse:
    _, report = _report(request, ReportName.COMMISSIONER)
    if report is None:
        return _back_to_page(request, ReportName.COMMISSIONER)
    record_report_view(request.user, report, "html")
    return HttpResponse(exporting.commissioner_html(report), content_type="text/html; charset=utf-8")


@never_cache
@login_required
@require_GET
def report_commissioner_pdf(request: StaffRequest) -> HttpResponse:
    _, report = _report(request, ReportName.COMMISSIONER)
    if report is None:
        return _back_to_page(request, ReportName.COMMISSIONER)
    record_report_view(request.user, report, "pdf")
    return _download(exporting.commissioner_pdf(report), "application/pdf", download_filename(report, ".pdf"))
