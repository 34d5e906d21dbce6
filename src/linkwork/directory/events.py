"""Audit event codes for the community directory."""

from linkwork.audit.events import EventCode, register_events
from linkwork.audit.models import AuditAction

register_events(
    EventCode("directory_service.created", AuditAction.CREATE, "A directory entry was created by staff."),
    EventCode("directory_service.updated", AuditAction.UPDATE, "A directory entry was edited."),
    EventCode(
        "directory_service.suggested", AuditAction.CREATE, "A service was suggested through the public form."
    ),
    EventCode(
        "directory_service.transitioned", AuditAction.UPDATE, "A directory entry moved to another state."
    ),
    EventCode(
        "directory_service.verified", AuditAction.UPDATE, "A directory entry was checked and confirmed."
    ),
    EventCode(
        "directory_service.review_sweep", AuditAction.UPDATE, "Entries fell due for review or went stale."
    ),
    EventCode(
        "directory_problem.reported", AuditAction.CREATE, "A problem with a directory entry was reported."
    ),
    EventCode(
        "directory_problem.closed", AuditAction.UPDATE, "A reported problem was resolved or dismissed."
    ),
    EventCode("directory_claim.made", AuditAction.CREATE, "A provider asked to claim a directory listing."),
    EventCode(
        "directory_claim.decided", AuditAction.UPDATE, "A claim on a listing was approved or rejected."
    ),
    EventCode("directory.imported", AuditAction.CREATE, "Directory records were imported from a file."),
    EventCode(
        "directory.contacts_cleared",
        AuditAction.UPDATE,
        "Contact details the public gave were cleared after the retention period.",
    ),
    EventCode("directory.demo_loaded", AuditAction.CREATE, "The fictional demo directory was loaded."),
    EventCode("directory.exported", AuditAction.EXPORT, "The directory was exported to a file."),
)
