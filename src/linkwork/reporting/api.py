"""Reports in the API, under /reports: a whole report as JSON, or one of its tables as CSV.

Supervisors and organisation admins see their organisation's figures as they are; analysts always with
small numbers hidden, and everyone sees the commissioner report that way. Anyone else is refused (403);
a team or connector from another organisation is not found (404). Each call is audited.
"""

import datetime as dt

from django.http import HttpResponse
from ninja import Field as NinjaField
from ninja import Query, Router, Schema

from linkwork.accounts.models import User
from linkwork.core.errors import NotFound, PermissionDenied
from linkwork.reporting import exporting
from linkwork.reporting.forms import default_period, scope_label
from linkwork.reporting.reports import build_report, record_report_view
from linkwork.reporting.schemas import ReportOut
from linkwork.reporting.scope import MANAGEMENT_ROLES, ReportName, scope_for, sees_suppressed
from linkwork.reporting.tables import Report
from linkwork.reporting.views import download_filename
from linkwork.web.http import StaffRequest

router = Router(tags=["reports"])

FILTERS = (
    "Filters, all optional: `date_from` and `date_to` (YYYY-MM-DD, inclusive, London time; by default "
    "the 12 months up to today, or up to `date_to` when only that is given), `team` (a team id) and "
    "`connector` (a member of staff's id; supervisors and organisation admins only)."
)
SUPPRESSION = (
    'Figures about fewer people than the threshold (5 unless configured) are shown as "<5", with no value, '
    "and others are hidden where a hidden one could be worked out from a total. Analysts always get "
    "figures this way, and everyone gets the commissioner report this way."
)


class ReportFilters(Schema):
    date_from: dt.date | None = NinjaField(
        None, description="First day of the period (default: 12 months before `date_to`, counting it)"
    )
    date_to: dt.date | None = NinjaField(None, description="Last day of the period (default: today)")
    team: int | None = NinjaField(None, description="Only people held by this team")
    connector: int | None = NinjaField(
        None, description="Only support episodes held by this connector (supervisors and admins only)"
    )


def _report(user: User, name: ReportName, filters: ReportFilters) -> Report:
    default_from, default_to = default_period(filters.date_to)
    if filters.connector is not None and not user.has_role(*MANAGEMENT_ROLES):
        raise PermissionDenied(
            "Only supervisors and organisation admins can narrow a report to one connector."
        )
    scope = scope_for(
        user,
        date_from=filters.date_from or default_from,
        date_to=filters.date_to or default_to,
        team_id=filters.team,
        connector_id=filters.connector,
    )
    # scope_for has checked the team and connector belong to the user's organisation.
    return build_report(name, scope, suppressed=sees_suppressed(user, name), scope_label=scope_label(scope))


@router.get(
    "/{name}",
    response=ReportOut,
    exclude_unset=True,
    summary="A report: its sections, tables and figures",
    description="Reports are `service`, `outcomes`, `connections`, `gaps`, `equity` and `commissioner` "
    f"(all five and a methods note). {FILTERS} {SUPPRESSION} A hidden figure has only "
    '`suppressed: true` and its `display` ("<5").',
)
def report_get(request: StaffRequest, name: ReportName, filters: Query[ReportFilters]) -> dict[str, object]:
    report = _report(request.auth, name, filters)
    record_report_view(request.auth, report, "api")
    return exporting.report_json(report)


@router.get(
    "/{name}/tables/{table_key}.csv",
    summary="One table of a report as CSV",
    description="The table as displayed on the page: a header row, one row per table row (the total "
    "last), and a pair of columns for the 95% confidence interval after each column that has one. "
    f"Table keys are in the report's JSON (`sections[].tables[].key`). {FILTERS} {SUPPRESSION}",
    openapi_extra={
        "responses": {
            200: {"description": "CSV (UTF-8)", "content": {"text/csv": {"schema": {"type": "string"}}}}
        }
    },
)
def report_table_csv(
    request: StaffRequest, name: ReportName, table_key: str, filters: Query[ReportFilters]
) -> HttpResponse:
    report = _report(request.auth, name, filters)
    try:
        table = report.table(table_key)
    except KeyError:
        raise NotFound() from None
    record_report_view(request.auth, report, "csv")
    body = exporting.table_csv(table, report.threshold)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    filename = download_filename(report, f"-{table.key}.csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
