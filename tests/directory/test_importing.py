"""Importing directory files into the database: all or nothing, re-imports, provenance and the audit log."""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.core.errors import PermissionDenied
from linkwork.core.policies import Operator
from linkwork.core.time import local_today
from linkwork.directory.connector_facts import CLOSURE_TERM_ID, FACTS_BY_CODE
from linkwork.directory.formats import MODELS, import_id
from linkwork.directory.importing import ImportReport, import_directory, import_services_data
from linkwork.directory.models import (
    Attribute,
    Closure,
    EntryState,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    TaxonomyTerm,
    VerificationMethod,
)
from linkwork.directory.services import entry_archive, entry_verify
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = FIXTURES / "hsds-examples"
IMPORTS = FIXTURES / "import"
NORTH_LINCS = FIXTURES / "north-lincolnshire-oruk-v1" / "services.json"
OPERATOR = Operator("tests")
EXAMPLE_SERVICE = uuid.UUID("ac148810-d857-441c-9679-408f346de14b")
EXAMPLE_PHONE = uuid.UUID("1554f2e2-a373-45db-a3fa-9fc48a61c15e")


def counts() -> dict[str, int]:
    return {table: model._default_manager.count() for table, model in MODELS.items()} | {
        "closure": Closure.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def run(path: Path, owner: Organisation, **options: Any) -> ImportReport:
    options.setdefault("fmt", None)
    return import_directory(path, actor=OPERATOR, owner=owner, **options)


def load(data: Any, owner: Organisation, **options: Any) -> ImportReport:
    return import_services_data(data, actor=OPERATOR, owner=owner, file="services.json", **options)


def hsds_service(name: str = "Lunch club", **fields: Any) -> dict[str, Any]:
    service_id = fields.pop("id", str(uuid.uuid4()))
    record: dict[str, Any] = {
        "id": service_id,
        "name": name,
        "status": "active",
        "organization": {"id": str(import_id("tests", "org")), "name": "Age Friendly Riverside"},
        "phones": [{"id": str(import_id("tests", service_id, "phone")), "number": "020 7946 0000"}],
        "schedules": [
            {
                "id": str(import_id("tests", service_id, "schedule")),
                "freq": "WEEKLY",
                "byday": "TU",
                "opens_at": "12:00",
            }
        ],
    }
    record.update(fields)
    return record


# --- The official examples and a real feed ----------------------------------------------------


def test_the_official_json_example_imports_one_row_in_every_table(organisation: Organisation) -> None:
    report = run(EXAMPLES / "service_full.json", organisation)

    assert (report.ok, report.written, report.created, report.updated) == (True, True, 1, 0)
    assert {table: count for table, count in counts().items() if table in MODELS} == dict.fromkeys(MODELS, 1)
    phone = Phone.objects.get()
    assert phone.id == EXAMPLE_PHONE
    assert (phone.service_id, phone.location_id) == (
        EXAMPLE_SERVICE,
        uuid.UUID("3a19ff88-4620-4d17-9830-ac1d859eb5d5"),
    )
    location = Location.objects.get()
    assert (location.latitude, location.longitude, location.owner) == (100, 101, organisation)
    assert ServiceArea.objects.get().extent == "extent"


def test_the_official_csv_package_imports_with_its_dangling_references(organisation: Organisation) -> None:
    report = run(EXAMPLES / "csv", organisation)

    assert (report.ok, report.created) == (True, 1)
    assert {table: count for table, count in counts().items() if table in MODELS} == dict.fromkeys(MODELS, 1)
    attribute = Attribute.objects.get()
    assert attribute.link_id == uuid.UUID("f28dd44b-0c4d-479f-8e90-4c52219a8b3c")  # no such record: kept
    assert TaxonomyTerm.objects.get().taxonomy_detail_id == uuid.UUID("07ff6aee-a219-438c-b694-d2fcb6c5373b")
    assert Service.objects.get().organization.name == "Example Organization Inc."


@pytest.mark.parametrize(
    "name",
    [
        "organization_full.json",
        "organization_list.json",
        "service_at_location_full.json",
        "service_list.json",
        "location.json",
        "taxonomy_list.json",
        "taxonomy_term.json",
        "tabular.json",
    ],
)
def test_the_other_official_examples_import(organisation: Organisation, name: str) -> None:
    report = run(EXAMPLES / name, organisation)

    assert report.ok and report.written
    written = {table for table, count in counts().items() if table in MODELS and count}
    assert written == set(report.records)


def test_the_north_lincolnshire_feed_imports_completely(organisation: Organisation) -> None:
    report = run(NORTH_LINCS, organisation)

    assert (report.ok, report.created, report.skipped) == (True, 738, 0)
    assert (Service.objects.count(), Organization.objects.count()) == (738, 239)
    assert not Service.objects.filter(description__contains="<").exists()
    assert not Service.objects.filter(description__contains="&amp;").exists()
    assert not Organization.objects.filter(description__contains="<").exists()
    # Assured in 2023 and 2024, so long past review: public, flagged as possibly out of date.
    assert set(Service.objects.values_list("state", flat=True)) == {EntryState.STALE}
    wawy = Service.objects.get(pk="738f94e0-aa6c-6a5c-2395-7b64421ba2a5")
    assert wawy.description.startswith("Struggling with Drug & Alcohol Addiction?")
    assert "\n\nWe Are With You are now offering" in wawy.description
    assert wawy.organization.name == "Victor House"


# --- All or nothing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("broken.json", [("broken.json", "line 5, column 74", "")]),
        (
            "services-with-problems.json",
            [
                ("services-with-problems.json", "$[1].name", "name"),
                ("services-with-problems.json", "$[2].assured_date", "assured_date"),
                ("services-with-problems.json", "$[2].phones[0].id", "id"),
                ("services-with-problems.json", "$[2].schedules[0].opens_at", "opens_at"),
            ],
        ),
        (
            "simple-with-problems.csv",
            [
                ("simple-with-problems.csv", "row 3", "organisation"),
                ("simple-with-problems.csv", "row 4", ""),
            ],
        ),
    ],
)
def test_a_file_with_problems_is_reported_row_by_row_and_changes_nothing(
    organisation: Organisation, name: str, expected: list[tuple[str, str, str]]
) -> None:
    run(EXAMPLES / "service_full.json", organisation)
    before = counts()

    report = run(IMPORTS / name, organisation)

    assert [(p.file, p.location, p.field) for p in report.errors] == expected
    assert (report.ok, report.failed, report.written) == (False, True, False)
    assert counts() == before


