"""The demo directory: the requested size, every editorial state, real-life schedules, waiting work,
categories and connector facts, places in the demo borough, and the same directory from the same seed."""

from __future__ import annotations

import datetime as dt
import random
import re
from io import StringIO
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db.models import Count

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.audit.services import audit_verify
from linkwork.core.policies import Action, visible_to
from linkwork.demo.builder import OPERATOR, DemoOptions, DemoSummary
from linkwork.demo.directory import (
    CATEGORIES,
    CATEGORY_LINK_TYPE,
    CATEGORY_TAXONOMY_ID,
    SAVE_ORDER,
    SOURCE,
    SUGGESTION_SOURCE,
    build_demo_directory,
    build_directory,
    school_holidays,
)
from linkwork.directory import geography
from linkwork.directory.connector_facts import FACTS
from linkwork.directory.models import (
    PUBLIC_STATES,
    Attribute,
    ClaimStatus,
    Closure,
    EntryState,
    ListingClaim,
    Location,
    Organization,
    ProblemReport,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaskStatus,
    Taxonomy,
    TaxonomyTerm,
    Verification,
)
from linkwork.directory.recurrence import Recurrence, problems
from linkwork.directory.services import entries_sweep
from tests.factories import make_organisation, make_staff

TODAY = dt.date(2026, 1, 15)
SUGGESTED = (EntryState.SUBMITTED, EntryState.REJECTED)


@pytest.fixture
def owner(db: None) -> Organisation:
    return make_organisation(name="Riverside Community Connectors")


@pytest.fixture
def editors(owner: Organisation) -> list[User]:
    return [
        make_staff(organisation=owner, roles=[Role.DIRECTORY_EDITOR], username="editor"),
        make_staff(organisation=owner, roles=[Role.DIRECTORY_EDITOR], username="second-editor"),
    ]


@pytest.fixture
def built(owner: Organisation, editors: list[User]) -> list[Service]:
    build_directory(owner=owner, editors=editors, services=120, seed=5, today=TODAY)
    return list(Service.objects.order_by("name"))


def _entries(services: list[Service]) -> list[Service]:
    """The entries editors made (not public suggestions)."""
    return [service for service in services if service.state not in SUGGESTED]


def _delete_directory() -> None:
    for model in reversed(SAVE_ORDER):
        model._default_manager.all().delete()


# --- size and states ------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 7, 37, 300])
def test_builds_exactly_the_requested_number_of_services(
    owner: Organisation, editors: list[User], size: int
) -> None:
    summary = build_directory(owner=owner, editors=editors, services=size, seed=1, today=TODAY)
    assert Service.objects.count() == size == summary.services
    if size == 300:
        assert 100 <= Organization.objects.count() <= 140, "about 120 providers"
        assert Location.objects.count() < 120, "many services share a venue"


def test_size_zero_creates_nothing_and_a_negative_size_is_refused(
    owner: Organisation, editors: list[User]
) -> None:
    build_directory(owner=owner, editors=editors, services=0, seed=1, today=TODAY)
    assert not Taxonomy.objects.exists() and not Organization.objects.exists()
    with pytest.raises(ValueError, match="0 or more"):
        build_directory(owner=owner, editors=editors, services=-1, seed=1, today=TODAY)


def test_every_editorial_state_is_represented_and_most_entries_are_published(built: list[Service]) -> None:
    states = [service.state for service in built]
    assert set(states) == set(EntryState.values)
    assert states.count(EntryState.PUBLISHED) > len(states) / 2
    assert states.count(EntryState.REJECTED) in (1, 2)


def test_review_dates_agree_with_the_daily_sweep(built: list[Service]) -> None:
    stale_days = django_settings.LINKWORK_DIRECTORY_STALE_AFTER_DAYS
    for service in built:
        if service.state == EntryState.PUBLISHED:
            assert service.review_due_on is not None and service.review_due_on > TODAY
            assert service.last_verified_at is not None
            assert (TODAY - service.last_verified_at.date()).days <= 170
        elif service.state == EntryState.REVIEW_DUE:
            assert service.review_due_on is not None
            assert TODAY - dt.timedelta(days=stale_days) < service.review_due_on <= TODAY
        elif service.state == EntryState.STALE:
            assert service.review_due_on is not None
            assert service.review_due_on <= TODAY - dt.timedelta(days=stale_days)
    result = entries_sweep(actor=OPERATOR, today=TODAY)
    assert (result.review_due, result.stale) == (0, 0), "the sweep finds nothing to move"


