"""The directory search engine: words and ranking, categories, distance and service areas, days and
this week, the filters, states and owners, pages, keeping the index fresh, and refusing bad input."""

from __future__ import annotations

import datetime as dt
import random
import threading
import uuid
from typing import Any

import pytest

from linkwork.accounts.models import Organisation
from linkwork.core.errors import ValidationFailed
from linkwork.core.time import now
from linkwork.directory import connector_facts, search
from linkwork.directory.geography import locate
from linkwork.directory.models import (
    Attribute,
    Closure,
    CostBand,
    CostOption,
    EntryState,
    Schedule,
    Service,
    ServiceArea,
    Taxonomy,
    TaxonomyTerm,
)
from linkwork.directory.query import MAX_PER_PAGE, DirectoryQuery, SearchResults
from linkwork.directory.recurrence import Recurrence, occurrences
from tests.directory.factories import make_provider, make_service

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 2)
HOME = "W10 6AB"


@pytest.fixture(autouse=True)
def _fresh_index() -> None:
    search.invalidate()


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    """Searches run on Monday 2 March 2026."""
    monkeypatch.setattr(search, "local_today", lambda: MONDAY)
    return MONDAY


def find(**query: Any) -> SearchResults:
    search.invalidate()
    return search.search_services(DirectoryQuery(**query))


def names(**query: Any) -> list[str]:
    results = find(**query)
    by_id = dict(Service.objects.values_list("id", "name"))
    return [by_id[hit.service_id] for hit in results.hits]


def near_home(km_north: float) -> dict[str, Any]:
    """Coordinates about `km_north` km north of the centre of the W10 6 sector."""
    place = locate(HOME)
    return {"latitude": place.latitude + km_north / 111.2, "longitude": place.longitude}


def categorise(service: Service, name: str, taxonomy: Taxonomy | None = None) -> TaxonomyTerm:
    term = TaxonomyTerm.objects.filter(name=name).first() or TaxonomyTerm.objects.create(
        name=name, taxonomy_detail=taxonomy
    )
    Attribute.objects.create(link_id=service.pk, link_entity="service", taxonomy_term=term)
    return term


# --- Words ------------------------------------------------------------------------------------


def test_a_word_in_the_name_ranks_above_the_same_word_in_the_description(organisation: Organisation) -> None:
    make_service(owner=organisation, name="Tuesday lunch", description="Hot meals, then knitting together.")
    make_service(owner=organisation, name="Knitting circle", description="Bring your needles.")
    make_service(owner=organisation, name="Chess club", description="Quiet games.")

    results = find(text="knitting")
    assert names(text="knitting") == ["Knitting circle", "Tuesday lunch"]
    assert results.total == 2
    assert results.hits[0].score > results.hits[1].score > 0


def test_every_word_must_match_and_common_words_are_ignored(organisation: Organisation) -> None:
    make_service(owner=organisation, name="Walking group", description="Gentle walks in the park.")
    make_service(owner=organisation, name="Walking football", description="Five a side.")

    assert names(text="walking park") == ["Walking group"]
    assert names(text="the walking group for you") == ["Walking group"]
    assert names(text="walking swimming") == []


def test_plurals_and_the_start_of_the_last_word_match(organisation: Organisation) -> None:
    make_service(owner=organisation, name="Knitting circle", description="Friendly groups for activities.")

    assert names(text="group") == ["Knitting circle"]  # "groups" in the description
    assert names(text="activity") == ["Knitting circle"]  # "activities"
    assert names(text="knit") == ["Knitting circle"]  # still typing
    assert names(text="knit ") == []  # a finished word must match whole
    assert names(text="knit circle") == []  # only the last word may be unfinished


def test_case_accents_html_and_apostrophes_do_not_matter(organisation: Organisation) -> None:
    make_service(owner=organisation, name="Men's Shed", description="<p>Woodwork &amp; <b>café</b></p>")

    assert names(text="MENS SHED") == ["Men's Shed"]
    assert names(text="cafe woodwork") == ["Men's Shed"]
    assert names(text="amp") == []  # an HTML entity is not a word


def test_provider_and_category_names_are_searched(organisation: Organisation) -> None:
    provider = make_provider(owner=organisation, name="Northgate Befriending Trust")
    befriending = make_service(owner=organisation, name="Phone friends", provider=provider)
    art = make_service(owner=organisation, name="Saturday studio")
    categorise(art, "Arts and crafts")

    assert names(text="befriending") == ["Phone friends"]
    assert names(text="crafts") == ["Saturday studio"]
    assert befriending.name == "Phone friends"


