"""Reads for webhooks, always through the endpoint policy: missing and not-yours look the same."""

from __future__ import annotations

from django.db.models import QuerySet

from linkwork.accounts.models import User
from linkwork.core.errors import NotFound
from linkwork.core.policies import Action, visible_to
from linkwork.webhooks.models import WebhookDelivery, WebhookEndpoint


def endpoint_list(*, actor: User) -> QuerySet[WebhookEndpoint]:
    return visible_to(actor, Action.VIEW, WebhookEndpoint).order_by("created_at", "pk")


def endpoint_get(*, actor: User, webhook_id: int, action: str = Action.VIEW) -> WebhookEndpoint:
    endpoint = visible_to(actor, action, WebhookEndpoint).filter(pk=webhook_id).first()
    if endpoint is None:
        raise NotFound()
    return endpoint


def delivery_list(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's deliveries, newest first, with their attempts (the endpoint is already
    authorised)."""
    return endpoint.deliveries.prefetch_related("attempt_log").order_by("-created_at", "-pk")


def delivery_get(
    *, actor: User, webhook_id: int, delivery_id: int, action: str = Action.UPDATE
) -> WebhookDelivery:
    endpoint = endpoint_get(actor=actor, webhook_id=webhook_id, action=action)
    delivery = endpoint.deliveries.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound()
    return delivery
