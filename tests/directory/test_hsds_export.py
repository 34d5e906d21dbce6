"""HSDS 3.0 objects from directory records, and the export to JSON and to the tabular datapackage.

The schemas are copies in fixtures/schemas/ (see its README). `hsds_errors` and `oruk_errors` are also
used by the Open Referral API tests.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from linkwork.accounts.models import Organisation
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.core.errors import PermissionDenied, ValidationFailed
from linkwork.core.policies import Operator
from linkwork.directory import connector_facts as cf
from linkwork.directory import hsds, hsds_tables
from linkwork.directory.exporting import datapackage_descriptor, export_directory
from linkwork.directory.importing import import_directory
from linkwork.directory.models import (
    Accessibility,
    Address,
    Attribute,
    Closure,
    Contact,
    CostOption,
    EntryState,
    Funding,
    Language,
    Location,
    Metadata,
    Organization,
    OrganizationIdentifier,
    Phone,
    Program,
    RequiredDocument,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from tests.directory.factories import make_provider, make_service
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

OPERATOR = Operator("tests")
SCHEMAS = Path(__file__).parent / "fixtures" / "schemas"
ORUK_BASE = "https://openreferraluk.org/specifications/3.0/schema/"
PUBLIC = [EntryState.PUBLISHED, EntryState.REVIEW_DUE, EntryState.STALE]
HIDDEN = [EntryState.DRAFT, EntryState.SUBMITTED, EntryState.REJECTED, EntryState.ARCHIVED]


# --- Schemas -----------------------------------------------------------------------------------


def _load(path: Path) -> Any:
    if path.suffix == ".gz":
        return json.loads(gzip.decompress(path.read_bytes()))
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _hsds_validator(name: str) -> Draft202012Validator:
    candidates = [SCHEMAS / "hsds" / f"{name}.json", SCHEMAS / "hsds" / f"{name}.json.gz"]
    schema = _load(next(path for path in candidates if path.exists()))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def _oruk_validator(name: str) -> Draft202012Validator:
    resources = [
        (f"{ORUK_BASE}{path.name}", Resource.from_contents(_load(path), default_specification=DRAFT202012))
        for path in sorted((SCHEMAS / "oruk").glob("*.json"))
    ]
    registry: Registry[Any] = Registry().with_resources(resources)
    schema = _load(SCHEMAS / "oruk" / f"{name}.json")
    return Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _errors(validator: Draft202012Validator, instance: Any) -> list[str]:
    return [
        f"{'/'.join(str(part) for part in error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(instance)
    ]


def hsds_errors(instance: Any, schema: str) -> list[str]:
    """Problems with `instance` against an HSDS 3.0 compiled schema (service, service_list, ...)."""
    return _errors(_hsds_validator(schema), instance)


def oruk_errors(instance: Any, schema: str) -> list[str]:
    """Problems with `instance` against an ORUK 3.0 schema (service, service_list, api_details, ...)."""
    return _errors(_oruk_validator(schema), instance)


def official_datapackage() -> dict[str, Any]:
    data: dict[str, Any] = _load(SCHEMAS / "hsds" / "datapackage.json.gz")
    return data


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every (path, value) in a JSON document, containers included."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}/{index}")


def empty_values(document: Any) -> list[str]:
    """Paths holding null, an empty string or an empty list: what ORUK says to leave out."""
    return [path for path, value in walk(document) if value is None or value == "" or value == []]


# --- A service with one of everything ----------------------------------------------------------


def make_full_service(*, owner: Organisation, state: str = EntryState.PUBLISHED) -> Service:
    """A service with every HSDS object around it, each with a value in every field."""
    provider = Organization.objects.create(
        owner=owner,
        name="Riverside Community Trust",
        alternate_name="RCT",
        description="A charity running groups by the river.",
        email="hello@riverside.example",
        website="https://riverside.example/",
        tax_status="charity",
        tax_id="GB123",
        year_incorporated=2011.0,
        legal_status="Charitable incorporated organisation",
        logo="https://riverside.example/logo.png",
        uri="https://riverside.example/",
    )
    program = Program.objects.create(
        organization=provider, name="Wellbeing", alternate_name="Feel good", description="Our wellbeing work."
    )
    service = Service.objects.create(
        owner=owner,
        state=state,
        organization=provider,
        program=program,
        name="Knit and natter",
        alternate_name="Knitting group",
        description="Bring a project or learn from scratch.",
        url="https://riverside.example/knit",
        email="knit@riverside.example",
        status="active",
        interpretation_services="Polish speakers on Tuesdays.",
        application_process="Just turn up.",
        fees_description="£2 a session, tea included.",
        wait_time="None",
        fees="£2",
        accreditations="None",
        eligibility_description="Adults.",
        minimum_age=18.0,
        maximum_age=99.5,
        assured_date=dt.date(2025, 1, 2),
        assurer_email="checks@council.example",
        licenses="None",
        alert="Closed on bank holidays.",
        last_modified=dt.datetime(2025, 3, 15, 10, 30, 45, 123000, tzinfo=dt.UTC),
        step_free=True,
        hearing_loop=False,
        group_size="small",
        first_visit="Someone meets you at the door.",
    )
    Closure.objects.create(
        service=service, starts_on=dt.date(2025, 8, 1), ends_on=dt.date(2025, 8, 31), reason="Summer holidays"
    )
    location = Location.objects.create(
        owner=owner,
        organization=provider,
        location_type="physical",
        url="https://riverside.example/hall",
        name="Riverside Hall",
        alternate_name="The hall",
        description="A hall by the river.",
        transportation="Bus 7 stops outside.",
        latitude=51.5215,
        longitude=-0.2105,
        external_identifier="10092008082",
        external_identifier_type="UPRN",
    )
    sal = ServiceAtLocation.objects.create(
        service=service, location=location, description="In the main hall."
    )
    Address.objects.create(
        location=location,
        attention="Reception",
        address_1="1 River Road",
        address_2="Riverside",
        city="London",
        region="Greater London",
        state_province="London",
        postal_code="W10 6AB",
        country="GB",
        address_type="physical",
    )
    Accessibility.objects.create(
        location=location,
        description="Step-free entrance.",
        details="Ramp at the side.",
        url="https://a.example",
    )
    contact = Contact.objects.create(
        service=service, name="Ann", title="Organiser", department="Groups", email="ann@riverside.example"
    )
    Contact.objects.create(
        organization=provider, name="Office", title="Office", department="Admin", email="o@r.example"
    )
    Contact.objects.create(
        location=location, name="Caretaker", title="Caretaker", department="Hall", email="c@r.example"
    )
    Contact.objects.create(
        service_at_location=sal, name="Host", title="Host", department="Hall", email="h@r.example"
    )
    shared_phone = Phone.objects.create(
        service=service,
        location=location,
        contact=contact,
        number="020 7946 0000",
        extension=100.0,
        type="voice",
        description="Main line.",
    )
    Phone.objects.create(organization=provider, number="020 7946 0001", type="voice", description="Office.")
    Phone.objects.create(service_at_location=sal, number="020 7946 0002", type="text", description="Texts.")
    Language.objects.create(
        service=service, location=location, phone=shared_phone, name="Polish", code="pl", note="Tuesdays."
    )
    Schedule.objects.create(
        service=service,
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2025, 12, 31),
        dtstart=dt.date(2025, 1, 7),
        timezone=0.0,
        until=dt.date(2025, 12, 30),
        count=40,
        wkst="MO",
        freq="WEEKLY",
        interval=1,
        byday="TU",
        byweekno="1,2",
        bymonthday="1",
        byyearday="1",
        description="Tuesdays in term time.",
        opens_at=dt.time(10, 0),
        closes_at=dt.time(12, 30),
        schedule_link="https://riverside.example/calendar",
        attending_type="in person",
        notes="Not in August.",
    )
    Schedule.objects.create(
        location=location,
        freq="WEEKLY",
        byday="MO,TU,WE,TH,FR",
        opens_at=dt.time(9, 0),
        closes_at=dt.time(17, 0),
        description="Hall open.",
    )
    Schedule.objects.create(
        service_at_location=sal,
        freq="MONTHLY",
        byday="1FR",
        opens_at=dt.time(14, 0),
        closes_at=dt.time(15, 0),
        description="First Fridays.",
    )
    ServiceArea.objects.create(
        service=service,
        name="North Kensington",
        description="W10 and W11.",
        extent="W10, W11",
        extent_type="postcode",
        uri="https://a.example/area",
    )
    CostOption.objects.create(
        service=service,
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2025, 12, 31),
        option="Everyone",
        currency="GBP",
        amount=2.0,
        amount_description="per session",
    )
    Funding.objects.create(service=service, source="The council.")
    Funding.objects.create(organization=provider, source="Lottery.")
    RequiredDocument.objects.create(service=service, document="None needed.", uri="https://a.example/docs")
    OrganizationIdentifier.objects.create(
        organization=provider,
        identifier_scheme="GB-CHC",
        identifier_type="Charity number",
        identifier="1234567",
    )
    taxonomy = Taxonomy.objects.create(
        name="Activities", description="What people do.", uri="https://t.example", version="1"
    )
    term = TaxonomyTerm.objects.create(
        code="crafts",
        name="Crafts",
        description="Making things.",
        taxonomy="Activities",
        language="en",
        taxonomy_detail=taxonomy,
        term_uri="https://t.example/crafts",
    )
    attribute = Attribute.objects.create(
        link_id=service.id, taxonomy_term=term, link_type="category", link_entity="service", value="yes"
    )
    Attribute.objects.create(
        link_id=location.id, taxonomy_term=term, link_type="category", link_entity="location", value="hall"
    )
    for resource, resource_type in (
        (service.id, "service"),
        (attribute.id, "attribute"),
        (location.id, "location"),
    ):
        Metadata.objects.create(
            resource_id=resource,
            resource_type=resource_type,
            last_action_date="2025-03-15",
            last_action_type="update",
            field_name="name",
            previous_value="Old",
            replacement_value="New",
            updated_by="Ann",
        )
    return service


def _full_json(service: Service) -> dict[str, Any]:
    return hsds.services_json([Service.objects.get(pk=service.pk)], full=True)[0]


# --- The objects -------------------------------------------------------------------------------


def test_a_full_service_validates_against_the_hsds_and_oruk_schemas(organisation: Organisation) -> None:
    document = _full_json(make_full_service(owner=organisation))
    assert hsds_errors(document, "service") == []
    assert oruk_errors(document, "service") == []


def test_a_full_service_carries_every_nested_object(organisation: Organisation) -> None:
    document = _full_json(make_full_service(owner=organisation))
    for key in (
        "phones",
        "schedules",
        "service_areas",
        "service_at_locations",
        "languages",
        "organization",
        "funding",
        "cost_options",
        "program",
        "required_documents",
        "contacts",
        "attributes",
        "metadata",
    ):
        assert document[key], key
    sal = document["service_at_locations"][0]
    assert {"contacts", "phones", "schedules", "location"} <= set(sal)
    location = sal["location"]
    for key in (
        "languages",
        "addresses",
        "contacts",
        "accessibility",
        "phones",
        "schedules",
        "attributes",
        "metadata",
    ):
        assert location[key], key
    organization = document["organization"]
    for key in ("funding", "contacts", "phones", "programs", "organization_identifiers"):
        assert organization[key], key
    assert "locations" not in organization  # each service brings its own through service_at_locations
    assert document["contacts"][0]["phones"][0]["languages"][0]["name"] == "Polish"
    category = next(a for a in document["attributes"] if a.get("link_type") == "category")
    assert category["taxonomy_term"]["taxonomy_detail"]["name"] == "Activities"
    assert category["metadata"][0]["updated_by"] == "Ann"


def test_optional_fields_without_a_value_are_left_out(organisation: Organisation) -> None:
    provider = make_provider(owner=organisation)
    service = make_service(owner=organisation, provider=provider, description="")
    document = _full_json(service)
    assert empty_values(document) == []
    assert "description" not in document and "email" not in document and "program" not in document
    assert hsds_errors(document, "service") == []


def test_required_fields_stay_even_when_empty(organisation: Organisation) -> None:
    provider = Organization.objects.create(owner=organisation, name="Nameless", description="")
    service = make_service(owner=organisation, provider=provider)
    Address.objects.filter(location__service_at_locations__service=service).update(
        address_type="", country=""
    )
    document = _full_json(service)
    assert document["organization"]["description"] == ""
    address = document["service_at_locations"][0]["location"]["addresses"][0]
    assert address["address_type"] == "physical"
    assert address["country"] == ""
    assert hsds_errors(document, "service") == []


def test_values_are_written_as_the_schemas_expect(organisation: Organisation) -> None:
    service = make_full_service(owner=organisation)
    Organization.objects.filter(services=service).update(website="www.riverside.example")
    document = _full_json(service)
    assert document["minimum_age"] == 18 and isinstance(document["minimum_age"], int)
    assert document["maximum_age"] == 99.5
    assert document["cost_options"][0]["amount"] == 2 and isinstance(
        document["cost_options"][0]["amount"], int
    )
    assert document["organization"]["year_incorporated"] == 2011
    assert document["assured_date"] == "2025-01-02"
    assert document["last_modified"] == "2025-03-15T10:30:45.123Z"
    schedule = document["schedules"][0]
    assert (schedule["opens_at"], schedule["closes_at"], schedule["dtstart"]) == (
        "10:00:00",
        "12:30:00",
        "2025-01-07",
    )
    assert schedule["count"] == 40 and schedule["timezone"] == 0
    location = document["service_at_locations"][0]["location"]
    assert location["latitude"] == 51.5215
    assert (
        document["organization"]["website"] == "https://www.riverside.example"
    )  # a bare domain gains https://
    assert uuid.UUID(document["id"]) and uuid.UUID(document["organization_id"])


def test_a_service_without_last_modified_reports_when_it_was_last_saved(organisation: Organisation) -> None:
    service = make_service(owner=organisation, last_modified=None)
    document = _full_json(service)
    service.refresh_from_db()
    assert document["last_modified"] == hsds.iso_datetime(service.updated_at)
    assert document["last_modified"].endswith("Z")


def test_a_record_shared_by_several_parents_appears_under_each_with_all_its_links(
    organisation: Organisation,
) -> None:
    document = _full_json(make_full_service(owner=organisation))
    shared = Phone.objects.get(number="020 7946 0000")
    under_service = next(p for p in document["phones"] if p["id"] == str(shared.id))
    location = document["service_at_locations"][0]["location"]
    under_location = next(p for p in location["phones"] if p["id"] == str(shared.id))
    under_contact = document["contacts"][0]["phones"][0]
    assert under_service == under_location == under_contact
    assert {under_service["service_id"], under_service["location_id"], under_service["contact_id"]} == {
        str(shared.service_id),
        str(shared.location_id),
        str(shared.contact_id),
    }


def test_connector_facts_and_closures_are_attributes_under_the_linkwork_taxonomy(
    organisation: Organisation,
) -> None:
    service = make_full_service(owner=organisation)
    document = _full_json(service)
    facts = {
        a["taxonomy_term_id"]: a
        for a in document["attributes"]
        if a["taxonomy_term"]["taxonomy_id"] == str(cf.TAXONOMY_ID)
    }
    step_free = cf.FACTS_BY_CODE["step-free"]
    assert facts[str(step_free.term_id)]["value"] == "true"
    assert facts[str(cf.FACTS_BY_CODE["hearing-loop"].term_id)]["value"] == "false"
    assert facts[str(cf.FACTS_BY_CODE["group-size"].term_id)]["value"] == "small"
    assert facts[str(cf.FACTS_BY_CODE["first-visit"].term_id)]["value"] == "Someone meets you at the door."
    assert str(cf.FACTS_BY_CODE["parking"].term_id) not in facts  # not recorded: no attribute
    closure = facts[str(cf.CLOSURE_TERM_ID)]
    assert closure["value"] == "2025-08-01/2025-08-31 Summer holidays"
    assert closure["link_id"] == str(service.id) and closure["link_entity"] == "service"
    term = facts[str(step_free.term_id)]["taxonomy_term"]
    assert (term["code"], term["name"]) == ("step-free", step_free.name)
    assert term["taxonomy_detail"]["name"] == cf.TAXONOMY_NAME
    assert _full_json(service)["attributes"] == document["attributes"]  # the same ids every time


def test_stored_attribute_rows_for_connector_terms_do_not_double_the_facts(
    organisation: Organisation,
) -> None:
    service = make_service(owner=organisation, step_free=True)
    Attribute.objects.create(
        link_id=service.id,
        taxonomy_term_id=cf.FACTS_BY_CODE["step-free"].term_id,
        link_entity="service",
        value="false",
    )
    attributes = _full_json(service)["attributes"]
    assert [a["value"] for a in attributes] == ["true"]


def test_the_list_form_has_the_service_with_its_organization_and_program_only(
    organisation: Organisation,
) -> None:
    service = make_full_service(owner=organisation)
    item = hsds.services_json([service], full=False)[0]
    assert set(item) - set(hsds_tables.COLUMNS["service"]) == {"organization", "program"}
    assert set(item["organization"]) <= set(hsds_tables.COLUMNS["organization"])
    assert hsds_errors(item, "service_list") == []


def test_rows_belonging_to_a_hidden_service_stay_out_of_public_objects(organisation: Organisation) -> None:
    public = make_service(owner=organisation)
    location = Location.objects.get(service_at_locations__service=public)
    for state in HIDDEN:
        draft = make_service(owner=organisation, state=state)
        Phone.objects.create(location=location, service=draft, number=f"secret {state}")
        Contact.objects.create(location=location, service=draft, name=f"Secret {state}")
    text = json.dumps(_full_json(public))
    assert "secret" not in text.lower()


def test_a_bundle_given_places_brings_only_public_services_with_them(organisation: Organisation) -> None:
    shown = make_service(owner=organisation, name="Shown")
    gone = make_service(owner=organisation, name="Gone")
    Service.objects.filter(id=gone.id).update(state=EntryState.ARCHIVED)
    places = list(ServiceAtLocation.objects.filter(service__in=[shown, gone]).order_by("service__name"))
    bundle = hsds.Bundle(service_at_locations=places, full=True)
    documents = [bundle.service_at_location_json(sal, with_service=True) for sal in places]
    assert [document.get("service", {}).get("name") for document in documents] == [None, "Shown"]


def test_a_full_organization_leaves_out_places_only_hidden_services_use(organisation: Organisation) -> None:
    provider = make_provider(owner=organisation)
    shown = make_service(owner=organisation, provider=provider, name="Shown")
    for state in HIDDEN:
        make_service(owner=organisation, provider=provider, state=state)
    office = Location.objects.create(owner=organisation, organization=provider, name="Office")
    bundle = hsds.Bundle(organizations=[provider], full=True, organization_locations=True)
    document = bundle.organization_json(provider, full=True)
    expected = {str(office.id), str(Location.objects.get(service_at_locations__service=shown).id)}
    assert {location["id"] for location in document["locations"]} == expected


def test_serialising_services_takes_the_same_number_of_queries_however_many(
    organisation: Organisation,
) -> None:
    def queries_for(count: int) -> int:
        services = [make_full_service(owner=organisation) for _ in range(count)]
        fresh = list(Service.objects.filter(id__in=[s.id for s in services]))
        with CaptureQueriesContext(connection) as captured:
            documents = hsds.services_json(fresh, full=True)
        assert len(documents) == count
        return len(captured.captured_queries)

    few, many = queries_for(2), queries_for(8)
    assert few == many
    assert many <= 25


# --- Export: JSON ------------------------------------------------------------------------------


def test_json_export_holds_the_public_entries_and_validates(
    organisation: Organisation, tmp_path: Path
) -> None:
    shown = {make_service(owner=organisation, state=state, name=f"Shown {state}").name for state in PUBLIC}
    full = make_full_service(owner=organisation)
    for state in HIDDEN:
        make_service(owner=organisation, state=state, name=f"Hidden {state}")
    target = tmp_path / "out" / "directory.json"
    summary = export_directory(target, "hsds-json", actor=OPERATOR)
    documents = json.loads(target.read_text(encoding="utf-8"))
    assert isinstance(documents, list)
    assert {d["name"] for d in documents} == shown | {full.name}
    assert summary.services == 4 and summary.format == "hsds-json"
    assert "Exported 4 services" in str(summary)
    for document in documents:
        assert hsds_errors(document, "service") == []
        assert empty_values(document) == []


def test_an_empty_directory_exports_an_empty_list(db: None, tmp_path: Path) -> None:
    target = tmp_path / "directory.json"
    assert export_directory(target, "hsds-json", actor=OPERATOR).services == 0
    assert json.loads(target.read_text()) == []


def test_export_is_recorded_in_the_audit_log(organisation: Organisation, tmp_path: Path) -> None:
    make_service(owner=organisation)
    export_directory(tmp_path / "d.json", "hsds-json", actor=OPERATOR)
    event = AuditEvent.objects.get(event="directory.exported")
    assert event.actor_username == "operator:tests"
    assert event.detail["format"] == "hsds-json" and event.detail["services"] == 1


def test_export_refuses_an_unknown_format(db: None, tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as raised:
        export_directory(tmp_path / "d.xml", "xml", actor=OPERATOR)
    assert "format" in raised.value.fields
    assert not (tmp_path / "d.xml").exists()


def test_json_export_to_a_folder_is_refused(db: None, tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="is a folder"):
        export_directory(tmp_path, "hsds-json", actor=OPERATOR)


def test_csv_export_to_a_file_is_refused(db: None, tmp_path: Path) -> None:
    existing = tmp_path / "taken.csv"
    existing.write_text("keep me")
    with pytest.raises(ValidationFailed, match="is a file"):
        export_directory(existing, "hsds-csv", actor=OPERATOR)
    assert existing.read_text() == "keep me"


def test_staff_without_the_right_cannot_export(organisation: Organisation, tmp_path: Path) -> None:
    connector = make_staff(organisation=organisation, roles=[Role.CONNECTOR])
    with pytest.raises(PermissionDenied):
        export_directory(tmp_path / "d.json", "hsds-json", actor=connector)
    assert not (tmp_path / "d.json").exists()


def test_a_failed_export_leaves_no_file_behind(
    organisation: Organisation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_service(owner=organisation)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(hsds.Bundle, "service_json", broken)
    with pytest.raises(RuntimeError):
        export_directory(tmp_path / "d.json", "hsds-json", actor=OPERATOR)
    assert list(tmp_path.iterdir()) == []


# --- Export: the tabular datapackage -----------------------------------------------------------


def _read_package(folder: Path) -> dict[str, list[dict[str, str]]]:
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    tables = {}
    for resource in descriptor["resources"]:
        with (folder / resource["path"]).open(encoding="utf-8", newline="") as handle:
            tables[resource["name"]] = list(csv.DictReader(handle))
    return tables


def test_csv_export_has_the_official_descriptor_files_and_columns(
    organisation: Organisation, tmp_path: Path
) -> None:
    make_full_service(owner=organisation)
    export_directory(tmp_path / "package", "hsds-csv", actor=OPERATOR)
    ours = {
        r["name"]: r for r in json.loads((tmp_path / "package" / "datapackage.json").read_text())["resources"]
    }
    official = {r["name"]: r for r in official_datapackage()["resources"]}
    assert set(official) - set(ours) == {"meta_table_description"}  # no table for it in linkwork
    for name, resource in ours.items():
        expected = official[name]
        assert resource["path"] == expected["path"]
        fields = [
            {k: f[k] for k in ("name", "type", "format") if k in f} for f in resource["schema"]["fields"]
        ]
        wanted = [
            {k: f[k] for k in ("name", "type", "format") if k in f and f[k] != "default"}
            for f in expected["schema"]["fields"]
        ]
        assert fields == wanted, name
        assert resource["schema"]["primaryKey"] == expected["schema"]["primaryKey"]
        keys = sorted(resource["schema"].get("foreignKeys", []), key=lambda key: key["fields"])
        assert keys == sorted(expected["schema"].get("foreignKeys", []), key=lambda key: key["fields"])
        with (tmp_path / "package" / resource["path"]).open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        assert header == [f["name"] for f in expected["schema"]["fields"]], name


def test_csv_export_writes_values_as_in_the_official_examples(
    organisation: Organisation, tmp_path: Path
) -> None:
    service = make_full_service(owner=organisation)
    export_directory(tmp_path, "hsds-csv", actor=OPERATOR)
    raw = (tmp_path / "services.csv").read_bytes()
    assert raw.count(b"\r\n") == 2  # header and one row, CRLF as in the examples
    tables = _read_package(tmp_path)
    row = tables["service"][0]
    assert row["id"] == str(service.id)
    assert (row["minimum_age"], row["maximum_age"], row["assured_date"]) == ("18", "99.5", "2025-01-02")
    assert row["last_modified"] == "2025-03-15T10:30:45.123Z"
    schedule = next(r for r in tables["schedule"] if r["service_id"] == str(service.id))
    assert (schedule["opens_at"], schedule["byday"], schedule["interval"]) == ("10:00:00", "TU", "1")
    assert next(r for r in tables["cost_option"])["amount"] == "2"
    assert tables["location"][0]["organization_id"] == str(service.organization_id)
    assert tables["program"][0]["name"] == "Wellbeing"


def test_csv_export_carries_facts_closures_and_the_linkwork_taxonomy(
    organisation: Organisation, tmp_path: Path
) -> None:
    service = make_full_service(owner=organisation)
    export_directory(tmp_path, "hsds-csv", actor=OPERATOR)
    tables = _read_package(tmp_path)
    values = {(r["link_id"], r["taxonomy_term_id"]): r["value"] for r in tables["attribute"]}
    assert values[(str(service.id), str(cf.FACTS_BY_CODE["step-free"].term_id))] == "true"
    assert values[(str(service.id), str(cf.CLOSURE_TERM_ID))] == "2025-08-01/2025-08-31 Summer holidays"
    terms = {r["id"]: r for r in tables["taxonomy_term"]}
    assert terms[str(cf.FACTS_BY_CODE["step-free"].term_id)]["taxonomy_id"] == str(cf.TAXONOMY_ID)
    assert str(cf.FACTS_BY_CODE["parking"].term_id) not in terms  # only the terms in use
    assert {r["name"] for r in tables["taxonomy"]} == {"Activities", cf.TAXONOMY_NAME}


def test_csv_export_leaves_out_hidden_entries_and_everything_only_they_have(
    organisation: Organisation, tmp_path: Path
) -> None:
    public = make_full_service(owner=organisation)
    hidden_ids: set[str] = set()
    for state in HIDDEN:
        draft = make_full_service(owner=organisation, state=state)
        hidden_ids |= {str(draft.id), str(draft.organization_id), str(draft.program_id)}
        hidden_ids |= {
            str(pk) for pk in ServiceAtLocation.objects.filter(service=draft).values_list("id", flat=True)
        }
        hidden_ids |= {
            str(pk)
            for pk in Location.objects.filter(service_at_locations__service=draft).values_list(
                "id", flat=True
            )
        }
        hidden_ids |= {str(pk) for pk in Phone.objects.filter(service=draft).values_list("id", flat=True)}
        hidden_ids |= {
            str(pk) for pk in Attribute.objects.filter(link_id=draft.id).values_list("id", flat=True)
        }
    export_directory(tmp_path, "hsds-csv", actor=OPERATOR)
    tables = _read_package(tmp_path)
    written = {value for rows in tables.values() for row in rows for value in row.values()}
    assert hidden_ids & written == set()
    assert [r["id"] for r in tables["service"]] == [str(public.id)]
    assert len(tables["organization"]) == 1 and len(tables["location"]) == 1
    assert len(tables["phone"]) == 3 and len(tables["contact"]) == 4
    assert len(tables["metadata"]) == 3
    assert len(tables["taxonomy"]) == 1 + len(HIDDEN) + 1  # every taxonomy, and linkwork's


def test_csv_export_leaves_out_organizations_without_an_exported_service(
    organisation: Organisation, tmp_path: Path
) -> None:
    service = make_service(owner=organisation)
    bare = make_provider(owner=organisation, name="No services")
    Location.objects.create(owner=organisation, organization=bare, name="Its office")
    Phone.objects.create(organization=bare, number="020 7946 0999")
    export_directory(tmp_path, "hsds-csv", actor=OPERATOR)
    tables = _read_package(tmp_path)
    assert [r["id"] for r in tables["organization"]] == [str(service.organization_id)]
    assert "Its office" not in {r["name"] for r in tables["location"]}
    assert tables["phone"] == []


def test_csv_export_keeps_cells_as_they_are_even_when_a_spreadsheet_would_read_a_formula(
    organisation: Organisation, tmp_path: Path
) -> None:
    make_service(owner=organisation, name='=HYPERLINK("https://example.org")', alternate_name="-5 club")
    export_directory(tmp_path, "hsds-csv", actor=OPERATOR)
    row = _read_package(tmp_path)["service"][0]
    assert (row["name"], row["alternate_name"]) == ('=HYPERLINK("https://example.org")', "-5 club")


def test_csv_export_keeps_rows_whose_references_lead_nowhere(
    organisation: Organisation, tmp_path: Path
) -> None:
    make_service(owner=organisation)
    nowhere = uuid.uuid4()
    term = TaxonomyTerm.objects.create(name="Loose", description="", taxonomy_detail_id=uuid.uuid4())
    Attribute.objects.create(link_id=nowhere, taxonomy_term=term, link_entity="link_entity", value="value")
    Metadata.objects.create(resource_id=nowhere, resource_type="location", last_action_date="2011-01-01")
    export_directory(tmp_path, "hsds-csv", actor=OPERATOR)
    tables = _read_package(tmp_path)
    assert [r["link_id"] for r in tables["attribute"] if r["taxonomy_term_id"] == str(term.id)] == [
        str(nowhere)
    ]
    assert [r["resource_id"] for r in tables["metadata"]] == [str(nowhere)]
    assert [r["name"] for r in tables["taxonomy_term"]] == ["Loose"]


def test_datapackage_descriptor_names_every_table_once() -> None:
    names = [resource["name"] for resource in datapackage_descriptor()["resources"]]
    assert sorted(names) == sorted(hsds_tables.COLUMNS)


def test_the_schema_checks_catch_mistakes() -> None:
    """The validators above are not vacuous: nested objects are checked through the copied schemas."""
    broken = {
        "id": "not-a-uuid",
        "status": "open",
        "attributes": [{"id": str(uuid.uuid4()), "taxonomy_term": {"id": str(uuid.uuid4())}}],
        "service_at_locations": [{"id": str(uuid.uuid4()), "location": {"id": str(uuid.uuid4())}}],
    }
    for errors in (hsds_errors(broken, "service"), oruk_errors(broken, "service")):
        text = "\n".join(errors)
        assert "'name' is a required property" in text
        assert "'open' is not one of" in text
        assert "is not a 'uuid'" in text
        assert "attributes/0/taxonomy_term: 'name' is a required property" in text
        assert "service_at_locations/0/location: 'location_type' is a required property" in text


# --- Round trips: import, export, import again -------------------------------------------------

EXAMPLES = SCHEMAS / "hsds" / "examples"
# Columns about the entry's life in linkwork, not HSDS data: a re-import sets them afresh.
EDITORIAL = frozenset(
    {
        "owner_id",
        "state",
        "state_changed_at",
        "created_at",
        "updated_at",
        "source",
        "source_recorded_at",
        "source_recorded_by",
        "version",
        "review_due_on",
        "last_verified_at",
        "last_verified_by_id",
        "verification_method",
    }
)
# Nested JSON keys -> the HSDS table of the objects under them.
NESTED_TABLES = {
    "phones": "phone",
    "languages": "language",
    "schedules": "schedule",
    "service_areas": "service_area",
    "service_at_locations": "service_at_location",
    "location": "location",
    "locations": "location",
    "addresses": "address",
    "contacts": "contact",
    "accessibility": "accessibility",
    "organization": "organization",
    "funding": "funding",
    "cost_options": "cost_option",
    "program": "program",
    "programs": "program",
    "required_documents": "required_document",
    "organization_identifiers": "organization_identifier",
    "attributes": "attribute",
    "taxonomy_term": "taxonomy_term",
    "taxonomy_detail": "taxonomy",
    "metadata": "metadata",
}


def directory_rows() -> dict[str, dict[str, dict[str, Any]]]:
    """Every HSDS row in the database, and the closures, without linkwork's editorial columns."""
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    for table, model in hsds.MODELS.items():
        rows[table] = {
            str(record.pk): {
                f.attname: getattr(record, f.attname)
                for f in model._meta.concrete_fields
                if f.attname not in EDITORIAL
            }
            for record in model._default_manager.all()
        }
    rows["closure"] = {
        f"{c.service_id}:{c.starts_on}": {"ends_on": c.ends_on, "reason": c.reason}
        for c in Closure.objects.all()
    }
    return rows


