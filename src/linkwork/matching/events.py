"""Audit event codes for matching, connections, shortlists and gaps."""

from linkwork.audit.events import EventCode, register_events
from linkwork.audit.models import AuditAction

register_events(
    EventCode("recommendations.viewed", AuditAction.VIEW, "Recommendations were worked out for a person."),
    EventCode(
        "connection.created", AuditAction.CREATE, "A connection (onward referral) was suggested or made."
    ),
    EventCode("connection.viewed", AuditAction.VIEW, "A connection was opened (its page or the API)."),
    EventCode("connection.moved", AuditAction.UPDATE, "A connection moved to another stage."),
    EventCode(
        "connection.provider_link_created", AuditAction.CREATE, "A link for the provider to confirm was made."
    ),
    EventCode("connection.provider_confirmed", AuditAction.UPDATE, "A provider answered through their link."),
    EventCode("shortlist.created", AuditAction.CREATE, "A shortlist of activities was started for a person."),
    EventCode(
        "shortlist.updated", AuditAction.UPDATE, "Activities were added to or removed from a shortlist."
    ),
    EventCode("shortlist.link_created", AuditAction.CREATE, "A private link to a shortlist was made."),
    EventCode("shortlist.viewed", AuditAction.VIEW, "A shortlist was opened, by staff or through its link."),
    EventCode("gap.recorded", AuditAction.CREATE, "A gap (nothing suitable within reach) was recorded."),
)
