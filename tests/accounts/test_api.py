"""The staff API: token auth, revocation, error shape and organisation isolation."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from django.test import Client

from linkwork.accounts import services
from linkwork.accounts.models import ApiToken, Organisation, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.core.time import now
from tests.conftest import signed_in
from tests.factories import OPERATOR, make_staff, make_team


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def test_a_token_acts_as_its_user(connector: User, client: Client) -> None:
    _, raw = services.token_create(actor=OPERATOR, user=connector, name="integration")
    response = client.get("/api/v1/me", headers=bearer(raw))
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "connector"
    assert ApiToken.objects.get(user=connector).last_used_at is not None


def test_tokens_are_stored_only_as_a_hash(connector: User) -> None:
    token, raw = services.token_create(actor=OPERATOR, user=connector, name="integration")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in json.dumps(list(ApiToken.objects.values()), default=str)


@pytest.mark.parametrize("how", ["revoked", "expired", "user deactivated", "garbage"])
def test_unusable_tokens_are_refused_and_recorded_as_failed_logins(
    connector: User, admin: User, client: Client, how: str
) -> None:
    token, raw = services.token_create(actor=OPERATOR, user=connector, name="integration")
    if how == "revoked":
        services.token_revoke(actor=connector, token=token)
    elif how == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=now() - dt.timedelta(seconds=1))
    elif how == "user deactivated":
        User.objects.filter(pk=connector.pk).update(is_active=False)
    else:
        raw = "lw_not-a-real-token"
    response = client.get("/api/v1/me", headers=bearer(raw))
    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "UNAUTHENTICATED", "message": "Sign in, or send a valid API token.", "fields": {}}
    }
    assert AuditEvent.objects.filter(event="auth.login_failed").exists()


def test_a_user_creates_lists_and_revokes_their_own_token_through_the_api(connector: User) -> None:
    client = signed_in(connector)
    created = client.post(
        "/api/v1/tokens", {"name": "GP import", "expires_days": 30}, content_type="application/json"
    )
    assert created.status_code == 201
    raw, token_id = created.json()["token"], created.json()["details"]["id"]
    assert Client().get("/api/v1/me", headers=bearer(raw)).status_code == 200
    assert [t["name"] for t in client.get("/api/v1/tokens").json()] == ["GP import"]
    assert client.delete(f"/api/v1/tokens/{token_id}").status_code == 200
    assert Client().get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_token_expiry_outside_one_to_365_days_is_refused(connector: User) -> None:
    client = signed_in(connector)
    response = client.post(
        "/api/v1/tokens", {"name": "x", "expires_days": 400}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert "expires_days" in response.json()["error"]["fields"]
    assert not ApiToken.objects.exists()


def test_tokens_without_an_expiry_cannot_be_made_through_the_api(connector: User) -> None:
    payload = {"name": "forever", "expires_days": None}
    response = signed_in(connector).post("/api/v1/tokens", payload, content_type="application/json")
    assert response.status_code == 422
    assert not ApiToken.objects.exists()


def test_list_pages_are_capped_at_200_items(admin: User) -> None:
    response = signed_in(admin).get("/api/v1/audit-events", {"limit": 100000})
    assert response.status_code == 422


def test_reading_your_own_record_is_not_audited_but_a_colleagues_is(admin: User, connector: User) -> None:
    client = signed_in(admin)
    before = AuditEvent.objects.filter(event="staff.viewed").count()
    client.get("/api/v1/me")
    assert AuditEvent.objects.filter(event="staff.viewed").count() == before
    client.get(f"/api/v1/staff/{connector.pk}")
    assert AuditEvent.objects.filter(event="staff.viewed").count() == before + 1


def test_anonymous_requests_get_401(db: None, client: Client) -> None:
    assert client.get("/api/v1/staff").status_code == 401


def test_session_api_writes_need_the_csrf_token(admin: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    response = client.post("/api/v1/teams", {"name": "East"}, content_type="application/json")
    assert response.status_code in (401, 403)
    assert not admin.organisation.teams.filter(name="East").exists()  # type: ignore[union-attr]


def test_permission_denied_has_the_error_shape(connector: User) -> None:
    response = signed_in(connector).post("/api/v1/teams", {"name": "East"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "PERMISSION_DENIED"


def test_admin_manages_staff_through_the_api(admin: User, organisation: Organisation) -> None:
    client = signed_in(admin)
    team = make_team(organisation=organisation, name="South")
    payload: dict[str, Any] = {
        "username": "ria",
        "first_name": "Ria",
        "email": "ria@example.org",
        "roles": ["connector"],
        "team_ids": [team.pk],
    }
    created = client.post("/api/v1/staff", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    staff_id = created.json()["id"]
    payload = {"first_name": "Ria", "email": "ria@example.org", "roles": ["volunteer"], "team_ids": []}
    updated = client.put(f"/api/v1/staff/{staff_id}", payload, content_type="application/json")
    assert updated.json()["roles"] == ["volunteer"]
    deactivated = client.post(f"/api/v1/staff/{staff_id}/deactivate")
    assert deactivated.json()["is_active"] is False


def test_duplicate_username_gives_a_field_error(admin: User) -> None:
    payload = {"username": "admin", "first_name": "A", "email": "a@example.org", "roles": ["connector"]}
    response = signed_in(admin).post("/api/v1/staff", payload, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"username": services.USERNAME_TAKEN}


class TestOrganisationIsolation:
    """Every record that holds personal data, tried from another organisation's admin."""

    def test_staff_of_another_organisation_look_missing(self, outsider_admin: User, connector: User) -> None:
        client = signed_in(outsider_admin)
        assert client.get(f"/api/v1/staff/{connector.pk}").status_code == 404
        listed = {item["username"] for item in client.get("/api/v1/staff").json()["items"]}
        assert "connector" not in listed
        payload = {"first_name": "X", "email": "x@example.org", "roles": ["connector"], "team_ids": []}
        assert (
            client.put(f"/api/v1/staff/{connector.pk}", payload, content_type="application/json").status_code
            == 404
        )
        assert client.post(f"/api/v1/staff/{connector.pk}/deactivate").status_code == 404
        connector.refresh_from_db()
        assert connector.is_active and connector.first_name != "X"

    def test_tokens_of_another_organisation_cannot_be_listed_or_revoked(
        self, outsider_admin: User, connector: User
    ) -> None:
        token, raw = services.token_create(actor=OPERATOR, user=connector, name="theirs")
        client = signed_in(outsider_admin)
        assert client.delete(f"/api/v1/tokens/{token.pk}").status_code == 404
        assert client.get("/api/v1/tokens").json() == []
        assert Client().get("/api/v1/me", headers=bearer(raw)).status_code == 200

    def test_teams_of_another_organisation_cannot_be_seen_or_changed(
        self, outsider_admin: User, organisation: Organisation
    ) -> None:
        team = make_team(organisation=organisation, name="Private")
        client = signed_in(outsider_admin)
        assert "Private" not in [t["name"] for t in client.get("/api/v1/teams").json()]
        response = client.patch(
            f"/api/v1/teams/{team.pk}", {"name": "Hacked"}, content_type="application/json"
        )
        assert response.status_code == 404
        assert client.delete(f"/api/v1/teams/{team.pk}").status_code == 404
        team.refresh_from_db()
        assert team.name == "Private"

    def test_audit_entries_of_another_organisation_are_not_returned(
        self, outsider_admin: User, admin: User, connector: User
    ) -> None:
        signed_in(admin).get(f"/api/v1/staff/{connector.pk}")
        entries = signed_in(outsider_admin).get("/api/v1/audit-events").json()["items"]
        assert entries, "the outsider's own organisation has entries"
        organisation_ids = set(
            AuditEvent.objects.filter(seq__in=[e["seq"] for e in entries]).values_list(
                "organisation_id", flat=True
            )
        )
        assert organisation_ids == {outsider_admin.organisation_id}

    def test_a_volunteer_sees_only_themselves_in_the_staff_list(
        self, volunteer: User, connector: User
    ) -> None:
        client = signed_in(volunteer)
        assert [i["username"] for i in client.get("/api/v1/staff").json()["items"]] == ["volunteer"]
        assert client.get(f"/api/v1/staff/{connector.pk}").status_code == 404


def test_analysts_cannot_read_the_audit_log(organisation: Organisation) -> None:
    analyst = make_staff(organisation=organisation, roles=[Role.ANALYST])
    response = signed_in(analyst).get("/api/v1/audit-events")
    assert response.status_code == 403


def test_openapi_schema_and_docs_are_published(db: None, client: Client) -> None:
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/me", "/api/v1/staff", "/api/v1/tokens", "/api/v1/audit-events"} <= set(paths)
    assert client.get("/api/v1/docs").status_code == 200
