"""Reasons, cautions and part explanations in plain English."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from linkwork.accounts.models import Organisation
from linkwork.core.time import now
from linkwork.matching import index as match_index
from linkwork.matching.engine import Options, Result, rank
from linkwork.matching.profile import MatchProfile
from tests.directory.factories import make_service

pytestmark = pytest.mark.django_db

HOME = "W10 6AB"
FOUR_KM_AWAY = (51.5215, -0.1525)  # about 4 km east: quicker by bus than on foot


def only(organisation: Organisation, profile: MatchProfile, **fields: Any) -> Result:
    fields.setdefault("last_verified_at", now())
    fields.setdefault("name", "The one")
    made = make_service(owner=organisation, **fields)
    match_index.invalidate()
    results = rank(profile, Options(include_beyond_limit=True, limit=100)).results
    return next(result for result in results if result.service_id == made.pk)


def explanation(result: Result, name: str) -> str:
    return next(part.explanation for part in result.parts if part.name == name)


def test_the_issues_example_reads_as_written(organisation: Organisation) -> None:
    latitude, longitude = FOUR_KM_AWAY
    result = only(
        organisation,
        MatchProfile(postcode=HOME, mobility=["uses-buses"], confidence="hinders"),
        latitude=latitude,
        longitude=longitude,
        cost_band="free",
        group_size="small",
        newcomers_met=True,
    )
    assert result.bus_minutes is not None
    assert result.reasons[:4] == [
        f"{result.bus_minutes} minutes by bus",
        "free",
        "small group",
        "someone meets newcomers at the door",
    ]


def test_the_issues_cautions_read_as_written(organisation: Organisation) -> None:
    result = only(
        organisation,
        MatchProfile(postcode=HOME, barriers=["stairs"]),
        atmosphere="busy",
        step_free=False,
        last_verified_at=now() - dt.timedelta(days=14 * 31),
    )
    assert result.cautions == ["stairs, no step-free access", "busy venue", "last checked 14 months ago"]


def test_unknown_facts_are_said_as_not_known_only_where_they_matter(organisation: Organisation) -> None:
    profile = MatchProfile(
        postcode=HOME,
        barriers=["cost", "mobility"],
        confidence="hinders",
        wants_company_first_visit=True,
        main_language="Polish",
        interpreter_needed=True,
    )
    result = only(organisation, profile)
    assert "step-free access not known" in result.cautions
    assert "cost not known" in result.cautions
    assert "whether a companion can come free is not known" in result.cautions
    assert "whether Polish is spoken is not known" in result.cautions
    assert "whether someone meets newcomers is not known" in explanation(result, "social")
    relaxed = only(organisation, MatchProfile(postcode=HOME))
    assert not [c for c in relaxed.cautions if "not known" in c]


def test_each_part_is_explained(organisation: Organisation) -> None:
    result = only(
        organisation,
        MatchProfile(postcode=HOME, interests_now=["walking"], setting_preference="general"),
        name="Walking group",
        cost_band="low_cost",
        group_size="medium",
        atmosphere="quiet",
        activity_level="gentle",
        audience="general",
        minimum_age=50,
    )
    assert explanation(result, "interest") == "Matches “walking”."
    assert explanation(result, "practical").endswith("minutes on foot.")
    assert explanation(result, "cost") == "Low cost."
    assert explanation(result, "social") == "Medium-sized group, quiet, a gentle, structured activity."
    assert explanation(result, "identity") == "A general community setting, ages 50 and over."
    assert explanation(result, "freshness") == "Checked this month."
    assert "for people 50 and over" in result.reasons
    assert "a general community setting" in result.reasons


def test_no_postcode_means_travel_not_known(organisation: Organisation) -> None:
    result = only(organisation, MatchProfile())
    assert explanation(result, "practical") == "Travel time not known (no postcode)."
    assert result.distance_km is None


def test_services_that_come_to_the_person_say_so(organisation: Organisation) -> None:
    result = only(organisation, MatchProfile(postcode=HOME), home_visits=True, phone_option=True)
    assert "also home visits, by phone" in result.reasons


def test_no_interest_match_says_so(organisation: Organisation) -> None:
    result = only(organisation, MatchProfile(postcode=HOME, interests_now=["chess"]), name="Choir")
    assert explanation(result, "interest") == "Does not match the interests or need given."
    none = only(organisation, MatchProfile(postcode=HOME))
    assert explanation(none, "interest") == "No interests recorded yet, so this part is neutral."


def test_reasons_and_cautions_are_not_repeated(organisation: Organisation) -> None:
    result = only(organisation, MatchProfile(postcode=HOME, interests_now=["walking", "walk"]), name="Walk")
    assert len(result.reasons) == len(set(result.reasons))
    assert len(result.cautions) == len(set(result.cautions))