def test_checked_entries_record_who_checked_them_when_and_how(
    built: list[Service], editors: list[User]
) -> None:
    checked = [service for service in built if service.last_verified_at is not None]
    assert checked
    newest: dict[object, Verification] = {}
    for verification in Verification.objects.select_related("verified_by"):  # newest first
        newest.setdefault(verification.service_id, verification)
    for service in checked:
        latest = newest.get(service.id)
        assert latest is not None and latest.verified_at == service.last_verified_at
        assert latest.method == service.verification_method
        assert latest.verified_by in editors and latest.verified_by_name
        assert service.review_due_on == service.last_verified_at.date() + dt.timedelta(
            days=django_settings.LINKWORK_DIRECTORY_REVIEW_DAYS
        )
    assert Verification.objects.values("service").annotate(n=Count("pk")).filter(n__gt=1).exists()


def test_every_entry_records_where_it_came_from(built: list[Service], owner: Organisation) -> None:
    for service in built:
        assert service.source in (SOURCE, SUGGESTION_SOURCE)
        assert service.source_recorded_at is not None and service.source_recorded_by
        assert service.owner_id == owner.pk
    assert set(Organization.objects.values_list("owner_id", flat=True)) == {owner.pk}
    assert set(Location.objects.values_list("owner_id", flat=True)) == {owner.pk}


# --- the public's part ------------------------------------------------------------------------


def test_suggestions_wait_for_an_editor_and_are_not_public(built: list[Service], owner: Organisation) -> None:
    submitted = [service for service in built if service.state == EntryState.SUBMITTED]
    rejected = [service for service in built if service.state == EntryState.REJECTED]
    assert len(submitted) == 6
    for service in submitted + rejected:
        assert not service.is_public
        assert service.source == SUGGESTION_SOURCE
        assert service.submitted_by_name and "@" in service.submitted_by_email
        assert service.last_verified_at is None
    assert all(service.rejection_reason for service in rejected)
    connector = make_staff(organisation=owner, roles=[Role.CONNECTOR])
    seen = set(visible_to(connector, Action.VIEW, Service).values_list("state", flat=True))
    assert seen == set(PUBLIC_STATES)


def test_problem_reports_and_claims_are_waiting_on_public_entries(built: list[Service]) -> None:
    open_reports = ProblemReport.objects.filter(status=TaskStatus.OPEN)
    assert open_reports.count() == 8
    assert len(set(open_reports.values_list("kind", flat=True))) >= 4
    assert all(report.details for report in open_reports)
    assert ProblemReport.objects.exclude(status=TaskStatus.OPEN).filter(resolution_note__gt="").exists()
    assert set(ProblemReport.objects.values_list("service__state", flat=True)) <= set(PUBLIC_STATES)
    assert ListingClaim.objects.filter(status=ClaimStatus.PENDING).count() == 3
    approved = ListingClaim.objects.get(status=ClaimStatus.APPROVED)
    assert approved.service.provider_contact_email == approved.claimant_email


# --- categories and connector facts ------------------------------------------------------------


def test_every_entry_has_a_category_and_every_category_is_used(built: list[Service]) -> None:
    terms = {term.id: term for term in TaxonomyTerm.objects.filter(taxonomy_detail_id=CATEGORY_TAXONOMY_ID)}
    assert {term.name for term in terms.values()} == {category.name for category in CATEGORIES}
    attributes = Attribute.objects.filter(link_entity="service", link_type=CATEGORY_LINK_TYPE)
    by_service: dict[object, set[object]] = {}
    for attribute in attributes:
        assert attribute.taxonomy_term_id in terms
        by_service.setdefault(attribute.link_id, set()).add(attribute.taxonomy_term_id)
    for service in _entries(built):
        assert by_service.get(service.id), f"{service.name} has no category"
    assert {term for used in by_service.values() for term in used} == set(terms)
    assert any(len(used) > 1 for used in by_service.values()), "some entries have two categories"


def test_connector_facts_vary_and_some_are_unknown(built: list[Service]) -> None:
    entries = _entries(built)
    for fact in FACTS:
        values = [getattr(service, fact.column) for service in entries]
        known = {value for value in values if value not in (None, "")}
        assert len(known) >= 2, f"{fact.column} is always the same"
        assert len(known) < len(values), fact.column
        assert any(value in (None, "") for value in values), f"{fact.column} is never unknown"


