"""Each user sees their own recent sign-ins and failed attempts, and nobody else's."""

from __future__ import annotations

from django.test import Client

from linkwork.accounts import selectors
from linkwork.accounts.models import User
from tests.accounts.two_factor import give_code
from tests.conftest import signed_in
from tests.factories import PASSWORD


def sign_in(username: str, password: str = PASSWORD, address: str = "192.0.2.20") -> Client:
    client = Client(REMOTE_ADDR=address, HTTP_USER_AGENT=f"Browser of {username}")
    client.post("/sign-in/", {"username": username, "password": password})
    return client


def test_history_lists_the_users_own_sign_ins_and_failed_attempts_newest_first(
    connector: User, admin: User
) -> None:
    sign_in("connector", "wrong-password", address="203.0.113.5")
    sign_in("Connector", "wrong-again", address="203.0.113.5")
    client = sign_in("connector", address="192.0.2.21")
    give_code(client, connector)
    events = [entry.event for entry in selectors.sign_in_history(actor=connector)]
    assert events == ["auth.login", "auth.login_failed", "auth.login_failed"]
    page = client.get("/account/").content.decode()
    assert page.count("Failed attempt") == 2
    assert "Signed in" in page
    assert "203.0.113.5" in page
    assert "Browser of connector" in page


def test_history_shows_nothing_of_other_users(connector: User, admin: User, outsider_admin: User) -> None:
    sign_in("admin")
    sign_in("admin", "wrong-password", address="203.0.113.77")
    sign_in("outsider", "wrong-password", address="203.0.113.78")
    sign_in("nobody-at-all", "wrong-password", address="203.0.113.79")
    assert list(selectors.sign_in_history(actor=connector)) == []
    page = signed_in(connector).get("/account/").content.decode()
    assert [(entry.event, entry.actor_id) for entry in selectors.sign_in_history(actor=connector)] == [
        ("auth.login", connector.pk)
    ]
    assert "Failed attempt" not in page
    for address in ("203.0.113.77", "203.0.113.78", "203.0.113.79", "Browser of admin"):
        assert address not in page


def test_history_shows_a_lockout_and_a_sign_out_everywhere(connector: User) -> None:
    from django.conf import settings

    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in("connector", "wrong-password", address="203.0.113.5")
    client = signed_in(connector)
    client.post("/account/sign-out-everywhere/")
    page = client.get("/account/").content.decode()
    assert "Signing in paused" in page
    assert "Signed out everywhere" in page


def test_history_is_limited_to_the_most_recent_entries(connector: User) -> None:
    for _ in range(3):
        sign_in("connector")
    assert len(selectors.sign_in_history(actor=connector, limit=2)) == 2


def test_the_account_page_needs_a_signed_in_user(db: None) -> None:
    response = Client().get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")
