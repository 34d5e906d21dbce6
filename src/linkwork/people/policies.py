"""Who may see and change a person's record.

Connectors and supervisors work the cases of their own teams (and the intake queue of people
not yet given to a team); a connector also keeps the people on their own caseload. Volunteers
get the practical view of the people they are assigned to while support is open. Organisation
admins, analysts and directory editors see no one's record.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from linkwork.accounts.models import User
from linkwork.accounts.roles import Role
from linkwork.core.policies import Action, Policy, organisation_of, register
from linkwork.people.models import Consent, Person
from linkwork.support.models import OPEN_EPISODE_STATUSES, SupportEpisode

CASEWORK_ROLES = (Role.CONNECTOR, Role.SUPERVISOR)


def casework_filter(actor: User, prefix: str = "") -> Q:
    """People (or records reached through `prefix`, e.g. "person__") an actor works with fully."""
    if not actor.has_role(*CASEWORK_ROLES):
        return Q(pk__in=[])
    condition = Q(**{f"{prefix}team__isnull": True}) | Q(**{f"{prefix}team_id__in": actor.team_ids})
    if actor.has_role(Role.CONNECTOR):
        own = SupportEpisode.objects.filter(connector=actor).values("person_id")
        condition |= Q(**{f"{prefix}pk__in": own})
    return condition


def volunteer_filter(actor: User, prefix: str = "") -> Q:
    if not actor.has_role(Role.VOLUNTEER):
        return Q(pk__in=[])
    assigned = SupportEpisode.objects.filter(volunteers=actor, status__in=OPEN_EPISODE_STATUSES)
    return Q(**{f"{prefix}pk__in": assigned.values("person_id")})


class PersonPolicy(Policy[Person]):
    model = Person

    def allows(self, actor: User, action: str, obj: Person | None) -> bool:
        if obj is None or obj.pk is None:
            return (
                action == Action.CREATE
                and actor.has_role(*CASEWORK_ROLES)
                and (obj is None or obj.organisation_id == actor.organisation_id)
            )
        return self.scope(actor, action, Person.objects.filter(pk=obj.pk)).exists()

    def scope(self, actor: User, action: str, queryset: QuerySet[Person]) -> QuerySet[Person]:
        mine = queryset.filter(organisation_id=organisation_of(actor))
        if action in (Action.VIEW, Action.UPDATE):
            return mine.filter(casework_filter(actor))
        if action == Action.VIEW_PRACTICAL:
            return mine.filter(casework_filter(actor) | volunteer_filter(actor))
        return queryset.none()


class ConsentPolicy(Policy[Consent]):
    model = Consent

    def allows(self, actor: User, action: str, obj: Consent | None) -> bool:
        if obj is None:
            return False
        if obj.pk is None:
            return action == Action.CREATE and PersonPolicy().allows(actor, Action.UPDATE, obj.person)
        return self.scope(actor, action, Consent.objects.filter(pk=obj.pk)).exists()

    def scope(self, actor: User, action: str, queryset: QuerySet[Consent]) -> QuerySet[Consent]:
        if action not in (Action.VIEW, Action.UPDATE):
            return queryset.none()
        people = PersonPolicy().scope(actor, action, Person.objects.all())
        return queryset.filter(person__in=people)


register(PersonPolicy())
register(ConsentPolicy())