def test_costs_ages_languages_and_contacts_are_recorded(built: list[Service]) -> None:
    related = ("cost_options", "languages", "contacts", "phones")
    entries = _entries(list(Service.objects.prefetch_related(*related)))
    amounts = {option.amount for service in entries for option in service.cost_options.all()}
    assert {0.0, 2.0, 5.0} <= amounts
    assert any(service.minimum_age == 50 for service in entries)
    assert any(service.minimum_age and service.maximum_age for service in entries)
    languages = {language.code for service in entries for language in service.languages.all()}
    assert "en" in languages and len(languages) >= 4
    assert sum(1 for service in entries if service.contacts.all()) > len(entries) / 2
    assert sum(1 for service in entries if service.phones.all()) > len(entries) / 2


# --- schedules --------------------------------------------------------------------------------


def _recurrence(schedule: Schedule, closures: list[Closure]) -> Recurrence:
    from linkwork.directory.recurrence import Closure as Gap

    return Recurrence(
        freq=schedule.freq,
        interval=schedule.interval,
        byday=schedule.byday,
        bymonthday=schedule.bymonthday,
        count=schedule.count,
        until=schedule.until,
        dtstart=schedule.dtstart,
        valid_from=schedule.valid_from,
        valid_to=schedule.valid_to,
        opens_at=schedule.opens_at,
        closes_at=schedule.closes_at,
        description=schedule.description,
        closures=tuple(Gap(closure.starts_on, closure.ends_on, closure.reason) for closure in closures),
    )


def test_schedules_of_every_real_life_kind_exist(built: list[Service]) -> None:
    schedules = list(Schedule.objects.all())
    weekly = [s for s in schedules if s.freq == "WEEKLY" and s.interval == 1 and not s.dtstart]
    assert any("," not in s.byday for s in weekly), "one day a week"
    assert any("," in s.byday for s in weekly), "two days a week"
    assert any(s.freq == "WEEKLY" and s.interval == 2 and s.dtstart for s in schedules), "fortnightly"
    monthly = [s.byday for s in schedules if s.freq == "MONTHLY"]
    assert monthly and all(
        re.fullmatch(r"-?\d(MO|TU|WE|TH|FR|SA|SU)(?:,-?\d\1)*", byday) for byday in monthly
    )
    assert any(byday.startswith("-1") for byday in monthly) or any("," in byday for byday in monthly)
    one_offs = [s for s in schedules if s.freq == "" and s.dtstart]
    assert one_offs and all(s.dtstart and s.dtstart > TODAY and s.opens_at for s in one_offs)
    assert any(s.freq == "WEEKLY" and s.dtstart and (s.count or s.until) for s in schedules), "a course"
    assert any(s.freq == "" and s.dtstart is None and s.description for s in schedules), "by arrangement"
    by_service: dict[object, list[Schedule]] = {}
    for schedule in schedules:
        by_service.setdefault(schedule.service_id, []).append(schedule)
    assert any(
        len(rows) == 2 and rows[0].byday == rows[1].byday and rows[0].opens_at != rows[1].opens_at
        for rows in by_service.values()
    ), "two sessions on the same day"
    reasons = set(Closure.objects.values_list("reason", flat=True))
    assert {"Christmas holidays", "February half term", "Easter holidays", "Closed in August"} <= reasons
    assert all(schedule.description for schedule in schedules)


def test_every_schedule_can_be_read_and_put_into_words(built: list[Service]) -> None:
    closures: dict[object, list[Closure]] = {}
    for closure in Closure.objects.all():
        closures.setdefault(closure.service_id, []).append(closure)
    for schedule in Schedule.objects.all():
        assert problems(_recurrence(schedule, closures.get(schedule.service_id, []))) == {}, (
            schedule.description
        )


def test_school_holidays_are_the_ones_still_to_come() -> None:
    holidays = school_holidays(TODAY)
    assert all(end >= TODAY for _, end, _ in holidays)
    assert all(start <= TODAY + dt.timedelta(days=365) for start, _, _ in holidays)
    assert (dt.date(2026, 2, 16), dt.date(2026, 2, 20), "February half term") in holidays
    assert (dt.date(2026, 3, 30), dt.date(2026, 4, 10), "Easter holidays") in holidays  # Easter Day 5 April
    assert any(reason == "Christmas holidays" and start.year == 2026 for start, _, reason in holidays)


# --- places -----------------------------------------------------------------------------------


