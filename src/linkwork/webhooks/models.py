"""Webhook endpoints an organisation registers, and every delivery and attempt made to them.

Payloads carry no personal data: only the event, ids and API addresses (docs/webhooks.md).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from linkwork.accounts.models import Organisation


class WebhookEvent(models.TextChoices):
    REFERRAL_RECEIVED = "referral.received", "A referral is received"
    EPISODE_CLOSED = "episode.closed", "Support ends (an episode is closed)"
    CONNECTION_ATTENDED = "connection.attended", "A person goes to the first visit of a connection"


# Sent only by "send a test event"; endpoints do not subscribe to it.
TEST_EVENT = "webhook.test"


class WebhookEndpoint(models.Model):
    """An address that receives signed event notices. The secret is stored as given, because each
    delivery is signed with it (a hash could not sign); it is shown to the admin only once."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    # Set when linkwork switched the endpoint off after repeated failures, cleared on resume.
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_failure_reason = models.CharField(max_length=300, blank=True)
    consecutive_failures = models.PositiveIntegerField(
        default=0, help_text="Failed attempts since the last successful delivery."
    )
    gave_up_in_a_row = models.PositiveIntegerField(
        default=0, help_text="Deliveries that used all their attempts since the last successful one."
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.url

    @property
    def auto_disabled(self) -> bool:
        return not self.active and self.disabled_at is not None

    def event_labels(self) -> list[str]:
        labels = dict(WebhookEvent.choices)
        return [str(labels.get(event, event)) for event in self.events]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed, will try again"
    GAVE_UP = "gave_up", "Gave up"


class WebhookDelivery(models.Model):
    """One event for one endpoint, tried until it is delivered or the retries run out."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    # The same for every endpoint that receives this event, so a receiver can ignore repeats.
    event_id = models.UUIDField(default=uuid.uuid4)
    payload = models.JSONField()
    attempts = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["endpoint", "status"], name="webhook_delivery_status")]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint_id} ({self.status})"

    @property
    def may_retry_now(self) -> bool:
        return self.status in (DeliveryStatus.FAILED, DeliveryStatus.GAVE_UP)


class WebhookAttempt(models.Model):
    """One HTTP request made for a delivery, kept for the delivery log."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_number_unique")
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}"
