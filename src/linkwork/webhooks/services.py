"""Writes for webhooks: endpoints (authorised, atomic, audited) and publishing events to them.

An event creates one delivery per subscribed, active endpoint of the record's organisation, after
the transaction that caused it commits, and queues a background task for each. The payload holds
no personal data: the event, its id and time, the organisation's slug, and the ids and API
addresses of the records, which the receiver reads with its own API token (docs/webhooks.md).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.db import models, transaction

from linkwork.accounts.models import Organisation, User
from linkwork.audit.services import audit_record
from linkwork.core.errors import DomainError, ValidationFailed
from linkwork.core.policies import Action, Operator, authorize
from linkwork.core.time import now
from linkwork.webhooks.addresses import clean_url
from linkwork.webhooks.models import (
    TEST_EVENT,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from linkwork.webhooks.signals import webhook_event
from linkwork.webhooks.signing import new_secret
from linkwork.webhooks.tasks import enqueue

Actor = User | Operator

EVENTS_REQUIRED = "Choose at least one event to send."
DESCRIPTION_MAX_LENGTH = 200
DESCRIPTION_TOO_LONG = f"Keep the description to {DESCRIPTION_MAX_LENGTH} characters."
NOT_ACTIVE = "Resume the endpoint before sending to it."
NOT_RETRYABLE = "Only a delivery that failed can be tried again."

# The API address of the record each event is about.
RECORD_PATHS = {
    WebhookEvent.REFERRAL_RECEIVED: ("referral", "/api/v1/referrals/{id}"),
    WebhookEvent.EPISODE_CLOSED: ("episode", "/api/v1/episodes/{id}"),
    WebhookEvent.CONNECTION_ATTENDED: ("connection", "/api/v1/connections/{id}"),
}
PERSON_PATH = "/api/v1/people/{id}"


def _clean_events(events: Iterable[str]) -> list[str]:
    chosen = set(events)
    if not chosen or not chosen <= set(WebhookEvent.values):
        raise ValidationFailed(EVENTS_REQUIRED, fields={"events": EVENTS_REQUIRED})
    return [event for event in WebhookEvent.values if event in chosen]


def _clean_description(description: str) -> str:
    description = description.strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise ValidationFailed(DESCRIPTION_TOO_LONG, fields={"description": DESCRIPTION_TOO_LONG})
    return description


def endpoint_create(
    *, actor: Actor, organisation: Organisation, url: str, events: Iterable[str], description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its signing secret, which is shown this once."""
    authorize(actor, Action.CREATE, WebhookEndpoint(organisation=organisation))
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    # Every field is checked, so the admin sees all the problems at once.
    checks: list[tuple[str, Any]] = [
        ("url", lambda: clean_url(url)),
        ("events", lambda: _clean_events(events)),
        ("description", lambda: _clean_description(description)),
    ]
    for name, check in checks:
        try:
            cleaned[name] = check()
        except ValidationFailed as error:
            errors |= error.fields
    if errors:
        raise ValidationFailed("Check the endpoint's details.", fields=errors)
    secret = new_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            organisation=organisation,
            secret=secret,
            created_by=actor if isinstance(actor, User) else None,
            **cleaned,
        )
        audit_record(
            actor=actor,
            event="webhook.created",
            target=endpoint,
            fields=["url", "events", "description"],
            values={"events": [None, cleaned["events"]]},
            organisation_id=organisation.pk,
        )
    return endpoint, secret


def endpoint_set_active(*, actor: Actor, endpoint: WebhookEndpoint, active: bool) -> WebhookEndpoint:
    """Pause an endpoint, or resume it (also one linkwork switched off); deliveries held while it
    was off are sent on resuming."""
    authorize(actor, Action.UPDATE, endpoint)
    at = now()
    with transaction.atomic():
        # Read again under the lock: the delivery worker may have switched it off meanwhile.
        WebhookEndpoint.objects.select_for_update().filter(pk=endpoint.pk).first()
        endpoint.refresh_from_db()
        if endpoint.active == active:
            return endpoint
        endpoint.active = active
        if active:
            endpoint.disabled_at = None
            endpoint.gave_up_in_a_row = 0
        endpoint.save(update_fields=["active", "disabled_at", "gave_up_in_a_row"])
        audit_record(
            actor=actor,
            event="webhook.resumed" if active else "webhook.paused",
            target=endpoint,
            fields=["active"],
            values={"active": [not active, active]},
            organisation_id=endpoint.organisation_id,
        )
        if active:
            held = endpoint.deliveries.filter(
                status__in=(DeliveryStatus.PENDING, DeliveryStatus.FAILED), next_attempt_at__isnull=True
            )
            for delivery_id in list(held.values_list("pk", flat=True)):
                held.filter(pk=delivery_id).update(next_attempt_at=at)
                enqueue(delivery_id)
    return endpoint


