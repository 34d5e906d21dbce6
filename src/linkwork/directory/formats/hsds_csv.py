"""The HSDS 3.0 tabular data package: one CSV file per table, described by `datapackage.json`.

PATH is the package's folder or its `datapackage.json`. The files are found through the descriptor's
`resources` (name and path); when there is no usable descriptor, by the standard HSDS file names
(`services.csv`, `organizations.csv`, ...). A table without a file is simply absent.

Rows refer to each other by id and may refer to records the package does not carry (the official
example does); such references are kept. Rows are grouped into units for `--skip-invalid`: a service
with every row that hangs off it (its phones, schedules, contacts and their phones, places it runs
and their phones and schedules, attributes and metadata). Organisations, programmes, locations,
taxonomies and taxonomy terms are shared by services, so each of their rows stands on its own.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from linkwork.directory.connector_facts import CLOSURE_TERM_ID, FACTS_BY_TERM_ID
from linkwork.directory.formats import (
    CHILD_REFERENCES,
    Builder,
    Bundle,
    FileProblem,
    ImportProblem,
    Unit,
)
from linkwork.directory.formats.hsds_json import add_closure, add_fact
from linkwork.directory.hsds_tables import COLUMNS as HSDS_COLUMNS
from linkwork.directory.hsds_tables import CSV_FILES

# HSDS resource name -> its standard file name.
RESOURCES = CSV_FILES
ALTERNATIVE_FILES = {"service_at_locations.csv": "service_at_location"}
FILE_TABLES = {file: table for table, file in RESOURCES.items()} | ALTERNATIVE_FILES
NOT_KEPT = {"meta_table_description": "meta_table_descriptions.csv"}

# Units: records reached downward from a service through these references (and attributes, metadata).
UNIT_REFERENCES: dict[str, tuple[str, ...]] = {
    "phone": ("service_id", "service_at_location_id", "contact_id"),
    "schedule": ("service_id", "service_at_location_id"),
    "contact": ("service_id", "service_at_location_id"),
    "language": ("service_id", "phone_id"),
    "service_at_location": ("service_id",),
    "service_area": ("service_id",),
    "cost_option": ("service_id",),
    "funding": ("service_id",),
    "required_document": ("service_id",),
    "attribute": ("link_id",),
    "metadata": ("resource_id",),
}

Rows = list[tuple[str, Mapping[str, Any]]]


def read_package(path: Path) -> Bundle:
    folder = path if path.is_dir() else path.parent
    builder = Builder(path.name, "hsds-csv")
    files, notes = _package_files(folder)
    builder.notes.extend(notes)
    tables: dict[str, Rows] = {}
    for label, (_table, file) in files.items():
        try:
            tables[label] = _read_csv(file, label)
        except FileProblem as error:
            builder.fatal.append(error.problem)
    if not builder.fatal and not tables:
        builder.fatal.append(
            ImportProblem(
                path.name,
                "",
                "",
                "has no HSDS tables (expected services.csv, organizations.csv and the like)",
            )
        )
    if builder.fatal:
        return builder.bundle()
    read_tables(
        builder, tables, separator=None, table_of={label: table for label, (table, _) in files.items()}
    )
    return builder.bundle()


def _package_files(folder: Path) -> tuple[dict[str, tuple[str, Path]], list[ImportProblem]]:
    """The package's CSV files (table and path) by file name, from datapackage.json or standard names."""
    notes: list[ImportProblem] = []
    descriptor = folder / "datapackage.json"
    files: dict[str, tuple[str, Path]] = {}
    if descriptor.is_file():
        try:
            package = json.loads(descriptor.read_bytes().decode("utf-8-sig"))
            resources = package.get("resources") if isinstance(package, dict) else None
            if not isinstance(resources, list):
                raise ValueError("no resources")
        except (ValueError, UnicodeDecodeError, RecursionError):
            notes.append(
                ImportProblem(
                    "datapackage.json",
                    "",
                    "",
                    "is not a data package descriptor; the standard HSDS file names were used",
                )
            )
        else:
            for resource in resources:
                if not isinstance(resource, dict) or not isinstance(resource.get("path"), str):
                    continue
                table = str(resource.get("name", ""))
                resource_path = (folder / resource["path"]).resolve()
                if table in RESOURCES and resource_path.is_file():
                    files[resource_path.name] = (table, resource_path)
            if files:
                return files, notes
    for file in sorted(folder.glob("*.csv")):
        if file.name in FILE_TABLES:
            files[file.name] = (FILE_TABLES[file.name], file)
        else:
            notes.append(ImportProblem(file.name, "", "", "is not an HSDS table linkwork keeps; ignored"))
    return files, notes


