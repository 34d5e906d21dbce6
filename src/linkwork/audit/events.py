"""Audit event codes as data. Each app declares its codes in its own events.py."""

from __future__ import annotations

from dataclasses import dataclass

from linkwork.audit.models import AuditAction


@dataclass(frozen=True)
class EventCode:
    code: str
    action: AuditAction
    description: str


EVENTS: dict[str, EventCode] = {}


def register_events(*codes: EventCode) -> None:
    for event in codes:
        if event.code in EVENTS and EVENTS[event.code] != event:
            raise ValueError(f"audit event code {event.code!r} is declared twice")
        EVENTS[event.code] = event


register_events(
    EventCode("auth.login", AuditAction.LOGIN, "A user signed in to the web app."),
    EventCode("auth.login_failed", AuditAction.LOGIN_FAILED, "A sign-in or API token was refused."),
    EventCode("auth.permission_denied", AuditAction.PERMISSION_DENIED, "An action was refused by policy."),
    EventCode("audit.exported", AuditAction.EXPORT, "Audit log entries were exported."),
)
