"""Input and output schemas for the webhooks API."""

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema

from linkwork.webhooks.models import WebhookEndpoint, WebhookEvent


class EndpointIn(Schema):
    url: str = Field(min_length=1, max_length=500, description="https:// address that receives the events")
    events: list[WebhookEvent] = Field(min_length=1)
    description: str = Field("", max_length=200)


class EndpointOut(Schema):
    id: int
    url: str
    description: str
    events: list[str]
    active: bool
    auto_disabled: bool
    created_at: dt.datetime
    last_success_at: dt.datetime | None
    last_failure_at: dt.datetime | None
    last_failure_reason: str
    consecutive_failures: int

    @staticmethod
    def build(endpoint: WebhookEndpoint) -> "EndpointOut":
        return EndpointOut(
            id=endpoint.pk,
            url=endpoint.url,
            description=endpoint.description,
            events=list(endpoint.events),
            active=endpoint.active,
            auto_disabled=endpoint.auto_disabled,
            created_at=endpoint.created_at,
            last_success_at=endpoint.last_success_at,
            last_failure_at=endpoint.last_failure_at,
            last_failure_reason=endpoint.last_failure_reason,
            consecutive_failures=endpoint.consecutive_failures,
        )


class EndpointCreatedOut(Schema):
    secret: str = Field(description="The signing secret, shown only in this answer")
    endpoint: EndpointOut


class AttemptOut(Schema):
    number: int
    started_at: dt.datetime
    duration_ms: int
    response_status: int | None
    error: str
    succeeded: bool


class DeliveryOut(Schema):
    id: int
    event: str
    event_id: uuid.UUID
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_response_status: int | None
    last_error: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    payload: dict[str, Any]
    attempt_log: list[AttemptOut]
