"""Deliveries against a real HTTP server on 127.0.0.1: signed, free of personal data, retried on the
backoff schedule through the database task queue, given up, and the endpoint switched off."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from linkwork.accounts.models import Organisation, User
from linkwork.audit.models import AuditEvent
from linkwork.core.errors import DomainError
from linkwork.people.models import Person
from linkwork.referrals.models import Referral
from linkwork.webhooks.delivery import DISABLE_AFTER_GIVEN_UP, MAX_ATTEMPTS, PRIVATE_ADDRESS, RETRY_DELAYS
from linkwork.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from linkwork.webhooks.services import delivery_retry_now, endpoint_delete, endpoint_set_active
from linkwork.webhooks.signing import verify
from tests.journey_factories import make_person, make_referral
from tests.webhooks.conftest import Clock, Receiver, make_endpoint, queued, run_due_tasks

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]
SURNAME = "Featherstonehaugh"


def new_person(organisation: Organisation) -> Person:
    return make_person(
        organisation=organisation,
        first_name="Mabel",
        last_name=SURNAME,
        phone="07700 900123",
        email="mabel@example.org",
        postcode="W10 6AB",
    )


def refer(organisation: Organisation, capture: Capture) -> Referral:
    """A referral recorded through the real service, with its transaction's commit callbacks run."""
    with capture(execute=True):
        return make_referral(person=new_person(organisation))


def the_delivery() -> WebhookDelivery:
    return WebhookDelivery.objects.get()


def test_a_delivery_is_signed_with_the_endpoint_secret_and_names_its_event_and_delivery(
    admin: User,
    organisation: Organisation,
    receiver: Receiver,
    clock: Clock,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    endpoint, secret = make_endpoint(admin=admin, url=receiver.url)
    refer(organisation, django_capture_on_commit_callbacks)

    assert run_due_tasks(clock.at) == [DeliveryStatus.DELIVERED]

    (request,) = receiver.requests
    delivery = the_delivery()
    assert request.path == "/hooks/linkwork"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-linkwork-event"] == "referral.received"
    assert request.headers["x-linkwork-delivery"] == str(delivery.pk)
    # Checked by hand, as a receiver in another language would: HMAC-SHA256 of "<t>.<body>".
    parts = dict(part.split("=", 1) for part in request.headers["x-linkwork-signature"].split(","))
    assert int(parts["t"]) == int(clock.at.timestamp())
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected)
    header, moment = request.headers["x-linkwork-signature"], int(clock.at.timestamp())
    assert verify(secret, header, request.body, now=moment)
    assert not verify("whsec_wrong", header, request.body, now=moment)
    assert not verify(secret, header, request.body.replace(b"referral", b"referrer"), now=moment)
    assert not verify(secret, header, request.body, now=moment + 600), "an old message replayed is refused"

    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1
    assert delivery.last_response_status == 204 and delivery.delivered_at == clock.at
    endpoint.refresh_from_db()
    assert endpoint.last_success_at == clock.at and endpoint.consecutive_failures == 0
    (attempt,) = WebhookAttempt.objects.all()
    assert attempt.succeeded and attempt.response_status == 204 and attempt.number == 1


