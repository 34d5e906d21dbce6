"""The person page and the recommendations page read the database a fixed, small number of times.

The count must not grow with the size of the record (consents, referrals, support episodes,
connections, shortlist), and must stay under a bound, so a change that adds queries fails here. The
per-object caches behind the small count (the user's roles and team ids) must never outlive a request.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linkwork.accounts import services as account_services
from linkwork.accounts.models import Organisation, Team, User
from linkwork.accounts.roles import Role
from linkwork.core.policies import Action, can
from linkwork.directory.models import EntryState, Service
from linkwork.matching import index as match_index
from linkwork.matching.connections import connection_create
from linkwork.matching.profile import profile_for
from linkwork.matching.shortlists import shortlist_add
from linkwork.people.models import Person
from linkwork.people.services import consent_record
from linkwork.support.models import BudgetEntry, SupportEpisode
from linkwork.support.services import conversation_record
from tests.conftest import signed_in
from tests.directory.factories import make_service
from tests.factories import OPERATOR, make_organisation, make_staff, make_team
from tests.journey_factories import days_ago, make_episode, make_person, make_referral

pytestmark = pytest.mark.django_db

# As measured: the session, user, authenticator device, roles, teams and organisation; the page's own
# reads; and each audit entry's four statements (two on the person page), counting the savepoints the
# test's transaction turns commits into. A query per row, or a repeated lookup, goes over.
PERSON_PAGE_MAX_QUERIES = 27
RECOMMENDATIONS_PAGE_MAX_QUERIES = 15

CONSENT_PURPOSES = ("support", "share-gp-referrer", "volunteer-contact", "anonymous-measures", "story")


@dataclass
class World:
    organisation: Organisation
    team: Team
    connector: User
    services: list[Service]


@pytest.fixture
def world(db: None) -> World:
    organisation = make_organisation(name="Riverside Connectors")
    team = make_team(organisation=organisation, name="North")
    connector = make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[team])
    services = [
        make_service(owner=organisation, name=f"Walking group {number}", cost_band="free")
        for number in range(6)
    ]
    match_index.invalidate()
    return World(organisation=organisation, team=team, connector=connector, services=services)


def build_record(world: World, *, size: int) -> Person:
    """A person on the connector's caseload with `size` of each thing the person page lists."""
    person = make_person(organisation=world.organisation, postcode="W10 6AB")
    for number in range(size):
        purpose = CONSENT_PURPOSES[number % len(CONSENT_PURPOSES)]
        consent_record(actor=OPERATOR, person=person, purpose=purpose, agreed=True, method="verbal")
    # Earlier support, ended, then the open episode the connections belong to.
    for number in range(size - 1):
        ended = make_episode(connector=world.connector, person=person, team=world.team)
        SupportEpisode.objects.filter(pk=ended.pk).update(status="closed", closed_on=days_ago(number + 1))
    episode = make_episode(connector=world.connector, person=person, team=world.team)
    conversation_record(actor=OPERATOR, episode=episode, data={"interests_now": ["walking"]})
    make_referral(person=person)  # one still waiting, besides those the episodes accepted
    for service in world.services[:size]:
        connection_create(actor=world.connector, person=person, service=service)
        shortlist_add(actor=world.connector, person=person, service_id=service.pk)
    return person


def count_queries(client: Client, url: str) -> tuple[int, str]:
    client.get(url)  # the first request may fill process-wide caches such as the matching index
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries), response.content.decode()


def test_the_person_page_reads_the_same_number_of_times_for_a_small_and_a_large_record(
    world: World,
) -> None:
    small, large = build_record(world, size=1), build_record(world, size=6)
    client = signed_in(world.connector)
    small_count, _ = count_queries(client, reverse("person_detail", args=[small.pk]))
    large_count, html = count_queries(client, reverse("person_detail", args=[large.pk]))
    assert small_count == large_count
    # The large record's lists are all there: six connections, six on the shortlist, six episodes.
    assert html.count('id="connection-') == 6
    assert all(service.name in html for service in world.services)
    assert html.count('href="/episodes/') == 6


def test_the_person_page_stays_within_its_query_bound(world: World) -> None:
    person = build_record(world, size=3)
    count, html = count_queries(signed_in(world.connector), reverse("person_detail", args=[person.pk]))
    assert count <= PERSON_PAGE_MAX_QUERIES, count
    assert "Recommended activities" in html and "Walking group" in html


def test_the_recommendations_page_stays_within_its_query_bound(world: World) -> None:
    person = build_record(world, size=3)
    url = reverse("person_recommendations", args=[person.pk])
    count, html = count_queries(signed_in(world.connector), url)
    assert count <= RECOMMENDATIONS_PAGE_MAX_QUERIES, count
    assert "Walking group 0" in html


def test_recommendations_leave_out_an_entry_archived_since_the_index_was_built(world: World) -> None:
    person = build_record(world, size=1)
    client = signed_in(world.connector)
    url = reverse("person_recommendations", args=[person.pk])
    assert "Walking group 5" in client.get(url).content.decode()
    Service.objects.filter(pk=world.services[5].pk).update(state=EntryState.ARCHIVED)
    html = client.get(url).content.decode()
    assert "Walking group 5" not in html and "Walking group 4" in html


