"""Staff, team and organisation rules: every bad input is refused and changes nothing."""

from __future__ import annotations

import pytest
from django.core import mail

from linkwork.accounts import services
from linkwork.accounts.models import Organisation, RoleGrant, Team, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.core.errors import DomainError, PermissionDenied, ValidationFailed
from tests.factories import OPERATOR, make_organisation, make_staff, make_team


def test_admin_adds_staff_with_roles_and_teams_and_an_invitation_is_sent(
    admin: User, organisation: Organisation, django_capture_on_commit_callbacks: object
) -> None:
    team = make_team(organisation=organisation, name="North")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        user = services.staff_create(
            actor=admin,
            organisation=organisation,
            username="New.Person",
            first_name="Nia",
            last_name="Jones",
            email="Nia@Example.org",
            roles=[Role.CONNECTOR, Role.SUPERVISOR],
            team_ids=[team.pk],
        )
    assert user.username == "new.person"
    assert user.email == "nia@example.org"
    assert user.roles == {Role.CONNECTOR, Role.SUPERVISOR}
    assert list(user.teams.all()) == [team]
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert "/password-reset/" in mail.outbox[0].body
    assert mail.outbox[0].to == ["nia@example.org"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"username": " "}, "username"),
        ({"username": "admin"}, "username"),
        ({"username": "with space"}, "username"),
        ({"username": "<script>"}, "username"),
        ({"first_name": ""}, "first_name"),
        ({"email": "not-an-address"}, "email"),
        ({"roles": []}, "roles"),
        ({"roles": ["chief"]}, "roles"),
    ],
)
def test_bad_staff_input_is_refused_with_a_field_error_and_nothing_changes(
    admin: User, organisation: Organisation, changes: dict[str, object], field: str
) -> None:
    arguments: dict[str, object] = {
        "username": "someone",
        "first_name": "Some",
        "email": "someone@example.org",
        "roles": [Role.CONNECTOR],
    }
    arguments.update(changes)
    users, events = User.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as raised:
        services.staff_create(actor=admin, organisation=organisation, **arguments)  # type: ignore[arg-type]
    assert field in raised.value.fields
    assert User.objects.count() == users
    assert AuditEvent.objects.count() == events


def test_teams_of_another_organisation_cannot_be_given(
    admin: User, organisation: Organisation, other_organisation: Organisation
) -> None:
    their_team = make_team(organisation=other_organisation)
    with pytest.raises(ValidationFailed) as raised:
        services.staff_create(
            actor=admin,
            organisation=organisation,
            username="xavier",
            first_name="X",
            email="x@example.org",
            roles=[Role.CONNECTOR],
            team_ids=[their_team.pk],
        )
    assert raised.value.fields == {"teams": services.UNKNOWN_TEAM}
    assert not User.objects.filter(username="xavier").exists()


def test_a_connector_cannot_add_staff_and_the_refusal_is_audited(
    connector: User, organisation: Organisation
) -> None:
    with pytest.raises(PermissionDenied):
        services.staff_create(
            actor=connector,
            organisation=organisation,
            username="sneaky",
            first_name="S",
            email="s@example.org",
            roles=[Role.ORGANISATION_ADMIN],
        )
    assert not User.objects.filter(username="sneaky").exists()
    denial = AuditEvent.objects.get(event="auth.permission_denied")
    assert denial.actor_id == connector.pk
    assert denial.detail == {"action": "create"}


def test_updating_roles_and_teams_replaces_them(
    admin: User, connector: User, organisation: Organisation
) -> None:
    team = make_team(organisation=organisation)
    services.staff_update(
        actor=admin,
        staff=connector,
        first_name="Sam",
        last_name="Okafor",
        email="sam@example.org",
        roles=[Role.SUPERVISOR],
        team_ids=[team.pk],
    )
    connector.refresh_from_db()
    assert set(RoleGrant.objects.filter(user=connector).values_list("role", flat=True)) == {"supervisor"}
    assert list(connector.teams.all()) == [team]


def test_the_last_organisation_admin_cannot_lose_the_role_or_access(admin: User, connector: User) -> None:
    with pytest.raises(ValidationFailed) as raised:
        services.staff_update(
            actor=admin,
            staff=admin,
            first_name="A",
            last_name="B",
            email="a@example.org",
            roles=[Role.CONNECTOR],
            team_ids=[],
        )
    assert raised.value.message == services.LAST_ADMIN
    assert admin.role_grants.filter(role=Role.ORGANISATION_ADMIN).exists()
    with pytest.raises(DomainError) as raised_self:
        services.staff_set_active(actor=admin, staff=admin, active=False)
    assert raised_self.value.message == services.CANNOT_DEACTIVATE_SELF


def test_deactivating_staff_removes_access_and_revokes_their_tokens(admin: User, connector: User) -> None:
    token, _ = services.token_create(actor=connector, user=connector, name="import")
    services.staff_set_active(actor=admin, staff=connector, active=False)
    connector.refresh_from_db()
    token.refresh_from_db()
    assert not connector.is_active
    assert token.revoked_at is not None
    services.staff_set_active(actor=admin, staff=connector, active=True)
    connector.refresh_from_db()
    assert connector.is_active


def test_team_names_are_unique_within_an_organisation_only(
    admin: User, organisation: Organisation, other_organisation: Organisation
) -> None:
    services.team_create(actor=admin, organisation=organisation, name="North")
    with pytest.raises(ValidationFailed):
        services.team_create(actor=admin, organisation=organisation, name="north")
    make_team(organisation=other_organisation, name="North")
    assert Team.objects.filter(name="North").count() == 2


def test_a_team_with_members_cannot_be_removed(admin: User, organisation: Organisation) -> None:
    team = make_team(organisation=organisation)
    make_staff(organisation=organisation, teams=[team])
    with pytest.raises(DomainError) as raised:
        services.team_delete(actor=admin, team=team)
    assert raised.value.code == "TEAM_HAS_MEMBERS"
    assert Team.objects.filter(pk=team.pk).exists()


def test_organisations_are_created_only_by_the_operator(admin: User, db: None) -> None:
    with pytest.raises(PermissionDenied):
        services.organisation_create(actor=admin, name="Rogue Org")
    created = services.organisation_create(actor=OPERATOR, name="Valley Navigators")
    assert created.slug == "valley-navigators"
    with pytest.raises(ValidationFailed):
        make_organisation(name="valley navigators")