def test_a_bad_row_in_a_csv_package_changes_nothing(organisation: Organisation, tmp_path: Path) -> None:
    package = tmp_path / "package"
    package.mkdir()
    for table in ("services", "phones", "organizations"):
        (package / f"{table}.csv").write_bytes((EXAMPLES / "csv" / f"{table}.csv").read_bytes())
    with (package / "phones.csv").open("a") as phones:
        phones.write(f"{uuid.uuid4()},,{EXAMPLE_SERVICE},,,,,,voice,\n")  # no number

    report = run(package, organisation)

    assert [str(p) for p in report.errors] == ["phones.csv row 3: number: is required"]
    assert counts() == dict.fromkeys(counts(), 0) | {"audit": counts()["audit"]}


def test_skip_invalid_imports_the_valid_services_and_reports_the_rest(organisation: Organisation) -> None:
    report = run(IMPORTS / "services-with-problems.json", organisation, skip_invalid=True)

    assert (report.written, report.failed, report.created, report.skipped) == (True, False, 1, 2)
    assert len(report.errors) == 4
    assert list(Service.objects.values_list("name", flat=True)) == ["Lunch club"]
    # The service with a bad phone and schedule is left out whole: none of its records are written.
    assert Phone.objects.count() == 1 and Schedule.objects.count() == 1


def test_skip_invalid_with_nothing_valid_imports_nothing(organisation: Organisation) -> None:
    report = load([{"id": "x", "name": "No id"}], organisation, skip_invalid=True)

    assert (report.failed, report.written, report.skipped) == (True, False, 1)
    assert Service.objects.count() == 0


def test_a_record_shared_with_an_invalid_service_is_still_written_for_a_valid_one(
    organisation: Organisation,
) -> None:
    good, bad = hsds_service("Good"), hsds_service("Bad", assured_date="someday")

    report = load([good, bad], organisation, skip_invalid=True)

    assert (report.created, report.skipped) == (1, 1)
    assert Organization.objects.get().name == "Age Friendly Riverside"


