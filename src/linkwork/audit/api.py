"""Read-only access to the audit log for supervisors and organisation admins."""

import datetime as dt

from django.db.models import QuerySet
from ninja import Router, Schema
from ninja.pagination import paginate

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.audit.selectors import audit_event_list
from linkwork.core.pagination import BoundedLimitOffsetPagination
from linkwork.core.policies import Action, authorize
from linkwork.web.http import StaffRequest

router = Router(tags=["audit log"])


class AuditEventOut(Schema):
    seq: int
    occurred_at: dt.datetime
    actor_username: str
    action: AuditAction
    event: str
    object_type: str
    object_id: str
    fields: list[str]
    values: dict[str, object]
    ip_address: str | None


@router.get("", response=list[AuditEventOut])
@paginate(BoundedLimitOffsetPagination)
def audit_events(
    request: StaffRequest,
    action: AuditAction | None = None,
    actor_username: str | None = None,
    object_type: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    authorize(request.auth, Action.VIEW, AuditEvent)
    return audit_event_list(
        actor=request.auth,
        action=action,
        actor_username=actor_username,
        object_type=object_type,
        since=since,
        until=until,
    )
