"""Sign-in events from django.contrib.auth go to the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from linkwork.accounts.selectors import organisation_id_for_username
from linkwork.audit.services import audit_record


@receiver(user_logged_in)
def record_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, event="auth.login", target=user)


@receiver(user_login_failed)
def record_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # Attributed to the organisation of the account tried, so its admins can see attacks on it.
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        actor=None,
        event="auth.login_failed",
        detail={"username": username},
        organisation_id=organisation_id_for_username(username),
    )
