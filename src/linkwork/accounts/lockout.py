"""Sign-in lockout (django-axes): who is locked, until when, what they are told, and unlocking.

After `AXES_FAILURE_LIMIT` failed sign-ins for one username, or from one address, within
`AXES_COOLOFF_TIME`, signing in is refused until that time has passed since the last failure.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.backends import AxesStandaloneBackend  # type: ignore[import-untyped]
from axes.handlers.proxy import AxesProxyHandler  # type: ignore[import-untyped]
from axes.helpers import get_cool_off  # type: ignore[import-untyped]
from axes.models import AccessAttempt  # type: ignore[import-untyped]
from axes.signals import user_locked_out  # type: ignore[import-untyped]
from axes.utils import reset  # type: ignore[import-untyped]
from django.conf import settings
from django.db.models import Max, Sum
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from linkwork.accounts.selectors import organisation_id_for_username
from linkwork.audit.services import audit_record
from linkwork.core.http import client_ip
from linkwork.core.time import now


class LockoutBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """Refuses sign-ins while locked. Checks made in code with no request (the shell, the test
    client's `login`) have no address to count, so they are left to the next backend."""

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)  # type: ignore[no-any-return]


def username_tried(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """Usernames are lower case, so "Admin" and "admin" count against the same account."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(raw).strip().lower()[:150]


def _locked_until(**match: str) -> dt.datetime | None:
    cool_off = get_cool_off()
    if cool_off is None:
        return None
    recent = AccessAttempt.objects.filter(attempt_time__gte=now() - cool_off, **match).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    if (recent["failures"] or 0) < settings.AXES_FAILURE_LIMIT:
        return None
    last: dt.datetime = recent["last"]
    until: dt.datetime = last + cool_off
    return until


def account_locked_until(username: str) -> dt.datetime | None:
    """When signing in as `username` will be allowed again, or None if it is not locked."""
    return _locked_until(username=username.lower())


def address_locked_until(ip_address: str) -> dt.datetime | None:
    """When signing in from `ip_address` will be allowed again, or None if it is not locked."""
    return _locked_until(ip_address=ip_address)


def unlock_account(username: str) -> int:
    """Clear the failed sign-ins for a username; returns how many records were removed."""
    removed: int = reset(username=username.lower())
    return removed


def unlock_address(ip_address: str) -> int:
    """Clear the failed sign-ins from an address; returns how many records were removed."""
    removed: int = reset(ip=ip_address)
    return removed


def sign_in_locked(request: HttpRequest, username: str) -> bool:
    """Whether signing in as `username`, or from this request's address, is paused now."""
    return account_locked_until(username) is not None or address_locked_until(client_ip(request)) is not None


def count_failed_code(request: HttpRequest, username: str) -> bool:
    """Count a wrong two-factor code as a failed sign-in for `username` and this address, as a wrong
    password is (without a second `auth.login_failed` entry: the caller audits the code). Returns
    whether that started a lockout, in which case AxesMiddleware answers with the lockout page."""
    AxesProxyHandler.user_login_failed(
        sender=count_failed_code, credentials={"username": username}, request=request
    )
    return bool(getattr(request, "axes_locked_out", False))


def _later_of(*times: dt.datetime | None) -> dt.datetime | None:
    known = [time for time in times if time is not None]
    return max(known) if known else None


def locked_out_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """The sign-in page again, saying why signing in is paused and when to try again."""
    from linkwork.web.forms import SignInForm  # the web app's form; imported late, as web imports accounts

    ip_address = str(getattr(request, "axes_ip_address", "") or "")
    retry_at = _later_of(
        account_locked_until(username_tried(request, credentials)),
        address_locked_until(ip_address) if ip_address else None,
    )
    form = SignInForm(request, initial={"username": request.POST.get("username", "")})
    context = {"form": form, "retry_at": timezone.localtime(retry_at) if retry_at else None}
    return render(request, "accounts/locked_out.html", context, status=429)


@receiver(user_locked_out)
def record_lockout(sender: Any, request: HttpRequest, username: str, ip_address: str, **kwargs: Any) -> None:
    # Axes also signals each refused attempt during a lockout; only the moment it begins is recorded
    # here (every refused attempt is already recorded as auth.login_failed).
    if getattr(request, "axes_failures_since_start", None) is None:
        return
    audit_record(
        actor=None,
        event="auth.locked_out",
        detail={"username": username},
        organisation_id=organisation_id_for_username(username),
    )
