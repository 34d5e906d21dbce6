"""Audit event codes for webhook endpoints."""

from linkwork.audit.events import EventCode, register_events
from linkwork.audit.models import AuditAction

register_events(
    EventCode("webhook.created", AuditAction.CREATE, "A webhook endpoint was added."),
    EventCode("webhook.deleted", AuditAction.DELETE, "A webhook endpoint was removed."),
    EventCode(
        "webhook.secret_rotated", AuditAction.UPDATE, "A webhook endpoint's signing secret was replaced."
    ),
    EventCode("webhook.paused", AuditAction.UPDATE, "A webhook endpoint was paused."),
    EventCode("webhook.resumed", AuditAction.UPDATE, "A webhook endpoint was resumed."),
    EventCode(
        "webhook.disabled", AuditAction.UPDATE, "A webhook endpoint was switched off after repeated failures."
    ),
    EventCode("webhook.test_sent", AuditAction.CREATE, "A test event was sent to a webhook endpoint."),
    EventCode("webhook.delivery_retried", AuditAction.UPDATE, "A failed webhook delivery was tried again."),
)
