"""Session rules: a second factor before anything else for staff who need one, and signing out
sessions idle for LINKWORK_IDLE_TIMEOUT_MINUTES or started over SESSION_COOKIE_AGE ago."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from linkwork.accounts.two_factor import has_two_factor, needs_verification, session_verified
from linkwork.core.time import now

# Pages a signed-in user reaches before giving their second factor.
TWO_FACTOR_OPEN_PAGES = ("login", "logout", "two_factor_set_up", "two_factor_verify", "healthz")
TWO_FACTOR_REQUIRED_MESSAGE = (
    "Give the code from your authenticator app first: sign in again in the browser, or use an API token."
)


class TwoFactorMiddleware:
    """Signed-in staff who need a second factor (accounts/two_factor.py) and have not given one in this
    session reach only sign-in, sign-out, two-factor set-up and verify, static files and the health check.
    Pages redirect to set-up or verify; the API answers 403 `TWO_FACTOR_REQUIRED`, except that a request
    with an `Authorization` header is judged by its API token alone, never by the half-signed-in session.

    Must come after AuthenticationMiddleware and django_otp's OTPMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Cheapest first: a verified session costs only OTPMiddleware's one look-up of its device.
        user = request.user
        if (
            user.is_authenticated
            and not session_verified(request)
            and not _open_page(request.path_info)
            and needs_verification(user)
        ):
            if request.path_info.startswith("/api/"):
                if "Authorization" not in request.headers:
                    return JsonResponse(
                        {
                            "error": {
                                "code": "TWO_FACTOR_REQUIRED",
                                "message": TWO_FACTOR_REQUIRED_MESSAGE,
                                "fields": {},
                            }
                        },
                        status=403,
                    )
                request.user = AnonymousUser()
            else:
                target = "two_factor_verify" if has_two_factor(user) else "two_factor_set_up"
                wanted = request.get_full_path() if request.method == "GET" else reverse("home")
                return HttpResponseRedirect(f"{reverse(target)}?{urlencode({'next': wanted})}")
        return self.get_response(request)


def _open_page(path: str) -> bool:
    return path.startswith(settings.STATIC_URL) or path in {reverse(name) for name in TWO_FACTOR_OPEN_PAGES}


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
