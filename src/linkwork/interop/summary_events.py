"""Audit event codes for the loneliness summary and the messages back to the GP and referrer."""

from linkwork.audit.events import EventCode, register_events
from linkwork.audit.models import AuditAction

register_events(
    EventCode("summary.viewed", AuditAction.VIEW, "A loneliness and social connection summary was opened."),
    EventCode(
        "summary.shared",
        AuditAction.EXPORT,
        "A loneliness and social connection summary was shared with the person's GP or referrer.",
    ),
    EventCode(
        "message.acknowledged",
        AuditAction.CREATE,
        "A message telling the referrer and GP that the referral was received was made.",
    ),
    EventCode(
        "message.exported",
        AuditAction.EXPORT,
        "A message to the GP or referrer was downloaded as a PDF letter or as FHIR.",
    ),
)
