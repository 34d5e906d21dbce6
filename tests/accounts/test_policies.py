"""Each role's permissions, and the rule that policies' in-memory and query forms agree."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model

from linkwork.accounts import services
from linkwork.accounts.models import ApiToken, Organisation, Team, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.core.policies import Action, Operator, can, policy_for, visible_to
from tests.factories import make_organisation, make_staff, make_team

ROLES = list(Role)

# role -> (may see colleagues, may manage staff and teams, may read the audit log)
EXPECTED = {
    Role.CONNECTOR: (True, False, False),
    Role.VOLUNTEER: (False, False, False),
    Role.SUPERVISOR: (True, False, True),
    Role.DIRECTORY_EDITOR: (False, False, False),
    Role.ANALYST: (False, False, False),
    Role.ORGANISATION_ADMIN: (True, True, True),
}


@pytest.fixture
def world(db: None) -> dict[str, object]:
    home = make_organisation(name="Home")
    away = make_organisation(name="Away")
    team = make_team(organisation=home, name="North")
    away_team = make_team(organisation=away, name="Away team")
    colleague = make_staff(organisation=home, roles=[Role.CONNECTOR], teams=[team])
    stranger = make_staff(organisation=away, roles=[Role.CONNECTOR], teams=[away_team])
    return {"home": home, "away": away, "team": team, "colleague": colleague, "stranger": stranger}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_has_exactly_its_permissions(world: dict[str, object], role: Role) -> None:
    home = world["home"]
    assert isinstance(home, Organisation)
    actor = make_staff(organisation=home, roles=[role])
    colleague, team = world["colleague"], world["team"]
    assert isinstance(colleague, User) and isinstance(team, Team)
    sees_colleagues, manages, reads_audit = EXPECTED[role]

    assert can(actor, Action.VIEW, actor), "everyone may see their own staff record"
    assert can(actor, Action.VIEW, colleague) is sees_colleagues
    assert can(actor, Action.CREATE, User(organisation=home)) is manages
    assert can(actor, Action.UPDATE, colleague) is manages
    assert can(actor, Action.DELETE, colleague) is manages
    assert can(actor, Action.VIEW, team) is True
    assert can(actor, Action.CREATE, Team(organisation=home)) is manages
    assert can(actor, Action.VIEW, AuditEvent) is reads_audit
    assert can(actor, Action.UPDATE, AuditEvent) is False, "nobody may change the audit log"
    assert can(actor, Action.DELETE, AuditEvent) is False
    assert can(actor, Action.CREATE, ApiToken(user=actor)) is True, "everyone may make their own tokens"
    assert can(actor, Action.CREATE, ApiToken(user=colleague)) is False


def test_a_user_with_several_roles_has_the_union_of_their_permissions(world: dict[str, object]) -> None:
    home, colleague = world["home"], world["colleague"]
    assert isinstance(home, Organisation) and isinstance(colleague, User)
    actor = make_staff(organisation=home, roles=[Role.VOLUNTEER, Role.SUPERVISOR])
    assert can(actor, Action.VIEW, colleague)
    assert can(actor, Action.VIEW, AuditEvent)
    assert not can(actor, Action.UPDATE, colleague)


@pytest.mark.parametrize("role", ROLES)
def test_no_role_can_act_on_another_organisations_records(world: dict[str, object], role: Role) -> None:
    home, away, stranger = world["home"], world["away"], world["stranger"]
    assert isinstance(home, Organisation) and isinstance(away, Organisation) and isinstance(stranger, User)
    actor = make_staff(organisation=home, roles=[role])
    away_team = Team.objects.get(organisation=away)
    _, _raw = services.token_create(actor=Operator("t"), user=stranger, name="theirs")
    their_token = ApiToken.objects.get(user=stranger)
    for action in Action:
        assert not can(actor, action, stranger)
        assert not can(actor, action, away_team)
        assert not can(actor, action, their_token)
        assert not can(actor, action, away)
    assert not can(actor, Action.CREATE, User(organisation=away))
    assert not can(actor, Action.CREATE, Team(organisation=away))


def test_inactive_and_anonymous_users_may_do_nothing(world: dict[str, object]) -> None:
    home, colleague = world["home"], world["colleague"]
    assert isinstance(home, Organisation) and isinstance(colleague, User)
    admin = make_staff(organisation=home, roles=[Role.ORGANISATION_ADMIN])
    admin.is_active = False
    assert not can(admin, Action.VIEW, colleague)
    assert not visible_to(admin, Action.VIEW, User).exists()
    assert not can(AnonymousUser(), Action.VIEW, colleague)
    assert not visible_to(AnonymousUser(), Action.VIEW, User).exists()
    assert not can(None, Action.VIEW, colleague)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", [User, Team, ApiToken, Organisation, AuditEvent])
def test_policy_query_and_record_checks_agree(
    world: dict[str, object], role: Role, model: type[Model]
) -> None:
    home, colleague, stranger = world["home"], world["colleague"], world["stranger"]
    assert isinstance(home, Organisation) and isinstance(colleague, User) and isinstance(stranger, User)
    actor = make_staff(organisation=home, roles=[role])
    for owner in (actor, colleague, stranger):
        services.token_create(actor=Operator("t"), user=owner, name="token")
    policy = policy_for(model)
    for action in (Action.VIEW, Action.UPDATE, Action.DELETE):
        records = list(model._default_manager.all())
        assert records, f"no {model.__name__} records to check"
        by_rule = {record.pk for record in records if policy.allows(actor, action, record)}
        by_query = set(visible_to(actor, action, model).values_list("pk", flat=True))
        assert by_rule == by_query, f"{role} {action} {model.__name__}"
