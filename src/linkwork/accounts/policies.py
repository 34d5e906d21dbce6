"""Access rules for organisations, teams, staff and API tokens."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from linkwork.accounts.models import ApiToken, Organisation, Team, User
from linkwork.accounts.roles import STAFF_LIST_ROLES, Role
from linkwork.core.policies import Action, Policy, organisation_of, register


class OrganisationPolicy(Policy[Organisation]):
    model = Organisation

    def allows(self, actor: User, action: str, obj: Organisation | None) -> bool:
        if action == Action.VIEW:
            return obj is not None and obj.pk == actor.organisation_id
        if action == Action.UPDATE:
            return (
                obj is not None
                and obj.pk == actor.organisation_id
                and actor.has_role(Role.ORGANISATION_ADMIN)
            )
        return False  # organisations are created and removed by the installation operator (CLI)

    def scope(self, actor: User, action: str, queryset: QuerySet[Organisation]) -> QuerySet[Organisation]:
        if action == Action.VIEW or (action == Action.UPDATE and actor.has_role(Role.ORGANISATION_ADMIN)):
            return queryset.filter(pk=organisation_of(actor))
        return queryset.none()


class TeamPolicy(Policy[Team]):
    model = Team

    def allows(self, actor: User, action: str, obj: Team | None) -> bool:
        if obj is not None and obj.organisation_id != actor.organisation_id:
            return False
        if action == Action.VIEW:
            return obj is not None
        return action in (Action.CREATE, Action.UPDATE, Action.DELETE) and actor.has_role(
            Role.ORGANISATION_ADMIN
        )

    def scope(self, actor: User, action: str, queryset: QuerySet[Team]) -> QuerySet[Team]:
        if action == Action.VIEW or actor.has_role(Role.ORGANISATION_ADMIN):
            return queryset.filter(organisation_id=organisation_of(actor))
        return queryset.none()


class StaffPolicy(Policy[User]):
    """Colleagues see the staff list; volunteers, editors and analysts see only themselves."""

    model = User

    def allows(self, actor: User, action: str, obj: User | None) -> bool:
        if obj is not None and obj.organisation_id != actor.organisation_id:
            return False
        if action == Action.VIEW:
            return obj is not None and (obj.pk == actor.pk or actor.has_role(*STAFF_LIST_ROLES))
        return action in (Action.CREATE, Action.UPDATE, Action.DELETE) and actor.has_role(
            Role.ORGANISATION_ADMIN
        )

    def scope(self, actor: User, action: str, queryset: QuerySet[User]) -> QuerySet[User]:
        same_org = queryset.filter(organisation_id=organisation_of(actor))
        if action == Action.VIEW:
            return same_org if actor.has_role(*STAFF_LIST_ROLES) else same_org.filter(pk=actor.pk)
        if action in (Action.UPDATE, Action.DELETE) and actor.has_role(Role.ORGANISATION_ADMIN):
            return same_org
        return queryset.none()


class ApiTokenPolicy(Policy[ApiToken]):
    """Everyone manages their own tokens; organisation admins may also revoke colleagues' tokens."""

    model = ApiToken

    def allows(self, actor: User, action: str, obj: ApiToken | None) -> bool:
        if action == Action.CREATE:
            return obj is None or obj.user_id == actor.pk
        if obj is None or action not in (Action.VIEW, Action.DELETE):
            return False
        if obj.user_id == actor.pk:
            return True
        return actor.has_role(Role.ORGANISATION_ADMIN) and obj.user.organisation_id == actor.organisation_id

    def scope(self, actor: User, action: str, queryset: QuerySet[ApiToken]) -> QuerySet[ApiToken]:
        if action not in (Action.VIEW, Action.DELETE):
            return queryset.none()
        if actor.has_role(Role.ORGANISATION_ADMIN):
            return queryset.filter(Q(user=actor) | Q(user__organisation_id=organisation_of(actor)))
        return queryset.filter(user=actor)


register(OrganisationPolicy())
register(TeamPolicy())
register(StaffPolicy())
register(ApiTokenPolicy())
