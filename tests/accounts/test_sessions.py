"""Idle sessions are signed out; "sign out everywhere" ends every other session."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from linkwork.accounts.middleware import LAST_SEEN_KEY, STARTED_KEY, expired_message, idle_message
from linkwork.accounts.models import User
from linkwork.audit.models import AuditEvent
from linkwork.core.time import now
from tests.accounts.two_factor import give_code
from tests.conftest import signed_in
from tests.factories import PASSWORD


def last_seen(client: Client, *, minutes_ago: float) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = int((now() - dt.timedelta(minutes=minutes_ago)).timestamp())
    session.save()


def test_the_idle_timeout_is_thirty_minutes_unless_configured() -> None:
    from django.conf import settings

    assert settings.LINKWORK_IDLE_TIMEOUT_MINUTES == 30


def test_a_session_idle_for_longer_than_the_timeout_is_signed_out_with_a_message(connector: User) -> None:
    client = signed_in(connector)
    assert client.get("/account/").status_code == 200
    last_seen(client, minutes_ago=31)
    response = client.get("/account/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/sign-in/")
    assert idle_message(30) in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Signing in again works as usual.
    assert client.post("/sign-in/", {"username": "connector", "password": PASSWORD}).status_code == 302
    assert give_code(client, connector).status_code == 302
    assert client.get("/account/").status_code == 200


def test_a_session_used_within_the_timeout_stays_signed_in_and_its_clock_restarts(connector: User) -> None:
    client = signed_in(connector)
    last_seen(client, minutes_ago=29)
    assert client.get("/account/").status_code == 200
    assert now().timestamp() - client.session[LAST_SEEN_KEY] < 60


def test_the_timeout_follows_the_setting(connector: User, settings: Any) -> None:
    settings.LINKWORK_IDLE_TIMEOUT_MINUTES = 5
    client = signed_in(connector)
    last_seen(client, minutes_ago=6)
    response = client.get("/account/", follow=True)
    assert idle_message(5) in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_idle_session_calling_the_api_is_refused(connector: User) -> None:
    client = signed_in(connector)
    last_seen(client, minutes_ago=31)
    assert client.get("/api/v1/me").status_code == 401


def test_sign_out_everywhere_ends_the_other_sessions_but_keeps_this_one(connector: User, admin: User) -> None:
    here, elsewhere, colleague = signed_in(connector), signed_in(connector), signed_in(admin)
    assert elsewhere.get("/account/").status_code == 200
    response = here.post("/account/sign-out-everywhere/", follow=True)
    assert "You have been signed out everywhere else" in response.content.decode()
    assert here.get("/account/").status_code == 200
    other = elsewhere.get("/account/")
    assert other.status_code == 302
    assert other["Location"].startswith("/sign-in/")
    assert elsewhere.get("/api/v1/me").status_code == 401
    # Other users' sessions are untouched.
    assert colleague.get("/account/").status_code == 200
    entry = AuditEvent.objects.get(event="auth.signed_out_everywhere")
    assert entry.actor_id == connector.pk


def test_sign_out_everywhere_needs_a_post(connector: User) -> None:
    client = signed_in(connector)
    assert client.get("/account/sign-out-everywhere/").status_code == 405
    assert not AuditEvent.objects.filter(event="auth.signed_out_everywhere").exists()


def test_a_session_from_before_sign_out_everywhere_cannot_be_reused_after_signing_in_again(
    connector: User,
) -> None:
    old = signed_in(connector)
    signed_in(connector).post("/account/sign-out-everywhere/")
    fresh = Client()
    assert fresh.post("/sign-in/", {"username": "connector", "password": PASSWORD}).status_code == 302
    assert give_code(fresh, connector).status_code == 302
    assert fresh.get("/account/").status_code == 200
    assert old.get("/account/").status_code == 302


def test_a_session_older_than_its_full_length_is_signed_out_even_while_in_use(connector: User) -> None:
    client = signed_in(connector)
    assert client.get("/account/").status_code == 200
    session = client.session
    session[STARTED_KEY] = int((now() - dt.timedelta(hours=8, minutes=1)).timestamp())
    session.save()
    last_seen(client, minutes_ago=1)
    response = client.get("/account/", follow=True)
    assert expired_message(8) in response.content.decode()
    assert "_auth_user_id" not in client.session