def endpoint_rotate_secret(*, actor: Actor, endpoint: WebhookEndpoint) -> str:
    """Replace the signing secret at once (the old one stops working); returns the new one."""
    authorize(actor, Action.UPDATE, endpoint)
    secret = new_secret()
    with transaction.atomic():
        endpoint.secret = secret
        endpoint.secret_rotated_at = now()
        endpoint.save(update_fields=["secret", "secret_rotated_at"])
        audit_record(
            actor=actor,
            event="webhook.secret_rotated",
            target=endpoint,
            fields=["secret"],
            organisation_id=endpoint.organisation_id,
        )
    return secret


def endpoint_delete(*, actor: Actor, endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint with its delivery log; queued attempts find nothing and stop."""
    authorize(actor, Action.DELETE, endpoint)
    with transaction.atomic():
        audit_record(
            actor=actor,
            event="webhook.deleted",
            target=endpoint,
            values={"deliveries": endpoint.deliveries.count()},
            organisation_id=endpoint.organisation_id,
        )
        endpoint.delete()


def _payload(
    *, event: str, event_id: uuid.UUID, occurred_at: dt.datetime, organisation: str, data: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": str(event_id),
        "type": event,
        "occurred_at": occurred_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "organisation": organisation,
        "data": data,
    }


def _api_link(path: str, record_id: int) -> dict[str, Any]:
    return {"id": record_id, "url": settings.LINKWORK_BASE_URL.rstrip("/") + path.format(id=record_id)}


def _create_deliveries(
    endpoints: list[WebhookEndpoint], *, event: str, occurred_at: dt.datetime, data: dict[str, Any]
) -> list[WebhookDelivery]:
    event_id = uuid.uuid4()
    at = now()
    deliveries = []
    with transaction.atomic():
        for endpoint in endpoints:
            payload = _payload(
                event=event,
                event_id=event_id,
                occurred_at=occurred_at,
                organisation=endpoint.organisation.slug,
                data=data,
            )
            delivery = WebhookDelivery.objects.create(
                endpoint=endpoint, event=event, event_id=event_id, payload=payload, next_attempt_at=at
            )
            # Queued in the same transaction: with the database task backend, the delivery and its
            # task are saved together or not at all.
            enqueue(delivery.pk)
            deliveries.append(delivery)
    return deliveries


def event_publish(
    *, event: str, organisation_id: int, data: dict[str, Any], occurred_at: dt.datetime
) -> list[WebhookDelivery]:
    """A delivery, queued, for each active endpoint of the organisation subscribed to `event`."""
    candidates = WebhookEndpoint.objects.filter(organisation_id=organisation_id, active=True)
    endpoints = [
        endpoint for endpoint in candidates.select_related("organisation") if event in endpoint.events
    ]
    if not endpoints:
        return []
    return _create_deliveries(endpoints, event=event, occurred_at=occurred_at, data=data)


def event_data(event: str, record: models.Model) -> dict[str, Any]:
    """The ids and API addresses of the record an event is about, and of its person."""
    name, path = RECORD_PATHS[WebhookEvent(event)]
    data = {name: _api_link(path, int(record.pk)), "person": _api_link(PERSON_PATH, record.person_id)}  # type: ignore[attr-defined]
    return data


def _on_webhook_event(sender: Any, *, event: str, record: models.Model, **kwargs: Any) -> None:
    """Receives `webhook_event`: publish once the sender's transaction commits. A failure here is
    logged and never undoes the referral, closing or connection that caused it."""
    publish = partial(
        event_publish,
        event=event,
        organisation_id=record.organisation_id,  # type: ignore[attr-defined]
        data=event_data(event, record),
        occurred_at=now(),
    )
    transaction.on_commit(publish, robust=True)


webhook_event.connect(_on_webhook_event, dispatch_uid="linkwork.webhooks.publish")


def endpoint_send_test(*, actor: Actor, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Send a test event (no records, `"test": true`) to check the receiver and its signature check."""
    authorize(actor, Action.UPDATE, endpoint)
    if not endpoint.active:
        raise DomainError(NOT_ACTIVE, code="ENDPOINT_NOT_ACTIVE")
    with transaction.atomic():
        (delivery,) = _create_deliveries([endpoint], event=TEST_EVENT, occurred_at=now(), data={"test": True})
        audit_record(
            actor=actor,
            event="webhook.test_sent",
            target=endpoint,
            detail={"delivery": delivery.pk},
            organisation_id=endpoint.organisation_id,
        )
    return delivery


def delivery_retry_now(*, actor: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Try a failed delivery again now, whatever its schedule; one that gave up gets one more try."""
    endpoint = delivery.endpoint
    authorize(actor, Action.UPDATE, endpoint)
    if not endpoint.active:
        raise DomainError(NOT_ACTIVE, code="ENDPOINT_NOT_ACTIVE")
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        if not delivery.may_retry_now:
            raise DomainError(NOT_RETRYABLE, code="NOT_RETRYABLE")
        before = delivery.status
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = now()
        delivery.save(update_fields=["status", "next_attempt_at", "updated_at"])
        enqueue(delivery.pk)
        audit_record(
            actor=actor,
            event="webhook.delivery_retried",
            target=endpoint,
            detail={"delivery": delivery.pk, "status": before},
            organisation_id=endpoint.organisation_id,
        )
    return delivery