def test_connector_facts_are_not_words_or_categories(organisation: Organisation) -> None:
    service = make_service(owner=organisation, name="Bingo", step_free=False)
    fact = connector_facts.FACTS_BY_CODE["step-free"]
    term = TaxonomyTerm.objects.create(id=fact.term_id, name=fact.name)
    Attribute.objects.create(link_id=service.pk, taxonomy_term=term, value="false")

    assert names(text="step free") == []
    assert find(taxonomy_term_ids=(fact.term_id,)).total == 0


# --- Categories -------------------------------------------------------------------------------


def test_category_and_taxonomy_filters(organisation: Organisation) -> None:
    taxonomy = Taxonomy.objects.create(name="Activities")
    art = make_service(owner=organisation, name="Art class")
    choir = make_service(owner=organisation, name="Choir")
    make_service(owner=organisation, name="Uncategorised")
    arts = categorise(art, "Arts", taxonomy)
    music = categorise(choir, "Music")

    assert names(taxonomy_term_ids=(arts.pk,)) == ["Art class"]
    assert names(taxonomy_term_ids=(arts.pk, music.pk)) == ["Art class", "Choir"]
    assert names(taxonomy_ids=(taxonomy.pk,)) == ["Art class"]
    assert names(taxonomy_term_ids=(uuid.uuid4(),)) == []


# --- Distance and service areas -------------------------------------------------------------------


def test_a_postcode_sorts_by_distance_and_max_km_leaves_out_the_far(organisation: Organisation) -> None:
    make_service(owner=organisation, name="Far", **near_home(8))
    make_service(owner=organisation, name="Near", **near_home(0.5))
    make_service(owner=organisation, name="Middle", **near_home(3))

    results = find(postcode=HOME)
    assert names(postcode=HOME) == ["Near", "Middle", "Far"]
    assert results.place is not None and results.place.key == "W10 6"
    first = results.hits[0]
    assert first.distance_km == pytest.approx(0.5, abs=0.05)
    assert first.journey is not None and first.journey.walk_minutes >= 1
    assert names(postcode=HOME, max_km=5) == ["Near", "Middle"]


def test_the_nearest_of_several_locations_counts(organisation: Organisation) -> None:
    service = make_service(owner=organisation, name="Two halls", **near_home(9))
    other = make_service(owner=organisation, name="One hall", **near_home(4))
    # Move the second service's hall to be the first service's second place.
    link = other.service_at_locations.get()
    link.location.latitude = near_home(1)["latitude"]
    link.location.save()
    link.service = service
    link.save()

    assert names(postcode=HOME) == ["Two halls", "One hall"]
    assert find(postcode=HOME).hits[0].distance_km == pytest.approx(1, abs=0.05)


def test_services_without_usable_coordinates_come_last_and_fail_max_km(organisation: Organisation) -> None:
    make_service(owner=organisation, name="Nowhere", latitude=None, longitude=None)
    make_service(owner=organisation, name="Off the globe", latitude=100, longitude=101)
    make_service(owner=organisation, name="Null island", latitude=0, longitude=0)
    make_service(owner=organisation, name="Here", **near_home(1))

    results = find(postcode=HOME)
    assert names(postcode=HOME) == ["Here", "Nowhere", "Null island", "Off the globe"]
    assert [hit.distance_km is None for hit in results.hits] == [False, True, True, True]
    assert names(postcode=HOME, max_km=50) == ["Here"]


def test_a_service_area_covering_the_place_matches_beyond_max_km_and_sorts_first(
    organisation: Organisation,
) -> None:
    visits = make_service(owner=organisation, name="Home visits", **near_home(30))
    ServiceArea.objects.create(service=visits, extent="W10, W11", extent_type="postcode")
    borough = make_service(owner=organisation, name="Borough-wide advice", **near_home(40))
    ServiceArea.objects.create(
        service=borough, extent="Kensington and Chelsea", extent_type="local_authority"
    )
    elsewhere = make_service(owner=organisation, name="Elsewhere visits", **near_home(30))
    ServiceArea.objects.create(service=elsewhere, extent="SW1A", extent_type="postcode")
    broken = make_service(owner=organisation, name="Broken area", **near_home(30))
    ServiceArea.objects.create(service=broken, extent="not a postcode!", extent_type="postcode")
    make_service(owner=organisation, name="Round the corner", **near_home(1))

    results = find(postcode=HOME, max_km=5)
    assert names(postcode=HOME, max_km=5) == ["Home visits", "Borough-wide advice", "Round the corner"]
    assert [hit.in_service_area for hit in results.hits] == [True, True, False]
    assert results.hits[0].distance_km == pytest.approx(30, abs=0.5)  # its own distance is still given
    assert locate(HOME).area_name == "Kensington and Chelsea"


