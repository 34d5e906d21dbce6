"""Sending one delivery: sign, POST, log the attempt, and decide what happens next.

Runs in the background worker (linkwork.webhooks.tasks.deliver), never in a web request. The HTTP
request is made outside any database transaction, so a slow receiver holds no lock.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from linkwork.audit.services import audit_record
from linkwork.core.time import now
from linkwork.webhooks.addresses import local_allowed, resolves_privately
from linkwork.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from linkwork.webhooks.signing import signature_header

TIMEOUT_SECONDS = 10
# After the first attempt fails, try again after each of these; then give up.
RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# An endpoint is switched off when this many deliveries in a row have used all their attempts.
DISABLE_AFTER_GIVEN_UP = 3
ERROR_MAX_LENGTH = 300
USER_AGENT = "linkwork-webhooks/1"
PRIVATE_ADDRESS = "The address leads to a private network, so nothing was sent."

Schedule = Callable[[int, dt.datetime], Any]


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not an instruction: following it could send the event elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass(frozen=True)
class Response:
    status: int | None
    error: str


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= ERROR_MAX_LENGTH else text[: ERROR_MAX_LENGTH - 1] + "…"


def post(url: str, body: bytes, headers: dict[str, str]) -> Response:
    """POST once, following no redirects; any 2xx is success."""
    if not local_allowed() and resolves_privately(url):
        return Response(None, PRIVATE_ADDRESS)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310  (checked: https, or local when allowed)
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            status = int(response.status)
    except urllib.error.HTTPError as error:
        error.close()
        moved = " (a redirect, which is not followed)" if 300 <= error.code < 400 else ""
        return Response(error.code, f"The receiver answered {error.code}{moved}.")
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return Response(None, _short(f"Could not send: {reason}"))
    if 200 <= status < 300:
        return Response(status, "")
    return Response(status, f"The receiver answered {status}.")


def _claim(delivery_id: int, at: dt.datetime) -> tuple[WebhookDelivery | None, str]:
    """Take the delivery for one attempt, so a second task for it (a "retry now" racing a scheduled
    retry) finds nothing to do."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return None, "missing"  # the endpoint was removed
        if delivery.status in (DeliveryStatus.DELIVERED, DeliveryStatus.GAVE_UP):
            return None, delivery.status
        if delivery.next_attempt_at is None or delivery.next_attempt_at > at:
            return None, "not_due"
        delivery.next_attempt_at = None
        if not delivery.endpoint.active:
            # Held while the endpoint is paused or switched off; resuming sends it.
            delivery.save(update_fields=["next_attempt_at", "updated_at"])
            return None, "held"
        delivery.attempts += 1
        delivery.save(update_fields=["next_attempt_at", "attempts", "updated_at"])
    return delivery, ""


def _disable(endpoint: WebhookEndpoint, at: dt.datetime) -> None:
    endpoint.active = False
    endpoint.disabled_at = at
    audit_record(
        actor=None,
        event="webhook.disabled",
        target=endpoint,
        fields=["active"],
        values={"active": [True, False], "deliveries_given_up": endpoint.gave_up_in_a_row},
        organisation_id=endpoint.organisation_id,
    )


def delivery_attempt(*, delivery_id: int, schedule: Schedule) -> str:
    """Make one attempt if the delivery is due, and return its status afterwards.

    `schedule(delivery_id, run_after)` queues the next attempt; it is called inside the transaction
    that records this one, so with the database task backend both are saved or neither is.
    """
    at = now()
    delivery, skipped = _claim(delivery_id, at)
    if delivery is None:
        return skipped
    endpoint = delivery.endpoint
    body = body_of(delivery.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Linkwork-Event": delivery.event,
        "X-Linkwork-Delivery": str(delivery.pk),
        "X-Linkwork-Signature": signature_header(endpoint.secret, int(at.timestamp()), body),
    }
    started = time.monotonic()
    response = post(endpoint.url, body, headers)
    duration_ms = int((time.monotonic() - started) * 1000)
    succeeded = not response.error
    number = delivery.attempts
    with transaction.atomic():
        locked_endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint.pk).first()
        locked = WebhookDelivery.objects.select_for_update().filter(pk=delivery.pk).first()
        if locked_endpoint is None or locked is None:
            return "missing"  # removed while the request was on its way
        endpoint, delivery = locked_endpoint, locked
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            started_at=at,
            duration_ms=duration_ms,
            response_status=response.status,
            error=response.error,
            succeeded=succeeded,
        )
        delivery.last_response_status = response.status
        delivery.last_error = response.error
        if succeeded:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = at
            endpoint.last_success_at = at
            endpoint.consecutive_failures = 0
            endpoint.gave_up_in_a_row = 0
        else:
            endpoint.last_failure_at = at
            endpoint.last_failure_reason = response.error
            endpoint.consecutive_failures += 1
            if number >= MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.GAVE_UP
                endpoint.gave_up_in_a_row += 1
                if endpoint.active and endpoint.gave_up_in_a_row >= DISABLE_AFTER_GIVEN_UP:
                    _disable(endpoint, at)
            else:
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = at + RETRY_DELAYS[number - 1]
                schedule(delivery.pk, delivery.next_attempt_at)
        delivery.save()
        endpoint.save()
    return delivery.status
