"""Audit event codes for people and consent."""

from linkwork.audit.events import EventCode, register_events
from linkwork.audit.models import AuditAction

register_events(
    EventCode("person.viewed", AuditAction.VIEW, "A person's record was opened."),
    EventCode(
        "person.viewed_practical", AuditAction.VIEW, "A volunteer opened a person's practical details."
    ),
    EventCode("person.created", AuditAction.CREATE, "A person's record was created."),
    EventCode("person.updated", AuditAction.UPDATE, "A person's details changed."),
    EventCode("consent.recorded", AuditAction.CREATE, "A consent decision was recorded."),
    EventCode("consent.withdrawn", AuditAction.UPDATE, "A consent was withdrawn."),
)
