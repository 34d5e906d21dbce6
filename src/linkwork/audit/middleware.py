from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from linkwork.audit.context import RequestOrigin, current_origin
from linkwork.core.http import client_ip


class AuditContextMiddleware:
    """Makes the request's address and user agent available to audit_record()."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        origin = RequestOrigin(
            ip_address=client_ip(request) or None,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:200],
        )
        token = current_origin.set(origin)
        try:
            return self.get_response(request)
        finally:
            current_origin.reset(token)
