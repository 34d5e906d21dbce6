"""Reading directory files: HSDS JSON and CSV, Open Referral UK 1.0, simple spreadsheets, HTML cleaning.

These tests stop before the database is written: they check what the readers make of a file and how
they describe its problems. tests/directory/test_importing.py checks what is written.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest

from linkwork.directory import connector_facts
from linkwork.directory.connector_facts import CLOSURE_TERM_ID, FACTS_BY_CODE
from linkwork.directory.formats import Bundle, ImportProblem, import_id, json_format, read
from linkwork.directory.formats.hsds_json import read_data as read_hsds_json
from linkwork.directory.formats.oruk_v1 import read_data as read_oruk_v1
from linkwork.directory.formats.oruk_v1 import web_address
from linkwork.directory.formats.simple_csv import _clock, _parse_days
from linkwork.directory.sanitise import sanitise_text

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = FIXTURES / "hsds-examples"
IMPORTS = FIXTURES / "import"
NORTH_LINCS = FIXTURES / "north-lincolnshire-oruk-v1" / "services.json"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "reference"

SERVICE_ID = uuid.UUID("ac148810-d857-441c-9679-408f346de14b")
PHONE_ID = uuid.UUID("1554f2e2-a373-45db-a3fa-9fc48a61c15e")


def problems(bundle: Bundle) -> list[ImportProblem]:
    return bundle.fatal + [problem for unit in bundle.units for problem in unit.problems]


def service(**fields: Any) -> dict[str, Any]:
    record = {"id": str(uuid.uuid4()), "name": "Lunch club", "status": "active"}
    record.update(fields)
    return record


def only_problem(bundle: Bundle) -> ImportProblem:
    found = problems(bundle)
    assert len(found) == 1, found
    return found[0]


# --- Cleaning free text -----------------------------------------------------------------------


def test_html_becomes_plain_text_with_paragraphs_lists_and_link_addresses() -> None:
    html = (
        "<h2>What happens</h2><p>Tea &amp; cake,&nbsp;then a <strong>walk</strong>.</p>"
        "<ul><li>Bring shoes</li><li>Free</li></ul><ol><li>Meet</li><li>Walk</li></ol>"
        '<p>See <a href="https://example.org/walks">our website</a> or '
        '<a href="mailto:walks@example.org">walks@example.org</a>.<br>Thanks</p>'
    )

    assert sanitise_text(html) == (
        "What happens\n\nTea & cake, then a walk.\n\n- Bring shoes\n- Free\n\n1. Meet\n2. Walk\n\n"
        "See our website (https://example.org/walks) or walks@example.org.\nThanks"
    )


def test_scripts_styles_images_and_dangerous_links_are_removed() -> None:
    html = (
        "<p>Hello</p><script>alert('x')</script><style>p {color: red}</style>"
        '<img src="x" onerror="alert(1)"><a href="javascript:alert(1)">click</a><!-- note -->'
    )

    text = sanitise_text(html)

    assert text == "Hello\n\nclick"
    assert "alert" not in text and "<" not in text


def test_plain_text_keeps_its_line_breaks_and_loses_only_entities_and_control_characters() -> None:
    assert sanitise_text("Line one\nLine two & more\r\n\nFish &amp; chips <3\x00") == (
        "Line one\nLine two & more\n\nFish & chips <3"
    )


def test_cleaning_is_stable_when_repeated() -> None:
    html = "<p>One</p><p>Two &lt;three&gt;</p><ul><li>a</li></ul>"
    once = sanitise_text(html)

    assert sanitise_text(once) == once


# --- Recognising formats ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([{"id": "1", "name": "x", "status": "active"}], "hsds-json"),
        ({"contents": [{"id": "1", "name": "x"}], "total_items": 1}, "hsds-json"),
        ({"content": [{"id": "1", "name": "x"}], "totalElements": 1}, "oruk-v1"),
        ([{"id": "1", "name": "x", "attending_type": "", "organization": {}}], "oruk-v1"),
        ([{"id": "1", "name": "x", "pc_targetAudience": []}], "oruk-v1"),
    ],
)
def test_json_format_is_told_from_the_shape_of_the_data(data: Any, expected: str) -> None:
    assert json_format(data) == expected


@pytest.mark.django_db
def test_formats_are_guessed_from_folders_and_file_names(tmp_path: Path) -> None:
    assert read(EXAMPLES / "csv", None).fmt == "hsds-csv"
    assert read(EXAMPLES / "service_full.json", None).fmt == "hsds-json"
    assert read(NORTH_LINCS, None).fmt == "oruk-v1"
    assert read(IMPORTS / "simple.csv", None).fmt == "csv"


def test_an_unknown_format_or_missing_file_is_one_clear_problem(tmp_path: Path) -> None:
    missing = read(tmp_path / "nowhere.json", None)
    assert [str(p) for p in missing.fatal] == ["nowhere.json: does not exist"]

    unknown = read(EXAMPLES / "service_full.json", "xml")
    assert "is not one of: hsds-json, hsds-csv, oruk-v1, csv" in unknown.fatal[0].reason


# --- HSDS 3.0 JSON ----------------------------------------------------------------------------


def test_service_full_example_gives_one_record_of_each_hsds_table() -> None:
    bundle = read(EXAMPLES / "service_full.json", None)

    assert problems(bundle) == []
    assert {table: len(rows) for table, rows in bundle.rows.items()} == dict.fromkeys(bundle.rows, 1)


def test_a_record_nested_in_several_places_is_one_row_with_every_parent_reference() -> None:
    bundle = read(EXAMPLES / "service_full.json", None)

    phone = bundle.rows["phone"][PHONE_ID]

    assert phone["service_id"] == SERVICE_ID
    assert phone["contact_id"] == uuid.UUID("1e7efce3-639b-4880-940c-b95cd30cdb50")
    assert phone["service_at_location_id"] == uuid.UUID("e94c9f38-1e8f-4564-91d4-d53501ab1765")
    assert phone["location_id"] == uuid.UUID("3a19ff88-4620-4d17-9830-ac1d859eb5d5")
    assert phone["organization_id"] == uuid.UUID("d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610")
    language = next(iter(bundle.rows["language"].values()))
    assert (language["service_id"], language["phone_id"]) == (SERVICE_ID, PHONE_ID)


def test_example_values_are_kept_as_given_even_when_odd() -> None:
    bundle = read(EXAMPLES / "service_full.json", None)

    location = next(iter(bundle.rows["location"].values()))
    area = next(iter(bundle.rows["service_area"].values()))
    phone = bundle.rows["phone"][PHONE_ID]
    assert (location["latitude"], location["longitude"]) == (100, 101)
    assert (area["extent"], area["extent_type"]) == ("extent", "geojson")
    assert phone["number"] == '"+44 1234 234567"'
    assert bundle.rows["service"][SERVICE_ID]["last_modified"] == dt.datetime(
        2023, 3, 15, 10, 30, 45, 123000, tzinfo=dt.UTC
    )


def test_nested_objects_give_references_and_attributes_link_to_their_record() -> None:
    bundle = read(EXAMPLES / "service_full.json", None)

    service_row = bundle.rows["service"][SERVICE_ID]
    attribute = next(iter(bundle.rows["attribute"].values()))
    term = next(iter(bundle.rows["taxonomy_term"].values()))
    metadata = next(iter(bundle.rows["metadata"].values()))
    program = next(iter(bundle.rows["program"].values()))
    assert service_row["organization_id"] == uuid.UUID("d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610")
    assert service_row["program_id"] == program["id"]
    assert program["organization_id"] == service_row["organization_id"]
    assert (attribute["link_id"], attribute["taxonomy_term_id"]) == (SERVICE_ID, term["id"])
    assert attribute["link_entity"] == "link_entity"  # as given
    assert term["taxonomy_detail_id"] == uuid.UUID("5c4d79d7-cc55-470e-9f1f-8cad074e4892")
    assert (metadata["resource_id"], metadata["resource_type"]) == (SERVICE_ID, "location")


@pytest.mark.parametrize(
    ("name", "tables"),
    [
        ("service_list.json", {"service", "organization", "program"}),
        ("organization_list.json", {"organization"}),
        ("organization_full.json", None),
        ("service_at_location_full.json", None),
        (
            "service_at_location_list.json",
            {"service_at_location", "service", "organization", "program", "location"},
        ),
        (
            "location.json",
            {"location", "address", "phone", "contact", "schedule", "language", "accessibility"},
        ),
        ("taxonomy.json", {"taxonomy"}),
        ("taxonomy_list.json", {"taxonomy"}),
        ("taxonomy_term.json", {"taxonomy_term", "taxonomy"}),
        ("taxonomy_term_list.json", {"taxonomy_term", "taxonomy"}),
        ("tabular.json", None),
    ],
)
def test_every_official_json_example_is_read_without_problems(name: str, tables: set[str] | None) -> None:
    bundle = read(EXAMPLES / name, None)

    assert problems(bundle) == []
    present = {table for table, rows in bundle.rows.items() if rows}
    assert present == (tables if tables is not None else set(bundle.rows))


def test_base_json_is_not_a_directory_record() -> None:
    bundle = read(EXAMPLES / "base.json", None)

    assert [p.reason for p in problems(bundle)] == ["cannot tell which kind of HSDS record this is"]


def test_problems_name_the_json_path_field_and_reason() -> None:
    bundle = read(IMPORTS / "services-with-problems.json", None)

    assert [(p.location, p.field) for p in problems(bundle)] == [
        ("$[1].name", "name"),
        ("$[2].assured_date", "assured_date"),
        ("$[2].phones[0].id", "id"),
        ("$[2].schedules[0].opens_at", "opens_at"),
    ]
    assert [str(p) for p in problems(bundle)][2:] == [
        'services-with-problems.json $[2].phones[0].id: "not-a-uuid" is not a uuid '
        "(like 3a19ff88-4620-4d17-9830-ac1d859eb5d5)",
        'services-with-problems.json $[2].schedules[0].opens_at: "25:00" is not a time '
        "(use HH:MM or HH:MM:SS, like 09:30)",
    ]


@pytest.mark.parametrize(
    ("fields", "location", "reason"),
    [
        ({"id": "123"}, "$[0].id", '"123" is not a uuid'),
        ({"status": "open"}, "$[0].status", '"open" is not one of: active, inactive, defunct'),
        ({"status": None}, "$[0].status", "is required"),
        ({"email": "not an address"}, "$[0].email", "is not an e-mail address"),
        ({"minimum_age": "twelve"}, "$[0].minimum_age", '"twelve" is not a number'),
        ({"minimum_age": True}, "$[0].minimum_age", "expected a number"),
        ({"last_modified": "yesterday"}, "$[0].last_modified", "is not a date and time"),
        ({"name": {"en": "Lunch"}}, "$[0].name", "expected text"),
        ({"name": "x" * 1001}, "$[0].name", "the most allowed is 1,000"),
        ({"schedules": [{"id": str(uuid.uuid4()), "byday": "Tuesdays"}]}, "$[0].schedules[0].byday", "days"),
        ({"schedules": [{"id": str(uuid.uuid4()), "freq": "HOURLY"}]}, "$[0].schedules[0].freq", "WEEKLY"),
        ({"schedules": [{"id": str(uuid.uuid4()), "count": 2.5}]}, "$[0].schedules[0].count", "whole number"),
        (
            {"schedules": [{"id": str(uuid.uuid4()), "valid_from": "31/12/2025"}]},
            "$[0].schedules[0].valid_from",
            "date",
        ),
        ({"phones": [{"id": str(uuid.uuid4())}]}, "$[0].phones[0].number", "is required"),
        ({"phones": [{"number": "1"}]}, "$[0].phones[0].id", "is required (a uuid)"),
        ({"phones": {"id": "x"}}, "$[0].phones", "expected a list"),
        ({"phones": ["020 7946 0000"]}, "$[0].phones[0]", "expected an object"),
        (
            {
                "service_at_locations": [
                    {"id": str(uuid.uuid4()), "location": {"id": str(uuid.uuid4()), "location_type": "boat"}}
                ]
            },
            "$[0].service_at_locations[0].location.location_type",
            '"boat" is not one of: physical, postal, virtual',
        ),
    ],
)
def test_each_kind_of_bad_value_is_reported_where_it_is(
    fields: dict[str, Any], location: str, reason: str
) -> None:
    bundle = read_hsds_json([service(**fields)], file="services.json")

    problem = only_problem(bundle)
    assert problem.location == location
    assert reason in problem.reason


UNSAFE_ADDRESSES = [
    "javascript:alert(1)",
    " JavaScript:alert(1)",
    "java\tscript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "mailto:hello@example.org",
]


@pytest.mark.parametrize("address", UNSAFE_ADDRESSES)
@pytest.mark.parametrize(
    ("fields", "location"),
    [
        ({"url": "{}"}, "$[0].url"),
        (
            {"organization": {"id": str(uuid.uuid4()), "name": "Riverside", "website": "{}"}},
            "$[0].organization.website",
        ),
        (
            {"organization": {"id": str(uuid.uuid4()), "name": "Riverside", "logo": "{}"}},
            "$[0].organization.logo",
        ),
        (
            {"schedules": [{"id": str(uuid.uuid4()), "schedule_link": "{}"}]},
            "$[0].schedules[0].schedule_link",
        ),
        ({"required_documents": [{"id": str(uuid.uuid4()), "uri": "{}"}]}, "$[0].required_documents[0].uri"),
    ],
)
def test_web_addresses_other_than_http_and_https_are_refused(
    address: str, fields: dict[str, Any], location: str
) -> None:
    record = json.loads(json.dumps(fields).replace('"{}"', json.dumps(address)))

    problem = only_problem(read_hsds_json([service(**record)], file="services.json"))

    assert problem.location == location
    assert problem.field == location.rsplit(".", 1)[-1]
    assert "is not a web address: use one starting https:// or http://" in problem.reason


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://example.org/clubs", "https://example.org/clubs"),
        ("HTTP://example.org", "HTTP://example.org"),
        ("  www.example.org\n", "www.example.org"),
        ("example.org:8080/clubs", "example.org:8080/clubs"),
        ("//example.org/clubs", "//example.org/clubs"),
    ],
)
def test_web_addresses_with_http_https_or_no_scheme_are_kept(given: str, kept: str) -> None:
    bundle = read_hsds_json([service(url=given)], file="services.json")

    assert problems(bundle) == []
    assert next(iter(bundle.rows["service"].values()))["url"] == kept


def test_names_written_as_html_keep_only_their_text() -> None:
    record = service(
        name="<img src=x onerror=alert(1)>Club",
        alternate_name="<b>Lunch</b>\n<i>club</i>",
        contacts=[
            {"id": str(uuid.uuid4()), "name": "<script>alert(1)</script>Ann", "title": "Fish <3 chips"}
        ],
    )

    bundle = read_hsds_json([record], file="services.json")

    assert problems(bundle) == []
    row = next(iter(bundle.rows["service"].values()))
    contact = next(iter(bundle.rows["contact"].values()))
    assert (row["name"], row["alternate_name"]) == ("Club", "Lunch club")
    assert (contact["name"], contact["title"]) == ("Ann", "Fish <3 chips")  # not HTML: kept as it is


def test_values_are_normalised_leniently_where_meaning_is_clear() -> None:
    record = service(
        status="Active",
        minimum_age="12",
        schedules=[
            {
                "id": str(uuid.uuid4()),
                "freq": "weekly",
                "byday": "tu, th",
                "opens_at": "9:30",
                "closes_at": "24:00",
            }
        ],
    )

    bundle = read_hsds_json([record], file="services.json")

    assert problems(bundle) == []
    row = next(iter(bundle.rows["service"].values()))
    schedule = next(iter(bundle.rows["schedule"].values()))
    assert (row["status"], row["minimum_age"]) == ("active", 12.0)
    assert (schedule["freq"], schedule["byday"]) == ("WEEKLY", "TU,TH")
    assert (schedule["opens_at"], schedule["closes_at"]) == (dt.time(9, 30), dt.time(23, 59, 59))


def test_a_page_of_services_and_a_single_service_are_both_read() -> None:
    page = read_hsds_json({"contents": [service(), service()], "total_items": 2}, file="page.json")
    single = read_hsds_json(service(), file="one.json")

    assert len(page.rows["service"]) == 2 and len(page.units) == 2
    assert len(single.rows["service"]) == 1


def test_descriptions_are_sanitised_on_the_way_in() -> None:
    bundle = read(IMPORTS / "services-with-problems.json", None)

    lunch = bundle.rows["service"][uuid.UUID("0b7b6c50-5b1f-4a4e-9d6a-2f1f3c0b9a11")]
    assert lunch["description"] == "A hot lunch and a chat, every Tuesday."


def test_fields_linkwork_does_not_keep_are_noted_once_with_a_count() -> None:
    bundle = read_hsds_json([service(colour="red"), service(colour="blue")], file="services.json")

    assert problems(bundle) == []
    assert [str(note) for note in bundle.warnings] == [
        "services.json $[0].colour: is not a field linkwork keeps for service; ignored (2 times)"
    ]


def test_connector_fact_attributes_become_facts_not_attribute_rows() -> None:
    step_free = FACTS_BY_CODE["step-free"]
    group_size = FACTS_BY_CODE["group-size"]
    record = service(
        attributes=[
            {"id": str(uuid.uuid4()), "taxonomy_term_id": str(step_free.term_id), "value": "true"},
            {
                "id": str(uuid.uuid4()),
                "taxonomy_term": {"id": str(group_size.term_id), "name": "x"},
                "value": "small",
            },
            {
                "id": str(uuid.uuid4()),
                "taxonomy_term_id": str(CLOSURE_TERM_ID),
                "value": "2025-08-01/2025-08-31 Summer",
            },
        ]
    )

    bundle = read_hsds_json([record], file="services.json")

    assert problems(bundle) == []
    service_id = uuid.UUID(record["id"])
    assert bundle.facts[service_id] == {"step_free": True, "group_size": "small"}
    assert [(c.starts_on, c.ends_on, c.reason) for c in bundle.closures[service_id]] == [
        (dt.date(2025, 8, 1), dt.date(2025, 8, 31), "Summer")
    ]
    assert bundle.rows["attribute"] == {} and bundle.rows["taxonomy_term"] == {}


@pytest.mark.parametrize(
    ("code", "value", "reason"),
    [
        ("step-free", "perhaps", "expected true or false"),
        ("booking", "whenever", "expected one of drop_in, booking_needed"),
        (None, "2025-08-31/2025-08-01", "ends before it starts"),
        (None, "August", 'expected "YYYY-MM-DD/YYYY-MM-DD"'),
    ],
)
def test_bad_fact_and_closure_values_are_problems(code: str | None, value: str, reason: str) -> None:
    term_id = FACTS_BY_CODE[code].term_id if code else CLOSURE_TERM_ID
    record = service(attributes=[{"id": str(uuid.uuid4()), "taxonomy_term_id": str(term_id), "value": value}])

    problem = only_problem(read_hsds_json([record], file="services.json"))

    assert problem.location == "$[0].attributes[0].value"
    assert reason in problem.reason


def test_re_import_replacement_is_recorded_only_for_lists_the_file_gives() -> None:
    record = service(phones=[], schedules=[{"id": str(uuid.uuid4())}])

    bundle = read_hsds_json([record], file="services.json")

    service_id = uuid.UUID(record["id"])
    assert bundle.relations == {
        ("service", "phone", "service_id"): {service_id},
        ("service", "schedule", "service_id"): {service_id},
    }


# --- Files that cannot be read ----------------------------------------------------------------


def test_malformed_json_is_one_problem_with_its_line_and_column() -> None:
    bundle = read(IMPORTS / "broken.json", None)

    assert [str(p) for p in bundle.fatal] == [
        "broken.json line 5, column 74: is not valid JSON: Expecting ',' delimiter"
    ]


def test_json_nested_absurdly_deep_is_refused_without_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)

    bundle = read(path, "hsds-json")

    assert "nested too deeply" in bundle.fatal[0].reason


def test_a_file_that_is_not_utf8_is_one_clear_problem(tmp_path: Path) -> None:
    path = tmp_path / "services.json"
    path.write_bytes(b'[{"name": "Caf\xe9"}]')

    assert read(path, None).fatal[0].reason == "is not UTF-8 text; save it as UTF-8 and try again"


# --- HSDS CSV package -------------------------------------------------------------------------


def test_official_csv_package_is_read_by_standard_file_names() -> None:
    bundle = read(EXAMPLES / "csv", None)

    assert problems(bundle) == []
    assert {table: len(rows) for table, rows in bundle.rows.items()} == dict.fromkeys(bundle.rows, 1)
    assert [str(note) for note in bundle.warnings] == [
        "datapackage.json: is not a data package descriptor; the standard HSDS file names were used",
        "meta_table_descriptions.csv: is not an HSDS table linkwork keeps; ignored",
    ]
    # References to records the package does not carry are kept.
    contact = next(iter(bundle.rows["contact"].values()))
    assert contact["organization_id"] == uuid.UUID("ae67a707-5893-4225-b0b1-320ab9cb596b")


def test_the_datapackage_descriptor_names_the_files_when_it_is_one(tmp_path: Path) -> None:
    package = tmp_path / "package"
    (package / "data").mkdir(parents=True)
    shutil.copy(EXAMPLES / "csv" / "services.csv", package / "data" / "the-services.csv")
    descriptor = {"resources": [{"name": "service", "path": "data/the-services.csv"}]}
    (package / "datapackage.json").write_text(json.dumps(descriptor))

    bundle = read(package / "datapackage.json", None)

    assert bundle.fmt == "hsds-csv"
    assert list(bundle.rows["service"]) == [SERVICE_ID]


def csv_package(tmp_path: Path, **tables: str) -> Path:
    package = tmp_path / "package"
    package.mkdir()
    for name, text in tables.items():
        (package / f"{name}.csv").write_text(text)
    return package


def test_csv_problems_name_the_file_row_and_column(tmp_path: Path) -> None:
    package = csv_package(
        tmp_path,
        services=f"id,name,status,assured_date\n{SERVICE_ID},Lunch club,active,2025-02-30\n",
        phones=f"id,service_id,number\nphone-1,{SERVICE_ID},020 7946 0000\n",
    )

    bundle = read(package, None)

    assert [str(p) for p in problems(bundle)] == [
        'services.csv row 2: assured_date: "2025-02-30" is not a date (use YYYY-MM-DD, like 2025-03-31)',
        'phones.csv row 2: id: "phone-1" is not a uuid (like 3a19ff88-4620-4d17-9830-ac1d859eb5d5)',
    ]
    # The phone without a usable id still counts against its service.
    assert len(bundle.units) == 1


def test_a_csv_row_with_the_wrong_number_of_values_is_a_problem_for_that_row(tmp_path: Path) -> None:
    other = uuid.uuid4()
    package = csv_package(
        tmp_path,
        services=f"id,name,status\n{SERVICE_ID},Lunch club,active\n{other},Walk,active,extra\n",
    )

    bundle = read(package, None)

    assert [str(p) for p in problems(bundle)] == [
        "services.csv row 3: has 4 values but the header has 3 columns"
    ]
    assert list(bundle.rows["service"]) == [SERVICE_ID]


def test_a_csv_id_used_twice_in_one_table_is_a_problem(tmp_path: Path) -> None:
    package = csv_package(
        tmp_path, services=f"id,name,status\n{SERVICE_ID},A,active\n{SERVICE_ID},B,active\n"
    )

    problem = only_problem(read(package, None))

    assert (problem.location, problem.reason) == ("row 3", "the same id is used again (first at row 2)")


def test_a_csv_package_groups_each_service_with_the_rows_that_hang_off_it(tmp_path: Path) -> None:
    location_id, sal_id, phone_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    package = csv_package(
        tmp_path,
        services=f"id,name,status\n{SERVICE_ID},Lunch club,active\n",
        service_at_location=f"id,service_id,location_id\n{sal_id},{SERVICE_ID},{location_id}\n",
        phones=f"id,service_at_location_id,number\n{phone_id},{sal_id},1\n",
        locations=f"id,location_type\n{location_id},physical\n",
    )

    bundle = read(package, None)

    service_unit = next(unit for unit in bundle.units if unit.service_ids)
    assert service_unit.keys == {
        ("service", SERVICE_ID),
        ("service_at_location", sal_id),
        ("phone", phone_id),
    }
    assert [unit.keys for unit in bundle.units if not unit.service_ids] == [{("location", location_id)}]


def test_fact_rows_in_a_csv_package_set_facts(tmp_path: Path) -> None:
    parking = FACTS_BY_CODE["parking"]
    package = csv_package(
        tmp_path,
        services=f"id,name,status\n{SERVICE_ID},Lunch club,active\n",
        attributes=f"id,link_id,taxonomy_term_id,link_entity,value\n{uuid.uuid4()},{SERVICE_ID},{parking.term_id},service,no\n",
    )

    bundle = read(package, None)

    assert bundle.facts == {SERVICE_ID: {"parking": False}}
    assert bundle.rows["attribute"] == {}


# --- Open Referral UK 1.0 ---------------------------------------------------------------------


def test_the_north_lincolnshire_feed_reads_completely() -> None:
    bundle = read(NORTH_LINCS, None)

    assert problems(bundle) == []
    assert (len(bundle.rows["service"]), len(bundle.rows["organization"])) == (738, 239)
    assert not any("<" in row.get("description", "") for row in bundle.rows["service"].values())
    assert not any("&amp;" in row.get("description", "") for row in bundle.rows["service"].values())


def test_oruk_ids_that_are_not_uuids_become_stable_uuids_and_are_remembered() -> None:
    bundle = read(IMPORTS / "oruk-v1-full.json", None)

    shed = import_id("oruk-v1", "service", "1502")
    organisation = import_id("oruk-v1", "organization", "77")
    assert set(bundle.rows["service"]) == {shed, import_id("oruk-v1", "service", "1503")}
    assert bundle.source_notes[shed] == "id 1502"
    assert bundle.rows["service"][shed]["organization_id"] == organisation
    identifier = next(iter(bundle.rows["organization_identifier"].values()))
    assert (identifier["organization_id"], identifier["identifier_type"], identifier["identifier"]) == (
        organisation,
        "ORUK 1.0 id",
        "77",
    )


def test_a_full_oruk_service_maps_onto_hsds_tables() -> None:
    bundle = read(IMPORTS / "oruk-v1-full.json", None)

    shed_id = import_id("oruk-v1", "service", "1502")
    shed = bundle.rows["service"][shed_id]
    assert shed["description"] == "Woodwork, tea and company.\n\n- Tools provided\n- No experience needed"
    assert shed["url"] == "https://www.example.org/shed"
    assert shed["status"] == "active"
    assert "email" not in shed  # "" means no value
    assert (shed["minimum_age"], shed["eligibility_description"]) == (18, "Adults")
    schedules = sorted(bundle.rows["schedule"].values(), key=lambda row: str(row.get("valid_from")))
    assert (schedules[1]["byday"], schedules[1]["freq"]) == ("TU,TH", "WEEKLY")
    assert (schedules[0]["valid_from"], schedules[0]["valid_to"]) == (
        dt.date(2025, 8, 1),
        dt.date(2025, 8, 31),
    )
    assert [(c.starts_on, c.ends_on) for c in bundle.closures[shed_id]] == [
        (dt.date(2025, 12, 24), dt.date(2026, 1, 2))
    ]
    location = next(iter(bundle.rows["location"].values()))
    assert (location["name"], location["latitude"], location["location_type"]) == (
        "The Old Forge",
        51.52,
        "physical",
    )
    address = next(iter(bundle.rows["address"].values()))
    assert (address["postal_code"], address["address_type"]) == ("W10 6AB", "physical")
    phone = next(iter(bundle.rows["phone"].values()))
    assert phone["contact_id"] == next(iter(bundle.rows["contact"]))
    terms = {row["name"] for row in bundle.rows["taxonomy_term"].values()}
    assert terms == {"Social activity", "Venue", "Drop-in", "Online", "Men's health"}
    assert bundle.facts[shed_id] == {"booking": "drop_in"}
    assert bundle.facts[import_id("oruk-v1", "service", "1503")] == {"online_option": True}
    assert [note.field for note in bundle.warnings] == ["reviews"]


def test_supplier_extensions_fill_eligibility_and_dates() -> None:
    item = {
        "id": str(uuid.uuid4()),
        "name": "Carers' cafe",
        "organization": {"id": str(uuid.uuid4()), "name": "Carers First", "description": ""},
        "assured_date": "",
        "pc_targetAudience": [
            {"id": "1", "audienceType": "Carers "},
            {"id": "2", "audienceType": "Parents>Grandparents"},
        ],
        "pc_attendingAccess_additionalInfo": "<p>Book by phone</p>",
        "pc_metadata": {
            "date_modified": "2024-12-10",
            "date_assured": "2024-11-01",
            "assured_by": "[redacted]",
        },
    }

    bundle = read_oruk_v1([item], file="feed.json")

    assert problems(bundle) == []
    row = next(iter(bundle.rows["service"].values()))
    assert row["eligibility_description"] == "Who it is for: Carers; Parents > Grandparents."
    assert row["application_process"] == "Book by phone"
    assert row["assured_date"] == dt.date(2024, 11, 1)
    assert row["last_modified"] == dt.datetime(2024, 12, 10, tzinfo=dt.UTC)
    assert "assurer_email" not in row


def test_oruk_problems_use_the_feeds_own_field_names() -> None:
    item = {"id": "9", "name": "", "status": "open", "organization": {"id": "1", "name": "Org", "url": 5}}

    bundle = read_oruk_v1({"content": [item]}, file="feed.json")

    assert [(p.location, p.reason) for p in problems(bundle)] == [
        ("$.content[0].status", '"open" is not one of: active, inactive, defunct, temporarily closed'),
        ("$.content[0].name", "is required"),
    ]


def test_oruk_service_without_an_organisation_is_a_problem() -> None:
    problem = only_problem(read_oruk_v1([{"id": "1", "name": "Lonely"}], file="feed.json"))

    assert (problem.location, problem.reason) == ("$[0].organization", "is required")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("www.example.org", "https://www.example.org"),
        ("example.org/path?a=1", "https://example.org/path?a=1"),
        ("HTTPS://example.org", "HTTPS://example.org"),
        ("someone@example.org", "someone@example.org"),
        ("not a web address", "not a web address"),
    ],
)
def test_bare_web_addresses_get_https(given: str, expected: str) -> None:
    assert web_address(given) == expected


# --- Simple spreadsheet -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tue;Thu", ["TU", "TH"]),
        ("Mon-Fri", ["MO", "TU", "WE", "TH", "FR"]),
        ("Sat - Mon", ["SA", "SU", "MO"]),
        ("first Fri", ["1FR"]),
        ("last Wednesday", ["-1WE"]),
        ("tuesdays and thursdays", ["TU", "TH"]),
        ("daily", ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]),
        ("", []),
        ("Someday", None),
        ("Mon-Funday", None),
    ],
)
def test_spreadsheet_days(text: str, expected: list[str] | None) -> None:
    assert _parse_days(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10am", "10:00"),
        ("2.30pm", "14:30"),
        ("12am", "00:00"),
        ("14:00", "14:00"),
        ("1400", "14:00"),
        ("noon", "12:00"),
        ("soon", "soon"),
    ],
)
def test_spreadsheet_times(text: str, expected: str) -> None:
    assert _clock(text) == expected


@pytest.mark.django_db
def test_a_simple_sheet_becomes_services_with_places_sessions_prices_and_facts() -> None:
    bundle = read(IMPORTS / "simple.csv", None)

    assert problems(bundle) == []
    lunch_id = import_id("csv", "service", "age friendly riverside", "lunch club")
    walk_id = import_id("csv", "service", "age friendly riverside", "walking group")
    assert set(bundle.rows["service"]) == {lunch_id, walk_id}
    lunch = bundle.rows["service"][lunch_id]
    assert lunch["description"] == "A hot lunch and a chat.\nEveryone welcome."
    assert lunch["minimum_age"] == 60
    schedules = {row["service_id"]: row for row in bundle.rows["schedule"].values()}
    assert (schedules[lunch_id]["byday"], schedules[lunch_id]["opens_at"]) == ("TU,TH", dt.time(12))
    assert schedules[lunch_id]["description"] == "Term time only"
    assert (schedules[walk_id]["byday"], schedules[walk_id]["freq"]) == ("1FR", "MONTHLY")
    assert bundle.facts[lunch_id] == {"newcomers_met": True, "cost_band": "low_cost", "step_free": True}
    assert bundle.facts[walk_id] == {"cost_band": "free", "step_free": False}
    assert [row["amount"] for row in bundle.rows["cost_option"].values()] == [3.5]
    assert sorted(row["name"] for row in bundle.rows["language"].values()) == ["English", "Polish"]
    assert sorted(row["name"] for row in bundle.rows["taxonomy_term"].values()) == [
        "Food",
        "Physical activity",
        "Social",
    ]


@pytest.mark.django_db
def test_a_simple_sheet_places_postcodes_without_coordinates() -> None:
    bundle = read(IMPORTS / "simple.csv", None)

    places = sorted((row["latitude"], row["longitude"]) for row in bundle.rows["location"].values())
    postcodes = sorted(row["postal_code"] for row in bundle.rows["address"].values())
    assert postcodes == ["W10 6AB", "W11"]
    assert all(51.4 < latitude < 51.6 and -0.3 < longitude < -0.1 for latitude, longitude in places)


@pytest.mark.django_db
def test_simple_sheet_problems_are_reported_by_row(tmp_path: Path) -> None:
    bundle = read(IMPORTS / "simple-with-problems.csv", None)

    assert [str(p) for p in problems(bundle)] == [
        "simple-with-problems.csv row 3: organisation: is required",
        "simple-with-problems.csv row 4: has 5 values but the header has 4 columns",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ({"days": "Someday"}, "days", "is not a list of days"),
        ({"opens_at": "10am"}, "days", "say which days the times are for"),
        ({"postcode": "not a postcode"}, "postcode", "Enter a full postcode"),
        ({"postcode": "ZZ99 9ZZ"}, "postcode", "We do not recognise that postcode"),
        ({"latitude": "51.5"}, "longitude", "give both latitude and longitude"),
        ({"latitude": "151.5", "longitude": "0"}, "latitude", "should be between -90 and 90"),
        ({"age_min": "-3"}, "age_min", "should be an age"),
        ({"age_min": "30", "age_max": "20"}, "age_min", "is more than age_max"),
        ({"step_free": "maybe"}, "step_free", "expected true or false"),
        ({"cost": "cheap"}, "cost", "expected one of free, low_cost, paid"),
        ({"email": "lunch at example"}, "email", "is not an e-mail address"),
        ({"url": "javascript:alert(1)"}, "url", "is not a web address"),
        ({"opens_at": "whenever", "days": "Tue"}, "opens_at", "is not a time"),
    ],
)
def test_each_bad_spreadsheet_cell_is_reported(
    tmp_path: Path, cells: dict[str, str], column: str, reason: str
) -> None:
    columns = ["name", "organisation", *cells]
    path = tmp_path / "sheet.csv"
    path.write_text(",".join(columns) + "\n" + ",".join(["Lunch club", "Riverside", *cells.values()]) + "\n")

    problem = only_problem(read(path, None))

    assert (problem.location, problem.field) == ("row 2", column)
    assert reason in problem.reason


@pytest.mark.django_db
def test_a_sheet_without_a_name_column_is_refused_as_a_whole(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("title,organisation\nLunch,Riverside\n")

    bundle = read(path, None)

    assert [str(p) for p in bundle.fatal] == ["sheet.csv row 1: name: the sheet needs a column called 'name'"]


@pytest.mark.django_db
def test_a_sheet_saved_from_excel_as_windows_text_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_bytes("name;organisation\nCaf\xe9 club;Riverside\n".encode("cp1252"))

    bundle = read(path, None)

    assert problems(bundle) == []
    assert [row["name"] for row in bundle.rows["service"].values()] == ["Café club"]
    assert "is not UTF-8" in bundle.warnings[0].reason


@pytest.mark.django_db
def test_the_same_service_twice_in_a_sheet_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("name,organisation\nLunch club,Riverside\nlunch  club,RIVERSIDE\n")

    problem = only_problem(read(path, None))

    assert (problem.location, problem.field) == ("row 3", "name")
    assert "is the same service as row 2" in problem.reason


# --- The copies of shared reference files -----------------------------------------------------


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not beside the project")
def test_fixture_copies_match_the_shared_reference_files() -> None:
    source = SHARED / "standards" / "hsds" / "examples"
    for copy in EXAMPLES.glob("*.json"):
        assert copy.read_bytes() == (source / copy.name).read_bytes(), copy.name
    for copy in (EXAMPLES / "csv").iterdir():
        assert copy.read_bytes() == (source / "csv" / copy.name).read_bytes(), copy.name
    assert (
        NORTH_LINCS.read_bytes()
        == (SHARED / "samples" / "north-lincolnshire-oruk-v1" / "services.json").read_bytes()
    )


def test_an_exports_copies_of_the_connector_taxonomy_are_not_stored(tmp_path: Path) -> None:
    step_free = FACTS_BY_CODE["step-free"]
    package = csv_package(
        tmp_path,
        taxonomy_terms=f"id,name,description\n{step_free.term_id},Step-free,x\n{uuid.uuid4()},Arts,y\n",
        taxonomies=f"id,name,description\n{connector_facts.TAXONOMY_ID},linkwork connector facts,z\n",
    )

    bundle = read(package, None)

    assert problems(bundle) == []
    assert [row["name"] for row in bundle.rows["taxonomy_term"].values()] == ["Arts"]
    assert bundle.rows["taxonomy"] == {}


@pytest.mark.django_db
def test_a_spreadsheet_id_that_is_not_a_uuid_becomes_a_stable_one(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("id,name,organisation\nLC-1,Lunch club,Riverside\n")

    bundle = read(path, None)

    service_id = import_id("csv", "service", "LC-1")
    assert list(bundle.rows["service"]) == [service_id]
    assert bundle.source_notes == {service_id: "id LC-1"}
