"""Refuse request bodies that are too large before anything reads or parses them."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

TOO_LARGE = "The request is too large: send at most {limit} KB."
BAD_LENGTH = "The request's Content-Length is not a number of bytes."


def _refusal(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        body = {"error": {"code": code, "message": message, "fields": {}}}
        return JsonResponse(body, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class RequestSizeLimitMiddleware:
    """Answers 413 when the declared body is over DATA_UPLOAD_MAX_MEMORY_SIZE.

    Django would otherwise only notice when a view, the CSRF check or the API reads the body, and
    answer with a bare 400. Nothing in linkwork takes uploads over the web (directory imports are
    on the command line), so the same limit covers forms, API bodies and files alike. Django reads
    no more of a body than its Content-Length, so a body sent without one is never read.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            # Django's own size check would fail on it with a 500 once the body is read.
            return _refusal(request, 400, "BAD_REQUEST", BAD_LENGTH)
        limit: int | None = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return _refusal(request, 413, "TOO_LARGE", TOO_LARGE.format(limit=limit // 1024))
        return self.get_response(request)
