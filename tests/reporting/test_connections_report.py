"""The connections section: onward referrals by directory category, how far they got, why people
stopped, and how often providers answered their links, on a small hand-built case load.

The case (all made in the period unless said otherwise; team North is connector A's, South is B's):

    c1 walking  A  interested, referred (provider link, no answer), went, still going at follow-up
    c2 walking  A  interested, referred, provider said the person came, then stopped: cost
    c3 walking  A  interested, referred, provider could not help (stopped)
    c4 walking  A  declined
    c5 choir    B  interested, referred, went, going regularly, still going at follow-up, stopped: health
    c6 choir    B  suggested
    c7 lunch    A  interested, referred; provider link answered "received", then a second link sent
    c8 walking  A  referred 60 days before the period, with a provider link then (left out)
    c9 another organisation's connection (left out)

Walking is filed under "Walking" and "Outdoors" (and a connector fact, which is not a category), the
choir under "Singing", the lunch club under nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from linkwork.accounts.models import Organisation, Team, User
from linkwork.accounts.roles import Role
from linkwork.core.time import local_today, now
from linkwork.directory import connector_facts
from linkwork.directory.models import Attribute, Service, TaxonomyTerm
from linkwork.matching.connections import (
    connection_create,
    connection_move,
    provider_confirm,
    provider_link_create,
)
from linkwork.matching.models.connections import Connection, ProviderLink
from linkwork.people.models import Person
from linkwork.reporting.connections import connections_section
from linkwork.reporting.disclosure import suppress_table
from linkwork.reporting.scope import ReportScope
from linkwork.reporting.tables import Section, Table
from tests.directory.factories import make_service
from tests.factories import OPERATOR, make_organisation, make_staff, make_team
from tests.journey_factories import make_episode, make_person

TODAY = local_today()
FROM = TODAY - dt.timedelta(days=30)


@dataclass
class World:
    organisation: Organisation
    north: Team
    south: Team
    connector_a: User
    connector_b: User


def file_under(service: Service, *names: str) -> None:
    for name in names:
        term, _ = TaxonomyTerm.objects.get_or_create(name=name, defaults={"taxonomy": "Activities"})
        Attribute.objects.create(link_id=service.pk, taxonomy_term=term, link_type="service")


def move(connection: Connection, *actions: str, **details: str) -> Connection:
    for action in actions:
        connection = connection_move(actor=OPERATOR, connection=connection, action=action, **details)
    return connection


def link(connection: Connection) -> str:
    _, token = provider_link_create(
        actor=OPERATOR,
        connection=connection,
        request="Could they join?",
        contact_name="Sam Connector",
        contact_details="sam@example.org",
    )
    return token


def person_of(connector: User, team: Team) -> Person:
    assert connector.organisation is not None
    person = make_person(organisation=connector.organisation)
    make_episode(connector=connector, person=person, team=team)
    return person


@pytest.fixture
def world(db: None) -> World:
    organisation = make_organisation()
    north, south = make_team(organisation=organisation), make_team(organisation=organisation)
    connector_a = make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[north])
    connector_b = make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[south])
    walking = make_service(owner=organisation, name="Tuesday walk")
    choir = make_service(owner=organisation, name="Community choir")
    lunch = make_service(owner=organisation, name="Lunch club")
    file_under(walking, "Walking", "Outdoors")
    file_under(choir, "Singing")
    fact = TaxonomyTerm.objects.create(
        id=connector_facts.FACTS[0].term_id,
        name="First visit",
        taxonomy_detail_id=connector_facts.TAXONOMY_ID,
    )
    Attribute.objects.create(link_id=walking.pk, taxonomy_term=fact, link_type="service", value="Come early")

    p1, p2, p3 = (person_of(connector_a, north) for _ in range(3))
    p4 = person_of(connector_b, south)

    def made(person: Person, service: Service) -> Connection:
        return connection_create(actor=OPERATOR, person=person, service=service)

    c1 = move(made(p1, walking), "interested", "refer")
    link(c1)
    move(c1, "attended", "still_attending")
    c2 = move(made(p2, walking), "interested", "refer")
    provider_confirm(token=link(c2), answer="attended")
    move(Connection.objects.get(pk=c2.pk), "stop", reason="cost")
    c3 = move(made(p3, walking), "interested", "refer")
    provider_confirm(token=link(c3), answer="could_not_help", reason="The group is full")
    move(made(p1, walking), "decline", reason="Not for her")
    c5 = move(made(p4, choir), "interested", "refer", "attended", "attending", "still_attending")
    move(c5, "stop", reason="health")
    made(p4, choir)
    c7 = move(made(p2, lunch), "interested", "refer")
    provider_confirm(token=link(c7), answer="received")
    link(c7)

    c8 = move(made(p3, walking), "interested", "refer")
    link(c8)
    long_ago = now() - dt.timedelta(days=60)
    Connection.objects.filter(pk=c8.pk).update(created_at=long_ago)
    ProviderLink.objects.filter(connection=c8).update(created_at=long_ago)

    other = make_organisation()
    outsider = make_staff(organisation=other, roles=[Role.CONNECTOR])
    move(made(person_of(outsider, make_team(organisation=other)), walking), "interested", "refer")
    return World(organisation, north, south, connector_a, connector_b)


def section(world: World, **filters: int) -> Section:
    return connections_section(ReportScope(world.organisation.pk, FROM, TODAY, **filters))


def table(found: Section, key: str) -> Table:
    return next(table for table in found.tables if table.key == key)


def values(found: Table) -> dict[str, dict[str, float | None]]:
    return {row.key: {key: cell.value for key, cell in row.cells.items()} for row in found.all_rows()}


def by_label(found: Table) -> dict[str, dict[str, float | None]]:
    return {row.label: {key: cell.value for key, cell in row.cells.items()} for row in found.all_rows()}


def stages(connections: int, referred: int, went: int, still: int) -> dict[str, float | None]:
    return {
        "connections": connections,
        "referred": referred,
        "first_visit": went,
        "first_visit_share": went / referred if referred else None,
        "still_attending": still,
        "still_attending_share": still / referred if referred else None,
    }


def test_the_summary_counts_connections_made_in_the_period_and_how_far_they_got(world: World) -> None:
    assert values(table(section(world), "connections_summary")) == {"all": stages(7, 5, 3, 2)}


def test_shares_are_of_the_referred_and_say_how_many_they_are_worked_out_from(world: World) -> None:
    row = table(section(world), "connections_summary").rows[0]
    assert (row.cells["first_visit_share"].numerator, row.cells["first_visit_share"].people) == (3, 5)
    assert (row.cells["still_attending_share"].numerator, row.cells["still_attending_share"].people) == (2, 5)
    assert row.cells["connections"].people == 7


def test_connections_count_under_each_category_of_their_service_and_facts_are_not_categories(
    world: World,
) -> None:
    found = table(section(world), "connections_by_category")
    assert by_label(found) == {
        "Outdoors": stages(4, 3, 2, 1),
        "Walking": stages(4, 3, 2, 1),
        "Singing": stages(2, 1, 1, 1),
        "No category": stages(1, 1, 0, 0),
    }
    assert [row.label for row in found.rows] == ["Outdoors", "Walking", "Singing", "No category"]
    assert found.total is None  # categories overlap, so there is no sum to declare


def test_a_term_attached_twice_to_a_service_counts_once(world: World) -> None:
    choir = Service.objects.get(name="Community choir")
    file_under(choir, "Singing")
    assert by_label(table(section(world), "connections_by_category"))["Singing"] == stages(2, 1, 1, 1)


def test_a_connection_to_a_service_removed_from_the_directory_has_no_category(world: World) -> None:
    Service.objects.filter(name="Community choir").delete()
    found = by_label(table(section(world), "connections_by_category"))
    assert "Singing" not in found
    assert found["No category"] == stages(3, 2, 1, 1)


def test_reasons_stopped_count_stopped_connections_with_shares_and_a_total(world: World) -> None:
    found = table(section(world), "connections_stop_reasons")
    counts = {key: cells["connections"] for key, cells in values(found).items()}
    assert counts == {
        "cost": 1,
        "transport": 0,
        "health": 1,
        "did_not_fit_in": 0,
        "activity_ended": 0,
        "provider_could_not_help": 1,
        "other": 0,
        "not_given": 0,
        "total": 3,
    }
    cost = found.rows[0].cells["share"]
    assert cost.value == pytest.approx(1 / 3)
    assert (cost.numerator, cost.people) == (1, 3)


def test_providers_confirmation_rate_is_links_answered_over_links_sent(world: World) -> None:
    found = section(world)
    assert values(table(found, "provider_confirmation")) == {
        "all": {"sent": 5, "answered": 3, "answered_share": 0.6}
    }
    answers = values(table(found, "provider_answers"))
    assert {key: cells["links"] for key, cells in answers.items()} == {
        "received": 1,
        "attended": 1,
        "could_not_help": 1,
        "not_given": 2,
        "total": 5,
    }
    assert answers["not_given"]["share"] == 0.4


def test_the_team_filter_keeps_connections_of_people_the_team_holds(world: World) -> None:
    found = section(world, team_id=world.north.pk)
    assert values(table(found, "connections_summary")) == {"all": stages(5, 4, 2, 1)}
    assert "Singing" not in by_label(table(found, "connections_by_category"))
    assert values(table(found, "provider_confirmation"))["all"]["sent"] == 5


def test_the_connector_filter_keeps_connections_made_in_their_support_episodes(world: World) -> None:
    found = section(world, connector_id=world.connector_b.pk)
    assert values(table(found, "connections_summary")) == {"all": stages(2, 1, 1, 1)}
    assert by_label(table(found, "connections_by_category")) == {"Singing": stages(2, 1, 1, 1)}
    assert values(table(found, "connections_stop_reasons"))["health"]["connections"] == 1
    assert values(table(found, "provider_confirmation"))["all"]["sent"] == 0


def test_an_empty_period_counts_nothing(world: World) -> None:
    scope = ReportScope(world.organisation.pk, TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=2))
    found = connections_section(scope)
    assert values(table(found, "connections_summary")) == {"all": stages(0, 0, 0, 0)}
    assert table(found, "connections_by_category").rows == []


def test_once_suppressed_no_table_shows_a_count_below_the_threshold(world: World) -> None:
    for found in section(world).tables:
        suppress_table(found, 3)
        for row in found.all_rows():
            for figure in row.cells.values():
                assert figure.suppressed or figure.people >= 3, (found.key, row.key)
                if figure.numerator is not None:
                    assert figure.suppressed or 3 <= figure.numerator <= figure.people - 3
    summary = table(section(world), "connections_summary")
    suppress_table(summary, 3)
    assert {key: cell.suppressed for key, cell in summary.rows[0].cells.items()} == {
        "connections": False,
        "referred": False,
        "first_visit": False,
        "first_visit_share": True,  # 3 of 5 went: the 2 who did not are too few
        "still_attending": True,
        "still_attending_share": True,
    }
