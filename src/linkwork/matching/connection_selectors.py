"""Reads for connections: a person's connections, one connection, its history and provider links, and
the services a connection may point at. Access always starts from `visible_to`.

Casework staff get everything; a volunteer assigned to the person's open support gets the practical
view (`ConnectionPractical`): the service, the stage and the first-visit plan, without notes or reasons.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from linkwork.accounts.models import User
from linkwork.audit.services import audit_record
from linkwork.core.errors import NotFound
from linkwork.core.policies import Action, can, visible_to
from linkwork.directory.models import PUBLIC_STATES, Service
from linkwork.matching.lifecycle import ACTION_LABELS, NEXT_STEP, staff_actions
from linkwork.matching.models.connections import Connection, ConnectionMove, ConnectionStatus, ProviderLink
from linkwork.people.models import Person


def connection_list(*, actor: User, person_id: int, action: str = Action.VIEW) -> QuerySet[Connection]:
    """The person's connections the actor may see, newest first (empty for anyone else)."""
    return (
        visible_to(actor, action, Connection)
        .filter(person_id=person_id)
        .select_related("person", "service")
        .order_by("-created_at", "-pk")
    )


def connection_get(*, actor: User, connection_id: int, action: str = Action.VIEW) -> Connection:
    """One connection; NotFound when missing or not the actor's to see (the two look the same)."""
    found = (
        visible_to(actor, action, Connection)
        .select_related("person", "service", "episode", "organisation")
        .filter(pk=connection_id)
        .first()
    )
    if found is None:
        raise NotFound()
    if action in (Action.VIEW, Action.VIEW_PRACTICAL):
        audit_record(actor=actor, event="connection.viewed", target=found, detail={"view": str(action)})
    return found


def connection_may_edit(*, actor: User, connection: Connection) -> bool:
    return can(actor, Action.UPDATE, connection)


def connection_history(*, actor: User, connection: Connection) -> QuerySet[ConnectionMove]:
    """Every move, oldest first; only for casework staff (volunteers see no history)."""
    visible = visible_to(actor, Action.VIEW, Connection).filter(pk=connection.pk)
    return ConnectionMove.objects.filter(connection__in=visible).select_related("moved_by")


def provider_links(*, actor: User, connection: Connection) -> QuerySet[ProviderLink]:
    visible = visible_to(actor, Action.VIEW, Connection).filter(pk=connection.pk)
    return ProviderLink.objects.filter(connection__in=visible).order_by("-created_at", "-pk")


def connection_service_get(*, actor: User, service_id: uuid.UUID | str) -> Service:
    """A directory service a connection may point at: any public entry, or an entry the actor may see
    in the directory in another state (an editor's own draft, say); NotFound otherwise."""
    try:
        pk = uuid.UUID(str(service_id))
    except ValueError:
        raise NotFound() from None
    own = visible_to(actor, Action.VIEW, Service).values("pk")
    found = Service.objects.filter(Q(state__in=PUBLIC_STATES) | Q(pk__in=own)).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def person_for_connection(*, actor: User, person_id: int) -> Person:
    """The person a new connection is for: casework staff only."""
    person = visible_to(actor, Action.UPDATE, Person).filter(pk=person_id).first()
    if person is None:
        raise NotFound()
    return person


@dataclass(frozen=True)
class ConnectionPractical:
    """What a volunteer going along to a first visit needs, and nothing more."""

    id: int
    person_id: int
    service_id: uuid.UUID | None
    service_name: str
    status: str
    status_label: str
    visit_on: dt.date | None
    accompanied_by: str
    visit_arrangements: str


def practical(connection: Connection) -> ConnectionPractical:
    return ConnectionPractical(
        id=connection.pk,
        person_id=connection.person_id,
        service_id=connection.service_id,
        service_name=connection.service_name,
        status=connection.status,
        status_label=ConnectionStatus(connection.status).label,
        visit_on=connection.visit_on,
        accompanied_by=connection.accompanied_by,
        visit_arrangements=connection.visit_arrangements,
    )


@dataclass(frozen=True)
class ConnectionSummary:
    """A row of the person's page: the connection, its stage and what to do next."""

    connection: Connection
    status_label: str
    next_step: str
    actions: list[tuple[str, str]]


def person_connections(*, actor: User, person: Person) -> list[ConnectionSummary] | list[ConnectionPractical]:
    """The connections for the person's page: full rows for casework, the practical view for a
    volunteer assigned to the person's open support, nothing for anyone else."""
    if can(actor, Action.VIEW, person):
        return [
            ConnectionSummary(
                connection=c,
                status_label=ConnectionStatus(c.status).label,
                next_step=NEXT_STEP[ConnectionStatus(c.status)],
                actions=[(a, ACTION_LABELS[a]) for a in staff_actions(c.status)],
            )
            for c in connection_list(actor=actor, person_id=person.pk)
        ]
    return [
        practical(c) for c in connection_list(actor=actor, person_id=person.pk, action=Action.VIEW_PRACTICAL)
    ]


def person_for_listing(*, actor: User, person_id: int) -> Person:
    """A person whose connections the actor may list (fully or practically); NotFound otherwise."""
    person = visible_to(actor, Action.VIEW_PRACTICAL, Person).filter(pk=person_id).first()
    if person is None:
        raise NotFound()
    return person


def connection_may_list_fully(*, actor: User, person: Person) -> bool:
    return can(actor, Action.VIEW, person)


def connection_may_create(*, actor: User, person: Person) -> bool:
    """For the person page's "Make a connection" link (`may_connect`)."""
    return can(actor, Action.CREATE, Connection(person=person, organisation_id=person.organisation_id))
