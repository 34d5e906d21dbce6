"""Two-factor authentication: who must use it, set-up, the code after the password, recovery codes,
lockout, the organisation setting, resets by an admin and the operator, and the demo exemption.

These tests sign in through the real form (or Django's own `force_login`), so their sessions start
unverified, unlike the rest of the suite's (tests/conftest.py).
"""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from linkwork.accounts import two_factor
from linkwork.accounts.lockout import account_locked_until
from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.core.checks import linkwork_deploy_checks
from linkwork.core.errors import DomainError
from linkwork.demo.builder import DemoOptions, demo_data_build
from tests.accounts.two_factor import (
    app_code,
    force_login_unverified,
    give_two_factor,
    wrong_code,
)
from tests.conftest import signed_in
from tests.factories import OPERATOR, PASSWORD, make_staff

pytestmark = pytest.mark.django_db

SET_UP = "/two-factor/set-up/"
VERIFY = "/two-factor/verify/"


@pytest.fixture(autouse=True)
def no_waiting_between_codes(settings: Any) -> None:
    # django-otp makes each wrong code double the wait before the next (1 s, 2 s, ...). Tests type
    # faster than people, so the wait is off here except in the test about it.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def password_only(username: str, address: str = "192.0.2.50") -> Client:
    client = Client(REMOTE_ADDR=address)
    response = client.post("/sign-in/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "the password was accepted"
    return client


def events(code: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event=code).order_by("seq"))


def set_up_through_the_page(client: Client, user: User) -> list[str]:
    """Scan (read the key from the page's device) and confirm; returns the recovery codes shown."""
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(SET_UP, {"code": app_code(device), "next": "/"})
    assert response.status_code == 200
    return re.findall(r"<code[^>]*>([a-z2-7]{4})-([a-z2-7]{4})</code>", response.content.decode())


# Who must use it


@pytest.mark.parametrize(
    ("roles", "required"),
    [
        ([Role.CONNECTOR], True),
        ([Role.VOLUNTEER], True),
        ([Role.SUPERVISOR], True),
        ([Role.ORGANISATION_ADMIN], True),
        ([Role.DIRECTORY_EDITOR], False),
        ([Role.ANALYST], False),
        ([Role.ANALYST, Role.DIRECTORY_EDITOR], False),
        ([Role.ANALYST, Role.VOLUNTEER], True),
    ],
)
def test_roles_that_read_personal_data_must_use_two_factor(
    organisation: Organisation, roles: list[Role], required: bool
) -> None:
    user = make_staff(organisation=organisation, roles=roles)
    assert two_factor.two_factor_required(user) is required


def test_the_organisation_requires_two_factor_unless_it_turns_it_off(organisation: Organisation) -> None:
    assert Organisation().require_two_factor is True
    user = make_staff(organisation=organisation, roles=[Role.CONNECTOR])
    organisation.require_two_factor = False
    organisation.save()
    user.refresh_from_db()
    assert not two_factor.two_factor_required(user)
    assert not two_factor.needs_verification(user)
    give_two_factor(user)
    # Someone who set it up anyway is still asked for the code.
    assert two_factor.needs_verification(user)


# The pages a half-signed-in user reaches


