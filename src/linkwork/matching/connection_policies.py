"""Who may see and change connections (onward referrals).

Connections are casework: connectors and supervisors who work the person's case
(people.policies.casework_filter) see, make and move them. A volunteer assigned to the person's open
support gets the practical view (`view_practical`): the service, the stage and the first-visit plan,
because volunteers often go with the person to a first visit; they never see the connector's notes
or reasons and never change anything. Organisation admins, analysts and directory editors see none.
The history rows and provider links are reached only through a connection already authorised.
"""

from __future__ import annotations

from django.db.models import QuerySet

from linkwork.accounts.models import User
from linkwork.core.policies import Action, Policy, organisation_of, register
from linkwork.matching.models.connections import Connection
from linkwork.people.policies import PersonPolicy, casework_filter, volunteer_filter


def _connections(actor: User, action: str, queryset: QuerySet[Connection]) -> QuerySet[Connection]:
    mine = queryset.filter(organisation_id=organisation_of(actor))
    if action in (Action.VIEW, Action.UPDATE):
        return mine.filter(casework_filter(actor, prefix="person__"))
    if action == Action.VIEW_PRACTICAL:
        return mine.filter(
            casework_filter(actor, prefix="person__") | volunteer_filter(actor, prefix="person__")
        )
    return mine.none()


class ConnectionPolicy(Policy[Connection]):
    model = Connection

    def allows(self, actor: User, action: str, obj: Connection | None) -> bool:
        if obj is None:
            return False
        if obj.pk is None:
            return (
                action == Action.CREATE
                and obj.person.organisation_id == actor.organisation_id
                and PersonPolicy().allows(actor, Action.UPDATE, obj.person)
            )
        return _connections(actor, action, Connection.objects.filter(pk=obj.pk)).exists()

    def scope(self, actor: User, action: str, queryset: QuerySet[Connection]) -> QuerySet[Connection]:
        return _connections(actor, action, queryset)


register(ConnectionPolicy())
