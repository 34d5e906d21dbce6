"""HSDS 3.0 JSON: full service objects with everything nested, as the HSDS API returns them.

Accepted shapes: a list of records, one record, a page (`{"contents": [...], "total_items": ...}`), or
the tabular form `{"services.csv": [...], ...}` (HSDS `examples/tabular.json`). The records may be
services (the usual case), organisations with their services, services at locations with their
service, locations, taxonomies or taxonomy terms; each top-level record is one unit.

Nesting gives references: a phone inside a service's contact gets that contact's id as `contact_id`,
a service's organisation object becomes the service's `organization_id`, and so on. A reference given
explicitly in the object wins over the one implied by where it sits.
"""

from __future__ import annotations

import functools
import re
import uuid
from typing import Any

from linkwork.directory.connector_facts import CLOSURE_TERM_ID, FACTS_BY_TERM_ID, Fact, parse_fact
from linkwork.directory.formats import (
    TEXT_LIMIT,
    Builder,
    Bundle,
    ClosureSpec,
    parse_date,
    parse_uuid,
    progress_bar,
)
from linkwork.directory.hsds_tables import COLUMNS as HSDS_COLUMNS
from linkwork.directory.sanitise import sanitise_text

# table -> list key -> (child table, the child's reference to the parent)
LISTS: dict[str, dict[str, tuple[str, str]]] = {
    "service": {
        "phones": ("phone", "service_id"),
        "schedules": ("schedule", "service_id"),
        "service_areas": ("service_area", "service_id"),
        "service_at_locations": ("service_at_location", "service_id"),
        "languages": ("language", "service_id"),
        "funding": ("funding", "service_id"),
        "cost_options": ("cost_option", "service_id"),
        "required_documents": ("required_document", "service_id"),
        "contacts": ("contact", "service_id"),
    },
    "organization": {
        "funding": ("funding", "organization_id"),
        "contacts": ("contact", "organization_id"),
        "phones": ("phone", "organization_id"),
        "locations": ("location", "organization_id"),
        "programs": ("program", "organization_id"),
        "organization_identifiers": ("organization_identifier", "organization_id"),
        "services": ("service", "organization_id"),
    },
    "service_at_location": {
        "contacts": ("contact", "service_at_location_id"),
        "phones": ("phone", "service_at_location_id"),
        "schedules": ("schedule", "service_at_location_id"),
    },
    "location": {
        "languages": ("language", "location_id"),
        "addresses": ("address", "location_id"),
        "contacts": ("contact", "location_id"),
        "accessibility": ("accessibility", "location_id"),
        "phones": ("phone", "location_id"),
        "schedules": ("schedule", "location_id"),
    },
    "contact": {"phones": ("phone", "contact_id")},
    "phone": {"languages": ("language", "phone_id")},
}
# Lists whose members stand on their own: an organisation's file not listing a service, place or
# programme any more does not remove it.
INDEPENDENT = frozenset({"service", "location", "program"})

# table -> object key -> (the object's table, this record's reference to it)
OBJECTS: dict[str, dict[str, tuple[str, str]]] = {
    "service": {
        "organization": ("organization", "organization_id"),
        "program": ("program", "program_id"),
    },
    "service_at_location": {
        "location": ("location", "location_id"),
        "service": ("service", "service_id"),
    },
    "attribute": {"taxonomy_term": ("taxonomy_term", "taxonomy_term_id")},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", "taxonomy_detail_id")},
}

# Keys the walker follows itself, per table.
NESTED = {
    table: frozenset({*LISTS.get(table, {}), *OBJECTS.get(table, {}), "attributes", "metadata"})
    for table in HSDS_COLUMNS
}

_CLOSURE = re.compile(r"(\S+)\s*/\s*(\S+)(?:\s+(.*))?", re.DOTALL)
CLOSURE_FORMAT = (
    'expected "YYYY-MM-DD/YYYY-MM-DD" and an optional reason, like "2025-08-01/2025-08-31 Summer"'
)