def test_another_team_and_another_organisation_cannot_open_the_pages(world: World) -> None:
    person = build_record(world, size=2)
    south = make_team(organisation=world.organisation, name="South")
    other_team = make_staff(organisation=world.organisation, roles=[Role.CONNECTOR], teams=[south])
    other_organisation = make_organisation(name="Northgate Befriending")
    outsider = make_staff(organisation=other_organisation, roles=[Role.CONNECTOR, Role.SUPERVISOR])
    for actor in (other_team, outsider):
        client = signed_in(actor)
        assert client.get(reverse("person_detail", args=[person.pk])).status_code == 404
        assert client.get(reverse("person_recommendations", args=[person.pk])).status_code == 404


def test_a_team_removed_takes_effect_on_the_next_request(world: World) -> None:
    """The supervisor sees the team's person through the team alone; the cache must not keep it."""
    supervisor = make_staff(organisation=world.organisation, roles=[Role.SUPERVISOR], teams=[world.team])
    person = build_record(world, size=1)
    url = reverse("person_detail", args=[person.pk])
    client = signed_in(supervisor)
    assert client.get(url).status_code == 200
    supervisor.teams.clear()
    assert client.get(url).status_code == 404


def test_a_role_removed_takes_effect_on_the_next_request(world: World) -> None:
    person = build_record(world, size=1)
    url = reverse("person_detail", args=[person.pk])
    client = signed_in(world.connector)
    assert client.get(url).status_code == 200
    world.connector.role_grants.all().delete()
    assert client.get(url).status_code == 404


def in_team(world: World) -> Person:
    person = make_person(organisation=world.organisation)
    Person.objects.filter(pk=person.pk).update(team=world.team)
    person.refresh_from_db()
    return person


def test_the_user_caches_team_ids_once_and_a_full_refresh_drops_them(world: World) -> None:
    person = in_team(world)
    supervisor = make_staff(organisation=world.organisation, roles=[Role.SUPERVISOR], teams=[world.team])
    supervisor.refresh_from_db()
    with CaptureQueriesContext(connection) as queries:
        assert supervisor.team_ids == (world.team.pk,)
        assert supervisor.team_ids == (world.team.pk,)
    assert len(queries.captured_queries) == 1
    assert can(supervisor, Action.VIEW, person)
    supervisor.teams.clear()
    supervisor.refresh_from_db()
    assert supervisor.team_ids == ()
    assert not can(supervisor, Action.VIEW, person)


def test_staff_update_gives_the_updated_user_their_new_teams_and_roles(world: World) -> None:
    admin = make_staff(organisation=world.organisation, roles=[Role.ORGANISATION_ADMIN])
    person = in_team(world)
    supervisor = make_staff(organisation=world.organisation, roles=[Role.SUPERVISOR], teams=[world.team])
    assert can(supervisor, Action.VIEW, person)  # fills both caches
    updated = account_services.staff_update(
        actor=admin,
        staff=supervisor,
        first_name=supervisor.first_name,
        last_name=supervisor.last_name,
        email=supervisor.email,
        roles=[Role.SUPERVISOR],
        team_ids=[],
    )
    assert updated.team_ids == ()
    assert not can(updated, Action.VIEW, person)


def test_the_matching_profile_takes_the_open_episode_and_its_budget_in_two_queries(world: World) -> None:
    person = make_person(organisation=world.organisation)
    ended = make_episode(connector=world.connector, person=person, started_on=days_ago(60))
    SupportEpisode.objects.filter(pk=ended.pk).update(status="closed", closed_on=days_ago(40))
    conversation_record(actor=OPERATOR, episode=ended, data={"interests_now": ["chess"]})
    current = make_episode(connector=world.connector, person=person, started_on=days_ago(30))
    conversation_record(actor=OPERATOR, episode=current, data={"interests_now": ["singing"]})
    conversation_record(actor=OPERATOR, episode=current, data={"interests_now": ["walking"]})
    # An ended episode that started later (as imported records may) still comes after the open one.
    SupportEpisode.objects.filter(pk=ended.pk).update(started_on=days_ago(5))
    SupportEpisode.objects.filter(pk=current.pk).update(budget_allowance_pence=5000)
    for amount in (1200, 300):
        BudgetEntry.objects.create(
            episode=current,
            spent_on=days_ago(1),
            amount_pence=amount,
            purpose="Bus",
            recorded_by=world.connector,
        )
    with CaptureQueriesContext(connection) as queries:
        profile = profile_for(person)
    assert len(queries.captured_queries) == 2
    assert profile.interests_now == ["walking"]
    assert profile.budget_left_pence == 3500


def test_the_matching_profile_takes_the_latest_episode_when_none_is_open(world: World) -> None:
    person = make_person(organisation=world.organisation)
    for started, interest in ((days_ago(60), "chess"), (days_ago(20), "singing")):
        episode = make_episode(connector=world.connector, person=person, started_on=started)
        conversation_record(actor=OPERATOR, episode=episode, data={"interests_now": [interest]})
        SupportEpisode.objects.filter(pk=episode.pk).update(status="closed", budget_allowance_pence=900)
    profile = profile_for(person)
    assert profile.interests_now == ["singing"]
    assert profile.budget_left_pence == 900