def test_dry_run_checks_and_counts_but_writes_nothing(organisation: Organisation) -> None:
    before = counts()

    report = run(NORTH_LINCS, organisation, dry_run=True)

    assert (report.ok, report.written, report.created, report.updated) == (True, False, 738, 0)
    assert report.records["organization"] == 239
    assert "dry run" in report.render()
    assert counts() == before


def test_dry_run_counts_updates_against_what_is_already_there(organisation: Organisation) -> None:
    run(EXAMPLES / "service_full.json", organisation)

    report = run(EXAMPLES / "csv", organisation, dry_run=True)

    assert (report.created, report.updated) == (0, 1)


# --- Re-importing -----------------------------------------------------------------------------


def test_re_importing_updates_instead_of_duplicating(organisation: Organisation) -> None:
    record = hsds_service(
        phones=[{"id": str(uuid.uuid4()), "number": "1"}, {"id": str(uuid.uuid4()), "number": "2"}]
    )
    load([record], organisation)
    before = counts()
    changed = copy.deepcopy(record)
    changed["name"] = "Lunch and chat club"
    changed["phones"] = changed["phones"][:1]

    report = load([changed], organisation)

    assert (report.created, report.updated) == (0, 1)
    service = Service.objects.get()
    assert (service.name, service.version) == ("Lunch and chat club", 2)
    assert list(Phone.objects.values_list("number", flat=True)) == ["1"]
    assert counts() == before | {"phone": 1, "audit": before["audit"] + 1}


def test_re_importing_keeps_the_entrys_editorial_life(organisation: Organisation) -> None:
    record = hsds_service()
    load([record], organisation, publish=False)
    service = Service.objects.get()
    service.state = EntryState.PUBLISHED
    service.save()
    entry_verify(actor=OPERATOR, service=service, method=VerificationMethod.PHONE)
    entry_archive(actor=OPERATOR, service=Service.objects.get())
    other = Organisation.objects.create(name="Elsewhere", slug="elsewhere")

    load([dict(record, name="Renamed")], other)

    service = Service.objects.get()
    assert (service.name, service.state, service.owner) == ("Renamed", EntryState.ARCHIVED, organisation)
    assert service.verification_method == VerificationMethod.PHONE
    assert service.verifications.count() == 1
    assert Organization.objects.get().owner == organisation


def test_a_list_without_children_keeps_the_children_already_there(organisation: Organisation) -> None:
    run(EXAMPLES / "service_full.json", organisation)
    before = counts()

    run(EXAMPLES / "service_list.json", organisation)

    assert {table: count for table, count in counts().items() if table != "audit"} == {
        table: count for table, count in before.items() if table != "audit"
    }
    assert Phone.objects.filter(service_id=EXAMPLE_SERVICE).exists()


def test_children_the_file_no_longer_lists_are_removed_at_every_level(organisation: Organisation) -> None:
    data = json.loads((EXAMPLES / "service_full.json").read_text())
    run(EXAMPLES / "service_full.json", organisation)
    # The example's one phone is listed under the service, its contact, the place it runs (and that
    # place's contact), the location and the organisation (and its location and contact).
    location = data["service_at_locations"][0]["location"]
    for record in (
        data,
        data["service_at_locations"][0],
        location,
        data["organization"],
        *data["organization"]["locations"],
    ):
        record["phones"] = []
        record["contacts"] = []
    data["schedules"] = []

    load(data, organisation)

    assert Phone.objects.count() == 0
    assert Schedule.objects.count() == 1  # still listed under the place the service runs


def test_a_service_moved_to_another_record_in_the_file_is_updated_not_deleted(
    organisation: Organisation,
) -> None:
    first, second = hsds_service("First"), hsds_service("Second")
    phone = {"id": str(uuid.uuid4()), "number": "1"}
    load([dict(first, phones=[phone]), dict(second, phones=[])], organisation)

    load([dict(first, phones=[]), dict(second, phones=[phone])], organisation)

    assert Phone.objects.get().service_id == uuid.UUID(second["id"])


