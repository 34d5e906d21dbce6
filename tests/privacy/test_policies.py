"""The privacy policies: the one-record answer agrees with the query for every role, and the rules
that are easy to get wrong."""

from __future__ import annotations

import pytest

from linkwork.accounts.models import Organisation
from linkwork.accounts.roles import Role
from linkwork.core.policies import Action, can, policy_for, visible_to
from linkwork.privacy import services
from linkwork.privacy.models import DataRequest, RequestKind, RetentionRun, RetentionSetting
from linkwork.privacy.policies import people_for
from tests.factories import OPERATOR, make_organisation, make_staff, make_team
from tests.journey_factories import make_episode, make_person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role))
def test_allows_and_scope_agree_for_every_role(organisation: Organisation, role: Role) -> None:
    other = make_organisation(name="Elsewhere")
    for org in (organisation, other):
        connector = make_staff(organisation=org, roles=[Role.CONNECTOR])
        person = make_episode(connector=connector).person
        services.person_export(actor=OPERATOR, person=person, fmt="json")
        services.retention_update(actor=OPERATOR, organisation=org, months=12)
        services.retention_run(actor=OPERATOR, organisation=org, dry_run=True)
    records = [*DataRequest.objects.all(), *RetentionSetting.objects.all(), *RetentionRun.objects.all()]
    actor = make_staff(organisation=organisation, roles=[role])
    for action in (Action.VIEW, Action.UPDATE, Action.DELETE):
        for model in (DataRequest, RetentionSetting, RetentionRun):
            in_scope = set(visible_to(actor, action, model).values_list("pk", flat=True))
            allowed = {
                r.pk for r in records if isinstance(r, model) and policy_for(model).allows(actor, action, r)
            }
            assert allowed == in_scope, (model.__name__, action)


def test_a_supervisor_who_is_also_a_connector_exports_only_for_their_teams(
    organisation: Organisation,
) -> None:
    north, west = (
        make_team(organisation=organisation, name="North"),
        make_team(organisation=organisation, name="West"),
    )
    both = make_staff(organisation=organisation, roles=[Role.SUPERVISOR, Role.CONNECTOR], teams=[west])
    on_their_caseload = make_episode(connector=both, team=north).person
    assert on_their_caseload not in people_for(both, RequestKind.EXPORT)
    assert not can(both, Action.CREATE, DataRequest(person=on_their_caseload, kind=RequestKind.EXPORT))


def test_the_intake_queue_is_a_supervisors_to_export(organisation: Organisation) -> None:
    supervisor = make_staff(organisation=organisation, roles=[Role.SUPERVISOR])
    waiting = make_person(organisation=organisation)
    assert can(supervisor, Action.CREATE, DataRequest(person=waiting, kind=RequestKind.EXPORT))
    assert not can(supervisor, Action.CREATE, DataRequest(person=waiting, kind=RequestKind.ERASURE))


def test_only_admins_see_the_requests_and_runs(organisation: Organisation) -> None:
    admin = make_staff(organisation=organisation, roles=[Role.ORGANISATION_ADMIN])
    supervisor = make_staff(organisation=organisation, roles=[Role.SUPERVISOR])
    services.retention_run(actor=OPERATOR, organisation=organisation, dry_run=True)
    assert visible_to(admin, Action.VIEW, RetentionRun).count() == 1
    assert visible_to(supervisor, Action.VIEW, RetentionRun).count() == 0
