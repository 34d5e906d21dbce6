"""`linkwork match PERSON_ID`, and the profile it ranks for (person + latest conversation + text)."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from linkwork.accounts.models import Organisation, User
from linkwork.audit.models import AuditEvent
from linkwork.core.time import local_today
from linkwork.matching import index as match_index
from linkwork.matching.profile import profile_for
from linkwork.people.models import Person
from linkwork.support.models import BudgetEntry
from linkwork.support.services import conversation_record
from tests.directory.factories import make_service
from tests.factories import OPERATOR
from tests.journey_factories import make_episode, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(connector: User) -> Person:
    assert connector.organisation is not None
    someone = make_person(
        organisation=connector.organisation,
        postcode="W10 6AB",
        date_of_birth=dt.date(1950, 1, 1),
        main_language="Polish",
        interpreter_needed=True,
        mobility=["walks"],
    )
    episode = make_episode(connector=connector, person=someone)
    conversation_record(actor=OPERATOR, episode=episode, data={"interests_now": ["old"]})
    conversation_record(
        actor=OPERATOR,
        episode=episode,
        data={
            "interests_now": ["singing"],
            "interests_past": ["gardening"],
            "barriers": ["cost"],
            "prefers": "groups",
            "setting_preference": "general",
            "largest_group": 12,
            "wants_company_first_visit": True,
            "availability": ["tue-morning"],
            "travel_limit_minutes": 25,
            "travel_limit_km": "3.5",
            "participation_factors": {"confidence": {"rating": "mixed"}},
        },
    )
    return someone


def run(*args: str) -> str:
    out = StringIO()
    call_command("match", *args, stdout=out)
    return out.getvalue()


def test_the_profile_comes_from_the_person_and_the_latest_conversation(person: Person) -> None:
    profile = profile_for(person, text="  a choir  ")
    assert profile.interests_now == ["singing"]
    assert profile.interests_past == ["gardening"]
    assert profile.text == "a choir"
    assert profile.barriers == ["cost"]
    assert (profile.prefers, profile.setting_preference, profile.largest_group) == ("groups", "general", 12)
    assert profile.wants_company_first_visit is True
    assert profile.availability == ["tue-morning"]
    assert (profile.travel_limit_minutes, profile.travel_limit_km) == (25, 3.5)
    assert profile.confidence == "mixed"
    assert profile.mobility == ["walks"]
    assert profile.language_needed
    assert profile.age is not None and profile.age >= 75
    assert profile.money_barrier and not profile.low_confidence


def test_the_budget_left_is_noted_not_assumed(person: Person) -> None:
    episode = person.episodes.get()
    assert profile_for(person).budget_left_pence == episode.budget_allowance_pence or (
        episode.budget_allowance_pence == 0 and profile_for(person).budget_left_pence is None
    )
    episode.budget_allowance_pence = 5000
    episode.save()
    BudgetEntry.objects.create(
        episode=episode,
        spent_on=local_today(),
        amount_pence=1200,
        purpose="Bus pass",
        recorded_by=episode.connector,
    )
    assert profile_for(person).budget_left_pence == 3800


def test_a_person_without_support_has_an_empty_profile(organisation: Organisation) -> None:
    someone = make_person(organisation=organisation, age_band="65-74")
    profile = profile_for(someone)
    assert profile.interests_now == [] and profile.barriers == []
    assert profile.age is None and profile.age_range == (65, 74)


def test_json_output(person: Person, organisation: Organisation) -> None:
    make_service(owner=organisation, name="Community choir", cost_band="free")
    match_index.invalidate()
    data = json.loads(run(str(person.pk), "--json", "--limit", "5", "--text", "choir"))
    assert data["mode"] == "lexical"
    assert data["person_id"] == person.pk
    assert data["results"][0]["name"] == "Community choir"
    assert {part["name"] for part in data["results"][0]["parts"]} >= {"interest", "cost"}
    event = AuditEvent.objects.filter(event="recommendations.viewed").get()
    assert event.actor_username.startswith("operator:")


def test_plain_output(person: Person, organisation: Organisation) -> None:
    make_service(owner=organisation, name="Community choir", cost_band="free")
    match_index.invalidate()
    out = run(str(person.pk))
    assert "1. Community choir" in out
    assert "Why: " in out and "free" in out


def test_unknown_person_and_bad_limit_are_refused(person: Person) -> None:
    with pytest.raises(CommandError, match="no person"):
        run("999999")
    with pytest.raises(CommandError, match="between 1 and 100"):
        run(str(person.pk), "--limit", "0")
