"""Who may see which report, over what, and whether small numbers are hidden from them.

Supervisors and organisation admins run the service, so they see its figures as they are. Analysts
see every report, always with disclosure control. Anything that leaves the service (the commissioner
report, and every report produced by the command line) is always suppressed. No one else sees reports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from linkwork.accounts.models import Team, User
from linkwork.accounts.roles import Role
from linkwork.core.errors import NotFound, PermissionDenied, ValidationFailed
from linkwork.core.time import LONDON

MANAGEMENT_ROLES = (Role.SUPERVISOR, Role.ORGANISATION_ADMIN)
REPORTING_ROLES = (*MANAGEMENT_ROLES, Role.ANALYST)


class ReportName(StrEnum):
    SERVICE = "service"
    OUTCOMES = "outcomes"
    CONNECTIONS = "connections"
    GAPS = "gaps"
    EQUITY = "equity"
    COMMISSIONER = "commissioner"


@dataclass(frozen=True)
class ReportScope:
    """The slice of one organisation's work a report covers. Dates are inclusive, in London time.

    A support episode belongs to the period when it started in it; a referral when it was received;
    a measure, contact or connection when it was recorded or made. `team_id` narrows to people held
    by that team and `connector_id` to support episodes held by that connector."""

    organisation_id: int
    date_from: dt.date
    date_to: dt.date
    team_id: int | None = None
    connector_id: int | None = None

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as [start, end) instants: midnight in London on its first day, and after its last."""
        return london_midnight(self.date_from), london_midnight(self.date_to + dt.timedelta(days=1))

    def describe(self, team_name: str = "", connector_name: str = "") -> str:
        parts = [f"{self.date_from:%-d %B %Y} to {self.date_to:%-d %B %Y}"]
        if team_name:
            parts.append(f"team: {team_name}")
        if connector_name:
            parts.append(f"connector: {connector_name}")
        return "; ".join(parts)


def london_midnight(day: dt.date) -> dt.datetime:
    """The instant a London day starts (summer time included)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=LONDON)


def may_see_reports(user: User) -> bool:
    return user.is_active and user.organisation_id is not None and user.has_role(*REPORTING_ROLES)


def sees_suppressed(user: User, name: ReportName) -> bool:
    """Whether this user sees this report with small numbers hidden."""
    return name is ReportName.COMMISSIONER or not user.has_role(*MANAGEMENT_ROLES)


def scope_for(
    user: User,
    *,
    date_from: dt.date,
    date_to: dt.date,
    team_id: int | None = None,
    connector_id: int | None = None,
) -> ReportScope:
    """Check the user may see reports and build their scope; a team or connector from another
    organisation is refused as not found, so ids cannot be probed."""
    if not may_see_reports(user) or user.organisation_id is None:
        raise PermissionDenied()
    if date_to < date_from:
        raise ValidationFailed(
            "The end of the period must not be before its start.",
            fields={"date_to": "The end of the period must not be before its start."},
        )
    organisation_id = user.organisation_id
    if team_id is not None and not Team.objects.filter(pk=team_id, organisation_id=organisation_id).exists():
        raise NotFound()
    if (
        connector_id is not None
        and not User.objects.filter(pk=connector_id, organisation_id=user.organisation_id).exists()
    ):
        raise NotFound()
    return ReportScope(user.organisation_id, date_from, date_to, team_id, connector_id)
