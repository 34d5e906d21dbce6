from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from linkwork.core.errors import NotFound, PermissionDenied


class DomainErrorPagesMiddleware:
    """Shows the not-found and not-allowed pages for errors raised by selectors, services and lookups."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # An id too large for a 64-bit column names nothing; SQLite says so with OverflowError.
        if isinstance(exception, NotFound | OverflowError):
            return render(request, "404.html", status=404)
        if isinstance(exception, PermissionDenied):
            return render(request, "403.html", status=403)
        return None