def test_re_importing_the_same_spreadsheet_updates_its_services(organisation: Organisation) -> None:
    run(IMPORTS / "simple.csv", organisation)
    before = counts()

    report = run(IMPORTS / "simple.csv", organisation)

    assert (report.created, report.updated) == (0, 2)
    assert counts() == before | {"audit": before["audit"] + 1}


# --- Facts, closures and categories -----------------------------------------------------------


def fact_attribute(code: str, value: str) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "taxonomy_term_id": str(FACTS_BY_CODE[code].term_id), "value": value}


def test_connector_fact_attributes_set_the_services_columns(organisation: Organisation) -> None:
    record = hsds_service(
        attributes=[
            fact_attribute("step-free", "true"),
            fact_attribute("hearing-loop", "false"),
            fact_attribute("activity-level", "sit_and_chat"),
            fact_attribute("first-visit", "<p>Ask for Pat at the door.</p>"),
            {
                "id": str(uuid.uuid4()),
                "taxonomy_term_id": str(CLOSURE_TERM_ID),
                "value": "2025-08-01/2025-08-31 Summer",
            },
        ]
    )

    load([record], organisation)

    service = Service.objects.get()
    assert (service.step_free, service.hearing_loop, service.activity_level) == (True, False, "sit_and_chat")
    assert service.first_visit == "Ask for Pat at the door."
    assert service.parking is None
    assert Attribute.objects.count() == 0
    closure = Closure.objects.get()
    assert (closure.starts_on, closure.ends_on, closure.reason) == (
        dt.date(2025, 8, 1),
        dt.date(2025, 8, 31),
        "Summer",
    )


def test_facts_a_file_does_not_carry_are_kept_and_closures_it_carries_replace(
    organisation: Organisation,
) -> None:
    closure = {
        "id": str(uuid.uuid4()),
        "taxonomy_term_id": str(CLOSURE_TERM_ID),
        "value": "2025-08-01/2025-08-31",
    }
    record = hsds_service(
        attributes=[fact_attribute("step-free", "true"), fact_attribute("booking", "drop_in"), closure]
    )
    load([record], organisation)

    new_closure = dict(closure, id=str(uuid.uuid4()), value="2025-12-24/2026-01-02 Christmas")
    load([dict(record, attributes=[fact_attribute("step-free", "false"), new_closure])], organisation)
    load([dict(record, attributes=[])], organisation)

    service = Service.objects.get()
    assert (service.step_free, service.booking) == (False, "drop_in")
    assert list(Closure.objects.values_list("reason", flat=True)) == ["Christmas"]


def test_other_attributes_are_stored_and_replaced_on_re_import(organisation: Organisation) -> None:
    term = {"id": str(uuid.uuid4()), "name": "Arts", "description": "Arts and crafts"}
    first = {"id": str(uuid.uuid4()), "taxonomy_term": term}
    record = hsds_service(attributes=[first])
    load([record], organisation)
    assert Attribute.objects.get().link_id == uuid.UUID(record["id"])

    second = {"id": str(uuid.uuid4()), "taxonomy_term": term, "value": "painting"}
    load([dict(record, attributes=[second])], organisation)

    assert list(Attribute.objects.values_list("value", flat=True)) == ["painting"]
    assert TaxonomyTerm.objects.get().name == "Arts"


def test_spreadsheet_categories_match_existing_terms_by_name(organisation: Organisation) -> None:
    existing = TaxonomyTerm.objects.create(name="physical activity", description="")

    run(IMPORTS / "simple.csv", organisation)

    walk = Service.objects.get(name="Walking group")
    assert list(Attribute.objects.filter(link_id=walk.id).values_list("taxonomy_term_id", flat=True)) == [
        existing.id
    ]
    assert sorted(TaxonomyTerm.objects.values_list("name", flat=True)) == [
        "Food",
        "Social",
        "physical activity",
    ]


def test_spreadsheet_organisations_match_existing_ones_by_name(organisation: Organisation) -> None:
    existing = Organization.objects.create(
        name="AGE FRIENDLY RIVERSIDE", description="Kept", owner=organisation
    )

    run(IMPORTS / "simple.csv", organisation)

    assert Organization.objects.get() == existing
    assert set(Service.objects.values_list("organization_id", flat=True)) == {existing.id}
    assert Organization.objects.get().description == "Kept"


