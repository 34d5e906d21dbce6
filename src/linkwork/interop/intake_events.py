"""Audit event codes for referrals coming in from other systems."""

from linkwork.audit.events import EventCode, register_events
from linkwork.audit.models import AuditAction

register_events(
    EventCode(
        "referral.received_fhir", AuditAction.CREATE, "A referral was received as a FHIR ServiceRequest."
    ),
    EventCode(
        "referrals.imported", AuditAction.CREATE, "Referrals were imported from a spreadsheet (with counts)."
    ),
)
