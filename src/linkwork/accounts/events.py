"""Audit event codes for organisations, teams, staff and API tokens."""

from linkwork.audit.events import EventCode, register_events
from linkwork.audit.models import AuditAction

register_events(
    EventCode("organisation.created", AuditAction.CREATE, "An organisation was set up."),
    EventCode("organisation.updated", AuditAction.UPDATE, "An organisation's details changed."),
    EventCode("team.created", AuditAction.CREATE, "A team was created."),
    EventCode("team.updated", AuditAction.UPDATE, "A team was renamed."),
    EventCode("team.deleted", AuditAction.DELETE, "A team was removed."),
    EventCode("staff.viewed", AuditAction.VIEW, "A member of staff's record was opened."),
    EventCode("staff.created", AuditAction.CREATE, "A member of staff was added."),
    EventCode("staff.updated", AuditAction.UPDATE, "A member of staff's details, roles or teams changed."),
    EventCode("staff.deactivated", AuditAction.DELETE, "A member of staff lost access."),
    EventCode("token.created", AuditAction.CREATE, "A personal API token was created."),
    EventCode("token.revoked", AuditAction.DELETE, "A personal API token was revoked."),
    EventCode(
        "auth.locked_out", AuditAction.LOGIN_FAILED, "Too many failed sign-ins: signing in was paused."
    ),
    EventCode("staff.unlocked", AuditAction.UPDATE, "A member of staff's sign-in lockout was cleared."),
    EventCode("auth.signed_out_everywhere", AuditAction.UPDATE, "A user signed out of every other session."),
    EventCode(
        "auth.two_factor_set_up", AuditAction.CREATE, "A user set up an authenticator app and recovery codes."
    ),
    EventCode(
        "auth.two_factor_verified", AuditAction.LOGIN, "A user gave a right code from their second factor."
    ),
    EventCode(
        "auth.two_factor_failed", AuditAction.LOGIN_FAILED, "A user gave a wrong two-factor or set-up code."
    ),
    EventCode(
        "auth.two_factor_reset",
        AuditAction.DELETE,
        "A user's authenticator app and recovery codes were removed, so they must set them up again.",
    ),
)
