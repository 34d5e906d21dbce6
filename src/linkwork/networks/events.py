"""Audit event codes for network maps. Labels and notes are personal data: only field names are kept."""

from linkwork.audit.events import EventCode, register_events
from linkwork.audit.models import AuditAction

register_events(
    EventCode("network_map.viewed", AuditAction.VIEW, "A person's network map (or a snapshot) was opened."),
    EventCode("network_map.completed", AuditAction.UPDATE, "A network map was marked complete."),
    EventCode("network_map.shared", AuditAction.UPDATE, "Sharing a network map with volunteers changed."),
    EventCode("network_entry.added", AuditAction.CREATE, "An entry was added to a network map."),
    EventCode("network_entry.updated", AuditAction.UPDATE, "An entry on a network map was edited."),
    EventCode("network_entry.moved", AuditAction.UPDATE, "An entry on a network map moved to another ring."),
    EventCode("network_entry.removed", AuditAction.DELETE, "An entry was removed from a network map."),
    EventCode("network_snapshot.taken", AuditAction.CREATE, "A baseline or end network map was saved."),
)
