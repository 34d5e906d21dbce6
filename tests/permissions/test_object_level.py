"""Object-level access: the right role is not enough, the record must be one the user may see.

Uses the module's world (tests/permissions/conftest.py): Mabel is in the North team, on the
connector's caseload, with the volunteer assigned; a second connector works in the West team, and a
second volunteer is assigned to nobody.
"""

from __future__ import annotations

import itertools
import re

import pytest
from django.db.models import Max
from django.http import HttpResponse

from linkwork.people.models import Person
from linkwork.referrals.models import Referral
from linkwork.support.models import SupportEpisode
from tests.permissions.conftest import World, probe

pytestmark = pytest.mark.django_db

REFUSED = (403, 404)


def get(world: World, who: str, url: str) -> HttpResponse:
    return probe(world.client_for(world.users[who]), "GET", url)


def person_urls(world: World) -> list[str]:
    person, episode = world.ids["person_id"], world.ids["episode_id"]
    return [
        f"/people/{person}/",
        f"/api/v1/people/{person}",
        f"/people/{person}/network-map/",
        f"/api/v1/people/{person}/consents",
        f"/referrals/{world.ids['referral_id']}/",
        f"/episodes/{episode}/",
        f"/api/v1/episodes/{episode}/contacts",
        f"/stories/{world.ids['story_id']}/",
    ]


def test_the_persons_own_connector_can_read_their_record(world: World) -> None:
    for url in person_urls(world):
        assert get(world, "connector", url).status_code == 200, url


def test_a_connector_in_another_team_cannot_read_the_person(world: World) -> None:
    for url in person_urls(world):
        response = get(world, "west_connector", url)
        assert response.status_code == 404, url
        assert b"Mabel" not in response.content, url


def test_the_assigned_volunteer_sees_only_the_practical_view(world: World) -> None:
    person = world.ids["person_id"]
    for url in (f"/people/{person}/practical/", f"/api/v1/people/{person}/practical"):
        response = get(world, "volunteer", url)
        assert response.status_code == 200, url
        assert b"Mabel" in response.content, url
    for url in person_urls(world):
        assert get(world, "volunteer", url).status_code in REFUSED, url


def test_a_volunteer_cannot_read_a_person_they_are_not_assigned_to(world: World) -> None:
    person = world.ids["person_id"]
    for url in [f"/people/{person}/practical/", f"/api/v1/people/{person}/practical", *person_urls(world)]:
        response = get(world, "unassigned_volunteer", url)
        assert response.status_code in REFUSED, url
        assert b"Mabel" not in response.content, url


def test_an_analyst_cannot_request_a_persons_record(world: World) -> None:
    person = world.ids["person_id"]
    for url in [f"/people/{person}/practical/", f"/api/v1/people/{person}/practical", *person_urls(world)]:
        response = get(world, "analyst", url)
        assert response.status_code in REFUSED, url
        assert b"Mabel" not in response.content, url


def _unknown_id(model: type[Person] | type[Referral] | type[SupportEpisode]) -> int:
    highest: int = model.objects.aggregate(highest=Max("pk"))["highest"] or 0
    return highest + 1000


def _shape(response: HttpResponse) -> tuple[int, str]:
    """Status and body, without what differs on every page (CSRF tokens, CSP nonces)."""
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)
    body = re.sub(r'nonce="[^"]*"', "", body)
    return response.status_code, body


WHO_GUESSES = ("connector", "supervisor", "organisation_admin")
GUESSABLE = [
    ("/people/{}/", Person, "other_person"),
    ("/api/v1/people/{}", Person, "other_person"),
    ("/people/{}/practical/", Person, "other_person"),
    ("/api/v1/people/{}/network-map", Person, "other_person"),
    ("/referrals/{}/", Referral, "other_referral"),
    ("/api/v1/referrals/{}", Referral, "other_referral"),
    ("/episodes/{}/", SupportEpisode, "other_episode"),
    ("/api/v1/episodes/{}", SupportEpisode, "other_episode"),
]


@pytest.mark.parametrize(("pattern", "model", "record"), GUESSABLE)
def test_another_organisations_id_looks_exactly_like_an_unknown_one(
    world: World, pattern: str, model: type[Person] | type[Referral] | type[SupportEpisode], record: str
) -> None:
    for who in WHO_GUESSES:
        forbidden = get(world, who, pattern.format(world.records[record].pk))
        unknown = get(world, who, pattern.format(_unknown_id(model)))
        assert forbidden.status_code == 404, (who, pattern)
        assert _shape(forbidden) == _shape(unknown), (who, pattern)


def test_a_story_of_another_organisation_looks_like_an_unknown_one(world: World) -> None:
    story_id = world.records["other_story"].pk
    for who, pattern in itertools.product(WHO_GUESSES, ("/stories/{}/", "/api/v1/stories/{}/anonymised")):
        forbidden = get(world, who, pattern.format(story_id))
        unknown = get(world, who, pattern.format(story_id + 1000))
        assert forbidden.status_code == 404, (who, pattern)
        assert _shape(forbidden) == _shape(unknown), (who, pattern)


PEOPLE_LISTS = ["/api/v1/people", "/api/v1/referrals", "/api/v1/caseload", "/api/v1/safeguarding-alerts"]


def _mentions_mabel(response: HttpResponse, world: World) -> bool:
    """Lists name the person, or give their id (referrals)."""
    body = response.content.decode()
    return "Mabel" in body or f'"person_id": {world.ids["person_id"]}' in body.replace('":', '": ')


@pytest.mark.parametrize("url", PEOPLE_LISTS)
def test_api_lists_answer_everyone_but_leave_out_people_they_may_not_see(world: World, url: str) -> None:
    assert _mentions_mabel(get(world, "connector", url), world)
    for who in (
        "west_connector",
        "unassigned_volunteer",
        "analyst",
        "directory_editor",
        "organisation_admin",
    ):
        response = get(world, who, url)
        assert response.status_code == 200, (who, url)
        assert not _mentions_mabel(response, world), (who, url)
