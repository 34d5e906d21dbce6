"""Endpoints for connections (onward referrals): make one, list a person's, read one, move it along
its lifecycle (an action the stage does not allow answers 409), and make the provider's link.

Casework staff get the full record; a volunteer assigned to the person's open support gets the
practical view and cannot change anything; everyone else gets 404.
"""

from django.urls import reverse
from ninja import Router, Status

from linkwork.core.errors import NotFound
from linkwork.core.policies import Action
from linkwork.matching import connection_selectors as selectors
from linkwork.matching import connections as services
from linkwork.matching.connection_schemas import (
    ConnectionIn,
    ConnectionOut,
    MoveIn,
    ProviderLinkIn,
    ProviderLinkOut,
)
from linkwork.web.http import StaffRequest

router = Router(tags=["connections"])


def _out(request: StaffRequest, connection_id: int) -> ConnectionOut:
    try:
        connection = selectors.connection_get(actor=request.auth, connection_id=connection_id)
    except NotFound:
        connection = selectors.connection_get(
            actor=request.auth, connection_id=connection_id, action=Action.VIEW_PRACTICAL
        )
        return ConnectionOut.practical(connection)
    history = list(selectors.connection_history(actor=request.auth, connection=connection))
    return ConnectionOut.full(connection, history)


@router.post(
    "/people/{person_id}/connections",
    response={201: ConnectionOut},
    summary="Make a connection to a directory service, by hand or from a recommendation",
)
def connection_create(request: StaffRequest, person_id: int, payload: ConnectionIn) -> Status[ConnectionOut]:
    person = selectors.person_for_connection(actor=request.auth, person_id=person_id)
    service = selectors.connection_service_get(actor=request.auth, service_id=payload.service_id)
    connection = services.connection_create(
        actor=request.auth,
        person=person,
        service=service,
        status=payload.status,
        note=payload.note,
        from_recommendation=payload.from_recommendation,
    )
    return Status(201, _out(request, connection.pk))


@router.get("/people/{person_id}/connections", response=list[ConnectionOut], summary="A person's connections")
def connection_list(request: StaffRequest, person_id: int) -> list[ConnectionOut]:
    person = selectors.person_for_listing(actor=request.auth, person_id=person_id)
    if selectors.connection_may_list_fully(actor=request.auth, person=person):
        return [
            ConnectionOut.full(c) for c in selectors.connection_list(actor=request.auth, person_id=person.pk)
        ]
    connections = selectors.connection_list(
        actor=request.auth, person_id=person.pk, action=Action.VIEW_PRACTICAL
    )
    return [ConnectionOut.practical(c) for c in connections]


@router.get(
    "/connections/{connection_id}", response=ConnectionOut, summary="One connection, with its history"
)
def connection_get(request: StaffRequest, connection_id: int) -> ConnectionOut:
    return _out(request, connection_id)


@router.post(
    "/connections/{connection_id}/provider-link",
    response={201: ProviderLinkOut},
    summary="A signed link for the provider to confirm, without an account (the URL is shown once)",
)
def provider_link_create(
    request: StaffRequest, connection_id: int, payload: ProviderLinkIn
) -> Status[ProviderLinkOut]:
    connection = selectors.connection_get(
        actor=request.auth, connection_id=connection_id, action=Action.UPDATE
    )
    link, token = services.provider_link_create(actor=request.auth, connection=connection, **payload.dict())
    url = request.build_absolute_uri(reverse("provider_confirm", args=[token]))
    return Status(201, ProviderLinkOut(id=link.pk, url=url, expires_at=link.expires_at))


@router.post(
    "/connections/{connection_id}/{action}",
    response=ConnectionOut,
    summary="Move a connection: discuss, interested, decline, reconsider, refer, plan_visit, attended, "
    "attending, still_attending or stop",
)
def connection_move(request: StaffRequest, connection_id: int, action: str, payload: MoveIn) -> ConnectionOut:
    connection = selectors.connection_get(
        actor=request.auth, connection_id=connection_id, action=Action.UPDATE
    )
    services.connection_move(actor=request.auth, connection=connection, action=action, **payload.dict())
    return _out(request, connection.pk)
