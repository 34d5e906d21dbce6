from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from linkwork.accounts.models import User
from linkwork.audit.models import AuditEvent
from linkwork.core.policies import Action, visible_to


def audit_event_list(
    *,
    actor: User,
    action: str | None = None,
    actor_username: str | None = None,
    object_type: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    events = visible_to(actor, Action.VIEW, AuditEvent)
    if action:
        events = events.filter(action=action)
    if actor_username:
        events = events.filter(actor_username=actor_username)
    if object_type:
        events = events.filter(object_type=object_type)
    if since:
        events = events.filter(occurred_at__date__gte=since)
    if until:
        events = events.filter(occurred_at__date__lte=until)
    return events.order_by("-seq")
