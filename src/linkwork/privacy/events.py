"""Audit event codes for subject access, erasure and retention."""

from linkwork.audit.events import EventCode, register_events
from linkwork.audit.models import AuditAction

register_events(
    EventCode("person.exported", AuditAction.EXPORT, "Everything held about a person was downloaded."),
    EventCode(
        "person.erased",
        AuditAction.DELETE,
        "A person's details were erased or anonymised (counts of records only are kept).",
    ),
    EventCode("retention.updated", AuditAction.UPDATE, "An organisation's retention period changed."),
    EventCode("retention.ran", AuditAction.UPDATE, "The retention task anonymised people kept too long."),
)