def record_kind(item: dict[str, Any]) -> str | None:
    """Which HSDS object a top-level record is, from its fields."""
    keys = set(item)
    if "status" in keys or keys & {"service_areas", "service_at_locations", "required_documents"}:
        return "service"
    if isinstance(item.get("service"), dict) or isinstance(item.get("location"), dict):
        return "service_at_location"
    if keys & {"location_type", "addresses", "accessibility", "latitude", "longitude", "transportation"}:
        return "location"
    if keys & {
        "services",
        "website",
        "tax_status",
        "tax_id",
        "year_incorporated",
        "legal_status",
        "logo",
        "organization_identifiers",
        "programs",
        "locations",
        "parent_organization_id",
    }:
        return "organization"
    if keys & {"taxonomy_detail", "taxonomy_id", "parent_id", "term_uri", "code", "language", "taxonomy"}:
        return "taxonomy_term"
    if "organization" in keys or "organization_id" in keys:
        return "service"
    if "name" in keys and keys <= {"id", "name", "description", "uri", "version", "metadata", "attributes"}:
        return "taxonomy"
    return None


def read_data(data: Any, *, file: str, progress: bool = False) -> Bundle:
    builder = Builder(file, "hsds-json")
    if isinstance(data, dict) and data and all(isinstance(key, str) and key.endswith(".csv") for key in data):
        from linkwork.directory.formats.hsds_csv import read_tables

        tables = {}
        for key, rows in data.items():
            if not isinstance(rows, list):
                builder.problem(f'$["{key}"]', key, "expected a list of rows")
                continue
            tables[key] = [(f'$["{key}"][{index}]', row) for index, row in enumerate(rows)]
        read_tables(builder, tables, separator=".")
        return builder.bundle()
    if isinstance(data, list):
        items, prefix = data, "$"
    elif isinstance(data, dict) and isinstance(data.get("contents"), list):
        items, prefix = data["contents"], "$.contents"
    elif isinstance(data, dict):
        items, prefix = [data], ""
    else:
        builder.begin_unit("$")
        builder.problem("$", "", "expected a list of services, a page with contents, or one record")
        return builder.bundle()
    kinds = [record_kind(item) for item in items if isinstance(item, dict)]
    usual = max(set(kinds) - {None}, key=kinds.count, default=None)
    walker = Walker(builder)
    for index, item in enumerate(progress_bar(items, progress)):
        path = f"{prefix}[{index}]" if prefix else "$"
        builder.begin_unit(path)
        if not isinstance(item, dict):
            builder.problem(path, "", "expected an object (an HSDS record)")
            continue
        kind = record_kind(item) or usual
        if kind is None:
            builder.problem(path, "", "cannot tell which kind of HSDS record this is")
            continue
        walker.record(kind, item, path, {})
    return builder.bundle()


