"""Audit event codes for referrals."""

from linkwork.audit.events import EventCode, register_events
from linkwork.audit.models import AuditAction

register_events(
    EventCode("referral.viewed", AuditAction.VIEW, "A referral was opened."),
    EventCode("referral.created", AuditAction.CREATE, "A referral was recorded by staff."),
    EventCode(
        "referral.self_referred", AuditAction.CREATE, "Someone referred themselves on the public form."
    ),
    EventCode(
        "referral.contact_attempted", AuditAction.UPDATE, "An attempt to contact the person was logged."
    ),
    EventCode("referral.accepted", AuditAction.UPDATE, "A referral was accepted and support began."),
    EventCode("referral.declined", AuditAction.UPDATE, "The person declined the referral."),
    EventCode(
        "referral.unable_to_contact", AuditAction.UPDATE, "The referral closed: the person was not reached."
    ),
    EventCode(
        "referral.not_appropriate", AuditAction.UPDATE, "The referral was not appropriate and redirected."
    ),
    EventCode("referral.outcome_sent", AuditAction.EXPORT, "An outcome letter to the referrer was produced."),
)
