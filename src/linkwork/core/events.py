"""Audit event codes for the installation as a whole: backups and restores."""

from linkwork.audit.events import EventCode, register_events
from linkwork.audit.models import AuditAction

register_events(
    EventCode("backup.created", AuditAction.EXPORT, "A backup of the whole database was written."),
    EventCode("backup.restored", AuditAction.CREATE, "The whole database was restored from a backup."),
)
