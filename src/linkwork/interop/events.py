"""Audit event codes for the FHIR export: every time a person's support leaves linkwork as FHIR."""

from linkwork.audit.events import EventCode, register_events
from linkwork.audit.models import AuditAction

register_events(
    EventCode(
        "fhir.exported",
        AuditAction.EXPORT,
        "A support episode was exported as a FHIR R4 Bundle (through the API or the command line).",
    ),
)
