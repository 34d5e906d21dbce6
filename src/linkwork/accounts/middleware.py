"""Signs out sessions idle for LINKWORK_IDLE_TIMEOUT_MINUTES, or started over SESSION_COOKIE_AGE ago."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from linkwork.core.time import now

LAST_SEEN_KEY = "linkwork_last_seen"
STARTED_KEY = "linkwork_started"
# Saving the session on every request would write to the database each time; a minute is precise
# enough for a timeout counted in minutes.
RECORD_EVERY_SECONDS = 60


def idle_message(minutes: int) -> str:
    return (
        f"You have been signed out because linkwork was not used for {minutes} minutes. "
        "Sign in again to carry on."
    )


def expired_message(hours: float) -> str:
    return (
        f"You have been signed out because you signed in more than {hours:g} hours ago. "
        "Sign in again to carry on."
    )


class IdleTimeoutMiddleware:
    """Must come after the authentication and message middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            current = int(now().timestamp())
            last_seen = request.session.get(LAST_SEEN_KEY)
            started = request.session.setdefault(STARTED_KEY, current)
            minutes: int = settings.LINKWORK_IDLE_TIMEOUT_MINUTES
            # Saving the session (below) renews its expiry, so the session's full length is enforced
            # here, from when it started.
            max_age: int = settings.SESSION_COOKIE_AGE
            if isinstance(last_seen, int) and current - last_seen > minutes * 60:
                logout(request)
                messages.info(request, idle_message(minutes))
            elif isinstance(started, int) and current - started > max_age:
                logout(request)
                messages.info(request, expired_message(max_age / 3600))
            elif not isinstance(last_seen, int) or current - last_seen >= RECORD_EVERY_SECONDS:
                request.session[LAST_SEEN_KEY] = current
        return self.get_response(request)
