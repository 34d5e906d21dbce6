"""Audit event codes for support episodes and what is recorded in them."""

from linkwork.audit.events import EventCode, register_events
from linkwork.audit.models import AuditAction

register_events(
    EventCode("programme.created", AuditAction.CREATE, "A programme was set up."),
    EventCode("episode.viewed", AuditAction.VIEW, "A support episode was opened."),
    EventCode("episode.started", AuditAction.CREATE, "A support episode began."),
    EventCode("episode.updated", AuditAction.UPDATE, "A support episode's assignment changed."),
    EventCode("episode.paused", AuditAction.UPDATE, "Support was paused."),
    EventCode("episode.resumed", AuditAction.UPDATE, "Support resumed after a pause."),
    EventCode("episode.extension_requested", AuditAction.CREATE, "An extension was requested."),
    EventCode(
        "episode.extension_decided", AuditAction.UPDATE, "A supervisor approved or refused an extension."
    ),
    EventCode("episode.ending_planned", AuditAction.UPDATE, "The ending was planned."),
    EventCode("episode.closed", AuditAction.UPDATE, "Support ended."),
    EventCode("episode.follow_up_due", AuditAction.UPDATE, "The follow-up date arrived."),
    EventCode("episode.followed_up", AuditAction.UPDATE, "The follow-up was recorded."),
    EventCode(
        "conversation.recorded", AuditAction.CREATE, "A 'what matters to you' conversation was recorded."
    ),
    EventCode("goal.created", AuditAction.CREATE, "A goal was set."),
    EventCode("goal.updated", AuditAction.UPDATE, "A goal was revised or its progress rated."),
    EventCode("contact.logged", AuditAction.CREATE, "A contact with the person was logged."),
    EventCode("meetup.recorded", AuditAction.CREATE, "A meet-up and its attendance were recorded."),
    EventCode("budget.spent", AuditAction.CREATE, "Money was spent from the person's budget."),
)
