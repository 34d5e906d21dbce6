"""Making connections, the details each move needs, who may see and change them, and the history.

`build_case` (used by the other connection test modules too) makes one person with support open in
the North team, with the staff around them and a published directory service.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from linkwork.core.policies import Action, Operator, can, visible_to
from linkwork.directory.models import EntryState, Service
from linkwork.matching import connection_selectors as selectors
from linkwork.matching.connections import connection_create, connection_move
from linkwork.matching.models.connections import Connection, ConnectionMove, ConnectionStatus
from linkwork.people.models import Person
from linkwork.support.models import SupportEpisode
from tests.directory.factories import make_service
from tests.factories import make_organisation, make_staff, make_team
from tests.journey_factories import make_episode, make_person

SURNAME = "Featherstonehaugh"


@dataclass
class Case:
    organisation: Organisation
    connector: User
    supervisor: User
    volunteer: User
    other_volunteer: User
    outside_connector: User
    admin: User
    outsider: User
    person: Person
    episode: SupportEpisode
    service: Service


def build_case() -> Case:
    organisation = make_organisation(name="Riverside Connectors")
    north, south = make_team(organisation=organisation, name="North"), make_team(organisation=organisation)
    connector = make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[north])
    volunteer = make_staff(organisation=organisation, roles=[Role.VOLUNTEER])
    person = make_person(
        organisation=organisation,
        first_name="Mary",
        last_name=SURNAME,
        phone="07700 900123",
        email="mary@example.org",
        postcode="W10 6AB",
    )
    episode = make_episode(connector=connector, person=person, team=north, volunteers=[volunteer])
    other = make_organisation(name="Northgate Befriending")
    return Case(
        organisation=organisation,
        connector=connector,
        supervisor=make_staff(organisation=organisation, roles=[Role.SUPERVISOR], teams=[north]),
        volunteer=volunteer,
        other_volunteer=make_staff(organisation=organisation, roles=[Role.VOLUNTEER]),
        outside_connector=make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[south]),
        admin=make_staff(organisation=organisation, roles=[Role.ORGANISATION_ADMIN]),
        outsider=make_staff(organisation=other, roles=[Role.CONNECTOR, Role.SUPERVISOR]),
        person=person,
        episode=episode,
        service=make_service(owner=organisation, name="Tuesday Walking Group"),
    )


def at_stage(connection: Connection, status: str) -> Connection:
    """Put a connection at a stage directly (the lifecycle tests walk every move properly)."""
    Connection.objects.filter(pk=connection.pk).update(status=status)
    connection.refresh_from_db()
    return connection


@pytest.fixture
def case(db: None) -> Case:
    return build_case()


@pytest.fixture
def connection(case: Case) -> Connection:
    return connection_create(
        actor=case.connector, person=case.person, service=case.service, note="Likes walking"
    )


# Making a connection


def test_a_connection_belongs_to_the_person_their_organisation_and_open_support(case: Case) -> None:
    made = connection_create(actor=case.connector, person=case.person, service=case.service)
    assert made.organisation_id == case.organisation.pk
    assert made.episode_id == case.episode.pk
    assert made.service_id == case.service.pk
    assert made.status == ConnectionStatus.SUGGESTED
    assert made.created_by == case.connector


def test_a_connection_keeps_the_service_name_after_the_entry_is_archived_or_removed(
    case: Case, connection: Connection
) -> None:
    Service.objects.filter(pk=case.service.pk).update(name="Renamed", state=EntryState.ARCHIVED)
    connection.refresh_from_db()
    assert connection.service_name == "Tuesday Walking Group"
    case.service.delete()
    connection.refresh_from_db()
    assert connection.service is None
    assert connection.service_name == "Tuesday Walking Group"


def test_a_connection_without_open_support_has_no_episode(case: Case) -> None:
    someone = make_person(organisation=case.organisation, first_name="Ann")
    made = connection_create(actor=case.connector, person=someone, service=case.service)
    assert made.episode is None


def test_a_connection_may_start_as_discussed_but_not_further_along(case: Case) -> None:
    made = connection_create(
        actor=case.connector, person=case.person, service=case.service, status="discussed"
    )
    assert made.status == ConnectionStatus.DISCUSSED
    for status in ("interested", "referred", "attended", "nonsense"):
        with pytest.raises(ValidationFailed) as error:
            connection_create(actor=case.connector, person=case.person, service=case.service, status=status)
        assert "status" in error.value.fields
    assert Connection.objects.count() == 1


def test_a_note_over_the_limit_is_refused(case: Case) -> None:
    with pytest.raises(ValidationFailed) as error:
        connection_create(actor=case.connector, person=case.person, service=case.service, note="x" * 1001)
    assert "note" in error.value.fields
    assert not Connection.objects.exists()


def test_a_connection_from_a_recommendation_keeps_its_score_and_reasons(case: Case) -> None:
    recommendation = {"score": 0.82, "parts": {"interest": 0.9}, "reasons": ["12 minutes by bus", "free"]}
    made = connection_create(
        actor=case.connector, person=case.person, service=case.service, from_recommendation=recommendation
    )
    made.refresh_from_db()
    assert made.from_recommendation == recommendation


def test_making_a_connection_is_audited_and_starts_the_history(case: Case, connection: Connection) -> None:
    event = AuditEvent.objects.get(event="connection.created")
    assert event.object_id == str(connection.pk)
    assert event.organisation_id == case.organisation.pk
    assert event.actor_id == case.connector.pk
    assert "Likes walking" not in str(event.values)  # notes are personal: named, not copied
    (move,) = ConnectionMove.objects.filter(connection=connection)
    assert (move.action, move.from_status, move.to_status, move.moved_by) == (
        "create",
        "",
        "suggested",
        case.connector,
    )


def test_only_casework_staff_may_make_a_connection(case: Case) -> None:
    for actor in (case.volunteer, case.admin, case.outside_connector, case.outsider):
        with pytest.raises(PermissionDenied):
            connection_create(actor=actor, person=case.person, service=case.service)
    connection_create(actor=case.supervisor, person=case.person, service=case.service)
    connection_create(actor=Operator("test"), person=case.person, service=case.service)
    assert Connection.objects.count() == 2


# The details a move needs


def test_declining_needs_a_reason_and_keeps_it(case: Case, connection: Connection) -> None:
    for blank in ("", "   "):
        with pytest.raises(ValidationFailed) as error:
            connection_move(actor=case.connector, connection=connection, action="decline", reason=blank)
        assert "reason" in error.value.fields
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.SUGGESTED
    connection_move(actor=case.connector, connection=connection, action="decline", reason="Too far from home")
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.DECLINED
    assert connection.reason_detail == "Too far from home"
    move = ConnectionMove.objects.filter(connection=connection).last()
    assert move is not None and move.detail["reason_detail"] == "Too far from home"


def test_stopping_needs_one_of_the_reasons(case: Case, connection: Connection) -> None:
    at_stage(connection, "attending")
    for reason in ("", "bored"):
        with pytest.raises(ValidationFailed) as error:
            connection_move(actor=case.connector, connection=connection, action="stop", reason=reason)
        assert "reason" in error.value.fields
    connection_move(actor=case.connector, connection=connection, action="stop", reason="transport")
    connection.refresh_from_db()
    assert (connection.status, connection.reason) == ("stopped", "transport")
    move = ConnectionMove.objects.filter(connection=connection).last()
    assert move is not None and (move.from_status, move.to_status, move.reason) == (
        "attending",
        "stopped",
        "transport",
    )


@pytest.mark.parametrize("reason", ["other", "provider_could_not_help"])
def test_stopping_for_other_reasons_needs_a_few_words(
    case: Case, connection: Connection, reason: str
) -> None:
    at_stage(connection, "referred")
    with pytest.raises(ValidationFailed) as error:
        connection_move(actor=case.connector, connection=connection, action="stop", reason=reason)
    assert "detail" in error.value.fields
    connection_move(
        actor=case.connector, connection=connection, action="stop", reason=reason, detail="Moved away"
    )
    connection.refresh_from_db()
    assert (connection.status, connection.reason_detail) == ("stopped", "Moved away")


@pytest.mark.parametrize("reason", ["cost", "transport", "health", "did_not_fit_in", "activity_ended"])
def test_each_listed_reason_to_stop_is_accepted(case: Case, connection: Connection, reason: str) -> None:
    at_stage(connection, "attended")
    connection_move(actor=case.connector, connection=connection, action="stop", reason=reason)
    assert Connection.objects.get(pk=connection.pk).reason == reason


def test_planning_a_visit_needs_who_goes_along(case: Case, connection: Connection) -> None:
    at_stage(connection, "referred")
    for accompanied in ("", "neighbour"):
        with pytest.raises(ValidationFailed) as error:
            connection_move(
                actor=case.connector, connection=connection, action="plan_visit", accompanied_by=accompanied
            )
        assert "accompanied_by" in error.value.fields
    with pytest.raises(ValidationFailed) as error:
        connection_move(
            actor=case.connector,
            connection=connection,
            action="plan_visit",
            accompanied_by="volunteer",
            visit_on="31/02/2026",
        )
    assert "visit_on" in error.value.fields
    connection_move(
        actor=case.connector,
        connection=connection,
        action="plan_visit",
        accompanied_by="volunteer",
        visit_on="2026-12-01",
        visit_arrangements="Meet at the gate",
    )
    connection.refresh_from_db()
    assert connection.status == "visit_planned"
    assert (connection.accompanied_by, connection.visit_on) == ("volunteer", dt.date(2026, 12, 1))
    assert connection.visit_arrangements == "Meet at the gate"


def test_referring_records_whether_the_provider_was_contacted(case: Case, connection: Connection) -> None:
    at_stage(connection, "interested")
    with pytest.raises(ValidationFailed):
        connection_move(actor=case.connector, connection=connection, action="refer", referral_method="fax")
    connection_move(
        actor=case.connector, connection=connection, action="refer", referral_method="provider_contacted"
    )
    assert Connection.objects.get(pk=connection.pk).referral_method == "provider_contacted"


def test_a_refused_move_checks_the_stage_before_the_details(case: Case, connection: Connection) -> None:
    with pytest.raises(InvalidTransition):
        connection_move(actor=case.connector, connection=connection, action="stop")


def test_staff_cannot_use_the_providers_actions(case: Case, connection: Connection) -> None:
    at_stage(connection, "referred")
    for action in ("provider_received", "provider_attended", "provider_could_not_help", "create"):
        with pytest.raises(InvalidTransition):
            connection_move(actor=case.connector, connection=connection, action=action, reason="x")
    assert Connection.objects.get(pk=connection.pk).status == "referred"


def test_each_move_is_audited_with_the_stage_before_and_after(case: Case, connection: Connection) -> None:
    connection_move(actor=case.connector, connection=connection, action="discuss", note="Talked on Monday")
    event = AuditEvent.objects.filter(event="connection.moved").get()
    assert event.values["status"] == ["suggested", "discussed"]
    assert event.values["action"] == "discuss"
    assert event.object_id == str(connection.pk)
    assert "Talked on Monday" not in str(event.values)
    move = ConnectionMove.objects.filter(connection=connection).last()
    assert (
        move is not None and move.detail == {"note": "Talked on Monday"} and move.moved_by == case.connector
    )


# Who may see and change connections


def test_volunteers_admins_and_other_teams_cannot_move_a_connection(
    case: Case, connection: Connection
) -> None:
    for actor in (case.volunteer, case.other_volunteer, case.admin, case.outside_connector, case.outsider):
        with pytest.raises(PermissionDenied):
            connection_move(actor=actor, connection=connection, action="discuss")
    assert Connection.objects.get(pk=connection.pk).status == "suggested"
    connection_move(actor=case.supervisor, connection=connection, action="discuss")


def test_another_organisations_connection_is_not_found(case: Case, connection: Connection) -> None:
    with pytest.raises(NotFound):
        selectors.connection_get(actor=case.outsider, connection_id=connection.pk)
    with pytest.raises(NotFound):
        selectors.connection_get(
            actor=case.outsider, connection_id=connection.pk, action=Action.VIEW_PRACTICAL
        )
    assert not selectors.connection_list(actor=case.outsider, person_id=case.person.pk).exists()


def test_a_connector_outside_the_case_cannot_find_the_connection(case: Case, connection: Connection) -> None:
    for action in (Action.VIEW, Action.VIEW_PRACTICAL, Action.UPDATE):
        with pytest.raises(NotFound):
            selectors.connection_get(actor=case.outside_connector, connection_id=connection.pk, action=action)
    with pytest.raises(NotFound):
        selectors.person_for_connection(actor=case.outside_connector, person_id=case.person.pk)


def test_the_assigned_volunteer_gets_only_the_practical_view(case: Case, connection: Connection) -> None:
    with pytest.raises(NotFound):
        selectors.connection_get(actor=case.volunteer, connection_id=connection.pk)
    found = selectors.connection_get(
        actor=case.volunteer, connection_id=connection.pk, action=Action.VIEW_PRACTICAL
    )
    shown = selectors.practical(found)
    assert shown.service_name == "Tuesday Walking Group"
    assert not hasattr(shown, "note") and not hasattr(shown, "reason_detail")
    assert not selectors.connection_history(actor=case.volunteer, connection=found).exists()
    rows = selectors.person_connections(actor=case.volunteer, person=case.person)
    assert [type(row) for row in rows] == [selectors.ConnectionPractical]


def test_a_volunteer_not_assigned_or_after_support_ends_sees_nothing(
    case: Case, connection: Connection
) -> None:
    assert not selectors.person_connections(actor=case.other_volunteer, person=case.person)
    with pytest.raises(NotFound):
        selectors.connection_get(
            actor=case.other_volunteer, connection_id=connection.pk, action=Action.VIEW_PRACTICAL
        )
    SupportEpisode.objects.filter(pk=case.episode.pk).update(status="closed")
    assert not can(case.volunteer, Action.VIEW_PRACTICAL, connection)


def test_an_admin_sees_no_connections(case: Case, connection: Connection) -> None:
    for action in (Action.VIEW, Action.VIEW_PRACTICAL, Action.UPDATE, Action.DELETE):
        assert not visible_to(case.admin, action, Connection).exists()


def test_casework_staff_see_the_full_rows_with_next_steps(case: Case, connection: Connection) -> None:
    rows = selectors.person_connections(actor=case.supervisor, person=case.person)
    assert len(rows) == 1
    row = rows[0]
    assert isinstance(row, selectors.ConnectionSummary)
    assert row.next_step == "Talk it over with the person"
    assert ("discuss", "Mark as discussed") in row.actions


@pytest.mark.parametrize(
    "role", ["connector", "supervisor", "volunteer", "other_volunteer", "admin", "outsider"]
)
def test_the_policy_and_its_query_agree(case: Case, connection: Connection, role: str) -> None:
    actor = getattr(case, role)
    for action in (Action.VIEW, Action.VIEW_PRACTICAL, Action.UPDATE, Action.DELETE, Action.CREATE):
        in_scope = visible_to(actor, action, Connection).filter(pk=connection.pk).exists()
        assert can(actor, action, connection) == in_scope, action


def test_a_connection_may_point_at_any_public_entry_but_not_a_draft(case: Case) -> None:
    other = case.outsider.organisation
    assert other is not None
    public = make_service(owner=other, name="Their public group")
    stale = make_service(owner=case.organisation, state=EntryState.STALE, name="Old but public")
    draft = make_service(owner=other, state=EntryState.DRAFT, name="Their draft")
    assert selectors.connection_service_get(actor=case.connector, service_id=public.pk) == public
    assert selectors.connection_service_get(actor=case.connector, service_id=str(stale.pk)) == stale
    for missing in (draft.pk, "not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(NotFound):
            selectors.connection_service_get(actor=case.connector, service_id=missing)
