"""Who may see and change a person's shortlist.

A shortlist is casework: connectors and supervisors who work the person's case (people.policies.
casework_filter) see it, change it and make its private link. Volunteers, organisation admins,
analysts and directory editors neither see nor change it. Items and links are reached only through
a shortlist that was already authorised, so they have no policy of their own.
"""

from __future__ import annotations

from django.db.models import QuerySet

from linkwork.accounts.models import User
from linkwork.core.policies import Action, Policy, organisation_of, register
from linkwork.matching.models import Shortlist
from linkwork.people.models import Person
from linkwork.people.policies import PersonPolicy, casework_filter

SHORTLIST_ACTIONS = (Action.VIEW, Action.UPDATE)


def may_start_shortlist(actor: User, person: Person) -> bool:
    """Only those who work the person's case may start their shortlist."""
    return person.organisation_id == actor.organisation_id and PersonPolicy().allows(
        actor, Action.UPDATE, person
    )


class ShortlistPolicy(Policy[Shortlist]):
    model = Shortlist

    def allows(self, actor: User, action: str, obj: Shortlist | None) -> bool:
        if obj is None:
            return False
        if obj.pk is None:
            return action == Action.CREATE and may_start_shortlist(actor, obj.person)
        return self.scope(actor, action, Shortlist.objects.filter(pk=obj.pk)).exists()

    def scope(self, actor: User, action: str, queryset: QuerySet[Shortlist]) -> QuerySet[Shortlist]:
        if action not in SHORTLIST_ACTIONS:
            return queryset.none()
        mine = queryset.filter(organisation_id=organisation_of(actor))
        return mine.filter(casework_filter(actor, prefix="person__"))


register(ShortlistPolicy())
