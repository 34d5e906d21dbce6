"""The infrastructure gaps section: gaps by need, area and barrier, the five needs most often left
unmet, and the directory's coverage by category and area and how much of it is stale.

Gaps recorded in the period (team North is connector A's, South is B's):

    g1 "Swimming for older women"   W10               cost         person of A (North)
    g2 "swimming for older women"   W10               cost         no person
    g3 "Swimming  for Older Women"  W11               transport    person of B (South)
    g4 "Falconry"                   Northgate estate  none         person of A (North)
    g5 "Choir"                      W10               none         no person
    g6 "Chess club"                 W11               confidence   person of A (North)
    g7 "Knitting"                   W10               cost         no person
    g8 "Bingo"                      W12               none         no person

and one recorded 60 days before the period, and one of another organisation (both left out).

The directory (shared by every organisation):

    walk      published    W10 6AB and NW1 4RY   Walking (filed twice), Outdoors, a connector fact
    choir     stale        W11 1AA               Singing
    lunch     review due   w10 5bu               no category
    garden    published    no postcode           Walking
    draft     draft        W12 9ZZ               Walking (not public: left out)
    archived  archived     W10 1AA               Walking (not public: left out)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from linkwork.accounts.models import Organisation, Team, User
from linkwork.accounts.roles import Role
from linkwork.core.time import local_today, now
from linkwork.directory import connector_facts
from linkwork.directory.models import (
    Address,
    Attribute,
    EntryState,
    Location,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from linkwork.matching.gaps import gap_record
from linkwork.matching.models import Gap
from linkwork.people.models import Person
from linkwork.reporting.disclosure import suppress_table
from linkwork.reporting.gaps import gaps_section
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
    connector_b: User


def file_under(service: Service, *names: str) -> None:
    for name in names:
        term, _ = TaxonomyTerm.objects.get_or_create(name=name, defaults={"taxonomy": "Activities"})
        Attribute.objects.create(link_id=service.pk, taxonomy_term=term, link_type="service")


def person_of(connector: User, team: Team) -> Person:
    assert connector.organisation is not None
    person = make_person(organisation=connector.organisation, postcode="W10 6AB")
    make_episode(connector=connector, person=person, team=team)
    return person


@pytest.fixture
def world(db: None) -> World:
    organisation = make_organisation()
    north, south = make_team(organisation=organisation), make_team(organisation=organisation)
    connector_a = make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[north])
    connector_b = make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[south])
    p1, p2 = person_of(connector_a, north), person_of(connector_a, north)
    p3 = person_of(connector_b, south)

    def gap(need: str, area: str, barrier: str = "", person: Person | None = None) -> Gap:
        return gap_record(
            actor=OPERATOR,
            need=need,
            area=area,
            barrier=barrier,
            person=person,
            organisation_id=organisation.pk,
        )

    gap("Swimming for older women", "W10", "cost", p1)
    gap("swimming for older women", "W10 6AB", "cost")
    gap("Swimming  for Older Women", "W11", "transport", p3)
    gap("Falconry", "Northgate estate", "", p2)
    gap("Choir", "W10")
    gap("Chess club", "W11", "confidence", p1)
    gap("Knitting", "W10", "cost")
    gap("Bingo", "W12")
    old = gap("Falconry", "W10", "", p1)
    Gap.objects.filter(pk=old.pk).update(recorded_at=now() - dt.timedelta(days=60))
    gap_record(actor=OPERATOR, need="Falconry", area="W10", organisation_id=make_organisation().pk)
    return World(organisation, north, connector_b)


@pytest.fixture
def directory(db: None) -> None:
    owner = make_organisation()
    walk = make_service(owner=owner, name="Walk", postcode="W10 6AB")
    second = Location.objects.create(owner=owner, name="Park")
    Address.objects.create(location=second, postal_code="NW1 4RY")
    ServiceAtLocation.objects.create(service=walk, location=second)
    file_under(walk, "Walking", "Walking", "Outdoors")
    fact = TaxonomyTerm.objects.create(
        id=connector_facts.FACTS[0].term_id,
        name="First visit",
        taxonomy_detail_id=connector_facts.TAXONOMY_ID,
    )
    Attribute.objects.create(link_id=walk.pk, taxonomy_term=fact, link_type="service", value="Come early")
    file_under(make_service(owner=owner, name="Choir", state=EntryState.STALE, postcode="W11 1AA"), "Singing")
    make_service(owner=owner, name="Lunch", state=EntryState.REVIEW_DUE, postcode="w10 5bu")
    file_under(make_service(owner=owner, name="Garden", postcode=""), "Walking")
    file_under(make_service(owner=owner, name="Draft", state=EntryState.DRAFT, postcode="W12 9ZZ"), "Walking")
    file_under(
        make_service(owner=owner, name="Archived", state=EntryState.ARCHIVED, postcode="W10 1AA"), "Walking"
    )


def section(world: World, **filters: int) -> Section:
    return gaps_section(ReportScope(world.organisation.pk, FROM, TODAY, **filters))


def table(found: Section, key: str) -> Table:
    return next(table for table in found.tables if table.key == key)


def counts(found: Table, column: str = "gaps") -> dict[str, float | None]:
    return {row.key: row.cells[column].value for row in found.all_rows()}


def test_gaps_are_counted_by_need_ignoring_case_and_spacing(world: World) -> None:
    found = table(section(world), "gaps_by_need")
    assert counts(found) == {
        "swimming for older women": 3,
        "bingo": 1,
        "chess club": 1,
        "choir": 1,
        "falconry": 1,
        "knitting": 1,
        "total": 8,
    }
    assert list(counts(found))[:2] == ["swimming for older women", "bingo"]


def test_gaps_by_area_count_each_postcode_district_or_named_area(world: World) -> None:
    found = table(section(world), "gaps_by_area")
    assert counts(found) == {"W10": 4, "W11": 2, "Northgate estate": 1, "W12": 1, "total": 8}
    assert [column.key for column in found.columns] == ["gaps"]
    assert found.rows[0].label == "W10"


def test_gaps_by_barrier_list_every_barrier_and_none(world: World) -> None:
    found = counts(table(section(world), "gaps_by_barrier"))
    assert found["cost"] == 3
    assert found["transport"] == 1
    assert found["confidence"] == 1
    assert found["none"] == 3
    assert found["total"] == 8
    assert sum(value or 0 for key, value in found.items() if key != "total") == 8


def test_the_five_most_requested_needs_are_the_gaps_most_often_recorded(world: World) -> None:
    found = table(section(world), "gaps_most_requested")
    assert counts(found) == {
        "swimming for older women": 3,
        "bingo": 1,
        "chess club": 1,
        "choir": 1,
        "falconry": 1,
    }
    assert found.total is None


def test_every_gap_figure_says_how_many_gaps_it_counts(world: World) -> None:
    found = table(section(world), "gaps_by_area")
    assert [row.cells["gaps"].people for row in found.all_rows()] == [4, 2, 1, 1, 8]


def test_the_team_filter_keeps_gaps_of_people_the_team_holds(world: World) -> None:
    found = section(world, team_id=world.north.pk)
    assert counts(table(found, "gaps_by_need")) == {
        "chess club": 1,
        "falconry": 1,
        "swimming for older women": 1,
        "total": 3,
    }
    assert counts(table(found, "gaps_by_area")) == {"W10": 1, "W11": 1, "Northgate estate": 1, "total": 3}


def test_the_connector_filter_keeps_gaps_of_people_they_support(world: World) -> None:
    found = section(world, connector_id=world.connector_b.pk)
    assert counts(table(found, "gaps_by_area")) == {"W11": 1, "total": 1}
    assert counts(table(found, "gaps_by_barrier"))["transport"] == 1


@pytest.mark.usefixtures("directory")
def test_directory_coverage_by_category_counts_public_services_once_per_category(world: World) -> None:
    found = table(section(world), "directory_by_category")
    assert {row.label: (row.cells["services"].value, row.cells["stale"].value) for row in found.rows} == {
        "Walking": (2, 0),
        "Outdoors": (1, 0),
        "Singing": (1, 1),
        "No category": (1, 0),
    }
    assert [row.label for row in found.rows] == ["Walking", "Outdoors", "Singing", "No category"]
    singing = found.rows[2].cells["stale_share"]
    assert (singing.value, singing.numerator, singing.people) == (1.0, 1, 1)


@pytest.mark.usefixtures("directory")
def test_directory_coverage_by_area_uses_the_postcode_district_of_each_location(world: World) -> None:
    found = table(section(world), "directory_by_area")
    assert counts(found, "services") == {"W10": 2, "NW1": 1, "W11": 1, "Not given": 1}
    assert counts(found, "stale") == {"W10": 0, "NW1": 0, "W11": 1, "Not given": 0}


@pytest.mark.usefixtures("directory")
def test_the_share_of_public_entries_that_are_stale(world: World) -> None:
    found = table(section(world), "directory_staleness")
    assert counts(found, "services") == {"published": 2, "review_due": 1, "stale": 1, "total": 4}
    stale = found.rows[2].cells["share"]
    assert (stale.value, stale.numerator, stale.people) == (0.25, 1, 4)


@pytest.mark.usefixtures("directory")
def test_directory_coverage_is_directory_wide_whatever_the_filters(world: World) -> None:
    everyone = table(section(world), "directory_by_area")
    narrowed = table(section(world, connector_id=world.connector_b.pk), "directory_by_area")
    assert counts(narrowed, "services") == counts(everyone, "services")


def test_an_empty_period_counts_no_gaps(world: World) -> None:
    scope = ReportScope(world.organisation.pk, TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=2))
    found = gaps_section(scope)
    assert counts(table(found, "gaps_by_area")) == {"total": 0}
    assert table(found, "gaps_most_requested").rows == []


@pytest.mark.usefixtures("directory")
def test_once_suppressed_no_table_of_people_shows_a_count_below_the_threshold(world: World) -> None:
    for found in section(world).tables:
        suppress_table(found, 5)
        if not found.counts_people:
            # The directory's coverage counts services, not people: small numbers are what it is for.
            assert found.key.startswith("directory_")
            assert all(not figure.suppressed for row in found.all_rows() for figure in row.cells.values())
            continue
        for row in found.all_rows():
            for figure in row.cells.values():
                assert figure.suppressed or figure.people >= 5, (found.key, row.key)
                if figure.numerator is not None:
                    assert figure.suppressed or 5 <= figure.numerator <= figure.people - 5
    by_area = table(section(world), "gaps_by_area")
    suppress_table(by_area, 5)
    assert [row.cells["gaps"].suppressed for row in by_area.rows] == [True, True, True, True]
