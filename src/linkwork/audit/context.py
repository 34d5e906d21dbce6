"""Where the current request came from, for the audit log (set by AuditContextMiddleware)."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestOrigin:
    ip_address: str | None
    user_agent: str


NO_ORIGIN = RequestOrigin(ip_address=None, user_agent="")
current_origin: ContextVar[RequestOrigin] = ContextVar("current_origin", default=NO_ORIGIN)
