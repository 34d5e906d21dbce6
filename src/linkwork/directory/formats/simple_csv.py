"""A simple spreadsheet of services, one row each, saved as CSV (see docs/directory-import.md).

Column names are matched without regard to case, spaces or hyphens ("Age min", "age-min" and
"age_min" are the same column), and some have other accepted names (`ALIASES`). Only `name` and
`organisation` are required. Each row becomes a service with, as the row gives them, its
organisation, one place (location, address and coordinates), a phone number, one session pattern
(schedule), a price (cost option), languages, categories (attributes) and the connector facts.

Ids: an `id` column holding a uuid is used as it is; any other id is turned into a stable uuid; with
no id, the id comes from the organisation and the service name, so re-importing the same sheet
updates its services (renaming a service in the sheet makes it a new entry). Records made from a row
get ids derived from the service's, so a re-import replaces them rather than adding more.

An organisation or category with the same name as one already in the directory (ignoring case) is
that one; new names become new organisations, and new categories in the "Categories" taxonomy.
Without latitude and longitude, a postcode gives the centre of its postcode sector or district.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from pathlib import Path
from typing import Any

from django.db.models.functions import Lower

from linkwork.core.errors import ValidationFailed
from linkwork.directory import geography
from linkwork.directory.connector_facts import FACTS, Fact, parse_fact
from linkwork.directory.formats import (
    Builder,
    Bundle,
    FileProblem,
    ImportProblem,
    import_id,
    parse_uuid,
)
from linkwork.directory.models import Organization, TaxonomyTerm

CATEGORY_TAXONOMY_ID = import_id("csv", "taxonomy", "categories")
CATEGORY_TAXONOMY = {
    "id": CATEGORY_TAXONOMY_ID,
    "name": "Categories",
    "description": "Categories of services, as given in imported spreadsheets.",
}

FACT_COLUMNS = {fact.column: fact for fact in FACTS}
COLUMNS = (
    "id",
    "name",
    "description",
    "organisation",
    "url",
    "email",
    "phone",
    "location_name",
    "address_1",
    "address_2",
    "city",
    "postcode",
    "latitude",
    "longitude",
    "category",
    "days",
    "opens_at",
    "closes_at",
    "schedule_note",
    "cost",
    "amount",
    "cost_note",
    "age_min",
    "age_max",
    "languages",
    "eligibility",
    "status",
    *(column for column in FACT_COLUMNS if column != "cost_band"),
)
ALIASES = {
    "organization": "organisation",
    "organisation_name": "organisation",
    "organization_name": "organisation",
    "provider": "organisation",
    "website": "url",
    "web_address": "url",
    "e_mail": "email",
    "telephone": "phone",
    "phone_number": "phone",
    "venue": "location_name",
    "address": "address_1",
    "address_line_1": "address_1",
    "address_line_2": "address_2",
    "town": "city",
    "postal_code": "postcode",
    "post_code": "postcode",
    "lat": "latitude",
    "lon": "longitude",
    "lng": "longitude",
    "categories": "category",
    "day": "days",
    "opens": "opens_at",
    "start_time": "opens_at",
    "closes": "closes_at",
    "end_time": "closes_at",
    "when": "schedule_note",
    "frequency_note": "schedule_note",
    "frequency": "schedule_note",
    "cost_band": "cost",
    "price": "amount",
    "minimum_age": "age_min",
    "maximum_age": "age_max",
    "language": "languages",
    "eligibility_description": "eligibility",
    "who_it_is_for": "eligibility",
}

_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_WORDS = {
    **{code.lower(): code for code in _DAYS},
    **{
        word: _DAYS[index]
        for index, names in enumerate(
            (
                ("mon", "monday", "mondays"),
                ("tue", "tues", "tuesday", "tuesdays"),
                ("wed", "weds", "wednesday", "wednesdays"),
                ("thu", "thur", "thurs", "thursday", "thursdays"),
                ("fri", "friday", "fridays"),
                ("sat", "saturday", "saturdays"),
                ("sun", "sunday", "sundays"),
            )
        )
        for word in names
    },
}
_ORDINALS = {
    "first": "1",
    "1st": "1",
    "second": "2",
    "2nd": "2",
    "third": "3",
    "3rd": "3",
    "fourth": "4",
    "4th": "4",
    "last": "-1",
}
_DAY_TOKEN = re.compile(r"(?:(first|second|third|fourth|last|1st|2nd|3rd|4th|[+-]?\d)\s*)?([a-z]+)")
_CLOCK = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?")
DAYS_HELP = 'use days like "Tue;Thu", "Mon-Fri" or "first Fri"'


def _column_name(header: str) -> str:
    name = re.sub(r"[\s\-]+", "_", header.strip().lower())
    return ALIASES.get(name, name)


def read_sheet(path: Path) -> Bundle:
    builder = Builder(path.name, "csv")
    try:
        header, rows = _read(path, builder)
    except FileProblem as error:
        builder.fatal.append(error.problem)
        return builder.bundle()
    missing = [name for name in ("name", "organisation") if name not in header]
    if missing:
        builder.fatal.append(
            ImportProblem(path.name, "row 1", missing[0], f"the sheet needs a column called {missing[0]!r}")
        )
        return builder.bundle()
    for name in header:
        if name not in COLUMNS and name:
            builder.notes.append(
                ImportProblem(path.name, "row 1", name, "is not a column linkwork reads; ignored")
            )
    _Sheet(builder, rows).read()
    return builder.bundle()


def _read(path: Path, builder: Builder) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise FileProblem(path.name, f"cannot be read: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
        builder.notes.append(
            ImportProblem(path.name, "", "", "is not UTF-8; it was read as Windows text (save as CSV UTF-8)")
        )
    first_line = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first_line:
        delimiter = "\t" if "\t" in first_line else ";" if ";" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        header_cells = next(reader, None)
        if header_cells is None:
            raise FileProblem(path.name, "is empty")
        header = [_column_name(cell) for cell in header_cells]
        duplicated = sorted({name for name in header if name and header.count(name) > 1})
        if duplicated:
            raise FileProblem(path.name, f"has the column {duplicated[0]!r} twice", "row 1")
        for number, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue
            if len(record) > len(header) and any(cell.strip() for cell in record[len(header) :]):
                reason = f"has {len(record)} values but the header has {len(header)} columns"
                rows.append((number, {"!": reason}))
                continue
            rows.append((number, dict(zip(header, record, strict=False))))
    except csv.Error as error:
        raise FileProblem(path.name, f"is not valid CSV: {error}", f"row {reader.line_num}") from None
    return header, rows


class _Sheet:
    def __init__(self, builder: Builder, rows: list[tuple[int, dict[str, str]]]) -> None:
        self.builder = builder
        self.rows = rows
        self.services: dict[uuid.UUID, int] = {}
        names = {_folded(row.get("organisation", "")) for _, row in rows} - {""}
        self.organisations: dict[str, uuid.UUID] = {}
        for folded, organisation_id in (
            Organization.objects.annotate(folded=Lower("name"))
            .filter(folded__in=names)
            .order_by("-pk")
            .values_list("folded", "id")
        ):
            self.organisations[folded] = organisation_id
        categories = {
            _folded(category) for _, row in rows for category in _split(row.get("category", ""))
        } - {""}
        self.terms: dict[str, uuid.UUID] = {}
        for folded, term_id in (
            TaxonomyTerm.objects.annotate(folded=Lower("name"))
            .filter(folded__in=categories)
            .order_by("-pk")
            .values_list("folded", "id")
        ):
            self.terms[folded] = term_id

    def read(self) -> None:
        for number, row in self.rows:
            self.row(number, row)

    def problem(self, number: int, column: str, reason: str) -> None:
        self.builder.problem(f"row {number}", column, reason)

    def row(self, number: int, row: dict[str, str]) -> None:
        builder = self.builder
        builder.begin_unit(f"row {number}")
        if "!" in row:
            self.problem(number, "", row["!"])
            return

        def cell(column: str) -> str:
            return (row.get(column) or "").strip()

        name, organisation = cell("name"), cell("organisation")
        for column, value in (("name", name), ("organisation", organisation)):
            if not value:
                self.problem(number, column, "is required")
        if not name or not organisation:
            return
        service_id = self.service_id(number, cell("id"), organisation, name)
        if service_id is None:
            return
        organization_id = self.organization(organisation)
        status = cell("status") or "active"
        hsds = {
            "name": name,
            "description": cell("description"),
            "url": cell("url"),
            "email": cell("email"),
            "status": status,
            "minimum_age": cell("age_min"),
            "maximum_age": cell("age_max"),
            "eligibility_description": cell("eligibility"),
        }
        names = {"minimum_age": "age_min", "maximum_age": "age_max", "eligibility_description": "eligibility"}
        values = builder.convert("service", hsds, f"row {number}", names=names, separator=None)
        for column in ("minimum_age", "maximum_age"):
            if values.get(column, 0) < 0 or values.get(column, 0) > 150:
                self.problem(number, names[column], "should be an age between 0 and 150")
        if values.get("minimum_age", 0) > values.get("maximum_age", 150):
            self.problem(number, "age_min", "is more than age_max")
        values |= {"id": service_id, "organization_id": organization_id}
        builder.put("service", values)
        for relation in ("phone", "schedule", "service_at_location", "cost_option", "language"):
            builder.relate("service", service_id, relation, "service_id")
        builder.relate("service", service_id, "attribute", "link_id")
        self.facts(number, service_id, row)
        self.place(number, service_id, organization_id, cell)
        if phone := cell("phone"):
            self.put(
                "phone",
                {"id": import_id("csv", service_id, "phone"), "service_id": service_id, "number": phone},
                number,
            )
        self.schedule(number, service_id, cell)
        if cell("amount") or cell("cost_note"):
            option = {
                "id": import_id("csv", service_id, "cost"),
                "service_id": service_id,
                "amount": cell("amount").lstrip("£"),
                "currency": "GBP" if cell("amount") else "",
                "amount_description": cell("cost_note"),
            }
            self.put("cost_option", option, number, {"amount_description": "cost_note"})
        for language in _split(cell("languages")):
            language_id = import_id("csv", service_id, "language", _folded(language))
            self.put(
                "language",
                {"id": language_id, "service_id": service_id, "name": language},
                number,
                {"name": "languages"},
            )
        for category in _split(cell("category")):
            self.category(number, service_id, category)

    def service_id(self, number: int, given: str, organisation: str, name: str) -> uuid.UUID | None:
        if not given:
            service_id = import_id("csv", "service", _folded(organisation), _folded(name))
        else:
            try:
                service_id = parse_uuid(given)
            except ValueError:
                service_id = import_id("csv", "service", given)
                self.builder.source_notes[service_id] = f"id {given}"
        if service_id in self.services:
            reason = f"is the same service as row {self.services[service_id]}"
            self.problem(
                number, "id" if given else "name", reason + ("" if given else "; give each row its own id")
            )
            return None
        self.services[service_id] = number
        return service_id

    def organization(self, organisation: str) -> uuid.UUID:
        folded = _folded(organisation)
        known = self.organisations.get(folded)
        if known is not None:
            return known
        organization_id = import_id("csv", "organisation", folded)
        self.builder.put("organization", {"id": organization_id, "name": " ".join(organisation.split())})
        return organization_id

    def put(
        self, table: str, record: dict[str, Any], number: int, names: dict[str, str] | None = None
    ) -> None:
        values = self.builder.convert(table, record, f"row {number}", names=names, separator=None)
        if self.builder.require(table, values, f"row {number}", names=names, separator=None):
            self.builder.put(table, values)

    def facts(self, number: int, service_id: uuid.UUID, row: dict[str, str]) -> None:
        for column, fact in FACT_COLUMNS.items():
            shown = "cost" if column == "cost_band" else column
            raw = (row.get(shown) or "").strip()
            if not raw:
                continue
            try:
                value = parse_fact(fact, _fact_text(fact, raw))
            except ValueError as error:
                self.problem(number, shown, str(error))
                continue
            self.builder.facts.setdefault(service_id, {})[column] = value

    def place(self, number: int, service_id: uuid.UUID, organization_id: uuid.UUID, cell: Any) -> None:
        builder = self.builder
        postcode = cell("postcode")
        if postcode:
            try:
                postcode = geography.normalise_postcode(postcode)
            except ValidationFailed as error:
                self.problem(number, "postcode", error.message)
                return
        latitude, longitude = cell("latitude"), cell("longitude")
        if bool(latitude) != bool(longitude):
            self.problem(
                number,
                "longitude" if latitude else "latitude",
                "give both latitude and longitude, or neither",
            )
            return
        if not latitude and postcode:
            try:
                place = geography.locate(postcode)
            except ValidationFailed as error:
                self.problem(number, "postcode", error.message)
                return
            latitude, longitude = str(place.latitude), str(place.longitude)
        if not any((cell("location_name"), cell("address_1"), cell("city"), postcode, latitude)):
            return
        location_id = import_id("csv", service_id, "location")
        location = {
            "id": location_id,
            "location_type": "physical",
            "organization_id": organization_id,
            "name": cell("location_name"),
            "latitude": latitude,
            "longitude": longitude,
        }
        values = builder.convert(
            "location", location, f"row {number}", names={"name": "location_name"}, separator=None
        )
        for column, limit in (("latitude", 90), ("longitude", 180)):
            if abs(values.get(column, 0)) > limit:
                self.problem(number, column, f"should be between -{limit} and {limit}")
        builder.put("location", values)
        builder.relate("location", location_id, "address", "location_id")
        if any((cell("address_1"), cell("address_2"), cell("city"), postcode)):
            address = {
                "id": import_id("csv", service_id, "address"),
                "location_id": location_id,
                "address_1": cell("address_1"),
                "address_2": cell("address_2"),
                "city": cell("city"),
                "postal_code": postcode,
                "country": "GB",
                "address_type": "physical",
            }
            self.put("address", address, number, {"postal_code": "postcode"})
        link = {
            "id": import_id("csv", service_id, "service-at-location"),
            "service_id": service_id,
            "location_id": location_id,
        }
        builder.put("service_at_location", link)

    def schedule(self, number: int, service_id: uuid.UUID, cell: Any) -> None:
        days_text, opens, closes, note = (
            cell("days"),
            cell("opens_at"),
            cell("closes_at"),
            cell("schedule_note"),
        )
        if not any((days_text, opens, closes, note)):
            return
        days = _parse_days(days_text)
        if days is None:
            self.problem(number, "days", f"{days_text!r} is not a list of days; {DAYS_HELP}")
            return
        if (opens or closes) and not days:
            self.problem(number, "days", f"say which days the times are for; {DAYS_HELP}")
            return
        schedule: dict[str, Any] = {
            "id": import_id("csv", service_id, "schedule"),
            "service_id": service_id,
            "description": note,
            "opens_at": _clock(opens),
            "closes_at": _clock(closes),
        }
        if days:
            schedule["byday"] = ",".join(days)
            schedule["freq"] = "MONTHLY" if any(day[:-2] for day in days) else "WEEKLY"
        self.put("schedule", schedule, number, {"description": "schedule_note"})

    def category(self, number: int, service_id: uuid.UUID, category: str) -> None:
        builder = self.builder
        folded = _folded(category)
        term_id = self.terms.get(folded)
        if term_id is None:
            term_id = import_id("csv", "category", folded)
            builder.put("taxonomy", dict(CATEGORY_TAXONOMY))
            self.put(
                "taxonomy_term",
                {
                    "id": term_id,
                    "name": " ".join(category.split()),
                    "taxonomy": "Categories",
                    "taxonomy_id": CATEGORY_TAXONOMY_ID,
                },
                number,
                {"name": "category"},
            )
        attribute = {
            "id": import_id("csv", service_id, "category", term_id),
            "link_id": service_id,
            "link_entity": "service",
            "taxonomy_term_id": term_id,
        }
        builder.put("attribute", attribute)


def _folded(text: str) -> str:
    return " ".join(text.split()).lower()


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;|]", text or "") if part.strip()]


def _fact_text(fact: Fact, raw: str) -> str:
    """Spreadsheet wording for a fact: "Y"/"N" for yes and no; a choice by its label or code."""
    if fact.kind == "boolean":
        return {"y": "yes", "n": "no"}.get(raw.lower(), raw)
    if fact.kind == "choice" and fact.choices is not None:
        wanted = re.sub(r"[\s\-]+", "_", raw.strip().lower())
        for code, label in fact.choices.choices:
            if wanted == code or raw.strip().lower() == str(label).lower():
                return str(code)
    return raw


def _parse_days(text: str) -> list[str] | None:
    """RRULE BYDAY codes from "Tue;Thu", "Mon-Fri", "first Fri", "daily"; None when unreadable."""
    if not text:
        return []
    lowered = text.lower().strip()
    if lowered in ("daily", "every day", "everyday", "all week"):
        return list(_DAYS)
    days: list[str] = []
    for part in re.split(r"\s*(?:[;,/&]|\band\b)\s*", lowered):
        if not part:
            continue
        if "-" in part and not part.startswith("-"):
            first, _, last = (piece.strip() for piece in part.partition("-"))
            start, end = _DAY_WORDS.get(first), _DAY_WORDS.get(last)
            if start is None or end is None:
                return None
            index = _DAYS.index(start)
            while True:
                days.append(_DAYS[index])
                if _DAYS[index] == end:
                    break
                index = (index + 1) % 7
            continue
        match = _DAY_TOKEN.fullmatch(part)
        if match is None or match[2] not in _DAY_WORDS:
            return None
        ordinal = _ORDINALS.get(match[1] or "", match[1] or "")
        days.append(f"{ordinal}{_DAY_WORDS[match[2]]}")
    return list(dict.fromkeys(days))


def _clock(text: str) -> str:
    """Spreadsheet times ("10am", "2.30pm", "14:00", "1400", "noon") as HH:MM; others as they are."""
    lowered = text.strip().lower().replace(" ", "")
    if lowered in ("noon", "midday", "12noon"):
        return "12:00"
    if re.fullmatch(r"\d{4}", lowered):
        lowered = f"{lowered[:2]}:{lowered[2:]}"
    match = _CLOCK.fullmatch(lowered)
    if match is None:
        return text
    hour, minute = int(match[1]), int(match[2] or 0)
    if match[3] == "pm" and hour < 12:
        hour += 12
    if match[3] == "am" and hour == 12:
        hour = 0
    if match[2] is None and match[3] is None and hour > 24:
        return text
    return f"{hour:02d}:{minute:02d}"
