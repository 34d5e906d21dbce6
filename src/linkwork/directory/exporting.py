"""Export the public directory as HSDS 3.0: a JSON list of full services, or the tabular datapackage.

What is exported: the entries in `PUBLIC_STATES` (published, review due, stale) that the actor may
export (for the installation operator, all of them), and around them everything HSDS holds that does
not belong to an entry kept out of the public directory:

- hsds-json writes one JSON array of full service objects (`hsds.Bundle`), one service a line, in
  name order. It validates against HSDS's compiled `service.json`.
- hsds-csv writes a directory with `datapackage.json` and one CSV file per HSDS table, with the columns
  of the official example files, in id order. A row is left out when it refers to a hidden record:
  a service not exported, an organisation none of whose services is exported (one with no services
  at all included), their service-at-locations, a location used only by hidden services, and the
  contacts, phones, languages, schedules and other rows that refer to any of those. Attributes and
  metadata about hidden records are left out too. Everything else is written, including rows whose
  references lead nowhere, and all taxonomies and terms, so re-importing the package loses nothing
  HSDS defines.

Both carry the connector facts and closures as attributes under the linkwork taxonomy (`hsds.py`), and
the CSV adds that taxonomy and its terms when they are used and not stored. `meta_table_description`
has no table here and is not written. Files are written beside the target and moved into place when
complete, so a failed export leaves nothing half-written.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import models, transaction
from django.db.models import QuerySet

from linkwork.audit.services import audit_record
from linkwork.core.errors import ValidationFailed
from linkwork.core.policies import Action, Operator, authorize, visible_to
from linkwork.core.time import now
from linkwork.directory import hsds, hsds_tables
from linkwork.directory.models import (
    PUBLIC_STATES,
    Attribute,
    Closure,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

FORMATS = {"hsds-json": "HSDS 3.0 JSON", "hsds-csv": "HSDS 3.0 tabular datapackage"}
BATCH = 500  # services serialised together in one `hsds.Bundle`
CSV_CHUNK = 2000

# Field types of the tabular datapackage (as in the official HSDS datapackage.json).
NUMBER_COLUMNS = frozenset(
    {
        "year_incorporated",
        "minimum_age",
        "maximum_age",
        "latitude",
        "longitude",
        "extension",
        "timezone",
        "count",
        "interval",
        "amount",
    }
)
DATE_COLUMNS = frozenset({"assured_date", "valid_from", "valid_to", "dtstart", "until", "last_action_date"})
TIME_COLUMNS = frozenset({"opens_at", "closes_at"})
EMAIL_COLUMNS = frozenset(
    {("organization", "email"), ("service", "email"), ("service", "assurer_email"), ("contact", "email")}
)
REFERENCES = {
    "organization_id": "organization",
    "program_id": "program",
    "service_id": "service",
    "location_id": "location",
    "contact_id": "contact",
    "service_at_location_id": "service_at_location",
    "phone_id": "phone",
    "taxonomy_term_id": "taxonomy_term",
    "taxonomy_id": "taxonomy",
}
TABLE_DESCRIPTIONS = {
    "organization": "The organizations that deliver services.",
    "program": "Collections of related services.",
    "service": "The services provided by organizations.",
    "attribute": "Taxonomy terms attached to any record, with linkwork's connector facts and closures.",
    "service_at_location": "Links between services and the locations where they are delivered.",
    "location": "The places where organizations operate, physical or virtual.",
    "phone": "Telephone numbers of organizations, services, locations and contacts.",
    "contact": "Named contacts for organizations, services and locations.",
    "address": "The addresses of locations.",
    "schedule": "When services and locations are open, as RFC 5545 rules.",
    "funding": "Where the money for services and organizations comes from.",
    "service_area": "The areas services are available in.",
    "required_document": "Documents needed to use services.",
    "language": "Languages spoken at services and locations, and on phone lines.",
    "accessibility": "Arrangements for disabled people at locations.",
    "taxonomy_term": "The terms services are categorised with.",
    "metadata": "Changes made to records, for provenance.",
    "cost_option": "What services cost, and when.",
    "organization_identifier": "Third-party identifiers of organizations (company or charity numbers).",
    "taxonomy": "The taxonomies terms come from.",
}


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    format: str
    services: int
    rows: dict[str, int] = field(default_factory=dict)  # hsds-csv: rows written per HSDS table

    def __str__(self) -> str:
        noun = "service" if self.services == 1 else "services"
        return f"Exported {self.services} {noun} to {self.path} ({FORMATS[self.format]})."


def exported_services(actor: Any) -> QuerySet[Service]:
    """The entries `actor` may export: public ones, all of them for the operator."""
    base = Service.objects.all() if isinstance(actor, Operator) else visible_to(actor, Action.EXPORT, Service)
    return base.filter(state__in=PUBLIC_STATES)


def export_directory(path: Path, fmt: str, *, actor: Any) -> ExportSummary:
    """Write the public directory to `path`: a file for hsds-json, a directory for hsds-csv."""
    if fmt not in FORMATS:
        message = f"Choose a format: {' or '.join(FORMATS)}."
        raise ValidationFailed(message, fields={"format": message})
    authorize(actor, Action.EXPORT, Service)
    path = Path(path)
    _check_target(path, fmt)
    services = exported_services(actor)
    with transaction.atomic():
        summary = _export_json(path, services) if fmt == "hsds-json" else _export_csv(path, services)
        audit_record(
            actor=actor,
            event="directory.exported",
            target=Service,
            detail={"format": fmt, "services": summary.services, "path": str(path), "rows": summary.rows},
        )
    return summary


def _check_target(path: Path, fmt: str) -> None:
    if fmt == "hsds-json" and path.is_dir():
        message = f"{path} is a folder. Give a file name for the JSON, like directory.json."
        raise ValidationFailed(message, fields={"path": message})
    if fmt == "hsds-csv" and path.exists() and not path.is_dir():
        message = f"{path} is a file. Give a folder for the CSV files (it is created if need be)."
        raise ValidationFailed(message, fields={"path": message})


@contextmanager
def _atomic_file(path: Path) -> Iterator[IO[str]]:
    """A text file that appears at `path` only once it is complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115  (closed below, then moved into place)
        "w", encoding="utf-8", newline="", dir=path.parent, prefix=f".{path.name}.", delete=False
    )
    try:
        with handle:
            yield handle
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _batches(services: QuerySet[Service]) -> Iterator[list[Service]]:
    ids = list(services.order_by("name", "id").values_list("id", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        found = {service.id: service for service in Service.objects.filter(id__in=chunk)}
        yield [found[service_id] for service_id in chunk if service_id in found]


def _export_json(path: Path, services: QuerySet[Service]) -> ExportSummary:
    count = 0
    with _atomic_file(path) as out:
        out.write("[")
        for batch in _batches(services):
            bundle = hsds.Bundle(services=batch, full=True)
            for service in batch:
                out.write("\n" if count == 0 else ",\n")
                out.write(json.dumps(bundle.service_json(service), ensure_ascii=False, separators=(",", ":")))
                count += 1
        out.write("\n]\n" if count else "]\n")
    return ExportSummary(path=path, format="hsds-json", services=count, rows={"service": count})


# --- The tabular datapackage -------------------------------------------------------------------


# Which references make a row hidden: (its column, the table whose hidden ids it is checked against).
# Tables are written in this order, so each one's hidden ids are known before the tables that refer
# to them; organisations and locations are worked out beforehand (`_hidden_owners`).
HIDING_REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {
    "service": (),
    "organization": (("id", "organization"),),
    "program": (("organization_id", "organization"),),
    "organization_identifier": (("organization_id", "organization"),),
    "service_at_location": (("service_id", "service"),),
    "location": (("id", "location"),),
    "address": (("location_id", "location"),),
    "accessibility": (("location_id", "location"),),
    "contact": (
        ("service_id", "service"),
        ("organization_id", "organization"),
        ("service_at_location_id", "service_at_location"),
        ("location_id", "location"),
    ),
    "phone": (
        ("service_id", "service"),
        ("organization_id", "organization"),
        ("service_at_location_id", "service_at_location"),
        ("location_id", "location"),
        ("contact_id", "contact"),
    ),
    "language": (("service_id", "service"), ("location_id", "location"), ("phone_id", "phone")),
    "schedule": (
        ("service_id", "service"),
        ("location_id", "location"),
        ("service_at_location_id", "service_at_location"),
    ),
    "funding": (("service_id", "service"), ("organization_id", "organization")),
    "service_area": (("service_id", "service"),),
    "cost_option": (("service_id", "service"),),
    "required_document": (("service_id", "service"),),
    "taxonomy": (),
    "taxonomy_term": (),
    "attribute": (("link_id", "*"),),
    "metadata": (("resource_id", "*"),),
}


def _hidden_owners(exported_ids: set[Any]) -> dict[str, set[Any]]:
    """Hidden services, organisations and locations (see the module docstring)."""
    hidden: dict[str, set[Any]] = defaultdict(set)
    with_exported: set[Any] = set()
    for service_id, organization_id in Service.objects.values_list("id", "organization_id").iterator(
        chunk_size=CSV_CHUNK
    ):
        if service_id not in exported_ids:
            hidden["service"].add(service_id)
        elif organization_id is not None:
            with_exported.add(organization_id)
    organizations = Organization.objects.values_list("id", flat=True).iterator(chunk_size=CSV_CHUNK)
    hidden["organization"] = {org_id for org_id in organizations if org_id not in with_exported}
    used: set[Any] = set()
    used_by_shown: set[Any] = set()
    for location_id, service_id in ServiceAtLocation.objects.values_list(
        "location_id", "service_id"
    ).iterator(chunk_size=CSV_CHUNK):
        used.add(location_id)
        if service_id not in hidden["service"]:
            used_by_shown.add(location_id)
    for location_id, organization_id in Location.objects.values_list("id", "organization_id").iterator(
        chunk_size=CSV_CHUNK
    ):
        if location_id in used:
            if location_id not in used_by_shown:
                hidden["location"].add(location_id)
        elif organization_id in hidden["organization"]:
            hidden["location"].add(location_id)
    return hidden


def _is_hidden(table: str, record: models.Model, hidden: dict[str, set[Any]], every_hidden: set[Any]) -> bool:
    for column, kind in HIDING_REFERENCES[table]:
        value = getattr(record, column)
        if value is not None and value in (every_hidden if kind == "*" else hidden[kind]):
            return True
    return False


def _write_table(out: IO[str], table: str, records: Any) -> int:
    writer = csv.writer(out)
    writer.writerow(hsds_tables.COLUMNS[table])
    count = 0
    for record in records:
        writer.writerow(hsds.csv_row(table, record))
        count += 1
    return count


def _fact_attributes(exported: QuerySet[Service]) -> list[Attribute]:
    closures: dict[Any, list[Closure]] = defaultdict(list)
    for closure in Closure.objects.filter(service_id__in=exported.values("id")).order_by("starts_on", "pk"):
        closures[closure.service_id].append(closure)
    attributes: list[Attribute] = []
    for service in exported.order_by("id").iterator(chunk_size=CSV_CHUNK):
        attributes += hsds.fact_attributes(service, closures.get(service.id, []))
    return attributes


def _shown_rows(
    table: str, exported_ids: set[Any], hidden: dict[str, set[Any]], every_hidden: set[Any]
) -> Iterator[models.Model]:
    """The table's rows that are not hidden, in id order; hidden ones are noted in `hidden`."""
    records = hsds.MODELS[table]._default_manager.order_by("id").iterator(chunk_size=CSV_CHUNK)
    for record in records:
        if table == "service" and record.pk not in exported_ids:
            continue
        if table == "attribute" and _is_stored_fact(record, exported_ids):
            continue
        if _is_hidden(table, record, hidden, every_hidden):
            hidden[table].add(record.pk)
            every_hidden.add(record.pk)
            continue
        yield record


def _is_stored_fact(record: models.Model, exported_ids: set[Any]) -> bool:
    """An attribute row for a connector fact on an exported service: the columns are written instead."""
    assert isinstance(record, Attribute)
    return record.taxonomy_term_id in hsds.FACT_TERM_IDS and record.link_id in exported_ids


def _export_csv(path: Path, exported: QuerySet[Service]) -> ExportSummary:
    path.mkdir(parents=True, exist_ok=True)
    exported_ids = set(exported.values_list("id", flat=True))
    hidden = _hidden_owners(exported_ids)
    every_hidden: set[Any] = set().union(*hidden.values())
    facts = _fact_attributes(exported)
    used_terms = {attribute.taxonomy_term_id for attribute in facts}
    extra: dict[str, Sequence[models.Model]] = {
        "attribute": facts,
        "taxonomy_term": _missing_connector_terms(used_terms),
        "taxonomy": _missing_connector_taxonomy(used_terms),
    }
    rows: dict[str, int] = {}
    for table in HIDING_REFERENCES:
        with _atomic_file(path / hsds_tables.CSV_FILES[table]) as out:
            records = _chain(extra.get(table, ()), _shown_rows(table, exported_ids, hidden, every_hidden))
            rows[table] = _write_table(out, table, records)
    with _atomic_file(path / "datapackage.json") as out:
        json.dump(datapackage_descriptor(), out, indent=2, ensure_ascii=False)
        out.write("\n")
    return ExportSummary(path=path, format="hsds-csv", services=rows["service"], rows=rows)


def _chain(first: Sequence[models.Model], then: Any) -> Iterator[models.Model]:
    yield from first
    yield from then


def _missing_connector_terms(used: set[Any]) -> list[TaxonomyTerm]:
    stored = set(TaxonomyTerm.objects.filter(id__in=used).values_list("id", flat=True))
    return [term for term in hsds.connector_terms() if term.id in used and term.id not in stored]


def _missing_connector_taxonomy(used: set[Any]) -> list[Taxonomy]:
    taxonomy = hsds.connector_taxonomy()
    if not used or Taxonomy.objects.filter(id=taxonomy.id).exists():
        return []
    return [taxonomy]


def _field(table: str, column: str) -> dict[str, str]:
    described: dict[str, str] = {"name": column}
    if column == "id" or (column.endswith("_id") and column != "tax_id"):
        described |= {"type": "string", "format": "uuid"}
    elif column in NUMBER_COLUMNS:
        described["type"] = "number"
    elif column in DATE_COLUMNS:
        described["type"] = "date"
    elif column in TIME_COLUMNS:
        described["type"] = "time"
    elif column == "last_modified":
        described["type"] = "datetime"
    elif (table, column) in EMAIL_COLUMNS:
        described |= {"type": "string", "format": "email"}
    elif (table, column) in hsds.URI_COLUMNS:
        described |= {"type": "string", "format": "uri"}
    else:
        described["type"] = "string"
    return described


def datapackage_descriptor() -> dict[str, Any]:
    """The Tabular Data Package descriptor: the official HSDS 3.0 resources, fields and keys."""
    resources = []
    for table, columns in hsds_tables.COLUMNS.items():
        foreign_keys = [
            {"fields": column, "reference": {"resource": REFERENCES[column], "fields": "id"}}
            for column in sorted(columns)
            if column in REFERENCES
        ]
        schema: dict[str, Any] = {"fields": [_field(table, column) for column in columns], "primaryKey": "id"}
        if foreign_keys:
            schema["foreignKeys"] = foreign_keys
        resources.append(
            {
                "name": table,
                "path": hsds_tables.CSV_FILES[table],
                "description": TABLE_DESCRIPTIONS[table],
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "profile": "tabular-data-resource",
                "schema": schema,
            }
        )
    return {
        "name": "linkwork-directory",
        "title": "Community directory (Open Referral HSDS 3.0)",
        "profile": "tabular-data-package",
        "version": "3.0.0",
        "homepage": "https://openreferral.org/",
        "created": hsds.iso_datetime(now()),
        "resources": resources,
    }
