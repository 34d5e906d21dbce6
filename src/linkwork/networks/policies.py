"""Who may see and change a person's network map.

The map is casework: connectors and supervisors who work the person's case (people.policies.
casework_filter) see and change it. Volunteers see it only when the connector has shared the map
with volunteers and they are assigned to the person's open support (people.policies.volunteer_filter);
they never change it. Organisation admins, analysts and directory editors see no one's map.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from linkwork.accounts.models import User
from linkwork.core.policies import Action, Policy, organisation_of, register
from linkwork.networks.models import NetworkEntry, NetworkMap, NetworkSnapshot
from linkwork.people.models import Person
from linkwork.people.policies import PersonPolicy, casework_filter, volunteer_filter


def _maps(actor: User, action: str) -> QuerySet[NetworkMap]:
    mine = NetworkMap.objects.filter(organisation_id=organisation_of(actor))
    if action in (Action.UPDATE, Action.DELETE):
        return mine.filter(casework_filter(actor, prefix="person__"))
    if action == Action.VIEW:
        shared = Q(shared_with_volunteers=True) & volunteer_filter(actor, prefix="person__")
        return mine.filter(casework_filter(actor, prefix="person__") | shared)
    return mine.none()


def _may_start_map(actor: User, person: Person) -> bool:
    """Only those who work the person's case may start a map or add to it."""
    return person.organisation_id == actor.organisation_id and PersonPolicy().allows(
        actor, Action.UPDATE, person
    )


class NetworkMapPolicy(Policy[NetworkMap]):
    model = NetworkMap

    def allows(self, actor: User, action: str, obj: NetworkMap | None) -> bool:
        if obj is None:
            return False
        if obj.pk is None:  # a map not started yet: casework only, whatever the action
            return action in (Action.VIEW, Action.CREATE, Action.UPDATE) and _may_start_map(actor, obj.person)
        return _maps(actor, action).filter(pk=obj.pk).exists()

    def scope(self, actor: User, action: str, queryset: QuerySet[NetworkMap]) -> QuerySet[NetworkMap]:
        return queryset.filter(pk__in=_maps(actor, action).values("pk"))


class PersonRecordPolicy(Policy[Any]):
    """Entries and snapshots: access follows the person's map."""

    def allows(self, actor: User, action: str, obj: Any) -> bool:
        if obj is None:
            return False
        if obj.pk is None:
            return action == Action.CREATE and _may_start_map(actor, obj.person)
        return self.scope(actor, action, type(obj).objects.filter(pk=obj.pk)).exists()

    def scope(self, actor: User, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if action not in (Action.VIEW, Action.UPDATE, Action.DELETE):
            return queryset.none()
        return queryset.filter(person_id__in=_maps(actor, action).values("person_id"))


class NetworkEntryPolicy(PersonRecordPolicy):
    model = NetworkEntry


class NetworkSnapshotPolicy(PersonRecordPolicy):
    model = NetworkSnapshot


register(NetworkMapPolicy())
register(NetworkEntryPolicy())
register(NetworkSnapshotPolicy())
