"""Who may see a person's record, and the rule that the in-memory and query forms agree."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.core.errors import NotFound
from linkwork.core.policies import Action, can, policy_for, visible_to
from linkwork.people import selectors
from linkwork.people.models import Consent, Person
from linkwork.support.models import SupportEpisode
from linkwork.support.services import episode_close
from tests.factories import OPERATOR, make_organisation, make_staff, make_team
from tests.journey_factories import give_consent, make_episode, make_person


@dataclass
class World:
    home: Organisation
    away: Organisation
    staff: dict[str, User]
    people: dict[str, Person]
    south_episode: SupportEpisode


@pytest.fixture
def world(db: None) -> World:
    home = make_organisation(name="Home")
    away = make_organisation(name="Away")
    north = make_team(organisation=home, name="North")
    south = make_team(organisation=home, name="South")
    staff = {
        "connector_north": make_staff(organisation=home, roles=[Role.CONNECTOR], teams=[north]),
        "connector_south": make_staff(organisation=home, roles=[Role.CONNECTOR], teams=[south]),
        "supervisor_north": make_staff(organisation=home, roles=[Role.SUPERVISOR], teams=[north]),
        "supervisor_south": make_staff(organisation=home, roles=[Role.SUPERVISOR], teams=[south]),
        "connector_no_team": make_staff(organisation=home, roles=[Role.CONNECTOR]),
        "volunteer": make_staff(organisation=home, roles=[Role.VOLUNTEER], teams=[south]),
        "idle_volunteer": make_staff(organisation=home, roles=[Role.VOLUNTEER], teams=[south]),
        "analyst": make_staff(organisation=home, roles=[Role.ANALYST], teams=[south]),
        "directory_editor": make_staff(organisation=home, roles=[Role.DIRECTORY_EDITOR], teams=[south]),
        "organisation_admin": make_staff(organisation=home, roles=[Role.ORGANISATION_ADMIN], teams=[south]),
        "stranger": make_staff(organisation=away, roles=[Role.CONNECTOR, Role.SUPERVISOR]),
    }
    people = {
        "intake": make_person(organisation=home, first_name="Ina"),
        "south": make_person(organisation=home, first_name="Sol"),
        "own": make_person(organisation=home, first_name="Owen"),
        "away": make_person(organisation=away, first_name="Ava"),
    }
    south_episode = make_episode(
        connector=staff["connector_south"], person=people["south"], volunteers=[staff["volunteer"]]
    )
    # Connector North holds Owen's support although Owen belongs to the South team.
    make_episode(connector=staff["connector_north"], person=people["own"], team=south)
    for person in Person.objects.all():
        give_consent(person=person, purpose="support")
    people = {name: Person.objects.get(pk=person.pk) for name, person in people.items()}
    assert people["south"].team == south and people["own"].team == south and people["intake"].team is None
    return World(home=home, away=away, staff=staff, people=people, south_episode=south_episode)


# Whom each member of staff may VIEW (and UPDATE).
SEES = {
    "connector_north": {"intake", "own"},
    "connector_south": {"intake", "south", "own"},
    "supervisor_north": {"intake"},
    "supervisor_south": {"intake", "south", "own"},
    "connector_no_team": {"intake"},
    "volunteer": set(),
    "idle_volunteer": set(),
    "analyst": set(),
    "directory_editor": set(),
    "organisation_admin": set(),
    "stranger": {"away"},
}
# The volunteer's practical view, on top of what casework staff see anyway.
SEES_PRACTICAL = {**SEES, "volunteer": {"south"}}


def names_of(world: World, people: set[int]) -> set[str]:
    return {name for name, person in world.people.items() if person.pk in people}


@pytest.mark.parametrize("who", sorted(SEES))
def test_each_member_of_staff_sees_exactly_the_people_they_work_with(world: World, who: str) -> None:
    actor = world.staff[who]
    for action, expected in ((Action.VIEW, SEES[who]), (Action.UPDATE, SEES[who])):
        by_rule = {p.pk for p in world.people.values() if can(actor, action, p)}
        assert names_of(world, by_rule) == expected, f"{who} {action}"
    practical = {p.pk for p in world.people.values() if can(actor, Action.VIEW_PRACTICAL, p)}
    assert names_of(world, practical) == SEES_PRACTICAL[who]
    for action in (Action.DELETE, Action.EXPORT, Action.APPROVE):
        assert not any(can(actor, action, p) for p in world.people.values()), f"{who} {action}"


def test_a_volunteer_loses_the_practical_view_when_support_closes(world: World) -> None:
    volunteer, sol = world.staff["volunteer"], world.people["south"]
    assert can(volunteer, Action.VIEW_PRACTICAL, sol)
    assert not can(volunteer, Action.VIEW, sol)
    episode_close(actor=OPERATOR, episode=world.south_episode, outcome="goals-met")
    assert not can(volunteer, Action.VIEW_PRACTICAL, sol)
    assert not visible_to(volunteer, Action.VIEW_PRACTICAL, Person).exists()
    with pytest.raises(NotFound):
        selectors.person_get(actor=volunteer, person_id=sol.pk, action=Action.VIEW_PRACTICAL)


def test_a_connector_keeps_a_person_on_their_caseload_after_support_closes(world: World) -> None:
    connector = world.staff["connector_north"]
    episode = SupportEpisode.objects.get(person=world.people["own"])
    episode_close(actor=OPERATOR, episode=episode, outcome="goals-met")
    assert can(connector, Action.VIEW, world.people["own"])


@pytest.mark.parametrize("who", sorted(SEES))
def test_only_casework_staff_may_create_people_and_only_in_their_organisation(world: World, who: str) -> None:
    actor = world.staff[who]
    casework = actor.has_role(Role.CONNECTOR, Role.SUPERVISOR)
    assert can(actor, Action.CREATE, Person(organisation=actor.organisation)) is casework
    other = world.away if actor.organisation == world.home else world.home
    assert not can(actor, Action.CREATE, Person(organisation=other))


@pytest.mark.parametrize("who", sorted(SEES))
@pytest.mark.parametrize("model", [Person, Consent])
def test_policy_record_and_query_checks_agree(world: World, who: str, model: type[Person | Consent]) -> None:
    actor = world.staff[who]
    policy = policy_for(model)
    records = list(model._default_manager.all())
    assert records
    for action in Action:
        by_rule = {record.pk for record in records if policy.allows(actor, action, record)}
        by_query = set(visible_to(actor, action, model).values_list("pk", flat=True))
        assert by_rule == by_query, f"{who} {action} {model.__name__}"


def test_consents_are_seen_by_whoever_sees_the_person(world: World) -> None:
    for who, expected in SEES.items():
        consents = visible_to(world.staff[who], Action.VIEW, Consent)
        assert names_of(world, set(consents.values_list("person_id", flat=True))) == expected, who


def test_hidden_people_are_not_found_and_opening_a_record_is_audited(world: World) -> None:
    connector = world.staff["connector_north"]
    assert {p.first_name for p in selectors.person_list(actor=connector)} == {"Ina", "Owen"}
    assert [p.first_name for p in selectors.person_list(actor=connector, search="ow")] == ["Owen"]
    for hidden in ("south", "away"):
        with pytest.raises(NotFound):
            selectors.person_get(actor=connector, person_id=world.people[hidden].pk)
    owen = selectors.person_get(actor=connector, person_id=world.people["own"].pk)
    viewed = AuditEvent.objects.get(event="person.viewed")
    assert viewed.actor_id == connector.pk
    assert viewed.object_id == str(owen.pk)
    volunteer = world.staff["volunteer"]
    selectors.person_get(actor=volunteer, person_id=world.people["south"].pk, action=Action.VIEW_PRACTICAL)
    assert AuditEvent.objects.filter(event="person.viewed_practical", actor_id=volunteer.pk).count() == 1
