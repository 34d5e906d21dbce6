"""Lockout after repeated failed sign-ins, per account and per address, and unlocking it."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from axes.models import AccessAttempt  # type: ignore[import-untyped]
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from linkwork.accounts.lockout import account_locked_until, address_locked_until
from linkwork.accounts.models import User
from linkwork.audit.models import AuditEvent
from linkwork.core.time import now
from tests.conftest import signed_in
from tests.factories import PASSWORD

LIMIT: int = settings.AXES_FAILURE_LIMIT


WRONG = "not-the-password"


def attempt(username: str, password: str = WRONG, address: str = "192.0.2.10") -> Any:
    return Client(REMOTE_ADDR=address).post("/sign-in/", {"username": username, "password": password})


def fail_until_locked(username: str, *, addresses: list[str] | None = None) -> Any:
    addresses = addresses or ["192.0.2.10"] * LIMIT
    response = None
    for address in addresses:
        response = attempt(username, address=address)
    return response


def test_the_default_limit_is_five_failures_within_fifteen_minutes() -> None:
    assert LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60


def test_failures_below_the_limit_only_show_the_usual_error(connector: User) -> None:
    for _ in range(LIMIT - 1):
        response = attempt("connector")
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()
    assert account_locked_until("connector") is None
    assert attempt("connector", PASSWORD).status_code == 302


def test_repeated_failures_lock_the_account_with_a_plain_message_saying_when_to_try_again(
    connector: User,
) -> None:
    # From a different address each time, so only the account's own count can trip the lock.
    response = fail_until_locked("connector", addresses=[f"192.0.2.{n}" for n in range(1, LIMIT + 1)])
    assert response.status_code == 429
    html = response.content.decode()
    assert "Signing in is paused" in html
    assert "too many failed attempts to sign in" in html
    retry_at = account_locked_until("connector")
    assert retry_at is not None
    local = timezone.localtime(retry_at)
    assert f"You can try again after {local:%H:%M}" in html
    assert "ask your organisation admin to unlock your account" in html
    # The right password is refused too while the lock lasts, from an address never seen before.
    refused = attempt("connector", PASSWORD, address="198.51.100.7")
    assert refused.status_code == 429
    assert "_auth_user_id" not in refused.client.session


def test_the_account_lock_ignores_the_case_of_the_username(connector: User) -> None:
    for number, name in enumerate(["Connector", "CONNECTOR", "connector", "cOnnector", "connectoR"][:LIMIT]):
        response = attempt(name, address=f"192.0.2.{number + 1}")
    assert response.status_code == 429
    assert account_locked_until("connector") is not None


def test_repeated_failures_from_one_address_lock_that_address_for_every_username(
    connector: User, admin: User
) -> None:
    for number in range(LIMIT):
        response = attempt(f"guess{number}", address="203.0.113.9")
    assert response.status_code == 429
    assert address_locked_until("203.0.113.9") is not None
    assert account_locked_until("connector") is None
    # A real user's right password from that address is refused; from elsewhere it works.
    assert attempt("admin", PASSWORD, address="203.0.113.9").status_code == 429
    assert attempt("admin", PASSWORD, address="198.51.100.7").status_code == 302


def test_the_start_of_a_lockout_is_audited_under_the_account_organisation(connector: User) -> None:
    fail_until_locked("connector")
    attempt("connector")  # refused during the lockout: a failed sign-in, not a second lockout
    locked = AuditEvent.objects.filter(event="auth.locked_out")
    assert [entry.detail["username"] for entry in locked] == ["connector"]
    assert locked.get().organisation_id == connector.organisation_id
    assert AuditEvent.objects.filter(event="auth.login_failed").count() == LIMIT + 1


def test_an_admin_sees_the_lock_on_the_staff_page_and_unlocks_it(admin: User, connector: User) -> None:
    fail_until_locked("connector")
    client = signed_in(admin)
    page = client.get(f"/staff/{connector.pk}/").content.decode()
    assert "Signing in as connector is paused" in page
    response = client.post(f"/staff/{connector.pk}/unlock/")
    assert response.status_code == 302
    assert account_locked_until("connector") is None
    assert "is paused" not in client.get(f"/staff/{connector.pk}/").content.decode()
    assert attempt("connector", PASSWORD, address="198.51.100.7").status_code == 302
    unlocked = AuditEvent.objects.get(event="staff.unlocked")
    assert unlocked.actor_id == admin.pk
    assert unlocked.object_id == str(connector.pk)


@pytest.mark.parametrize("role_user", ["connector", "supervisor", "volunteer"])
def test_only_organisation_admins_can_unlock_staff(role_user: str, request: pytest.FixtureRequest) -> None:
    user: User = request.getfixturevalue(role_user)
    admin: User = request.getfixturevalue("admin")
    fail_until_locked("admin")
    response = signed_in(user).post(f"/staff/{admin.pk}/unlock/")
    assert response.status_code in (403, 404)
    assert account_locked_until("admin") is not None
    assert "Signing in as" not in signed_in(user).get(f"/staff/{admin.pk}/").content.decode()


def test_an_admin_of_another_organisation_cannot_unlock_our_staff(
    outsider_admin: User, connector: User
) -> None:
    fail_until_locked("connector")
    response = signed_in(outsider_admin).post(f"/staff/{connector.pk}/unlock/")
    assert response.status_code == 404
    assert account_locked_until("connector") is not None


def test_the_unlock_command_unlocks_a_user(connector: User) -> None:
    fail_until_locked("connector")
    out = StringIO()
    call_command("unlock", "Connector", stdout=out)
    assert "connector can sign in again" in out.getvalue()
    assert account_locked_until("connector") is None
    assert AuditEvent.objects.get(event="staff.unlocked").actor_username.startswith("operator:")


def test_the_unlock_command_unlocks_an_address(db: None) -> None:
    for number in range(LIMIT):
        attempt(f"guess{number}", address="203.0.113.9")
    assert address_locked_until("203.0.113.9") is not None
    call_command("unlock", "--address", "203.0.113.9", stdout=StringIO())
    assert address_locked_until("203.0.113.9") is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody"], "There is no user called 'nobody'"),
        ([], "Give either a username or --address"),
        (["connector", "--address", "203.0.113.9"], "Give either a username or --address"),
    ],
)
def test_the_unlock_command_refuses_bad_input(connector: User, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("unlock", *args, stdout=StringIO())


def test_a_lock_ends_by_itself_after_the_cool_off(connector: User) -> None:
    fail_until_locked("connector")
    AccessAttempt.objects.update(attempt_time=now() - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1))
    assert account_locked_until("connector") is None
    assert attempt("connector", PASSWORD).status_code == 302