def test_a_spreadsheet_postcode_places_the_service(organisation: Organisation) -> None:
    run(IMPORTS / "simple.csv", organisation)

    lunch = Service.objects.get(name="Lunch club")
    location = Location.objects.get(service_at_locations__service=lunch)
    assert location.addresses.get().postal_code == "W10 6AB"
    assert location.latitude is not None and 51.4 < location.latitude < 51.6
    assert (lunch.cost_band, lunch.step_free, lunch.newcomers_met) == ("low_cost", True, True)
    assert lunch.schedules.get().byday == "TU,TH"


# --- New entries, provenance and the audit log ------------------------------------------------


def test_new_entries_are_published_with_a_review_date_from_their_assured_date(
    organisation: Organisation,
) -> None:
    assured = local_today() - dt.timedelta(days=30)
    load([hsds_service("Assured", assured_date=assured.isoformat()), hsds_service("Unassured")], organisation)

    days = dt.timedelta(days=settings.LINKWORK_DIRECTORY_REVIEW_DAYS)
    entries = {service.name: service for service in Service.objects.all()}
    assert entries["Assured"].state == EntryState.PUBLISHED
    assert entries["Assured"].review_due_on == assured + days
    assert entries["Unassured"].review_due_on == local_today() + days
    assert entries["Unassured"].owner == organisation


def test_entries_assured_long_ago_arrive_due_for_review_or_stale(organisation: Organisation) -> None:
    review = settings.LINKWORK_DIRECTORY_REVIEW_DAYS
    stale = settings.LINKWORK_DIRECTORY_STALE_AFTER_DAYS
    today = local_today()
    load(
        [
            hsds_service("Due", assured_date=(today - dt.timedelta(days=review + 1)).isoformat()),
            hsds_service("Stale", assured_date=(today - dt.timedelta(days=review + stale + 1)).isoformat()),
        ],
        organisation,
    )

    states = dict(Service.objects.values_list("name", "state"))
    assert states == {"Due": EntryState.REVIEW_DUE, "Stale": EntryState.STALE}


def test_as_draft_makes_new_entries_drafts(organisation: Organisation) -> None:
    load([hsds_service()], organisation, publish=False)

    service = Service.objects.get()
    assert (service.state, service.review_due_on) == (EntryState.DRAFT, None)


def test_each_entry_records_where_it_came_from_when_and_who_brought_it(organisation: Organisation) -> None:
    run(IMPORTS / "oruk-v1-full.json", organisation)

    shed = Service.objects.get(name="Men's Shed")
    assert shed.source == "import oruk-v1 oruk-v1-full.json, id 1502"
    assert shed.source_recorded_by == "operator:tests"
    assert shed.source_recorded_at is not None
    assert shed.last_modified is not None
    assert Service.objects.get(name="Online chess club").online_option is True


def test_re_importing_keeps_where_the_entry_came_from_first(
    organisation: Organisation, tmp_path: Path
) -> None:
    record = hsds_service()
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    first.write_text(json.dumps([record]))
    second.write_text(json.dumps([dict(record, name="Renamed")]))
    run(first, organisation)
    before = Service.objects.get()
    editor = make_staff(organisation=organisation, roles=[Role.DIRECTORY_EDITOR], username="importer")

    import_directory(second, fmt=None, actor=editor, owner=organisation)

    after = Service.objects.get()
    assert (after.name, after.version) == ("Renamed", 2)
    assert after.source == before.source == "import hsds-json first.json"
    assert (after.source_recorded_at, after.source_recorded_by) == (
        before.source_recorded_at,
        "operator:tests",
    )


