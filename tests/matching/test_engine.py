"""The ranking engine on crafted services: each score part, the hard limits and "not known"."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from linkwork.accounts.models import Organisation
from linkwork.core.time import now
from linkwork.directory.models import EntryState, Language, Service
from linkwork.matching import index as match_index
from linkwork.matching.engine import Options, Ranking, Result, rank
from linkwork.matching.profile import MatchProfile
from tests.directory.factories import make_service

pytestmark = pytest.mark.django_db

HOME = "W10 6AB"  # the factory's services are at its sector centroid, about 0 km away
NEAR = (51.5215, -0.2105)
FAR = (51.4545, -0.1), (52.4862, -1.8904)  # Brixton-ish (about 10 km), Birmingham


def service(owner: Organisation, name: str, *, where: tuple[float, float] = NEAR, **fields: Any) -> Service:
    fields.setdefault("last_verified_at", now())
    return make_service(owner=owner, name=name, latitude=where[0], longitude=where[1], **fields)


def ranked(profile: MatchProfile, **options: Any) -> Ranking:
    match_index.invalidate()
    return rank(profile, Options(**options))


def names(ranking: Ranking) -> list[str]:
    return [Service.objects.get(pk=result.service_id).name for result in ranking.results]


def by_name(ranking: Ranking, name: str) -> Result:
    service_id = Service.objects.get(name=name).pk
    return next(result for result in ranking.results if result.service_id == service_id)


def part(result: Result, name: str) -> float:
    return next(p.score for p in result.parts if p.name == name)


def test_free_step_free_quiet_group_beats_expensive_busy_one_for_low_confidence_and_little_money(
    organisation: Organisation,
) -> None:
    service(
        organisation,
        "Busy craft club",
        cost_band="paid",
        atmosphere="busy",
        group_size="large",
        step_free=False,
        newcomers_met=False,
    )
    service(
        organisation,
        "Quiet craft circle",
        cost_band="free",
        atmosphere="quiet",
        group_size="small",
        step_free=True,
        newcomers_met=True,
    )
    profile = MatchProfile(
        postcode=HOME,
        interests_now=["crafts"],
        barriers=["cost", "confidence", "stairs"],
        confidence="hinders",
    )
    ranking = ranked(profile)
    assert names(ranking) == ["Quiet craft circle", "Busy craft club"]
    quiet, busy = ranking.results
    assert part(quiet, "cost") > part(busy, "cost")
    assert part(quiet, "social") > part(busy, "social")
    assert part(quiet, "practical") > part(busy, "practical")
    assert "free" in quiet.reasons
    assert "someone meets newcomers at the door" in quiet.reasons
    assert "busy venue" in busy.cautions
    assert "stairs, no step-free access" in busy.cautions


def test_nothing_beyond_the_travel_limit_appears_unless_asked(organisation: Organisation) -> None:
    service(organisation, "Gardening nearby")
    service(organisation, "Gardening across town", where=FAR[0])
    profile = MatchProfile(postcode=HOME, interests_now=["gardening"], travel_limit_minutes=20)
    ranking = ranked(profile)
    assert names(ranking) == ["Gardening nearby"]
    assert ranking.beyond_limit == 1
    wider = ranked(profile, include_beyond_limit=True)
    assert set(names(wider)) == {"Gardening nearby", "Gardening across town"}
    far = by_name(wider, "Gardening across town")
    assert far.beyond_limit
    assert "further than they said they can travel" in far.cautions


def test_the_travel_limit_in_km_and_max_minutes_also_limit(organisation: Organisation) -> None:
    service(organisation, "Near")
    service(organisation, "Ten km", where=FAR[0])
    assert names(ranked(MatchProfile(postcode=HOME, travel_limit_km=5))) == ["Near"]
    assert set(names(ranked(MatchProfile(postcode=HOME), max_minutes=200))) == {"Near", "Ten km"}
    assert names(ranked(MatchProfile(postcode=HOME, travel_limit_minutes=200), max_minutes=15)) == ["Near"]


def test_services_that_come_to_the_person_are_not_limited_by_distance(organisation: Organisation) -> None:
    service(organisation, "Phone friends", where=FAR[1], phone_option=True)
    service(organisation, "Far hall", where=FAR[1])
    ranking = ranked(MatchProfile(postcode=HOME, travel_limit_minutes=30))
    assert names(ranking) == ["Phone friends"]


def test_housebound_people_see_only_home_visits_online_or_phone(organisation: Organisation) -> None:
    service(organisation, "Hall club")
    service(organisation, "Home visiting", home_visits=True)
    service(organisation, "Online choir", online_option=True)
    ranking = ranked(MatchProfile(postcode=HOME, mobility=["housebound"]))
    assert set(names(ranking)) == {"Home visiting", "Online choir"}


def test_door_to_door_transport_is_a_caution(organisation: Organisation) -> None:
    service(organisation, "Hall club")
    (result,) = ranked(MatchProfile(postcode=HOME, mobility=["door-to-door"])).results
    assert "needs door-to-door transport: arrange how to get there" in result.cautions


def test_walkers_get_walking_minutes_and_bus_users_bus_minutes(organisation: Organisation) -> None:
    service(organisation, "Across town", where=FAR[0])
    (walker,) = ranked(MatchProfile(postcode=HOME, mobility=["walks"])).results
    (rider,) = ranked(MatchProfile(postcode=HOME, mobility=["uses-buses"])).results
    assert any(reason.endswith("minutes on foot") for reason in walker.reasons)
    assert any(reason.endswith("minutes by bus") for reason in rider.reasons)
    assert part(rider, "practical") > part(walker, "practical")


def test_interest_direct_beats_synonym_beats_related(organisation: Organisation) -> None:
    service(organisation, "Animal friends")  # direct
    service(organisation, "Pets corner")  # a related interest of "animals"
    service(organisation, "Chess club")  # nothing to do with animals
    ranking = ranked(MatchProfile(postcode=HOME, interests_now=["animals"]))
    assert names(ranking) == ["Animal friends", "Pets corner", "Chess club"]
    assert part(ranking.results[0], "interest") > part(ranking.results[1], "interest") > 0
    assert part(ranking.results[2], "interest") == 0
    assert any("related" in reason for reason in ranking.results[1].reasons)


def test_related_interests_reach_services_the_words_never_name(organisation: Organisation) -> None:
    service(organisation, "Falconry days")
    service(organisation, "Men's Shed")
    profile = MatchProfile(postcode=HOME, interests_now=["making things"], interests_past=["animals"])
    ranking = ranked(profile)
    assert part(by_name(ranking, "Men's Shed"), "interest") > 0
    assert part(by_name(ranking, "Falconry days"), "interest") > 0
    # Past interests count for less than current ones.
    assert part(by_name(ranking, "Men's Shed"), "interest") > part(
        by_name(ranking, "Falconry days"), "interest"
    )


def test_free_text_need_is_matched(organisation: Organisation) -> None:
    service(organisation, "Walking football")
    service(organisation, "Book club")
    ranking = ranked(MatchProfile(postcode=HOME, text="books"))
    assert names(ranking)[0] == "Book club"


def test_no_interests_is_neutral_not_zero(organisation: Organisation) -> None:
    service(organisation, "Anything")
    (result,) = ranked(MatchProfile(postcode=HOME)).results
    assert part(result, "interest") == 0.5


def test_unknown_facts_are_neutral_and_said_as_not_known(organisation: Organisation) -> None:
    service(organisation, "Unknown hall")
    service(organisation, "Stairs hall", step_free=False)
    service(organisation, "Step-free hall", step_free=True)
    ranking = ranked(MatchProfile(postcode=HOME, barriers=["mobility"]))
    assert names(ranking) == ["Step-free hall", "Unknown hall", "Stairs hall"]
    assert "step-free access not known" in by_name(ranking, "Unknown hall").cautions
    assert "step-free access" in by_name(ranking, "Step-free hall").reasons


def test_schedule_overlap_with_available_parts_of_the_day(organisation: Organisation) -> None:
    service(organisation, "Tuesday morning", weekday="TU")  # 10:00 to 12:00
    service(organisation, "Friday morning", weekday="FR")
    ranking = ranked(MatchProfile(postcode=HOME, availability=["tue-morning"]))
    assert names(ranking) == ["Tuesday morning", "Friday morning"]
    assert "meets Tuesday mornings" in ranking.results[0].reasons
    assert "not at a time they said they are free" in ranking.results[1].cautions
    afternoon = ranked(MatchProfile(postcode=HOME, availability=["tue-afternoon"]))
    assert "on a day they are free: check the time" in by_name(afternoon, "Tuesday morning").cautions


def test_language_when_an_interpreter_is_needed(organisation: Organisation) -> None:
    polish = service(organisation, "Polish club")
    Language.objects.create(service=polish, name="Polish", code="pl")
    english = service(organisation, "English club")
    Language.objects.create(service=english, name="English", code="en")
    service(organisation, "Unknown club")
    profile = MatchProfile(postcode=HOME, main_language="Polish", interpreter_needed=True)
    ranking = ranked(profile)
    assert names(ranking) == ["Polish club", "Unknown club", "English club"]
    assert "in Polish" in ranking.results[0].reasons
    assert "not offered in Polish" in ranking.results[2].cautions
    assert "whether Polish is spoken is not known" in ranking.results[1].cautions


def test_cost_matters_more_when_money_is_a_barrier(organisation: Organisation) -> None:
    service(organisation, "Paid", cost_band="paid")
    service(organisation, "Free", cost_band="free")
    tight = ranked(MatchProfile(postcode=HOME, barriers=["cost"], budget_left_pence=2500))
    assert names(tight) == ["Free", "Paid"]
    paid = by_name(tight, "Paid")
    assert part(paid, "cost") == 0
    assert "£25.00 left in the support budget could help at first" in paid.reasons
    assert "check it stays affordable after support ends" in paid.cautions
    relaxed = ranked(MatchProfile(postcode=HOME))
    assert part(by_name(relaxed, "Paid"), "cost") > 0


def test_free_only(organisation: Organisation) -> None:
    service(organisation, "Paid", cost_band="paid")
    service(organisation, "Free", cost_band="free")
    service(organisation, "Unknown cost")
    assert names(ranked(MatchProfile(postcode=HOME), free_only=True)) == ["Free"]


def test_social_confidence_prefers_small_quiet_welcoming_and_companion(organisation: Organisation) -> None:
    service(organisation, "Big chat", group_size="large", activity_level="sit_and_chat", companion_free=False)
    service(organisation, "Small making", group_size="small", activity_level="gentle", companion_free=True)
    profile = MatchProfile(postcode=HOME, confidence="hinders", wants_company_first_visit=True)
    ranking = ranked(profile)
    assert names(ranking) == ["Small making", "Big chat"]
    assert "a companion can come free" in ranking.results[0].reasons
    assert "something to do side by side" in ranking.results[0].reasons
    assert "a companion may have to pay" in ranking.results[1].cautions


def test_largest_group_the_person_can_face(organisation: Organisation) -> None:
    service(organisation, "Medium", group_size="medium")
    service(organisation, "Small", group_size="small")
    ranking = ranked(MatchProfile(postcode=HOME, largest_group=5))
    assert names(ranking) == ["Small", "Medium"]
    assert "bigger than the 5 people they feel able to join" in ranking.results[1].cautions


def test_identity_setting_preference(organisation: Organisation) -> None:
    service(organisation, "General", audience="general")
    service(organisation, "Veterans", audience="shared_experience", shared_experience="veterans")
    shared = ranked(MatchProfile(postcode=HOME, setting_preference="shared-experience"))
    general = ranked(MatchProfile(postcode=HOME, setting_preference="general"))
    assert names(shared) == ["Veterans", "General"]
    assert names(general) == ["General", "Veterans"]
    assert "people who share their experience (veterans)" in shared.results[0].reasons


def test_services_outside_the_age_range_are_excluded(organisation: Organisation) -> None:
    service(organisation, "Youth club", minimum_age=11, maximum_age=18)
    service(organisation, "Over 60s", minimum_age=60)
    service(organisation, "Everyone")
    assert set(names(ranked(MatchProfile(postcode=HOME, age=70)))) == {"Over 60s", "Everyone"}
    assert set(names(ranked(MatchProfile(postcode=HOME, age=15)))) == {"Youth club", "Everyone"}
    assert set(names(ranked(MatchProfile(postcode=HOME, age_range=(18, 24))))) == {"Youth club", "Everyone"}
    assert len(ranked(MatchProfile(postcode=HOME)).results) == 3


def test_freshness_downgrades_and_flags_old_checks_and_stale_entries(organisation: Organisation) -> None:
    service(organisation, "Fresh")
    service(organisation, "Old", last_verified_at=now() - dt.timedelta(days=14 * 31))
    service(organisation, "Stale", state=EntryState.STALE)
    service(organisation, "Never", last_verified_at=None)
    ranking = ranked(MatchProfile(postcode=HOME))
    assert names(ranking)[0] == "Fresh"
    assert part(by_name(ranking, "Stale"), "freshness") < part(by_name(ranking, "Fresh"), "freshness")
    assert "last checked 14 months ago" in by_name(ranking, "Old").cautions
    assert "marked out of date: check it still runs" in by_name(ranking, "Stale").cautions
    assert "never checked by the directory team" in by_name(ranking, "Never").cautions
    assert part(by_name(ranking, "Never"), "freshness") == 0.5


def test_only_public_entries(organisation: Organisation) -> None:
    service(organisation, "Draft", state=EntryState.DRAFT)
    service(organisation, "Archived", state=EntryState.ARCHIVED)
    service(organisation, "Published")
    assert names(ranked(MatchProfile(postcode=HOME))) == ["Published"]


def test_each_result_has_six_parts_in_range_with_weights_and_explanations(organisation: Organisation) -> None:
    service(organisation, "Knit and natter", cost_band="low_cost", group_size="small")
    ranking = ranked(MatchProfile(postcode=HOME, interests_now=["knitting"]))
    assert ranking.mode == "lexical"
    (result,) = ranking.results
    assert [p.name for p in result.parts] == [
        "interest",
        "practical",
        "cost",
        "social",
        "identity",
        "freshness",
    ]
    for p in result.parts:
        assert 0 <= p.score <= 1
        assert p.weight > 0
        assert p.explanation
    assert 0 <= result.score <= 1


def test_limit_and_unknown_postcode(organisation: Organisation) -> None:
    for number in range(5):
        service(organisation, f"Club {number}")
    assert len(ranked(MatchProfile(postcode="ZZ99 9ZZ"), limit=3).results) == 3
    (first, *_rest) = ranked(MatchProfile(postcode=""), limit=2).results
    assert first.distance_km is None
