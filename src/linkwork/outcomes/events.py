"""Audit event codes for measures, safeguarding alerts and stories."""

from linkwork.audit.events import EventCode, register_events
from linkwork.audit.models import AuditAction

register_events(
    EventCode("schedule.updated", AuditAction.UPDATE, "A programme's questionnaire schedule changed."),
    EventCode("measure.recorded", AuditAction.CREATE, "A questionnaire was answered and scored."),
    EventCode("measure.skipped", AuditAction.CREATE, "A due questionnaire was skipped, with the reason."),
    EventCode("measure.viewed", AuditAction.VIEW, "A person's questionnaire answers were opened."),
    EventCode(
        "measure.link_created", AuditAction.CREATE, "A one-time link to answer a questionnaire was made."
    ),
    EventCode("safeguarding.raised", AuditAction.CREATE, "An answer raised a safeguarding alert."),
    EventCode(
        "safeguarding.actioned", AuditAction.UPDATE, "The action taken on a safeguarding alert was recorded."
    ),
    EventCode("story.recorded", AuditAction.CREATE, "A person's story was recorded."),
    EventCode("story.viewed", AuditAction.VIEW, "A person's story was opened (as told, or anonymised)."),
    EventCode("story.exported", AuditAction.EXPORT, "An anonymised story was produced for a report."),
)