def test_a_sector_area_needs_a_place_known_to_the_sector(organisation: Organisation) -> None:
    service = make_service(owner=organisation, name="Estate project", **near_home(30))
    ServiceArea.objects.create(service=service, extent="W10 6", extent_type="postcode")

    assert names(postcode="W10 6AB", max_km=5) == ["Estate project"]
    assert names(postcode="W10", max_km=5) == []  # only the district is known


def test_a_bad_postcode_is_refused(organisation: Organisation) -> None:
    make_service(owner=organisation)
    with pytest.raises(ValidationFailed) as refused:
        find(postcode="NOT A POSTCODE")
    assert "postcode" in refused.value.fields
    with pytest.raises(ValidationFailed):
        find(postcode="ZZ9 9ZZ")  # well formed, but nowhere we know


def test_max_km_without_a_postcode_is_ignored(organisation: Organisation) -> None:
    make_service(owner=organisation, name="Anywhere", **near_home(100))
    assert names(max_km=1) == ["Anywhere"]


# --- Days -------------------------------------------------------------------------------------


def test_day_finds_services_with_a_session_on_that_weekday(
    organisation: Organisation, today: dt.date
) -> None:
    make_service(owner=organisation, name="Tuesdays", weekday="TU")
    make_service(owner=organisation, name="Thursdays", weekday="TH")
    monthly = make_service(owner=organisation, name="First Friday", weekday="TU")
    Schedule.objects.filter(service=monthly).update(freq="MONTHLY", byday="1FR")
    later = make_service(owner=organisation, name="Third Friday", weekday="TU")
    Schedule.objects.filter(service=later).update(freq="MONTHLY", byday="3FR")
    make_service(owner=organisation, name="No schedule").schedules.all().delete()

    assert names(day=1) == ["Tuesdays"]
    assert names(day=3) == ["Thursdays"]
    assert names(day=4) == ["First Friday"]  # 6 March is the first Friday; the third is not this week
    assert names(day=6) == []


