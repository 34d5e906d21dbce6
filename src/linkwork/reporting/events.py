"""Audit event codes for reports: every time one is looked at or leaves the service."""

from linkwork.audit.events import EventCode, register_events
from linkwork.audit.models import AuditAction

register_events(
    EventCode("report.viewed", AuditAction.VIEW, "A report was opened (its page or the API)."),
    EventCode("report.exported", AuditAction.EXPORT, "A report was exported (CSV, JSON, HTML or PDF)."),
)