def test_the_payload_names_the_records_and_carries_no_personal_data(
    admin: User,
    organisation: Organisation,
    receiver: Receiver,
    clock: Clock,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    make_endpoint(admin=admin, url=receiver.url)
    referral = refer(organisation, django_capture_on_commit_callbacks)
    run_due_tasks(clock.at)

    body = receiver.requests[0].body
    payload = json.loads(body)
    assert set(payload) == {"id", "type", "occurred_at", "organisation", "data"}
    assert payload["type"] == "referral.received"
    assert payload["id"] == str(the_delivery().event_id)
    assert payload["organisation"] == organisation.slug
    assert payload["occurred_at"].endswith("Z")
    assert payload["data"] == {
        "referral": {"id": referral.pk, "url": f"http://127.0.0.1:8000/api/v1/referrals/{referral.pk}"},
        "person": {
            "id": referral.person_id,
            "url": f"http://127.0.0.1:8000/api/v1/people/{referral.person_id}",
        },
    }
    text = body.decode()
    for personal in (
        "Mabel",
        SURNAME,
        "07700",
        "mabel@example.org",
        "W10",
        "Ada Shah",
        "Lives alone",
        "reference",
    ):
        assert personal not in text


def test_a_failed_delivery_is_retried_after_one_five_and_thirty_minutes_until_it_succeeds(
    admin: User,
    organisation: Organisation,
    receiver: Receiver,
    clock: Clock,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    endpoint, _ = make_endpoint(admin=admin, url=receiver.url)
    receiver.fail_times = 3
    refer(organisation, django_capture_on_commit_callbacks)
    start = clock.at

    assert run_due_tasks(clock.at) == [DeliveryStatus.FAILED]
    delivery = the_delivery()
    assert delivery.next_attempt_at == start + RETRY_DELAYS[0]
    assert [task.run_after for task in queued()] == [start + RETRY_DELAYS[0]], "queued with run_after"
    assert run_due_tasks(start + RETRY_DELAYS[0] - RETRY_DELAYS[0] / 2) == [], "nothing runs before it is due"
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 1 and endpoint.last_failure_at == start
    assert endpoint.last_failure_reason == "The receiver answered 500."

    for delay, expected in zip(RETRY_DELAYS[:3], ["failed", "failed", "delivered"], strict=True):
        assert run_due_tasks(clock.advance(delay)) == [expected]

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 4
    attempts = list(WebhookAttempt.objects.order_by("number"))
    assert [attempt.started_at - start for attempt in attempts] == [
        RETRY_DELAYS[0] * 0,
        RETRY_DELAYS[0],
        RETRY_DELAYS[0] + RETRY_DELAYS[1],
        RETRY_DELAYS[0] + RETRY_DELAYS[1] + RETRY_DELAYS[2],
    ]
    assert [attempt.response_status for attempt in attempts] == [500, 500, 500, 204]
    assert len(receiver.requests) == 4
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0 and endpoint.last_success_at == clock.at


def exhaust_retries(clock: Clock) -> list[Any]:
    results = run_due_tasks(clock.at)
    for delay in RETRY_DELAYS:
        results += run_due_tasks(clock.advance(delay))
    return results


def test_a_delivery_gives_up_after_the_last_retry_and_three_in_a_row_switch_the_endpoint_off(
    admin: User,
    organisation: Organisation,
    receiver: Receiver,
    clock: Clock,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    endpoint, _ = make_endpoint(admin=admin, url=receiver.url)
    receiver.fail_times = 1000
    refer(organisation, django_capture_on_commit_callbacks)

    assert exhaust_retries(clock) == ["failed"] * (MAX_ATTEMPTS - 1) + ["gave_up"]
    delivery = the_delivery()
    assert delivery.status == DeliveryStatus.GAVE_UP and delivery.attempts == MAX_ATTEMPTS == 6
    assert delivery.next_attempt_at is None and queued() == []
    endpoint.refresh_from_db()
    assert endpoint.active, "one delivery giving up does not switch the endpoint off"
    assert endpoint.gave_up_in_a_row == 1 and endpoint.consecutive_failures == MAX_ATTEMPTS

    for _ in range(DISABLE_AFTER_GIVEN_UP - 1):
        refer(organisation, django_capture_on_commit_callbacks)
    exhaust_retries(clock)

    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.auto_disabled and endpoint.disabled_at == clock.at
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.GAVE_UP).count() == DISABLE_AFTER_GIVEN_UP
    disabled = AuditEvent.objects.get(event="webhook.disabled")
    assert disabled.object_id == str(endpoint.pk) and disabled.organisation_id == organisation.pk

    # Switched off: later events make no deliveries until an admin resumes it.
    refer(organisation, django_capture_on_commit_callbacks)
    assert WebhookDelivery.objects.count() == DISABLE_AFTER_GIVEN_UP


def test_the_failures_and_the_switch_off_are_visible_on_the_webhooks_pages(
    admin: User,
    organisation: Organisation,
    receiver: Receiver,
    clock: Clock,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    endpoint, _ = make_endpoint(admin=admin, url=receiver.url)
    receiver.fail_times = 1000
    refer(organisation, django_capture_on_commit_callbacks)
    run_due_tasks(clock.at)
    client = Client()
    client.force_login(admin)

    listing = client.get("/webhooks/").content.decode()
    assert "1 failed attempt in a row" in listing and "The receiver answered 500." in listing
    assert "1 endpoint is failing" in listing
    detail = client.get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert "The last 1 attempt failed" in detail and "Failed, will try again" in detail
    assert "Retry now" in detail

    for _ in range(DISABLE_AFTER_GIVEN_UP):
        refer(organisation, django_capture_on_commit_callbacks)
    exhaust_retries(clock)
    listing = client.get("/webhooks/").content.decode()
    assert "Switched off after failures" in listing
    assert f"after {DISABLE_AFTER_GIVEN_UP} events in a row could not be delivered" in listing
    assert "linkwork switched this endpoint off" in client.get(f"/webhooks/{endpoint.pk}/").content.decode()


def test_a_redirect_is_a_failure_and_is_not_followed(
    admin: User,
    organisation: Organisation,
    receiver: Receiver,
    clock: Clock,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    make_endpoint(admin=admin, url=receiver.url)
    receiver.redirect_to = receiver.url + "/elsewhere"
    refer(organisation, django_capture_on_commit_callbacks)

    assert run_due_tasks(clock.at) == [DeliveryStatus.FAILED]
    assert len(receiver.requests) == 1
    delivery = the_delivery()
    assert delivery.last_response_status == 302
    assert delivery.last_error == "The receiver answered 302 (a redirect, which is not followed)."


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_an_unreachable_receiver_is_a_failure_with_a_short_reason(
    admin: User, organisation: Organisation, clock: Clock, django_capture_on_commit_callbacks: Capture
) -> None:
    make_endpoint(admin=admin, url=f"http://127.0.0.1:{closed_port()}/hook")
    refer(organisation, django_capture_on_commit_callbacks)

    assert run_due_tasks(clock.at) == [DeliveryStatus.FAILED]
    delivery = the_delivery()
    assert delivery.last_response_status is None
    assert delivery.last_error.startswith("Could not send:") and len(delivery.last_error) <= 300


def test_a_local_address_is_refused_at_sending_time_once_local_addresses_are_not_allowed(
    admin: User,
    organisation: Organisation,
    receiver: Receiver,
    clock: Clock,
    settings: Any,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    make_endpoint(admin=admin, url=receiver.url)
    settings.LINKWORK_WEBHOOKS_ALLOW_LOCAL = False
    refer(organisation, django_capture_on_commit_callbacks)

    assert run_due_tasks(clock.at) == [DeliveryStatus.FAILED]
    assert receiver.requests == []
    assert the_delivery().last_error == PRIVATE_ADDRESS


def test_a_paused_endpoint_holds_its_deliveries_and_sends_them_when_resumed(
    admin: User,
    organisation: Organisation,
    receiver: Receiver,
    clock: Clock,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    endpoint, _ = make_endpoint(admin=admin, url=receiver.url)
    refer(organisation, django_capture_on_commit_callbacks)
    endpoint_set_active(actor=admin, endpoint=endpoint, active=False)

    assert run_due_tasks(clock.at) == ["held"]
    assert receiver.requests == [] and the_delivery().status == DeliveryStatus.PENDING
    refer(organisation, django_capture_on_commit_callbacks)
    assert WebhookDelivery.objects.count() == 1, "a paused endpoint gets no new deliveries"

    endpoint_set_active(actor=admin, endpoint=endpoint, active=True)
    assert run_due_tasks(clock.at) == [DeliveryStatus.DELIVERED]
    assert len(receiver.requests) == 1
    assert [event.event for event in AuditEvent.objects.filter(event__startswith="webhook.").order_by("seq")][
        -2:
    ] == [
        "webhook.paused",
        "webhook.resumed",
    ]


def test_removing_an_endpoint_stops_its_queued_attempts(
    admin: User,
    organisation: Organisation,
    receiver: Receiver,
    clock: Clock,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    endpoint, _ = make_endpoint(admin=admin, url=receiver.url)
    refer(organisation, django_capture_on_commit_callbacks)
    endpoint_delete(actor=admin, endpoint=endpoint)

    assert run_due_tasks(clock.at) == ["missing"]
    assert receiver.requests == [] and not WebhookEndpoint.objects.exists()


def test_retry_now_sends_a_failed_delivery_at_once_and_the_scheduled_retry_then_does_nothing(
    admin: User,
    organisation: Organisation,
    receiver: Receiver,
    clock: Clock,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    make_endpoint(admin=admin, url=receiver.url)
    receiver.fail_times = 1
    refer(organisation, django_capture_on_commit_callbacks)
    run_due_tasks(clock.at)

    delivery_retry_now(actor=admin, delivery=the_delivery())
    assert run_due_tasks(clock.at) == [DeliveryStatus.DELIVERED]
    assert run_due_tasks(clock.advance(RETRY_DELAYS[0])) == [DeliveryStatus.DELIVERED]
    assert len(receiver.requests) == 2
    assert AuditEvent.objects.filter(event="webhook.delivery_retried").count() == 1
    with pytest.raises(DomainError) as refused:
        delivery_retry_now(actor=admin, delivery=the_delivery())
    assert refused.value.code == "NOT_RETRYABLE"


def test_retry_now_gives_a_delivery_that_gave_up_one_more_try(
    admin: User,
    organisation: Organisation,
    receiver: Receiver,
    clock: Clock,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    make_endpoint(admin=admin, url=receiver.url)
    receiver.fail_times = MAX_ATTEMPTS
    refer(organisation, django_capture_on_commit_callbacks)
    exhaust_retries(clock)
    assert the_delivery().status == DeliveryStatus.GAVE_UP

    delivery_retry_now(actor=admin, delivery=the_delivery())
    assert run_due_tasks(clock.at) == [DeliveryStatus.DELIVERED]
    assert the_delivery().attempts == MAX_ATTEMPTS + 1


def test_only_an_admin_of_the_endpoints_organisation_may_retry_a_delivery(
    admin: User,
    connector: User,
    outsider_admin: User,
    organisation: Organisation,
    receiver: Receiver,
    clock: Clock,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    make_endpoint(admin=admin, url=receiver.url)
    receiver.fail_times = 1
    refer(organisation, django_capture_on_commit_callbacks)
    run_due_tasks(clock.at)
    for actor in (connector, outsider_admin):
        with pytest.raises(DomainError):
            delivery_retry_now(actor=actor, delivery=the_delivery())
    assert the_delivery().status == DeliveryStatus.FAILED