def test_this_week_means_from_today_to_sunday_and_respects_closures(
    organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    wednesday = MONDAY + dt.timedelta(days=2)
    monkeypatch.setattr(search, "local_today", lambda: wednesday)
    make_service(owner=organisation, name="Tuesdays", weekday="TU")  # next on the 10th: next week
    make_service(owner=organisation, name="Wednesdays", weekday="WE")  # today
    make_service(owner=organisation, name="Sundays", weekday="SU")
    closed = make_service(owner=organisation, name="Thursdays, closed", weekday="TH")
    Closure.objects.create(service=closed, starts_on=wednesday, ends_on=wednesday + dt.timedelta(days=7))
    one_off = make_service(owner=organisation, name="One-off on Saturday", weekday="TU")
    Schedule.objects.filter(service=one_off).update(freq="", byday="", dtstart=MONDAY + dt.timedelta(days=5))

    assert names(this_week=True) == ["One-off on Saturday", "Sundays", "Wednesdays"]
    assert names(day=1) == ["Tuesdays"]  # the coming Tuesday is still within 7 days
    assert names(day=3) == []  # closed


def test_the_weekdays_are_worked_out_again_when_the_date_changes(
    organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "local_today", lambda: MONDAY)
    make_service(owner=organisation, name="Tuesdays", weekday="TU")
    assert names(this_week=True) == ["Tuesdays"]
    monkeypatch.setattr(search, "local_today", lambda: MONDAY + dt.timedelta(days=2))
    assert [hit.service_id for hit in search.search_services(DirectoryQuery(this_week=True)).hits] == []


def test_sessions_at_a_service_at_location_count(organisation: Organisation, today: dt.date) -> None:
    service = make_service(owner=organisation, name="Saturday at the hall", weekday="TU")
    service.schedules.all().delete()
    Schedule.objects.create(service_at_location=service.service_at_locations.get(), freq="WEEKLY", byday="SA")
    assert names(day=5) == ["Saturday at the hall"]


def test_the_shortcut_for_repeating_rules_gives_the_same_weekdays_as_the_rule() -> None:
    """Schedules that cannot differ in the coming week share one computation; check they agree."""
    rng = random.Random(5)
    start = MONDAY + dt.timedelta(days=3)
    end = start + dt.timedelta(days=6)

    def some_date() -> dt.date | None:
        return rng.choice([None, start + dt.timedelta(days=rng.randrange(-800, 40))])

    for _ in range(600):
        rule = Recurrence(
            freq=rng.choice(["", "DAILY", "WEEKLY", "WEEKLY", "MONTHLY", "YEARLY"]),
            interval=rng.choice([None, 1, 1, 2, 3]),
            byday=rng.choice(["", "MO", "TU,FR", "1FR", "-1MO", "SA,SU"]),
            bymonthday=rng.choice(["", "", "1", "15,-1"]),
            count=rng.choice([None, None, None, 5]),
            until=some_date(),
            dtstart=some_date(),
            valid_from=some_date(),
            valid_to=some_date(),
            opens_at=rng.choice([None, dt.time(10)]),
            closes_at=rng.choice([None, dt.time(9), dt.time(12)]),
            description=rng.choice(["", "Phone first"]),
        )
        key = search._window_key(rule, start, end)
        days = [occurrence.on for occurrence in occurrences(rule, start, end)]
        assert [occurrence.on for occurrence in occurrences(key, start, end)] == days, rule


# --- Filters ----------------------------------------------------------------------------------


def test_free_step_free_and_online_filters(organisation: Organisation) -> None:
    make_service(owner=organisation, name="Free band", cost_band=CostBand.FREE)
    zero = make_service(owner=organisation, name="Free option", cost_band=CostBand.PAID)
    CostOption.objects.create(service=zero, amount=0, option="Carers")
    paid = make_service(owner=organisation, name="Paid", cost_band=CostBand.PAID)
    CostOption.objects.create(service=paid, amount=4)
    make_service(owner=organisation, name="Step-free", step_free=True)
    make_service(owner=organisation, name="Steps", step_free=False)
    make_service(owner=organisation, name="Online", online_option=True)
    make_service(owner=organisation, name="By phone", phone_option=True)

    assert names(free_only=True) == ["Free band", "Free option"]
    assert names(step_free=True) == ["Step-free"]
    assert names(online=True) == ["By phone", "Online"]


def test_modified_after(organisation: Organisation) -> None:
    old = now() - dt.timedelta(days=30)
    make_service(owner=organisation, name="Old", last_modified=old)
    make_service(owner=organisation, name="New", last_modified=now())
    assert names(modified_after=now() - dt.timedelta(days=1)) == ["New"]


def test_modified_after_includes_the_moment_itself_and_reads_a_time_without_a_zone_as_london(
    organisation: Organisation,
) -> None:
    make_service(owner=organisation, name="Walk", last_modified=dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC))
    assert names(modified_after=dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC)) == ["Walk"]  # on or after
    assert names(modified_after=dt.datetime(2025, 6, 1, 12, 0, 1, tzinfo=dt.UTC)) == []
    # 13:00 in London in June (British Summer Time) is 12:00 UTC.
    assert names(modified_after=dt.datetime.fromisoformat("2025-06-01T13:00:00")) == ["Walk"]
    assert names(modified_after=dt.datetime.fromisoformat("2025-06-01T13:00:01")) == []


def test_drafts_and_other_private_states_never_appear_by_default(organisation: Organisation) -> None:
    for state in EntryState.values:
        make_service(owner=organisation, name=f"In {state}", state=state)

    assert names() == ["In published", "In review_due", "In stale"]
    assert names(text="draft") == []
    assert names(states=(EntryState.DRAFT, EntryState.SUBMITTED)) == ["In draft", "In submitted"]


def test_owner_and_provider_filters(organisation: Organisation, other_organisation: Organisation) -> None:
    provider = make_provider(owner=organisation)
    make_service(owner=organisation, name="Ours", provider=provider)
    make_service(owner=other_organisation, name="Theirs")

    assert names(owner_id=organisation.pk) == ["Ours"]
    assert names(owner_id=other_organisation.pk) == ["Theirs"]
    assert names(organization_id=provider.pk) == ["Ours"]
    assert names(organization_id=uuid.uuid4()) == []