def test_after_the_password_a_connector_without_an_app_is_sent_to_set_up_for_every_page(
    connector: User,
) -> None:
    client = password_only("connector")
    for path in ("/", "/caseload/", "/account/", "/staff/", f"/staff/{connector.pk}/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(SET_UP), path
    assert client.get("/caseload/")["Location"] == f"{SET_UP}?next=%2Fcaseload%2F"
    assert client.post("/account/sign-out-everywhere/")["Location"].startswith(SET_UP)
    assert connector.session_generation == User.objects.get(pk=connector.pk).session_generation


def test_sign_in_set_up_verify_sign_out_static_files_and_health_stay_open(connector: User) -> None:
    client = password_only("connector")
    assert client.get(SET_UP).status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/web/js-enabled.js").status_code == 200
    assert client.get("/sign-in/").status_code == 302  # already signed in: on to the home page
    assert client.post("/sign-out/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_browser_api_needs_a_verified_session(connector: User) -> None:
    client = password_only("connector")
    response = client.get("/api/v1/me")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "TWO_FACTOR_REQUIRED"
    assert (
        client.post("/api/v1/tokens", {"name": "Laptop"}, content_type="application/json").status_code == 403
    )
    assert not connector.api_tokens.exists()


def test_api_tokens_need_no_second_factor_and_never_borrow_an_unverified_session(
    connector: User, admin: User
) -> None:
    from linkwork.accounts.services import token_create

    _, raw = token_create(actor=OPERATOR, user=admin, name="Import")
    assert (
        Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").json()["user"]["username"] == "admin"
    )
    half_signed_in = password_only("connector")
    # With a token the request is the token's owner's, whatever the session says.
    answer = half_signed_in.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert answer.status_code == 200 and answer.json()["user"]["username"] == "admin"
    # A wrong token does not fall back to the session.
    assert half_signed_in.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer lw_wrong").status_code == 401


def test_a_directory_editor_or_analyst_without_an_app_is_not_asked(organisation: Organisation) -> None:
    make_staff(organisation=organisation, roles=[Role.ANALYST], username="analyst")
    make_staff(organisation=organisation, roles=[Role.DIRECTORY_EDITOR], username="editor")
    assert password_only("analyst").get("/").status_code == 200
    assert password_only("editor").get("/").status_code == 200


def test_anyone_who_set_up_an_app_is_asked_for_the_code_whatever_their_roles(
    organisation: Organisation,
) -> None:
    analyst = make_staff(organisation=organisation, roles=[Role.ANALYST], username="analyst")
    give_two_factor(analyst)
    assert password_only("analyst").get("/")["Location"] == f"{VERIFY}?next=%2F"


def test_when_the_organisation_does_not_require_it_staff_sign_in_with_the_password_alone(
    organisation: Organisation, connector: User
) -> None:
    organisation.require_two_factor = False
    organisation.save()
    assert password_only("connector").get("/").status_code == 200


# Setting up


def test_set_up_shows_a_qr_code_and_the_key_and_confirms_with_a_code(connector: User) -> None:
    client = password_only("connector")
    page = client.get(f"{SET_UP}?next=/caseload/").content.decode()
    device = TOTPDevice.objects.get(user=connector, confirmed=False)
    assert '<svg role="img" aria-label="QR code to scan with your authenticator app"' in page
    assert two_factor.secret_text(device) in page
    assert "style=" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    # The same key until it is confirmed, so a reload does not invalidate what was scanned.
    client.get(SET_UP)
    assert TOTPDevice.objects.filter(user=connector).count() == 1

    response = client.post(SET_UP, {"code": app_code(device), "next": "/caseload/"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Two-factor authentication is set up" in html
    codes = re.findall(r"<code[^>]*>([a-z2-7]{4}-[a-z2-7]{4})</code>", html)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert 'href="/caseload/"' in html
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=connector).count() == 10
    assert client.get("/caseload/").status_code == 200
    [entry] = events("auth.two_factor_set_up")
    assert entry.actor_id == connector.pk and entry.object_id == str(connector.pk)
    assert entry.detail == {"recovery_codes": 10}


def test_a_wrong_set_up_code_is_refused_audited_and_sets_up_nothing(connector: User) -> None:
    client = password_only("connector")
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=connector)
    response = client.post(SET_UP, {"code": wrong_code(device)})
    assert response.status_code == 200
    assert two_factor.WRONG_SET_UP_CODE in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=connector).exists()
    assert client.get("/")["Location"].startswith(SET_UP)
    [entry] = events("auth.two_factor_failed")
    assert entry.detail == {"stage": "set-up"} and entry.actor_id == connector.pk


def test_an_empty_code_is_asked_for_again(connector: User) -> None:
    client = password_only("connector")
    response = client.post(SET_UP, {"code": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not events("auth.two_factor_failed")


def test_the_password_alone_cannot_replace_an_app_already_set_up(connector: User) -> None:
    device = give_two_factor(connector)
    client = password_only("connector")
    assert client.get(SET_UP)["Location"] == f"{VERIFY}?next=%2F"
    assert client.post(SET_UP, {"code": "123456"})["Location"].startswith(VERIFY)
    assert list(TOTPDevice.objects.filter(user=connector)) == [device]
    with pytest.raises(DomainError):
        two_factor.set_up_device(user=connector)


# The code after the password


def test_a_user_with_an_app_gives_its_code_after_the_password_and_goes_where_they_were_going(
    connector: User,
) -> None:
    device = give_two_factor(connector)
    client = Client()
    response = client.post("/sign-in/?next=/caseload/", {"username": "connector", "password": PASSWORD})
    assert response["Location"] == "/caseload/"
    assert client.get("/caseload/")["Location"] == f"{VERIFY}?next=%2Fcaseload%2F"
    key_before = client.session.session_key
    response = client.post(VERIFY, {"code": app_code(device), "next": "/caseload/"})
    assert response["Location"] == "/caseload/"
    assert client.get("/caseload/").status_code == 200
    assert client.session.session_key != key_before
    [entry] = events("auth.two_factor_verified")
    assert entry.actor_id == connector.pk and entry.detail == {"method": "app"}


def test_a_wrong_code_is_refused_and_audited(connector: User) -> None:
    device = give_two_factor(connector)
    client = password_only("connector")
    response = client.post(VERIFY, {"code": wrong_code(device)})
    assert response.status_code == 200
    assert two_factor.WRONG_CODE in response.content.decode()
    assert client.get("/")["Location"].startswith(VERIFY)
    [entry] = events("auth.two_factor_failed")
    assert entry.detail == {"stage": "verify", "method": "app"}
    assert entry.organisation_id == connector.organisation_id
    # The user sees it in their own sign-in history.
    assert client.post(VERIFY, {"code": app_code(device)}).status_code == 302
    assert "Wrong two-factor code" in client.get("/account/").content.decode()


def test_a_code_is_accepted_once(connector: User) -> None:
    device = give_two_factor(connector)
    first = password_only("connector")
    code = app_code(device)
    assert first.post(VERIFY, {"code": code})["Location"] == "/"
    second = password_only("connector", address="192.0.2.51")
    assert second.post(VERIFY, {"code": code}).status_code == 200
    assert second.get("/")["Location"].startswith(VERIFY)


def test_the_next_page_must_be_one_of_ours(connector: User) -> None:
    device = give_two_factor(connector)
    client = password_only("connector")
    response = client.post(VERIFY, {"code": app_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_verified_session_visiting_verify_or_set_up_goes_on(connector: User) -> None:
    client = signed_in(connector)
    assert client.get(f"{VERIFY}?next=/caseload/")["Location"] == "/caseload/"
    assert client.get(SET_UP)["Location"].startswith(VERIFY)


# Recovery codes


def test_a_recovery_code_signs_in_once_and_says_how_many_are_left(connector: User) -> None:
    client = password_only("connector")
    codes = set_up_through_the_page(client, connector)
    first = "-".join(codes[0])
    client.post("/sign-out/")

    client = password_only("connector")
    response = client.post(VERIFY, {"code": first.upper()}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "You have 9 left" in response.content.decode()
    [entry] = events("auth.two_factor_verified")
    assert entry.detail == {"method": "recovery code", "recovery_codes_left": 9}
    client.post("/sign-out/")

    again = password_only("connector")
    response = again.post(VERIFY, {"code": first})
    assert two_factor.WRONG_RECOVERY_CODE in response.content.decode()
    assert again.get("/")["Location"].startswith(VERIFY)


# Lockout and slowing down guesses


def test_five_wrong_codes_lock_the_account_sign_the_session_out_and_are_audited(connector: User) -> None:
    device = give_two_factor(connector)
    client = password_only("connector")
    for _ in range(4):
        assert client.post(VERIFY, {"code": wrong_code(device)}).status_code == 200
    response = client.post(VERIFY, {"code": wrong_code(device)})
    assert response.status_code == 429
    assert "Signing in is paused" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert account_locked_until("connector") is not None
    assert [entry.detail["username"] for entry in events("auth.locked_out")] == ["connector"]
    assert len(events("auth.two_factor_failed")) == 5
    # The password, then the right code, are refused until the lock ends.
    assert (
        Client(REMOTE_ADDR="198.51.100.9")
        .post("/sign-in/", {"username": "connector", "password": PASSWORD})
        .status_code
        == 429
    )


def test_a_session_signed_in_before_a_lockout_cannot_give_a_code_during_it(connector: User) -> None:
    device = give_two_factor(connector)
    client = password_only("connector")
    for number in range(5):
        Client(REMOTE_ADDR=f"203.0.113.{number}").post(
            "/sign-in/", {"username": "connector", "password": "x"}
        )
    response = client.post(VERIFY, {"code": app_code(device)})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert not events("auth.two_factor_verified")


def test_signing_in_again_does_not_reset_the_wait_after_wrong_codes(connector: User, settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device = give_two_factor(connector)
    client = password_only("connector")
    client.post(VERIFY, {"code": wrong_code(device)})
    # A new sign-in clears the lockout count, but not the device's own count of wrong codes.
    fresh = password_only("connector", address="192.0.2.60")
    response = fresh.post(VERIFY, {"code": app_code(device)})
    assert two_factor.TOO_MANY_WRONG in response.content.decode()
    assert fresh.get("/")["Location"].startswith(VERIFY)


# The organisation setting


def test_an_admin_turns_the_requirement_off_and_on_and_it_is_audited(
    admin: User, organisation: Organisation
) -> None:
    client = signed_in(admin)
    page = client.get("/organisation/").content.decode()
    assert "Required for staff who can see people's records" in page
    assert (
        client.post("/organisation/two-factor/", {"require_two_factor": "no"})["Location"] == "/organisation/"
    )
    organisation.refresh_from_db()
    assert organisation.require_two_factor is False
    entry = events("organisation.updated")[-1]
    assert entry.fields == ["require_two_factor"] and entry.values == {"require_two_factor": [True, False]}
    client.post("/organisation/two-factor/", {"require_two_factor": "yes"})
    organisation.refresh_from_db()
    assert organisation.require_two_factor is True


def test_saving_other_organisation_settings_leaves_two_factor_alone(
    admin: User, organisation: Organisation
) -> None:
    client = signed_in(admin)
    data = {"name": organisation.name, "crisis_guidance": "Call 999.", "anonymise_terms": ""}
    assert client.post("/organisation/", data).status_code == 302
    organisation.refresh_from_db()
    assert organisation.require_two_factor is True


def test_a_bad_setting_is_refused_and_changes_nothing(admin: User, organisation: Organisation) -> None:
    response = signed_in(admin).post("/organisation/two-factor/", {"require_two_factor": "maybe"})
    assert response.status_code == 200
    organisation.refresh_from_db()
    assert organisation.require_two_factor is True


@pytest.mark.parametrize("role", [Role.CONNECTOR, Role.SUPERVISOR, Role.VOLUNTEER, Role.ANALYST])
def test_only_organisation_admins_change_the_setting(organisation: Organisation, role: Role) -> None:
    user = make_staff(organisation=organisation, roles=[role])
    response = signed_in(user).post("/organisation/two-factor/", {"require_two_factor": "no"})
    assert response.status_code == 403
    organisation.refresh_from_db()
    assert organisation.require_two_factor is True


# Resetting a lost phone


def test_an_admin_resets_a_colleagues_two_factor_which_signs_them_out(admin: User, connector: User) -> None:
    connector_client = signed_in(connector)
    StaticDevice.objects.create(user=connector, name="Recovery codes")
    client = signed_in(admin)
    page = client.get(f"/staff/{connector.pk}/").content.decode()
    assert "Set up on" in page and "Reset two-factor authentication" in page
    response = client.post(f"/staff/{connector.pk}/two-factor-reset/", follow=True)
    assert "have been removed" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=connector).exists()
    assert not StaticDevice.objects.filter(user=connector).exists()
    assert connector_client.get("/")["Location"].startswith("/sign-in/")
    [entry] = events("auth.two_factor_reset")
    assert entry.actor_id == admin.pk and entry.object_id == str(connector.pk)
    assert entry.detail == {"devices_removed": 2}
    # At the next sign-in they set it up again.
    assert password_only("connector").get("/")["Location"].startswith(SET_UP)


@pytest.mark.parametrize("role", [Role.CONNECTOR, Role.SUPERVISOR, Role.VOLUNTEER])
def test_only_organisation_admins_reset_two_factor(
    organisation: Organisation, admin: User, role: Role
) -> None:
    user = make_staff(organisation=organisation, roles=[role])
    device = give_two_factor(admin)
    response = signed_in(user).post(f"/staff/{admin.pk}/two-factor-reset/")
    assert response.status_code in (403, 404)
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not events("auth.two_factor_reset")


def test_an_admin_of_another_organisation_cannot_reset_our_staff(
    outsider_admin: User, connector: User
) -> None:
    device = give_two_factor(connector)
    response = signed_in(outsider_admin).post(f"/staff/{connector.pk}/two-factor-reset/")
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_an_admin_cannot_reset_their_own_two_factor(admin: User) -> None:
    client = signed_in(admin)
    response = client.post(f"/staff/{admin.pk}/two-factor-reset/", follow=True)
    assert "You cannot reset your own two-factor authentication" in response.content.decode()
    assert TOTPDevice.objects.filter(user=admin).exists()
    assert "Reset two-factor authentication" not in client.get(f"/staff/{admin.pk}/").content.decode()


def test_the_reset_needs_a_post(admin: User, connector: User) -> None:
    give_two_factor(connector)
    assert signed_in(admin).get(f"/staff/{connector.pk}/two-factor-reset/").status_code == 405
    assert TOTPDevice.objects.filter(user=connector).exists()


def test_colleagues_who_are_not_admins_do_not_see_anyones_two_factor(
    organisation: Organisation, admin: User
) -> None:
    supervisor = make_staff(organisation=organisation, roles=[Role.SUPERVISOR])
    page = signed_in(supervisor).get(f"/staff/{admin.pk}/").content.decode()
    assert "two-factor-status" not in page


def test_the_operator_resets_two_factor_on_the_command_line(connector: User) -> None:
    give_two_factor(connector)
    out = StringIO()
    call_command("two_factor", "reset", "Connector", stdout=out)
    assert "has been reset" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=connector).exists()
    [entry] = events("auth.two_factor_reset")
    assert entry.actor_id is None and entry.actor_username.startswith("operator:")
    assert entry.organisation_id == connector.organisation_id


def test_the_command_refuses_an_unknown_user() -> None:
    with pytest.raises(CommandError, match="no user called 'nobody'"):
        call_command("two_factor", "reset", "nobody")
    assert not events("auth.two_factor_reset")


# Your account


def test_the_account_page_says_whether_two_factor_is_set_up(connector: User) -> None:
    client = Client()
    force_login_unverified(client, connector)
    organisation = connector.organisation
    assert organisation is not None
    organisation.require_two_factor = False
    organisation.save()
    assert "Set up two-factor authentication" in client.get("/account/").content.decode()
    set_up_through_the_page(client, connector)
    assert "You have 10 recovery codes left" in client.get("/account/").content.decode()


# Demo logins in development


@pytest.fixture
def demo_connector(organisation: Organisation) -> User:
    user = make_staff(organisation=organisation, roles=[Role.CONNECTOR], username="demo")
    User.objects.filter(pk=user.pk).update(is_demo=True)
    user.refresh_from_db()
    return user


@pytest.mark.parametrize(
    ("production", "skip", "is_demo", "exempt"),
    [
        (False, True, True, True),
        (True, True, True, False),
        (False, False, True, False),
        (False, True, False, False),
    ],
)
def test_demo_logins_skip_two_factor_only_outside_production_when_asked(
    demo_connector: User, settings: Any, production: bool, skip: bool, is_demo: bool, exempt: bool
) -> None:
    settings.PRODUCTION = production
    settings.LINKWORK_DEMO_SKIP_TWO_FACTOR = skip
    demo_connector.is_demo = is_demo
    assert two_factor.demo_exempt(demo_connector) is exempt
    assert two_factor.needs_verification(demo_connector) is not exempt


def test_an_exempt_demo_login_signs_in_with_the_password_alone(demo_connector: User, settings: Any) -> None:
    settings.LINKWORK_DEMO_SKIP_TWO_FACTOR = True
    assert password_only("demo").get("/").status_code == 200


def test_the_demo_data_marks_its_logins_and_no_one_else(db: None) -> None:
    demo_data_build(DemoOptions(people=0, services=0))
    assert User.objects.filter(is_demo=False).count() == 0
    assert User.objects.get(username="connector").is_demo


def test_the_deploy_check_fails_while_demo_logins_may_skip_two_factor(settings: Any) -> None:
    settings.LINKWORK_DEMO_SKIP_TWO_FACTOR = False
    assert "linkwork.E010" not in [problem.id for problem in linkwork_deploy_checks()]
    settings.LINKWORK_DEMO_SKIP_TWO_FACTOR = True
    [problem] = [problem for problem in linkwork_deploy_checks() if problem.id == "linkwork.E010"]
    assert "LINKWORK_DEMO_SKIP_TWO_FACTOR" in problem.msg