class Walker:
    """Walks nested HSDS objects into the builder's tables."""

    def __init__(self, builder: Builder) -> None:
        self.builder = builder

    def record(self, table: str, obj: Any, path: str, implied: dict[str, Any]) -> uuid.UUID | None:
        builder = self.builder
        if not isinstance(obj, dict):
            builder.problem(path, "", f"expected an object (a {table.replace('_', ' ')})")
            return None
        lists = LISTS.get(table, {})
        objects = OBJECTS.get(table, {})
        values = builder.convert(table, obj, path, nested=NESTED[table])
        for name, value in implied.items():
            values.setdefault(name, value)
        for key in [key for key in obj if key in objects] if objects else ():
            child = obj[key]
            if child is None:
                continue
            target, reference = objects[key]
            child_implied = {}
            if key == "program" and "organization_id" in values:
                child_implied["organization_id"] = values["organization_id"]
            child_id = self.record(target, child, f"{path}.{key}", child_implied)
            if child_id is not None:
                values.setdefault(reference, child_id)
        if not builder.require(table, values, path):
            return None
        record_id = builder.put(table, values)
        for key in [key for key in obj if key in lists] if lists else ():
            children = obj[key]
            if children is None:
                continue
            child_table, reference = lists[key]
            if not isinstance(children, list):
                builder.problem(f"{path}.{key}", key, "expected a list")
                continue
            if child_table not in INDEPENDENT:
                builder.relate(table, record_id, child_table, reference)
            for index, child in enumerate(children):
                self.record(child_table, child, f"{path}.{key}[{index}]", {reference: record_id})
        if (attributes := obj.get("attributes")) is not None:
            self.attributes(table, record_id, attributes, f"{path}.attributes")
        if (metadata := obj.get("metadata")) is not None:
            if not isinstance(metadata, list):
                builder.problem(f"{path}.metadata", "metadata", "expected a list")
            else:
                builder.relate(table, record_id, "metadata", "resource_id")
                for index, item in enumerate(metadata):
                    implied_meta = {"resource_id": record_id, "resource_type": table}
                    self.record("metadata", item, f"{path}.metadata[{index}]", implied_meta)
        return record_id

    def attributes(self, table: str, owner_id: uuid.UUID, items: Any, path: str) -> None:
        builder = self.builder
        if not isinstance(items, list):
            builder.problem(path, "attributes", "expected a list")
            return
        builder.relate(table, owner_id, "attribute", "link_id")
        for index, item in enumerate(items):
            item_path = f"{path}[{index}]"
            term_id = attribute_term_id(item)
            if table == "service" and term_id in FACTS_BY_TERM_ID:
                add_fact(
                    builder, owner_id, FACTS_BY_TERM_ID[term_id], item.get("value"), f"{item_path}.value"
                )
            elif table == "service" and term_id == CLOSURE_TERM_ID:
                add_closure(builder, owner_id, item.get("value"), f"{item_path}.value")
            else:
                self.record("attribute", item, item_path, {"link_id": owner_id, "link_entity": table})


def attribute_term_id(item: Any) -> uuid.UUID | None:
    """The taxonomy term an attribute object points at, if it can be read."""
    if not isinstance(item, dict):
        return None
    raw = item.get("taxonomy_term_id")
    if raw is None and isinstance(item.get("taxonomy_term"), dict):
        raw = item["taxonomy_term"].get("id")
    try:
        return parse_uuid(raw)
    except ValueError:
        return None


def add_fact(builder: Builder, service_id: uuid.UUID, fact: Fact, raw: Any, location: str) -> None:
    """A connector fact (linkwork attribute) sets the service's column instead of an attribute row."""
    if isinstance(raw, bool):
        raw = "true" if raw else "false"
    if not isinstance(raw, str):
        builder.problem(location, "value", f"{fact.name}: expected text, not {raw!r}")
        return
    try:
        value = _parse_fact(fact, raw)
    except ValueError as error:
        builder.problem(location, "value", str(error))
        return
    if isinstance(value, str):
        value = sanitise_text(value)
        if len(value) > TEXT_LIMIT:
            builder.problem(location, "value", f"{fact.name}: is too long")
            return
    builder.facts.setdefault(service_id, {})[fact.column] = value


@functools.lru_cache(maxsize=4_096)
def _parse_fact(fact: Fact, raw: str) -> bool | str:
    """`parse_fact`, remembered: a large file repeats the same few values thousands of times."""
    return parse_fact(fact, raw)


def add_closure(builder: Builder, service_id: uuid.UUID, raw: Any, location: str) -> None:
    match = _CLOSURE.fullmatch(raw.strip()) if isinstance(raw, str) else None
    if match is None:
        builder.problem(location, "value", f"closure: {CLOSURE_FORMAT}")
        return
    try:
        starts_on, ends_on = parse_date(match[1]), parse_date(match[2])
    except ValueError as error:
        builder.problem(location, "value", f"closure: {error}")
        return
    if ends_on < starts_on:
        builder.problem(location, "value", "closure: ends before it starts")
        return
    reason = " ".join((match[3] or "").split())
    if len(reason) > 200:
        builder.problem(location, "value", "closure: the reason is longer than 200 characters")
        return
    closures = builder.closures.setdefault(service_id, [])
    spec = ClosureSpec(starts_on, ends_on, reason)
    if spec not in closures:
        closures.append(spec)