def test_importing_over_a_suggestion_keeps_its_provenance_and_fills_in_a_missing_one(
    organisation: Organisation,
) -> None:
    suggested_at = dt.datetime(2025, 1, 2, 9, 30, tzinfo=dt.UTC)
    suggested, untold = hsds_service("Suggested"), hsds_service("Untold")
    load([suggested, untold], organisation)
    Service.objects.filter(id=suggested["id"]).update(
        source="suggest a service form",
        source_recorded_at=suggested_at,
        source_recorded_by="public suggestion",
    )
    Service.objects.filter(id=untold["id"]).update(source="", source_recorded_at=None, source_recorded_by="")

    load([suggested, untold], organisation)

    kept = Service.objects.get(id=suggested["id"])
    assert (kept.source, kept.source_recorded_at, kept.source_recorded_by) == (
        "suggest a service form",
        suggested_at,
        "public suggestion",
    )
    filled = Service.objects.get(id=untold["id"])
    assert (filled.source, filled.source_recorded_by) == ("import hsds-json services.json", "operator:tests")
    assert filled.source_recorded_at is not None


def test_one_audit_event_records_the_import_and_its_counts(organisation: Organisation) -> None:
    report = run(IMPORTS / "services-with-problems.json", organisation, skip_invalid=True)

    event = AuditEvent.objects.get(event="directory.imported")
    assert event.actor_username == "operator:tests"
    assert event.organisation_id == organisation.pk
    assert event.detail == {
        "format": "hsds-json",
        "file": "services-with-problems.json",
        "created": report.created,
        "updated": 0,
        "skipped": 2,
    }


def test_nothing_is_audited_when_nothing_is_written(organisation: Organisation) -> None:
    run(IMPORTS / "services-with-problems.json", organisation)
    run(NORTH_LINCS, organisation, dry_run=True)

    assert not AuditEvent.objects.filter(event="directory.imported").exists()


def test_report_text_lists_problems_then_a_summary(organisation: Organisation) -> None:
    report = run(IMPORTS / "services-with-problems.json", organisation)

    lines = report.render().splitlines()
    assert lines[0] == "services-with-problems.json $[1].name: is required"
    assert lines[-1] == (
        "Nothing was imported from services-with-problems.json (hsds-json): 4 problems found. "
        "Put them right, or use --skip-invalid to import the rest."
    )


def test_report_summary_names_what_was_written(organisation: Organisation) -> None:
    report = run(IMPORTS / "oruk-v1-full.json", organisation)

    assert report.render().splitlines()[-2:] == [
        "Imported oruk-v1-full.json (oruk-v1): 2 services created, 0 updated.",
        "Also written: 1 organisation, 5 attributes, 1 service at a location, 1 location, 1 phone, "
        "1 contact, 1 address, 2 schedules, 1 service area, 1 language, 1 accessibility note, "
        "5 taxonomy terms, 1 cost option, 1 organisation identifier, 2 taxonomies.",
    ]


# --- Who may import ---------------------------------------------------------------------------


def test_a_directory_editor_may_import_for_their_own_organisation(organisation: Organisation) -> None:
    editor = make_staff(organisation=organisation, roles=[Role.DIRECTORY_EDITOR])

    report = import_services_data([hsds_service()], actor=editor, owner=organisation)

    assert report.written
    assert Service.objects.get().source_recorded_by == editor.get_full_name()


def test_staff_who_are_not_directory_editors_may_not_import(
    organisation: Organisation, connector: User
) -> None:
    with pytest.raises(PermissionDenied):
        import_services_data([hsds_service()], actor=connector, owner=organisation)
    assert Service.objects.count() == 0


def test_an_editor_may_not_import_entries_for_another_organisation(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    editor = make_staff(organisation=organisation, roles=[Role.DIRECTORY_EDITOR])

    with pytest.raises(PermissionDenied):
        import_services_data([hsds_service()], actor=editor, owner=other_organisation)


def test_import_services_data_reads_oruk_and_refuses_other_formats(organisation: Organisation) -> None:
    feed = json.loads(NORTH_LINCS.read_text())[:3]

    report = import_services_data(feed, actor=OPERATOR, owner=organisation, fmt="oruk-v1")

    assert report.created == 3
    with pytest.raises(ValueError, match="hsds-json or oruk-v1"):
        import_services_data(feed, actor=OPERATOR, owner=organisation, fmt="csv")


def test_a_progress_bar_can_be_shown_on_standard_error(
    organisation: Organisation, capsys: pytest.CaptureFixture[str]
) -> None:
    report = load([hsds_service()], organisation, progress=True)

    assert report.written
    assert "Writing" in capsys.readouterr().err
