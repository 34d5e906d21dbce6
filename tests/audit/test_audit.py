"""The audit log: what is recorded, that it cannot be changed, and that tampering is detected."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from linkwork.accounts import services
from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.audit.services import audit_record, audit_verify
from tests.conftest import signed_in
from tests.factories import PASSWORD, make_team
from tests.journey_factories import make_episode


def latest(event: str) -> AuditEvent:
    return AuditEvent.objects.filter(event=event).order_by("-seq").first()  # type: ignore[return-value]


def test_viewing_a_staff_record_is_recorded_with_who_and_where(admin: User, connector: User) -> None:
    client = signed_in(admin)
    client.get(f"/staff/{connector.pk}/", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Phone browser")
    entry = latest("staff.viewed")
    assert entry.action == "view"
    assert (entry.actor_id, entry.actor_username) == (admin.pk, "admin")
    assert (entry.object_type, entry.object_id) == ("accounts.user", str(connector.pk))
    assert entry.ip_address == "10.1.2.3"
    assert entry.user_agent == "Phone browser"
    assert entry.organisation_id == admin.organisation_id


def test_create_update_and_delete_are_recorded_with_changed_field_names(
    admin: User, organisation: Organisation
) -> None:
    staff = services.staff_create(
        actor=admin,
        organisation=organisation,
        username="lee",
        first_name="Lee",
        email="lee@example.org",
        roles=[Role.CONNECTOR],
        send_invitation=False,
    )
    created = latest("staff.created")
    assert created.action == "create"
    assert {"first_name", "email", "roles"} <= set(created.fields)

    services.staff_update(
        actor=admin,
        staff=staff,
        first_name="Leigh",
        last_name="",
        email="lee@example.org",
        roles=[Role.SUPERVISOR],
        team_ids=[],
    )
    updated = latest("staff.updated")
    assert updated.action == "update"
    assert updated.fields == ["first_name", "roles"]
    # Names are personal data: the log says the field changed, never what it was or became.
    assert "first_name" not in updated.values
    assert updated.values["roles"] == [["connector"], ["supervisor"]]

    team = make_team(organisation=organisation)
    team_id = team.pk
    services.team_delete(actor=admin, team=team)
    deleted = latest("team.deleted")
    assert deleted.action == "delete"
    assert deleted.object_id == str(team_id)

    services.staff_set_active(actor=admin, staff=staff, active=False)
    assert latest("staff.deactivated").fields == ["is_active"]


def test_sign_ins_and_failed_sign_ins_are_recorded(connector: User, client: Client) -> None:
    client.post("/sign-in/", {"username": "connector", "password": "wrong"})
    failed = latest("auth.login_failed")
    assert failed.action == "login_failed"
    assert failed.detail == {"username": "connector"}
    assert failed.organisation_id == connector.organisation_id
    client.post("/sign-in/", {"username": "connector", "password": PASSWORD})
    assert latest("auth.login").actor_id == connector.pk


def test_entries_cannot_be_changed_or_deleted_through_the_app(admin: User) -> None:
    entry = AuditEvent.objects.order_by("seq").first()
    assert entry is not None
    entry.event = "staff.viewed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=entry.pk).update(event="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_nobody_can_change_the_log_through_the_ui_or_api(admin: User) -> None:
    client = signed_in(admin)
    assert client.post("/audit/", {"action": "delete"}).status_code == 405
    seq = AuditEvent.objects.order_by("seq").first().seq  # type: ignore[union-attr]
    assert client.delete(f"/api/v1/audit-events/{seq}").status_code in (404, 405)
    assert audit_verify().ok


def test_unknown_event_codes_are_refused(admin: User) -> None:
    with pytest.raises(ValueError, match="unknown audit event code"):
        audit_record(actor=admin, event="staff.teleported")


def _raw_sql(sql: str, params: list[Any]) -> None:
    """Change the table directly, as someone with database access could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only")


@pytest.fixture
def chain(admin: User, connector: User) -> list[AuditEvent]:
    for _ in range(3):
        signed_in(admin).get(f"/staff/{connector.pk}/")
    entries = list(AuditEvent.objects.order_by("seq"))
    assert audit_verify().ok
    return entries


def test_verify_detects_an_edited_entry(chain: list[AuditEvent]) -> None:
    _raw_sql("UPDATE audit_auditevent SET actor_username = %s WHERE seq = %s", ["someone-else", chain[2].seq])
    result = audit_verify()
    assert not result.ok
    assert any(f"#{chain[2].seq}" in problem and "edited" in problem for problem in result.problems)


def test_verify_detects_a_deleted_entry(chain: list[AuditEvent]) -> None:
    _raw_sql("DELETE FROM audit_auditevent WHERE seq = %s", [chain[3].seq])
    assert not audit_verify().ok


def test_verify_detects_the_newest_entries_being_removed(chain: list[AuditEvent]) -> None:
    _raw_sql("DELETE FROM audit_auditevent WHERE seq = %s", [chain[-1].seq])
    result = audit_verify()
    assert not result.ok
    assert "newest recorded entry" in result.problems[-1]


def test_verify_detects_reordered_entries(chain: list[AuditEvent]) -> None:
    first, second = chain[1].seq, chain[2].seq
    _raw_sql("UPDATE audit_auditevent SET seq = %s WHERE seq = %s", [10**12, first])
    _raw_sql("UPDATE audit_auditevent SET seq = %s WHERE seq = %s", [first, second])
    _raw_sql("UPDATE audit_auditevent SET seq = %s WHERE seq = %s", [second, 10**12])
    assert not audit_verify().ok


def test_audit_verify_command_exits_non_zero_when_tampered(chain: list[AuditEvent]) -> None:
    call_command("audit", "verify")
    _raw_sql("UPDATE audit_auditevent SET event = %s WHERE seq = %s", ["staff.created", chain[0].seq])
    with pytest.raises(CommandError, match="tampered"):
        call_command("audit", "verify")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database trigger exists on PostgreSQL only"
)
def test_postgresql_refuses_direct_updates_to_the_log(chain: list[AuditEvent]) -> None:
    from django.db import DatabaseError, transaction

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditevent SET event = 'x' WHERE seq = %s", [chain[0].seq])


def test_supervisors_filter_the_log_in_the_ui(supervisor: User, connector: User, admin: User) -> None:
    signed_in(admin).get(f"/staff/{connector.pk}/")
    page = signed_in(supervisor).get("/audit/", {"action": "view", "actor_username": "admin"})
    assert page.status_code == 200
    rows = list(page.context["page"])
    assert rows and all(row.action == "view" and row.actor_username == "admin" for row in rows)


def test_connectors_cannot_open_the_audit_log_page(connector: User) -> None:
    assert signed_in(connector).get("/audit/").status_code == 403


def test_entries_about_journey_records_are_filed_under_their_organisation(connector: User) -> None:
    # The factories act as the command-line operator, who has no organisation of their own.
    make_episode(connector=connector)
    journey_events = AuditEvent.objects.filter(object_type__in=["people.person", "support.supportepisode"])
    assert journey_events.exists()
    assert set(journey_events.values_list("organisation_id", flat=True)) == {connector.organisation_id}
    assert not AuditEvent.objects.filter(organisation_id__isnull=True).exists()
