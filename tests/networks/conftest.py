"""Shared people and staff for the network map tests: one person with support open, a connector and
a supervisor of their team, an assigned volunteer, an unassigned one, an analyst and an outsider."""

from __future__ import annotations

from typing import Any

import pytest

from linkwork.accounts.models import Organisation, Team, User
from linkwork.accounts.roles import Role
from linkwork.networks.choices import Frequency, Quality, Ring
from linkwork.people.models import Person
from linkwork.support.models import SupportEpisode
from tests.factories import make_staff, make_team
from tests.journey_factories import make_episode, make_person

SURNAME = "Featherstonehaugh"


def entry(
    id: int,
    type: str = "friend",
    ring: str = Ring.MIDDLE,
    frequency: str = Frequency.WEEKLY,
    quality: str = Quality.SUPPORTIVE,
    label: str | None = None,
) -> dict[str, Any]:
    """A hand-built entry as frozen in a snapshot."""
    return {
        "id": id,
        "label": label or f"Entry {id}",
        "type": type,
        "ring": ring,
        "frequency": frequency,
        "quality": quality,
        "wants": "",
        "new_since_support": False,
        "note": "",
    }


@pytest.fixture
def north(organisation: Organisation) -> Team:
    return make_team(organisation=organisation, name="North")


@pytest.fixture
def connector(organisation: Organisation, north: Team) -> User:
    return make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[north], username="connector")


@pytest.fixture
def supervisor(organisation: Organisation, north: Team) -> User:
    return make_staff(
        organisation=organisation, roles=[Role.SUPERVISOR], teams=[north], username="supervisor"
    )


@pytest.fixture
def volunteer(organisation: Organisation) -> User:
    return make_staff(organisation=organisation, roles=[Role.VOLUNTEER], username="volunteer")


@pytest.fixture
def other_volunteer(organisation: Organisation) -> User:
    return make_staff(organisation=organisation, roles=[Role.VOLUNTEER], username="other-volunteer")


@pytest.fixture
def analyst(organisation: Organisation) -> User:
    return make_staff(organisation=organisation, roles=[Role.ANALYST], username="analyst")


@pytest.fixture
def outsider(other_organisation: Organisation) -> User:
    return make_staff(organisation=other_organisation, roles=[Role.CONNECTOR, Role.SUPERVISOR])


@pytest.fixture
def person(organisation: Organisation) -> Person:
    return make_person(organisation=organisation, first_name="Margaret", last_name=SURNAME)


@pytest.fixture
def episode(connector: User, person: Person, volunteer: User) -> SupportEpisode:
    return make_episode(connector=connector, person=person, volunteers=[volunteer])