def test_without_words_or_postcode_results_are_in_name_order(organisation: Organisation) -> None:
    for name in ("banana club", "Apple club", "cherry club"):
        make_service(owner=organisation, name=name)
    assert names() == ["Apple club", "banana club", "cherry club"]


# --- Pages and bad input ------------------------------------------------------------------------


def test_pages(organisation: Organisation) -> None:
    for number in range(5):
        make_service(owner=organisation, name=f"Club {number}")

    second = find(page=2, per_page=2)
    assert (second.total, second.page, second.per_page, second.total_pages) == (5, 2, 2, 3)
    assert names(page=2, per_page=2) == ["Club 2", "Club 3"]
    assert names(page=3, per_page=2) == ["Club 4"]
    assert names(page=4, per_page=2) == []
    assert find(per_page=MAX_PER_PAGE + 50).per_page == MAX_PER_PAGE


def test_large_results_keep_exact_order_across_pages(organisation: Organisation) -> None:
    """The page is picked without sorting everything; ties and pages must still come out exact."""
    for number in range(30):
        make_service(owner=organisation, name=f"Knit {number:02d}", **near_home(number % 4))
    everything = names(postcode=HOME, text="knit", per_page=30)
    paged = [
        name for page in range(1, 11) for name in names(postcode=HOME, text="knit", page=page, per_page=3)
    ]
    assert paged == everything
    assert everything[:3] == ["Knit 00", "Knit 04", "Knit 08"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page": 0}, "page"),
        ({"per_page": 0}, "per_page"),
        ({"day": 7}, "day"),
        ({"postcode": HOME, "max_km": 0}, "max_km"),
        ({"postcode": HOME, "max_km": float("nan")}, "max_km"),
        ({"states": ("published", "secret")}, "states"),
    ],
)
def test_bad_queries_are_refused(organisation: Organisation, query: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        find(**query)
    assert field in refused.value.fields


# --- Freshness --------------------------------------------------------------------------------


def test_the_index_follows_changes_made_elsewhere(
    organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process's writes show once the fingerprint is checked again (here: every search)."""
    monkeypatch.setattr(search, "CHECK_INTERVAL_SECONDS", 0.0)
    service = make_service(owner=organisation, name="Choir")
    assert search.search_services(DirectoryQuery(text="choir")).total == 1

    make_service(owner=organisation, name="Second choir")
    assert search.search_services(DirectoryQuery(text="choir")).total == 2

    Service.objects.filter(pk=service.pk).update(state=EntryState.ARCHIVED, updated_at=now())
    assert search.search_services(DirectoryQuery(text="choir")).total == 1

    Schedule.objects.filter(service=service).delete()
    ServiceArea.objects.create(service=service, extent="W10", extent_type="postcode")
    assert search.search_services(DirectoryQuery(text="choir")).total == 1


def test_between_checks_the_index_is_reused(
    organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "CHECK_INTERVAL_SECONDS", 3600.0)
    make_service(owner=organisation, name="Choir")
    assert search.search_services(DirectoryQuery(text="choir")).total == 1
    make_service(owner=organisation, name="Second choir")
    assert search.search_services(DirectoryQuery(text="choir")).total == 1  # not checked yet
    search.invalidate()
    assert search.search_services(DirectoryQuery(text="choir")).total == 2


def test_while_another_thread_rebuilds_searches_answer_from_the_previous_index(
    organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "CHECK_INTERVAL_SECONDS", 0.0)
    make_service(owner=organisation, name="Choir")
    assert search.search_services(DirectoryQuery(text="choir")).total == 1
    make_service(owner=organisation, name="Second choir")
    totals: list[int] = []
    with search._state.lock:  # as if a rebuild were under way in another thread
        # Searched from this thread, a search that waited for the lock would never finish.
        searcher = threading.Thread(
            target=lambda: totals.append(search.search_services(DirectoryQuery(text="choir")).total)
        )
        searcher.start()
        searcher.join(timeout=10)
    assert not searcher.is_alive() and totals == [1]
    assert search.search_services(DirectoryQuery(text="choir")).total == 2


def test_an_empty_directory_finds_nothing(db: None) -> None:
    results = find(text="anything", postcode=HOME, max_km=5, day=1, free_only=True)
    assert (results.total, results.hits) == (0, [])
    assert search.index_stats()["services"] == 0