def test_venues_are_in_the_demo_borough_and_shared_by_several_services(built: list[Service]) -> None:
    centres = [geography.locate(district) for district in ("LS3", "LS4", "LS5", "LS6", "LS7", "LS8")]
    physical = Location.objects.filter(location_type="physical")
    assert physical.exists()
    for location in physical:
        assert location.latitude is not None and location.longitude is not None
        nearest = min(
            geography.distance_km(location.latitude, location.longitude, c.latitude, c.longitude)
            for c in centres
        )
        assert nearest < 3, location.name
        address = location.addresses.get()
        assert address.postal_code.startswith("LS") and address.address_1
        assert geography.locate(address.postal_code).area_name == "Leeds"
    assert all(location.url for location in Location.objects.filter(location_type="virtual"))
    for service in _entries(built):
        assert ServiceAtLocation.objects.filter(service=service).exists(), service.name
    shared = ServiceAtLocation.objects.values("location").annotate(n=Count("pk")).filter(n__gte=2)
    assert shared.exists()
    assert any(location.accessibility.exists() for location in physical)


def test_service_areas_cover_the_people_inside_them(built: list[Service]) -> None:
    areas = list(ServiceArea.objects.all())
    assert {area.extent_type for area in areas} == {"postcode", "local_authority"}
    for area in areas:
        rule = geography.parse_area(area.extent, area.extent_type)
        assert rule is not None, area.extent
        if area.extent_type == "postcode":
            inside = geography.locate(area.extent.split(",")[0].strip())
            assert geography.area_covers(rule, inside), area.extent
        else:
            assert geography.area_covers(rule, geography.locate("LS6 3AB"))
        assert not geography.area_covers(rule, geography.locate("W10 6"))


# --- determinism and the demo command -----------------------------------------------------------


def _snapshot() -> list[tuple[str, str, str, str, str]]:
    return [
        (str(service.id), service.name, service.state, str(service.organization_id), service.description)
        for service in Service.objects.order_by("id")
    ]


def test_the_same_seed_builds_the_same_directory(owner: Organisation, editors: list[User]) -> None:
    build_directory(owner=owner, editors=editors, services=60, seed=9, today=TODAY)
    first = _snapshot()
    schedules = sorted(Schedule.objects.values_list("id", "byday", "opens_at", "description"))
    _delete_directory()
    build_directory(owner=owner, editors=editors, services=60, seed=9, today=TODAY)
    assert _snapshot() == first
    assert sorted(Schedule.objects.values_list("id", "byday", "opens_at", "description")) == schedules
    _delete_directory()
    build_directory(owner=owner, editors=editors, services=60, seed=10, today=TODAY)
    other = _snapshot()
    assert not {row[0] for row in other} & {row[0] for row in first}
    assert [row[1] for row in other] != [row[1] for row in first]


@pytest.mark.django_db
def test_the_demo_command_builds_the_directory_for_the_editors_organisation() -> None:
    out = StringIO()
    call_command("demo_data", "--people", "0", "--services", "40", "--seed", "4", stdout=out)
    riverside = Organisation.objects.get(name="Riverside Community Connectors")
    assert Service.objects.count() == 40
    assert set(Service.objects.values_list("owner_id", flat=True)) == {riverside.pk}
    editor = User.objects.get(username="editor")
    assert Verification.objects.filter(verified_by=editor).exists()
    assert "40 directory services" in out.getvalue()
    assert AuditEvent.objects.filter(event="directory.demo_loaded", organisation_id=riverside.pk).exists()
    assert audit_verify().ok


def test_without_a_directory_editor_the_demo_step_builds_nothing(db: None) -> None:
    make_organisation(name="No Editors Here")
    summary = DemoSummary()
    build_demo_directory(DemoOptions(services=20), random.Random(1), summary)
    assert not Service.objects.exists()
    assert "no organisation has a directory editor" in summary.lines[0]


def test_review_dates_follow_the_configured_review_period(
    owner: Organisation, editors: list[User], settings: Any
) -> None:
    settings.LINKWORK_DIRECTORY_REVIEW_DAYS = 30
    settings.LINKWORK_DIRECTORY_STALE_AFTER_DAYS = 10
    build_directory(owner=owner, editors=editors, services=80, seed=2, today=TODAY)
    assert set(Service.objects.values_list("state", flat=True)) == set(EntryState.values)
    result = entries_sweep(actor=OPERATOR, today=TODAY)
    assert (result.review_due, result.stale) == (0, 0)
    published = Service.objects.filter(state=EntryState.PUBLISHED)
    assert all(service.review_due_on and service.review_due_on > TODAY for service in published)
