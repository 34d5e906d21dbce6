"""Open Referral UK 1.0 (HSDS-UK-1.0) service JSON, as many UK councils still publish it.

Accepted shapes: a list of services, one service, or a page (`{"content": [...], "totalElements": ...}`,
or `"contents"`). Each service becomes an HSDS 3.0 service; see docs/directory-import.md for the
mapping. In short:

- Empty strings mean "no value". HTML in descriptions becomes plain text. A web address without
  `http(s)://` ("www.example.org") gets `https://`.
- Ids that are not uuids (some feeds number their records) become uuid5 values under
  `IMPORT_NAMESPACE`, so a re-import finds the same records; the original id is kept in the service's
  `source` ("import oruk-v1 services.json, id 1502") and, for organisations, as an
  `organization_identifier` of type "ORUK 1.0 id".
- `deliverable_type`, `attending_type` and `attending_access` become HSDS attributes with terms of the
  "Open Referral UK 1.0" taxonomy, and set the connector facts they clearly mean (online, phone, home
  visits, drop-in, booking needed).
- Supplier extensions: `pc_targetAudience` ("LGBTQ+", "Carers") becomes the eligibility description
  ("Who it is for: LGBTQ+; Carers."), `pc_attendingAccess_additionalInfo` the application process,
  `pc_metadata.date_modified` the last-modified time and `pc_metadata.date_assured` the assured date
  when `assured_date` is blank. `pc_metadata.assured_by` is kept as the assurer's e-mail only when it is one.
- Full service objects may nest `contacts` (with `phones`), `cost_options`, `eligibilitys` (ages and
  eligibility text), `fundings`, `languages`, `regular_schedules`, `holiday_schedules` (closed days
  become closures, others dated schedules), `service_areas`, `service_at_locations` (with `location`,
  its `physical_addresses` and `accessibility_for_disabilities`) and `service_taxonomys`. `reviews` are
  not kept.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from linkwork.directory.connector_facts import FACTS_BY_CODE
from linkwork.directory.formats import (
    Builder,
    Bundle,
    ClosureSpec,
    import_id,
    parse_date,
    parse_uuid,
    progress_bar,
)
from linkwork.directory.sanitise import sanitise_text

SOURCE_TAXONOMY_NAME = "Open Referral UK 1.0"
SOURCE_TAXONOMY_ID = import_id("oruk-v1", "taxonomy")
SOURCE_FIELDS = {
    "deliverable_type": "Deliverable type",
    "attending_type": "Attending type",
    "attending_access": "Attending access",
}
# What an ORUK 1.0 value clearly says about a connector fact.
FACT_VALUES: dict[tuple[str, str], tuple[str, bool | str]] = {
    ("attending_type", "online"): ("online-option", True),
    ("attending_type", "phone"): ("phone-option", True),
    ("attending_type", "home visit"): ("home-visits", True),
    ("attending_access", "drop-in"): ("booking", "drop_in"),
    ("attending_access", "appointment"): ("booking", "booking_needed"),
}
ORGANIZATION_ID_TYPE = "ORUK 1.0 id"

SERVICE_KEYS = frozenset(
    {
        "id",
        "organization",
        "name",
        "description",
        "url",
        "email",
        "status",
        "fees",
        "accreditations",
        "assured_date",
        "deliverable_type",
        "attending_type",
        "attending_access",
        "pc_attendingAccess_additionalInfo",
        "pc_targetAudience",
        "pc_metadata",
        "contacts",
        "cost_options",
        "eligibilitys",
        "fundings",
        "holiday_schedules",
        "languages",
        "regular_schedules",
        "service_areas",
        "service_at_locations",
        "service_taxonomys",
        "reviews",
    }
)
_DAY_NAMES = {
    "MONDAY": "MO",
    "TUESDAY": "TU",
    "WEDNESDAY": "WE",
    "THURSDAY": "TH",
    "FRIDAY": "FR",
    "SATURDAY": "SA",
    "SUNDAY": "SU",
}
_BARE_DOMAIN = re.compile(r"(www\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/\S*)?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_RRULE_DAY = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")


def read_data(data: Any, *, file: str, progress: bool = False) -> Bundle:
    builder = Builder(file, "oruk-v1")
    if isinstance(data, list):
        items, prefix = data, "$"
    elif isinstance(data, dict) and isinstance(data.get("content"), list):
        items, prefix = data["content"], "$.content"
    elif isinstance(data, dict) and isinstance(data.get("contents"), list):
        items, prefix = data["contents"], "$.contents"
    elif isinstance(data, dict):
        items, prefix = [data], ""
    else:
        builder.begin_unit("$")
        builder.problem("$", "", "expected a list of services or a page with content")
        return builder.bundle()
    reader = _Reader(builder)
    for index, item in enumerate(progress_bar(items, progress)):
        path = f"{prefix}[{index}]" if prefix else "$"
        builder.begin_unit(path)
        reader.service(item, path)
    return builder.bundle()


def web_address(value: Any) -> Any:
    """`www.example.org` -> `https://www.example.org`; anything else as it is."""
    text = value.strip() if isinstance(value, str) else ""
    if text and "://" not in text and "@" not in text and _BARE_DOMAIN.fullmatch(text):
        return f"https://{text}"
    return value


class _Reader:
    def __init__(self, builder: Builder) -> None:
        self.builder = builder

    def identify(
        self, kind: str, raw: Any, location: str, *, fallback: tuple[object, ...] = ()
    ) -> uuid.UUID | None:
        """A uuid for an ORUK id: itself when it is one, else a stable uuid5 of it."""
        if raw is None or raw == "":
            if fallback:
                return import_id("oruk-v1", kind, *fallback)
            self.builder.problem(location, "id", "is required")
            return None
        if isinstance(raw, bool) or not isinstance(raw, str | int):
            self.builder.problem(location, "id", f"expected text or a number, not {raw!r}")
            return None
        try:
            return parse_uuid(str(raw))
        except ValueError:
            return import_id("oruk-v1", kind, str(raw).strip())

    def mapped(
        self,
        table: str,
        obj: Mapping[str, Any],
        path: str,
        fields: Mapping[str, str],
        *,
        handled: frozenset[str] | set[str] = frozenset(),
    ) -> dict[str, Any]:
        """Convert `obj`'s ORUK fields (`fields`: ORUK key -> HSDS key) into HSDS values."""
        hsds = {target: obj.get(key) for key, target in fields.items() if key in obj}
        names = {target: key for key, target in fields.items()}
        for key, value in obj.items():
            if key not in fields and key not in handled and value not in (None, "", [], {}):
                self.builder.ignore(table, key, f"{path}.{key}")
        return self.builder.convert(table, hsds, path, names=names)

    def service(self, item: Any, path: str) -> None:
        builder = self.builder
        if not isinstance(item, dict):
            builder.problem(path, "", "expected an object (a service)")
            return
        service_id = self.identify("service", item.get("id"), f"{path}.id")
        organization_id = None
        organization = item.get("organization")
        if isinstance(organization, dict):
            organization_id = self.organization(organization, f"{path}.organization")
        elif organization in (None, ""):
            builder.problem(f"{path}.organization", "organization", "is required")
        else:
            builder.problem(f"{path}.organization", "organization", "expected an object")
        metadata: dict[str, Any] = item["pc_metadata"] if isinstance(item.get("pc_metadata"), dict) else {}
        source = dict(item)
        source["url"] = web_address(item.get("url"))
        source["status"] = item.get("status") or "active"
        fields = {
            "name": "name",
            "description": "description",
            "url": "url",
            "email": "email",
            "status": "status",
            "fees": "fees",
            "accreditations": "accreditations",
            "assured_date": "assured_date",
            "pc_attendingAccess_additionalInfo": "application_process",
        }
        values = self.mapped("service", source, path, fields, handled=SERVICE_KEYS)
        dates = {"last_modified": metadata.get("date_modified")}
        if "assured_date" not in values:
            dates["assured_date"] = metadata.get("date_assured")
        names = {"last_modified": "date_modified", "assured_date": "date_assured"}
        values |= builder.convert("service", dates, f"{path}.pc_metadata", names=names)
        assured_by = metadata.get("assured_by")
        if isinstance(assured_by, str) and _EMAIL.fullmatch(assured_by.strip()):
            values["assurer_email"] = assured_by.strip()
        eligibility = self.audience(item.get("pc_targetAudience"), f"{path}.pc_targetAudience")
        if service_id is None:
            return
        values["id"] = service_id
        if organization_id is not None:
            values["organization_id"] = organization_id
        raw_id = str(item.get("id")).strip()
        if raw_id != str(service_id):
            builder.source_notes[service_id] = f"id {raw_id}"
        eligibility += self.eligibilities(
            service_id, values, item.get("eligibilitys"), f"{path}.eligibilitys"
        )
        if eligibility:
            values["eligibility_description"] = "\n".join(eligibility)
        if not builder.require("service", values, path):
            return
        builder.put("service", values)
        builder.relate("service", service_id, "attribute", "link_id")
        for key in SOURCE_FIELDS:
            self.source_field(service_id, key, item.get(key), f"{path}.{key}")
        self.children(service_id, organization_id, item, path)

    def organization(self, obj: dict[str, Any], path: str) -> uuid.UUID | None:
        builder = self.builder
        organization_id = self.identify("organization", obj.get("id"), f"{path}.id")
        source = dict(obj)
        source["url"] = web_address(obj.get("url"))
        fields = {
            "name": "name",
            "description": "description",
            "url": "website",
            "email": "email",
            "logo": "logo",
            "uri": "uri",
        }
        values = self.mapped("organization", source, path, fields, handled={"id"})
        if organization_id is None:
            return None
        values["id"] = organization_id
        if not builder.require("organization", values, path):
            return None
        builder.put("organization", values)
        raw_id = str(obj.get("id")).strip()
        if raw_id != str(organization_id):
            identifier_id = import_id("oruk-v1", "organization-identifier", raw_id)
            builder.put(
                "organization_identifier",
                {
                    "id": identifier_id,
                    "organization_id": organization_id,
                    "identifier_type": ORGANIZATION_ID_TYPE,
                    "identifier": raw_id,
                },
            )
        return organization_id

    def audience(self, raw: Any, path: str) -> list[str]:
        if raw in (None, "", []):
            return []
        if not isinstance(raw, list):
            self.builder.problem(path, "pc_targetAudience", "expected a list")
            return []
        names = []
        for entry in raw:
            name = entry.get("audienceType") if isinstance(entry, dict) else entry
            text = " ".join(name.replace(">", " > ").split()) if isinstance(name, str) else ""
            if text and text not in names:
                names.append(text)
        return [f"Who it is for: {'; '.join(names)}."] if names else []

    def eligibilities(self, service_id: uuid.UUID, values: dict[str, Any], raw: Any, path: str) -> list[str]:
        lines: list[str] = []
        for index, entry in self.each(raw, path):
            ages = self.mapped(
                "service",
                entry,
                f"{path}[{index}]",
                {"minimum_age": "minimum_age", "maximum_age": "maximum_age"},
                handled={"id", "eligibility", "taxonomys"},
            )
            for name, age in ages.items():
                values.setdefault(name, age)
            text = entry.get("eligibility")
            if isinstance(text, str) and (clean := sanitise_text(text)):
                lines.append(clean)
        return lines

    def each(self, raw: Any, path: str) -> list[tuple[int, dict[str, Any]]]:
        if raw in (None, ""):
            return []
        if not isinstance(raw, list):
            self.builder.problem(path, path.rsplit(".", 1)[-1], "expected a list")
            return []
        items = []
        for index, entry in enumerate(raw):
            if isinstance(entry, dict):
                items.append((index, entry))
            else:
                self.builder.problem(f"{path}[{index}]", "", "expected an object")
        return items

    def source_field(self, service_id: uuid.UUID, key: str, raw: Any, path: str) -> None:
        """deliverable_type, attending_type, attending_access: an attribute, and a fact when clear."""
        if raw in (None, ""):
            return
        if not isinstance(raw, str):
            self.builder.problem(path, key, f"expected text, not {raw!r}")
            return
        value = " ".join(raw.split())
        if len(value) > 200:
            self.builder.problem(path, key, "is longer than 200 characters")
            return
        builder = self.builder
        builder.put(
            "taxonomy",
            {
                "id": SOURCE_TAXONOMY_ID,
                "name": SOURCE_TAXONOMY_NAME,
                "description": "Service types and ways of attending from Open Referral UK 1.0 feeds.",
                "version": "1.0",
            },
        )
        term_id = import_id("oruk-v1", "term", key, value.casefold())
        builder.put(
            "taxonomy_term",
            {
                "id": term_id,
                "code": key,
                "name": value,
                "description": f"{SOURCE_FIELDS[key]}: {value}",
                "taxonomy": SOURCE_TAXONOMY_NAME,
                "taxonomy_detail_id": SOURCE_TAXONOMY_ID,
            },
        )
        builder.put(
            "attribute",
            {
                "id": import_id("oruk-v1", "attribute", service_id, key),
                "link_id": service_id,
                "link_entity": "service",
                "taxonomy_term_id": term_id,
                "value": value,
            },
        )
        if (fact_value := FACT_VALUES.get((key, value.casefold()))) is not None:
            code, setting = fact_value
            builder.facts.setdefault(service_id, {})[FACTS_BY_CODE[code].column] = setting

    def children(
        self, service_id: uuid.UUID, organization_id: uuid.UUID | None, item: dict[str, Any], path: str
    ) -> None:
        builder = self.builder
        simple: dict[str, tuple[str, dict[str, str]]] = {
            "cost_options": (
                "cost_option",
                {
                    "amount": "amount",
                    "amount_description": "amount_description",
                    "option": "option",
                    "valid_from": "valid_from",
                    "valid_to": "valid_to",
                    "currency": "currency",
                },
            ),
            "fundings": ("funding", {"source": "source"}),
            "languages": ("language", {"language": "name", "name": "name", "code": "code", "note": "note"}),
            "service_areas": (
                "service_area",
                {"service_area": "name", "description": "description", "extent": "extent", "uri": "uri"},
            ),
        }
        for key, (table, fields) in simple.items():
            if key not in item:
                continue
            builder.relate("service", service_id, table, "service_id")
            for index, entry in self.each(item[key], f"{path}.{key}"):
                self.child(table, entry, f"{path}.{key}[{index}]", fields, {"service_id": service_id}, index)
        if "contacts" in item:
            builder.relate("service", service_id, "contact", "service_id")
            for index, entry in self.each(item["contacts"], f"{path}.contacts"):
                self.contact(entry, f"{path}.contacts[{index}]", {"service_id": service_id}, index)
        if "regular_schedules" in item or "holiday_schedules" in item:
            builder.relate("service", service_id, "schedule", "service_id")
        self.schedules(service_id, item, path, {"service_id": service_id})
        if "service_at_locations" in item:
            builder.relate("service", service_id, "service_at_location", "service_id")
            for index, entry in self.each(item["service_at_locations"], f"{path}.service_at_locations"):
                self.service_at_location(
                    service_id, organization_id, entry, f"{path}.service_at_locations[{index}]", index
                )
        for index, entry in self.each(item.get("service_taxonomys"), f"{path}.service_taxonomys"):
            self.service_taxonomy(service_id, entry, f"{path}.service_taxonomys[{index}]", index)
        if item.get("reviews"):
            builder.ignore("service", "reviews", f"{path}.reviews")

    def child(
        self,
        table: str,
        entry: dict[str, Any],
        path: str,
        fields: Mapping[str, str],
        implied: dict[str, Any],
        index: int,
        *,
        handled: frozenset[str] | set[str] = frozenset(),
    ) -> uuid.UUID | None:
        parent = next(iter(implied.values()))
        record_id = self.identify(table, entry.get("id"), f"{path}.id", fallback=(parent, table, index))
        values = self.mapped(table, entry, path, fields, handled={"id", *handled})
        if record_id is None:
            return None
        values["id"] = record_id
        for name, value in implied.items():
            values.setdefault(name, value)
        if not self.builder.require(table, values, path):
            return None
        return self.builder.put(table, values)

    def contact(self, entry: dict[str, Any], path: str, implied: dict[str, Any], index: int) -> None:
        fields = {"name": "name", "title": "title", "department": "department", "email": "email"}
        contact_id = self.child("contact", entry, path, fields, implied, index, handled={"phones"})
        if contact_id is None:
            return
        if "phones" in entry:
            self.builder.relate("contact", contact_id, "phone", "contact_id")
        for phone_index, phone in self.each(entry.get("phones"), f"{path}.phones"):
            self.child(
                "phone",
                phone,
                f"{path}.phones[{phone_index}]",
                {"number": "number", "type": "type", "description": "description"},
                {"contact_id": contact_id},
                phone_index,
            )

    def schedules(
        self, service_id: uuid.UUID, item: dict[str, Any], path: str, implied: dict[str, Any]
    ) -> None:
        fields = {
            "opens_at": "opens_at",
            "closes_at": "closes_at",
            "byday": "byday",
            "bymonthday": "bymonthday",
            "dtstart": "dtstart",
            "freq": "freq",
            "interval": "interval",
            "valid_from": "valid_from",
            "valid_to": "valid_to",
            "description": "description",
        }
        for index, entry in self.each(item.get("regular_schedules"), f"{path}.regular_schedules"):
            entry = dict(entry)
            if isinstance(entry.get("byday"), str):
                entry["byday"] = _days(entry["byday"])
            self.child("schedule", entry, f"{path}.regular_schedules[{index}]", fields, implied, index)
        for index, entry in self.each(item.get("holiday_schedules"), f"{path}.holiday_schedules"):
            self.holiday(service_id, entry, f"{path}.holiday_schedules[{index}]", implied, index)

    def holiday(
        self, service_id: uuid.UUID, entry: dict[str, Any], path: str, implied: dict[str, Any], index: int
    ) -> None:
        """A closed holiday is a closure of the service; special opening hours a dated schedule."""
        closed = entry.get("closed")
        if closed is True or (isinstance(closed, str) and closed.strip().lower() in ("true", "yes", "1")):
            try:
                starts_on = parse_date(entry.get("start_date"))
                ends_on = parse_date(entry.get("end_date") or entry.get("start_date"))
            except ValueError as error:
                self.builder.problem(f"{path}.start_date", "start_date", str(error))
                return
            if ends_on < starts_on:
                self.builder.problem(f"{path}.end_date", "end_date", "is before the start date")
                return
            closures = self.builder.closures.setdefault(service_id, [])
            spec = ClosureSpec(starts_on, ends_on, "Holiday closure")
            if spec not in closures:
                closures.append(spec)
            return
        fields = {
            "start_date": "valid_from",
            "end_date": "valid_to",
            "opens_at": "opens_at",
            "closes_at": "closes_at",
        }
        entry = dict(entry, description="Holiday opening hours")
        self.child(
            "schedule",
            entry,
            path,
            fields | {"description": "description"},
            implied,
            index,
            handled={"closed"},
        )

    def service_at_location(
        self,
        service_id: uuid.UUID,
        organization_id: uuid.UUID | None,
        entry: dict[str, Any],
        path: str,
        index: int,
    ) -> None:
        builder = self.builder
        location_id = None
        location = entry.get("location")
        if isinstance(location, dict):
            location_id = self.location(organization_id, location, f"{path}.location", index)
        elif location not in (None, ""):
            builder.problem(f"{path}.location", "location", "expected an object")
        implied: dict[str, Any] = {"service_id": service_id}
        if location_id is not None:
            implied["location_id"] = location_id
        handled = {"location", "regular_schedules", "holiday_schedules"}
        sal_id = self.child(
            "service_at_location",
            entry,
            path,
            {"description": "description"},
            implied,
            index,
            handled=handled,
        )
        if sal_id is None:
            return
        if "regular_schedules" in entry or "holiday_schedules" in entry:
            builder.relate("service_at_location", sal_id, "schedule", "service_at_location_id")
        self.schedules(service_id, entry, path, {"service_at_location_id": sal_id})

    def location(
        self, organization_id: uuid.UUID | None, obj: dict[str, Any], path: str, index: int
    ) -> uuid.UUID | None:
        builder = self.builder
        fields = {
            "name": "name",
            "description": "description",
            "latitude": "latitude",
            "longitude": "longitude",
            "location_type": "location_type",
        }
        handled = {
            "physical_addresses",
            "postal_addresses",
            "accessibility_for_disabilities",
            "service_at_locations",
        }
        implied: dict[str, Any] = {"location_type": "physical"}
        if organization_id is not None:
            implied["organization_id"] = organization_id
        location_id = self.identify("location", obj.get("id"), f"{path}.id")
        values = self.mapped("location", obj, path, fields, handled={"id", *handled})
        if location_id is None:
            return None
        values["id"] = location_id
        for name, value in implied.items():
            values.setdefault(name, value)
        if not builder.require("location", values, path):
            return None
        builder.put("location", values)
        address_fields = {
            "address_1": "address_1",
            "address_2": "address_2",
            "city": "city",
            "state_province": "state_province",
            "postal_code": "postal_code",
            "country": "country",
            "attention": "attention",
            "region": "region",
        }
        for key, address_type in (("physical_addresses", "physical"), ("postal_addresses", "postal")):
            if key in obj:
                builder.relate("location", location_id, "address", "location_id")
            for address_index, address in self.each(obj.get(key), f"{path}.{key}"):
                self.child(
                    "address",
                    dict(address, address_type=address_type),
                    f"{path}.{key}[{address_index}]",
                    address_fields | {"address_type": "address_type"},
                    {"location_id": location_id},
                    address_index,
                )
        if "accessibility_for_disabilities" in obj:
            builder.relate("location", location_id, "accessibility", "location_id")
        for access_index, access in self.each(
            obj.get("accessibility_for_disabilities"), f"{path}.accessibility_for_disabilities"
        ):
            self.child(
                "accessibility",
                access,
                f"{path}.accessibility_for_disabilities[{access_index}]",
                {"accessibility": "description", "details": "details", "url": "url"},
                {"location_id": location_id},
                access_index,
            )
        return location_id

    def service_taxonomy(self, service_id: uuid.UUID, entry: dict[str, Any], path: str, index: int) -> None:
        builder = self.builder
        taxonomy = entry.get("taxonomy")
        if not isinstance(taxonomy, dict):
            builder.problem(f"{path}.taxonomy", "taxonomy", "expected an object")
            return
        term_id = self.identify("taxonomy", taxonomy.get("id"), f"{path}.taxonomy.id")
        values = self.mapped(
            "taxonomy_term",
            taxonomy,
            f"{path}.taxonomy",
            {"name": "name", "vocabulary": "taxonomy", "description": "description"},
            handled={"id", "parent"},
        )
        if term_id is None:
            return
        values["id"] = term_id
        parent = taxonomy.get("parent")
        if isinstance(parent, dict):
            parent = parent.get("id")
        if isinstance(parent, str | int) and not isinstance(parent, bool) and str(parent).strip():
            values["parent_id"] = self.identify("taxonomy", parent, f"{path}.taxonomy.parent")
        vocabulary = values.get("taxonomy")
        if vocabulary:
            vocabulary_id = import_id("oruk-v1", "vocabulary", vocabulary.casefold())
            builder.put("taxonomy", {"id": vocabulary_id, "name": vocabulary})
            values["taxonomy_detail_id"] = vocabulary_id
        if not builder.require("taxonomy_term", values, f"{path}.taxonomy"):
            return
        builder.put("taxonomy_term", values)
        attribute_id = self.identify(
            "service_taxonomy", entry.get("id"), f"{path}.id", fallback=(service_id, "taxonomy", term_id)
        )
        if attribute_id is not None:
            builder.put(
                "attribute",
                {
                    "id": attribute_id,
                    "link_id": service_id,
                    "link_entity": "service",
                    "taxonomy_term_id": term_id,
                },
            )


_DAY_PREFIXES = {name[:3]: code for name, code in _DAY_NAMES.items()}


def _days(text: str) -> str:
    """Day names ("Monday", "Tue") as RRULE codes; codes (MO, 1FR) as they are."""
    parts = [part.strip().upper() for part in re.split(r"[,;]", text) if part.strip()]
    return ",".join(
        part if _RRULE_DAY.fullmatch(part) else _DAY_NAMES.get(part, _DAY_PREFIXES.get(part[:3], part))
        for part in parts
    )
