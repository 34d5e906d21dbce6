"""Webhook endpoints an organisation admin registers, and their delivery logs (/api/v1/webhooks)."""

from django.db.models import QuerySet
from ninja import Router, Status
from ninja.pagination import paginate

from linkwork.accounts.selectors import organisation_get
from linkwork.core.pagination import BoundedLimitOffsetPagination
from linkwork.core.policies import Action, authorize
from linkwork.web.http import StaffRequest
from linkwork.webhooks import selectors, services
from linkwork.webhooks.models import WebhookDelivery, WebhookEndpoint
from linkwork.webhooks.schemas import DeliveryOut, EndpointCreatedOut, EndpointIn, EndpointOut

router = Router(tags=["Webhooks"])


@router.get("", response=list[EndpointOut], summary="Your organisation's webhook endpoints (admins)")
def endpoint_list(request: StaffRequest) -> list[EndpointOut]:
    organisation = organisation_get(actor=request.auth)
    authorize(request.auth, Action.CREATE, WebhookEndpoint(organisation=organisation))
    return [EndpointOut.build(endpoint) for endpoint in selectors.endpoint_list(actor=request.auth)]


@router.post(
    "", response={201: EndpointCreatedOut}, summary="Add an endpoint (the signing secret is shown once)"
)
def endpoint_create(request: StaffRequest, payload: EndpointIn) -> Status[EndpointCreatedOut]:
    organisation = organisation_get(actor=request.auth)
    endpoint, secret = services.endpoint_create(
        actor=request.auth,
        organisation=organisation,
        url=payload.url,
        events=[event.value for event in payload.events],
        description=payload.description,
    )
    return Status(201, EndpointCreatedOut(secret=secret, endpoint=EndpointOut.build(endpoint)))


@router.delete("/{webhook_id}", response={204: None}, summary="Remove an endpoint and its delivery log")
def endpoint_delete(request: StaffRequest, webhook_id: int) -> Status[None]:
    endpoint = selectors.endpoint_get(actor=request.auth, webhook_id=webhook_id, action=Action.DELETE)
    services.endpoint_delete(actor=request.auth, endpoint=endpoint)
    return Status(204, None)


@router.get(
    "/{webhook_id}/deliveries", response=list[DeliveryOut], summary="An endpoint's deliveries, newest first"
)
@paginate(BoundedLimitOffsetPagination)
def delivery_list(request: StaffRequest, webhook_id: int) -> QuerySet[WebhookDelivery]:
    endpoint = selectors.endpoint_get(actor=request.auth, webhook_id=webhook_id)
    return selectors.delivery_list(endpoint=endpoint)
