"""Supervisors and organisation admins may read their organisation's audit log; nobody may change it."""

from __future__ import annotations

from django.db.models import QuerySet

from linkwork.accounts.models import User
from linkwork.accounts.roles import AUDIT_ROLES
from linkwork.audit.models import AuditEvent
from linkwork.core.policies import Action, Policy, organisation_of, register


class AuditEventPolicy(Policy[AuditEvent]):
    model = AuditEvent

    def allows(self, actor: User, action: str, obj: AuditEvent | None) -> bool:
        if action not in (Action.VIEW, Action.EXPORT) or not actor.has_role(*AUDIT_ROLES):
            return False
        return obj is None or obj.organisation_id == actor.organisation_id

    def scope(self, actor: User, action: str, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        if action not in (Action.VIEW, Action.EXPORT) or not actor.has_role(*AUDIT_ROLES):
            return queryset.none()
        return queryset.filter(organisation_id=organisation_of(actor))


register(AuditEventPolicy())
