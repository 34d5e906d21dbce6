"""Who may act on a person's data-protection rights.

Subject access (everything held about a person): organisation admins, for anyone in their organisation,
because they answer requests on its behalf; and supervisors, for the people their teams hold (or in
the intake queue), whose records they already see. Connectors may not: a download of a whole record is
a decision for the people accountable for the service, not for casework. Erasure, and the retention
setting, belong to organisation admins alone. A request record is seen by organisation admins.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from linkwork.accounts.models import User
from linkwork.accounts.roles import Role
from linkwork.core.policies import Action, Policy, organisation_of, register
from linkwork.people.models import Person
from linkwork.privacy.models import DataRequest, RequestKind, RetentionRun, RetentionSetting


def may_ask(actor: User, kind: str) -> bool:
    """Whether the actor's roles allow this kind of request for anyone."""
    return actor.has_role(Role.ORGANISATION_ADMIN) or (
        kind == RequestKind.EXPORT and actor.has_role(Role.SUPERVISOR)
    )


def people_for(actor: User, kind: str) -> QuerySet[Person]:
    """The people `actor` may ask for an export of (`kind` export) or erase (`kind` erasure)."""
    people = Person.objects.filter(organisation_id=organisation_of(actor))
    if actor.has_role(Role.ORGANISATION_ADMIN):
        return people
    if may_ask(actor, kind):
        # A supervisor's teams and the intake queue, as casework_filter gives a supervisor; not a
        # connector's own caseload, which that filter adds for someone holding both roles.
        teams = actor.teams.values_list("pk", flat=True)
        return people.filter(Q(team__isnull=True) | Q(team_id__in=list(teams)))
    return people.none()


class DataRequestPolicy(Policy[DataRequest]):
    model = DataRequest

    def allows(self, actor: User, action: str, obj: DataRequest | None) -> bool:
        if obj is None:
            return False
        if obj.pk is None:
            if action != Action.CREATE:
                return False
            if obj.person_id is None:  # the kind of request at all, as for a page that offers it
                return may_ask(actor, obj.kind)
            return people_for(actor, obj.kind).filter(pk=obj.person_id).exists()
        return self.scope(actor, action, DataRequest.objects.filter(pk=obj.pk)).exists()

    def scope(self, actor: User, action: str, queryset: QuerySet[DataRequest]) -> QuerySet[DataRequest]:
        if action == Action.VIEW and actor.has_role(Role.ORGANISATION_ADMIN):
            return queryset.filter(organisation_id=organisation_of(actor))
        return queryset.none()


class RetentionSettingPolicy(Policy[RetentionSetting]):
    """Organisation admins see and change their own organisation's retention period."""

    model = RetentionSetting

    def allows(self, actor: User, action: str, obj: RetentionSetting | None) -> bool:
        if obj is None or action not in (Action.VIEW, Action.UPDATE, Action.CREATE):
            return False
        return actor.has_role(Role.ORGANISATION_ADMIN) and obj.organisation_id == organisation_of(actor)

    def scope(
        self, actor: User, action: str, queryset: QuerySet[RetentionSetting]
    ) -> QuerySet[RetentionSetting]:
        if action in (Action.VIEW, Action.UPDATE) and actor.has_role(Role.ORGANISATION_ADMIN):
            return queryset.filter(organisation_id=organisation_of(actor))
        return queryset.none()


class RetentionRunPolicy(Policy[RetentionRun]):
    """Organisation admins read what the retention task did in their organisation; nobody writes it."""

    model = RetentionRun

    def allows(self, actor: User, action: str, obj: RetentionRun | None) -> bool:
        if obj is None or obj.pk is None:
            return False
        return self.scope(actor, action, RetentionRun.objects.filter(pk=obj.pk)).exists()

    def scope(self, actor: User, action: str, queryset: QuerySet[RetentionRun]) -> QuerySet[RetentionRun]:
        if action == Action.VIEW and actor.has_role(Role.ORGANISATION_ADMIN):
            return queryset.filter(organisation_id=organisation_of(actor))
        return queryset.none()


register(DataRequestPolicy())
register(RetentionSettingPolicy())
register(RetentionRunPolicy())