def wipe_directory() -> None:
    Closure.objects.all().delete()
    for model in hsds.MODELS.values():
        model._default_manager.all().delete()


def flatten(document: Any, table: str, found: dict[tuple[str, str], dict[str, Any]]) -> None:
    """Each HSDS object in a nested document, by (table, id), with its own (scalar) fields."""
    if isinstance(document, list):
        for item in document:
            flatten(item, table, found)
        return
    own = {key: value for key, value in document.items() if key not in NESTED_TABLES and key != "services"}
    found.setdefault((table, document["id"]), {}).update(own)
    for key, value in document.items():
        if key in NESTED_TABLES:
            flatten(value, NESTED_TABLES[key], found)


def normalised(value: Any) -> Any:
    """Equal values written differently: surrounding spaces, 12 and 12.0."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def missing_from(
    original: dict[tuple[str, str], dict[str, Any]], exported: dict[tuple[str, str], dict[str, Any]]
) -> list[str]:
    lost = []
    for key, fields in original.items():
        theirs = exported.get(key)
        if theirs is None:
            lost.append(f"{key}: missing")
            continue
        lost += [
            f"{key} {name}: {value!r} became {theirs.get(name)!r}"
            for name, value in fields.items()
            if normalised(theirs.get(name)) != normalised(value)
        ]
    return lost


def test_the_official_json_example_round_trips_without_loss(
    organisation: Organisation, tmp_path: Path
) -> None:
    original = json.loads((EXAMPLES / "service_full.json").read_text(encoding="utf-8"))
    report = import_directory(
        EXAMPLES / "service_full.json", fmt="hsds-json", actor=OPERATOR, owner=organisation
    )
    assert report.written, report.render()
    imported = directory_rows()
    export_directory(tmp_path / "export.json", "hsds-json", actor=OPERATOR)
    exported = json.loads((tmp_path / "export.json").read_text(encoding="utf-8"))
    assert len(exported) == 1
    assert hsds_errors(exported[0], "service") == []
    theirs: dict[tuple[str, str], dict[str, Any]] = {}
    ours: dict[tuple[str, str], dict[str, Any]] = {}
    flatten(original, "service", theirs)
    flatten(exported[0], "service", ours)
    assert missing_from(theirs, ours) == []
    wipe_directory()
    again = import_directory(tmp_path / "export.json", fmt="hsds-json", actor=OPERATOR, owner=organisation)
    assert again.written, again.render()
    assert directory_rows() == imported


def _csv_rows(folder: Path, file: str) -> dict[str, dict[str, str]]:
    path = folder / file
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


def test_the_official_csv_example_round_trips_without_loss(
    organisation: Organisation, tmp_path: Path
) -> None:
    report = import_directory(EXAMPLES / "csv", fmt="hsds-csv", actor=OPERATOR, owner=organisation)
    assert report.written, report.render()
    imported = directory_rows()
    export_directory(tmp_path / "package", "hsds-csv", actor=OPERATOR)
    for table, file in hsds_tables.CSV_FILES.items():
        theirs, ours = _csv_rows(EXAMPLES / "csv", file), _csv_rows(tmp_path / "package", file)
        assert set(theirs) == set(ours), table  # every row, dangling references and all
        for row_id, row in theirs.items():
            assert {k: normalised(v) for k, v in row.items()} == {
                k: normalised(v) for k, v in ours[row_id].items()
            }
    wipe_directory()
    again = import_directory(tmp_path / "package", fmt="hsds-csv", actor=OPERATOR, owner=organisation)
    assert again.written, again.render()
    assert directory_rows() == imported


@pytest.mark.parametrize("fmt", ["hsds-json", "hsds-csv"])
def test_linkwork_facts_and_closures_survive_a_round_trip(
    organisation: Organisation, tmp_path: Path, fmt: str
) -> None:
    service = make_full_service(owner=organisation)
    Closure.objects.create(
        service=service, starts_on=dt.date(2025, 12, 24), ends_on=dt.date(2026, 1, 2), reason=""
    )
    before = directory_rows()
    assert before["service"][str(service.id)]["step_free"] is True
    export_directory(tmp_path / "export", fmt, actor=OPERATOR)
    wipe_directory()
    report = import_directory(tmp_path / "export", fmt=fmt, actor=OPERATOR, owner=organisation)
    assert report.written, report.render()
    after = directory_rows()
    linkwork_terms = {str(term_id) for term_id in hsds.CONNECTOR_TERMS} | {str(cf.TAXONOMY_ID)}
    for table in ("taxonomy", "taxonomy_term"):  # the CSV package adds linkwork's taxonomy itself
        after[table] = {key: row for key, row in after[table].items() if key not in linkwork_terms}
    after["attribute"] = {
        key: row
        for key, row in after["attribute"].items()
        if row["taxonomy_term_id"] not in hsds.FACT_TERM_IDS
    }
    assert after == before
