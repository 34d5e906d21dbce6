"""Who may record gaps and see them.

Connectors and supervisors record gaps; when a gap names a person, they must work that person's case.
Reading follows least privilege: supervisors and analysts see every gap of their organisation (grouped,
without names, on the gap report); connectors see the gaps they recorded themselves. Volunteers,
organisation admins and directory editors see none. Gaps are never changed or deleted through the app.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from linkwork.accounts.models import User
from linkwork.accounts.roles import Role
from linkwork.core.policies import Action, Policy, organisation_of, register
from linkwork.matching.models import Gap
from linkwork.people.policies import CASEWORK_ROLES, PersonPolicy

REPORT_ROLES = (Role.SUPERVISOR, Role.ANALYST)


class GapPolicy(Policy[Gap]):
    model = Gap

    def allows(self, actor: User, action: str, obj: Gap | None) -> bool:
        if obj is None or obj.pk is None:
            if action != Action.CREATE or not actor.has_role(*CASEWORK_ROLES):
                return False
            if obj is None:
                return True
            if obj.organisation_id != actor.organisation_id:
                return False
            return obj.person is None or PersonPolicy().allows(actor, Action.UPDATE, obj.person)
        return self.scope(actor, action, Gap.objects.filter(pk=obj.pk)).exists()

    def scope(self, actor: User, action: str, queryset: QuerySet[Gap]) -> QuerySet[Gap]:
        if action != Action.VIEW:
            return queryset.none()
        mine = queryset.filter(organisation_id=organisation_of(actor))
        if actor.has_role(*REPORT_ROLES):
            return mine
        if actor.has_role(Role.CONNECTOR):
            return mine.filter(Q(recorded_by=actor))
        return mine.none()


register(GapPolicy())
