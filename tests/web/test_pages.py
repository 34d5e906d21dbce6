"""Server-rendered pages: sign-in, role home pages, staff and team management, tokens."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from linkwork.accounts.models import ApiToken, Organisation, Team, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from tests.conftest import signed_in
from tests.factories import PASSWORD, make_staff, make_team


def nav_labels(html: str) -> list[str]:
    return re.findall(
        r'class="govuk-service-navigation__link" href="[^"]+"[^>]*>(?:<strong[^>]*>)?([^<]+)', html
    )


def test_every_signed_in_page_links_to_the_users_own_account_page(organisation: Organisation) -> None:
    user = make_staff(organisation=organisation, roles=[Role.VOLUNTEER])
    html = signed_in(user).get("/").content.decode()
    assert 'href="/account/">Your account</a>' in html


def test_the_health_check_answers_ok_without_signing_in(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_anonymous_visitors_are_sent_to_sign_in(db: None, client: Client) -> None:
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_sign_in_page_renders_and_a_wrong_password_shows_the_error_summary(
    connector: User, client: Client
) -> None:
    assert client.get("/sign-in/").status_code == 200
    response = client.post("/sign-in/", {"username": "connector", "password": "wrong"})
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "<title>Error: Sign in" in html


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.CONNECTOR, ["Caseload", "Referrals", "People", "Directory", "Gaps", "Staff", "API tokens"]),
        (Role.VOLUNTEER, ["People you support", "Directory", "API tokens"]),
        (
            Role.SUPERVISOR,
            [
                "Referrals",
                "Import referrals",
                "People",
                "Your teams",
                "Programmes",
                "Directory",
                "Gaps",
                "Reports",
                "Staff",
                "Audit log",
                "API tokens",
            ],
        ),
        (Role.DIRECTORY_EDITOR, ["Directory", "Directory work", "API tokens"]),
        (Role.ANALYST, ["Directory", "Gaps", "Reports", "API tokens"]),
        (
            Role.ORGANISATION_ADMIN,
            [
                "Import referrals",
                "Programmes",
                "Directory",
                "Reports",
                "Staff",
                "Teams",
                "Organisation",
                "Data protection",
                "Audit log",
                "API tokens",
                "Webhooks",
            ],
        ),
    ],
)
def test_each_role_sees_its_own_entry_points(
    organisation: Organisation, role: Role, expected: list[str]
) -> None:
    user = make_staff(organisation=organisation, roles=[role])
    html = signed_in(user).get("/").content.decode()
    assert nav_labels(html) == expected
    assert role.label in html
    assert organisation.name in html


def test_admin_adds_a_member_of_staff_through_the_form(admin: User, organisation: Organisation) -> None:
    team = make_team(organisation=organisation, name="North")
    client = signed_in(admin)
    response = client.post(
        "/staff/add/",
        {
            "username": "kai",
            "first_name": "Kai",
            "last_name": "Reid",
            "email": "kai@example.org",
            "roles": ["connector", "volunteer"],
            "teams": [team.pk],
        },
    )
    kai = User.objects.get(username="kai")
    assert response.status_code == 302
    assert response["Location"] == f"/staff/{kai.pk}/"
    assert kai.roles == {Role.CONNECTOR, Role.VOLUNTEER}


def test_a_rejected_staff_form_shows_errors_and_saves_nothing(admin: User) -> None:
    response = signed_in(admin).post("/staff/add/", {"username": "admin", "first_name": "", "email": "x"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_first_name"' in html
    assert 'href="#id_roles"' in html
    assert User.objects.count() == 1


def test_service_errors_appear_on_the_right_field(admin: User) -> None:
    data = {"username": "ADMIN", "first_name": "A", "email": "a@example.org", "roles": ["connector"]}
    html = signed_in(admin).post("/staff/add/", data).content.decode()
    assert 'href="#id_username">This username is already taken.' in html


def test_connectors_see_staff_but_cannot_add_or_edit(connector: User, admin: User) -> None:
    client = signed_in(connector)
    assert client.get("/staff/").status_code == 200
    assert client.get("/staff/add/").status_code == 403
    assert client.get(f"/staff/{admin.pk}/edit/").status_code == 404
    assert client.post(f"/staff/{admin.pk}/access/", {"access": "remove"}).status_code == 404
    admin.refresh_from_db()
    assert admin.is_active


def test_staff_of_another_organisation_are_not_found_in_the_ui(outsider_admin: User, connector: User) -> None:
    client = signed_in(outsider_admin)
    assert client.get(f"/staff/{connector.pk}/").status_code == 404
    assert f"/staff/{connector.pk}/" not in client.get("/staff/").content.decode()
    assert client.get(f"/staff/{connector.pk}/edit/").status_code == 404


def test_teams_of_another_organisation_cannot_be_removed_in_the_ui(
    outsider_admin: User, organisation: Organisation
) -> None:
    team = make_team(organisation=organisation, name="Keep me")
    assert signed_in(outsider_admin).post(f"/teams/{team.pk}/delete/").status_code == 404
    assert Team.objects.filter(pk=team.pk).exists()


def test_admin_creates_and_removes_a_team(admin: User) -> None:
    client = signed_in(admin)
    client.post("/teams/", {"name": "East"})
    team = Team.objects.get(name="East")
    client.post(f"/teams/{team.pk}/delete/")
    assert not Team.objects.filter(name="East").exists()


def test_admin_removes_and_restores_access(admin: User, connector: User) -> None:
    client = signed_in(admin)
    client.post(f"/staff/{connector.pk}/access/", {"access": "remove"})
    connector.refresh_from_db()
    assert not connector.is_active
    assert not Client().login(username="connector", password=PASSWORD)
    client.post(f"/staff/{connector.pk}/access/", {"access": "restore"})
    connector.refresh_from_db()
    assert connector.is_active


def test_a_token_made_in_the_ui_is_shown_once_and_can_be_revoked(connector: User) -> None:
    client = signed_in(connector)
    html = client.post("/tokens/", {"name": "Referral import", "expires_days": "30"}).content.decode()
    raw = re.search(r'<code id="new-token">([^<]+)</code>', html)
    assert raw is not None
    assert raw.group(1) not in client.get("/tokens/").content.decode()
    token = ApiToken.objects.get(user=connector)
    client.post(f"/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_tokens_of_colleagues_cannot_be_revoked_by_a_connector(
    connector: User, organisation: Organisation
) -> None:
    colleague = make_staff(organisation=organisation)
    client = signed_in(colleague)
    client.post("/tokens/", {"name": "Mine", "expires_days": "30"})
    token = ApiToken.objects.get(user=colleague)
    assert signed_in(connector).post(f"/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_password_reset_sends_a_link(connector: User, client: Client, mailoutbox: list[object]) -> None:
    response = client.post("/password-reset/", {"email": connector.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1


NO_CASE_ACCESS = [Role.VOLUNTEER, Role.ANALYST, Role.DIRECTORY_EDITOR, Role.ORGANISATION_ADMIN]


@pytest.mark.parametrize("role", NO_CASE_ACCESS)
@pytest.mark.parametrize("url", ["/people/", "/people/new-referral/", "/referrals/", "/caseload/"])
def test_casework_pages_are_refused_to_roles_without_case_access(
    organisation: Organisation, role: Role, url: str
) -> None:
    user = make_staff(organisation=organisation, roles=[role])
    assert signed_in(user).get(url).status_code == 403


def test_admin_changes_crisis_guidance_and_anonymising_words(admin: User, organisation: Organisation) -> None:
    client = signed_in(admin)
    assert client.get("/organisation/").status_code == 200
    data = {
        "name": organisation.name,
        "crisis_guidance": "Call the duty line on 0113 000 0000.",
        "anonymise_terms": "Headingley\nSt Michael's choir\n",
    }
    assert client.post("/organisation/", data).status_code == 302
    organisation.refresh_from_db()
    assert organisation.crisis_guidance == "Call the duty line on 0113 000 0000."
    assert organisation.anonymise_terms == ["Headingley", "St Michael's choir"]
    entry = AuditEvent.objects.filter(event="organisation.updated").last()
    assert entry is not None and set(entry.fields) == {"crisis_guidance", "anonymise_terms"}


def test_empty_crisis_guidance_is_refused(admin: User, organisation: Organisation) -> None:
    data = {"name": organisation.name, "crisis_guidance": " ", "anonymise_terms": ""}
    response = signed_in(admin).post("/organisation/", data)
    assert response.status_code == 200
    organisation.refresh_from_db()
    assert organisation.crisis_guidance.strip()


def test_connectors_cannot_change_organisation_settings(connector: User) -> None:
    assert signed_in(connector).get("/organisation/").status_code == 403


def test_only_the_longest_matching_link_is_marked_current(organisation: Organisation) -> None:
    editor = make_staff(organisation=organisation, roles=[Role.DIRECTORY_EDITOR])
    html = signed_in(editor).get("/directory/manage/services/").content.decode()
    current = re.findall(r'aria-current="page"><strong[^>]*>([^<]+)</strong>', html)
    assert current == ["Directory"]