def _read_csv(file: Path, label: str) -> Rows:
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise FileProblem(label, f"cannot be read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise FileProblem(label, "is not UTF-8 text; save it as CSV UTF-8 and try again") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: Rows = []
    try:
        header = next(reader, None)
        if header is None:
            return rows
        names = [name.strip().lower() for name in header]
        duplicated = sorted({name for name in names if names.count(name) > 1 and name})
        if duplicated:
            raise FileProblem(label, f"has the column {duplicated[0]!r} twice", "row 1")
        for number, record in enumerate(reader, start=2):
            if not record or record == [""]:
                continue
            if len(record) != len(names):
                rows.append(
                    (
                        f"row {number}",
                        {"!": f"has {len(record)} values but the header has {len(names)} columns"},
                    )
                )
                continue
            rows.append((f"row {number}", dict(zip(names, record, strict=True))))
    except csv.Error as error:
        raise FileProblem(label, f"is not valid CSV: {error}", f"row {reader.line_num}") from None
    return rows


def read_tables(
    builder: Builder,
    tables: Mapping[str, Rows],
    *,
    separator: str | None,
    table_of: Mapping[str, str] | None = None,
) -> None:
    """Read the rows of each file into `builder`, then group them into units.

    `tables` holds each file's rows by its name; `table_of` gives a file's HSDS table when it is not
    the standard file name (`services.csv`).
    """
    by_table: dict[str, tuple[str, Rows]] = {}
    for label, rows in tables.items():
        table = (table_of or {}).get(label) or FILE_TABLES.get(label)
        if table is None:
            reason = "is not an HSDS table linkwork keeps; ignored"
            if label not in NOT_KEPT.values():
                reason = "is not an HSDS table; ignored"
            if separator is None:
                builder.notes.append(ImportProblem(label, "", "", reason))
            else:
                builder.notes.append(ImportProblem(builder.file, f'$["{label}"]', "", reason))
            continue
        by_table[table] = (label, rows)
    row_units: dict[tuple[str, uuid.UUID], list[Unit]] = defaultdict(list)
    loose: list[tuple[Unit, set[uuid.UUID]]] = []  # rows without a usable id, and what they refer to
    seen: dict[tuple[str, uuid.UUID], str] = {}
    order = [table for table in HSDS_COLUMNS if table != "attribute"] + ["attribute"]
    service_ids = set()
    for table in order:
        if table not in by_table:
            continue
        label, rows = by_table[table]
        builder.part = label
        for location, row in rows:
            unit = builder.begin_unit(f"{label} {location}" if separator is None else location)
            if "!" in row:
                builder.problem(location, "", str(row["!"]))
                continue
            values = builder.convert(table, row, location, separator=separator)
            refers_to = {values[name] for name in UNIT_REFERENCES.get(table, ()) if name in values}
            if not builder.require(table, values, location, separator=separator):
                loose.append((unit, refers_to))
                continue
            key = (table, values["id"])
            if key in seen:
                builder.problem(location, "id", f"the same id is used again (first at {seen[key]})")
                loose.append((unit, refers_to | {values["id"]}))
                continue
            seen.setdefault(key, location)
            if table == "attribute" and values.get("link_id") in service_ids:
                term_id = values.get("taxonomy_term_id")
                at = location if separator is None else f"{location}{separator}value"
                if term_id in FACTS_BY_TERM_ID or term_id == CLOSURE_TERM_ID:
                    # A connector fact or closure: part of its service, not an attribute row.
                    if term_id == CLOSURE_TERM_ID:
                        add_closure(builder, values["link_id"], row.get("value"), at)
                    else:
                        add_fact(builder, values["link_id"], FACTS_BY_TERM_ID[term_id], row.get("value"), at)
                    row_units[("service", values["link_id"])].append(unit)
                    continue
            builder.put(table, values)
            row_units[key].append(unit)
            if table == "service":
                service_ids.add(values["id"])
    builder.part = builder.file
    _relate(builder, set(by_table))
    builder.units = _group(builder, row_units, loose)


def _relate(builder: Builder, present: set[str]) -> None:
    """A table's file lists all such children of every parent in the package."""
    for child_table, references in CHILD_REFERENCES.items():
        if child_table not in present:
            continue
        for reference, parent_table in references.items():
            for parent_id in builder.rows[parent_table]:
                builder.relate(parent_table, parent_id, child_table, reference)
    for child_table, reference in (("attribute", "link_id"), ("metadata", "resource_id")):
        if child_table in present:
            for parent_table, rows in builder.rows.items():
                for parent_id in rows:
                    builder.relate(parent_table, parent_id, child_table, reference)


def _group(
    builder: Builder,
    row_units: dict[tuple[str, uuid.UUID], list[Unit]],
    loose: list[tuple[Unit, set[uuid.UUID]]],
) -> list[Unit]:
    """One unit per service with the rows hanging off it; every other row on its own."""
    children: dict[uuid.UUID, list[tuple[str, uuid.UUID]]] = defaultdict(list)
    for table, references in UNIT_REFERENCES.items():
        for record_id, values in builder.rows[table].items():
            for reference in references:
                if (parent := values.get(reference)) is not None:
                    children[parent].append((table, record_id))
    absorbed: set[int] = set()
    owners: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)  # any record id -> its services
    units: list[Unit] = []
    by_service: dict[uuid.UUID, Unit] = {}
    for service_id in builder.rows["service"]:
        first = row_units[("service", service_id)][0]
        unit = Unit(label=first.label, service_ids=[service_id])
        reached = {("service", service_id)}
        queue = [service_id]
        while queue:
            for key in children.get(queue.pop(), ()):
                if key not in reached:
                    reached.add(key)
                    queue.append(key[1])
        for key in reached:
            owners[key[1]].add(service_id)
            unit.keys.add(key)
            for member in row_units.get(key, ()):
                absorbed.add(id(member))
                unit.problems.extend(member.problems)
        units.append(unit)
        by_service[service_id] = unit
    for member, refers_to in loose:
        services = set().union(*(owners.get(target, set()) for target in refers_to)) if refers_to else set()
        for service_id in services:
            by_service[service_id].problems.extend(member.problems)
        if services:
            absorbed.add(id(member))
    for member in builder.units:
        if id(member) not in absorbed:
            member.service_ids.clear()
            units.append(member)
    return units
