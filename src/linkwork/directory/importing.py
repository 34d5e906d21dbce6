"""Importing directory files: check everything, report every problem, then write in one go.

`import_directory` reads a file (HSDS 3.0 JSON, the HSDS CSV data package, Open Referral UK 1.0
JSON, or a simple spreadsheet; see docs/directory-import.md), checks every field, and either writes
all of it in one transaction or nothing:

- **All or nothing** by default: any problem means nothing is written, and the report lists each
  problem with its file, row or JSON path, field and reason. With `skip_invalid`, services (with
  everything nested in them) that have a problem are left out and the rest is written.
- **Idempotent**: records are matched by id. A service already in the directory keeps its editorial
  life (owner, state, checks, review date); its HSDS fields are replaced by the file's, its version
  goes up, and the children the file lists for it (phones, schedules, places, contacts, ...) replace
  the ones it had. Children of a kind the file does not mention for it (a list without `phones`) are
  kept. Connector facts and closures come as linkwork attributes: the facts a file carries are set
  and the others kept; a file carrying closures for a service replaces its closures.
- **New services** belong to `owner` and are published (due for review
  `LINKWORK_DIRECTORY_REVIEW_DAYS` after their assured date, or after today when they have none),
  or drafts with `publish=False`.
- **Provenance**: each service records where it came from first (`source`), when and by whom. A
  re-import keeps those (of the first import, the suggestion form or the editor who entered it); the
  latest import is in the audit log (`directory.imported`) and the entry's `version` and `updated_at`.
- **Fast**: records are written with one multi-row upsert statement per batch
  (`INSERT ... ON CONFLICT (id) DO UPDATE`, which SQLite and PostgreSQL share), existing ids are
  fetched in bulk, and the import is one audit event, `directory.imported`, with the counts.
"""

from __future__ import annotations

import gc
import operator
import sys
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.db import connection, models, transaction
from tqdm import tqdm

from linkwork.accounts.models import Organisation, User
from linkwork.audit.services import audit_record
from linkwork.core.errors import PermissionDenied
from linkwork.core.policies import Action, Operator, authorize
from linkwork.core.time import local_today, now
from linkwork.directory import formats
from linkwork.directory.connector_facts import FACTS
from linkwork.directory.formats import MODELS, Bundle, ImportProblem
from linkwork.directory.models import Closure, EntryState, Service
from linkwork.directory.services import actor_name, live_state_on, review_due_after
from linkwork.directory.signals import announce_services_changed

Actor = User | Operator
T = TypeVar("T")

BATCH = 2_000
QUERY_CHUNK = 500  # ids per IN (...) query: within SQLite's 999 parameters
_uuid_hex: Callable[[uuid.UUID], str] = operator.attrgetter("hex")  # how SQLite stores a uuid

# Table names in reports: (one, many).
NAMES = {
    "organization": ("organisation", "organisations"),
    "program": ("programme", "programmes"),
    "service": ("service", "services"),
    "attribute": ("attribute", "attributes"),
    "service_at_location": ("service at a location", "services at locations"),
    "location": ("location", "locations"),
    "phone": ("phone", "phones"),
    "contact": ("contact", "contacts"),
    "address": ("address", "addresses"),
    "schedule": ("schedule", "schedules"),
    "funding": ("funding source", "funding sources"),
    "service_area": ("service area", "service areas"),
    "required_document": ("required document", "required documents"),
    "language": ("language", "languages"),
    "accessibility": ("accessibility note", "accessibility notes"),
    "taxonomy_term": ("taxonomy term", "taxonomy terms"),
    "metadata": ("metadata record", "metadata records"),
    "cost_option": ("cost option", "cost options"),
    "organization_identifier": ("organisation identifier", "organisation identifiers"),
    "taxonomy": ("taxonomy", "taxonomies"),
}
# Service columns a re-import never changes: the entry's editorial life.
EDITORIAL = frozenset(
    {
        "owner_id",
        "state",
        "state_changed_at",
        "rejection_reason",
        "last_verified_at",
        "last_verified_by_id",
        "verification_method",
        "review_due_on",
        "submitted_by_name",
        "submitted_by_email",
        "submitted_from",
        "provider_contact_name",
        "provider_contact_email",
        "created_at",
    }
)

PROVENANCE = ("source", "source_recorded_at", "source_recorded_by")


@dataclass
class ImportReport:
    """What an import found and did. `render()` is the text the command prints."""

    file: str
    fmt: str
    dry_run: bool = False
    skip_invalid: bool = False
    created: int = 0  # services new to the directory
    updated: int = 0  # services already in it
    skipped: int = 0  # top-level records left out (services, or other records given on their own)
    records: dict[str, int] = field(default_factory=dict)  # rows written (or to write) per HSDS table
    errors: list[ImportProblem] = field(default_factory=list)
    warnings: list[ImportProblem] = field(default_factory=list)
    failed: bool = False  # problems stopped the import: nothing was (or would be) written
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def render(self) -> str:
        lines = [str(problem) for problem in self.errors]
        lines += [f"Note: {problem}" for problem in self.warnings]
        if lines:
            lines.append("")
        lines.append(self.summary())
        return "\n".join(lines)

    def summary(self) -> str:
        described = f"{self.file} ({self.fmt})" if self.fmt else self.file
        problems = _count(len(self.errors), "problem")
        if self.failed:
            advice = ""
            if self.errors and not self.skip_invalid and self.records:
                advice = " Put them right, or use --skip-invalid to import the rest."
            return f"Nothing was imported from {described}: {problems} found.{advice}"
        if not self.records:
            return f"{described} has no directory records to import."
        would = "would be " if self.dry_run else ""
        text = (
            f"{'Checked' if self.dry_run else 'Imported'} {described}: "
            f"{_count(self.created, 'service')} {would}created, {self.updated:,} {would}updated"
        )
        if self.skipped:
            text += f", {self.skipped} left out because of the {problems} above"
        text += "."
        others = [
            f"{count:,} {NAMES[table][0 if count == 1 else 1]}"
            for table, count in self.records.items()
            if table != "service" and count
        ]
        if others:
            text += f"\n{'Would write' if self.dry_run else 'Also written'}: {', '.join(others)}."
        if self.dry_run:
            text += "\nThis was a dry run: nothing was written."
        return text


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def import_directory(
    path: Path,
    *,
    fmt: str | None,
    actor: Actor,
    owner: Organisation,
    dry_run: bool = False,
    skip_invalid: bool = False,
    publish: bool = True,
    progress: bool = False,
) -> ImportReport:
    """Import a directory file or CSV package; `fmt` None guesses it from the file."""
    _authorise(actor, owner)
    with _collector_paused():
        bundle = formats.read(Path(path), fmt, progress=progress)
        return import_bundle(
            bundle,
            actor=actor,
            owner=owner,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            publish=publish,
            progress=progress,
        )


def import_services_data(
    data: Any,
    *,
    actor: Actor,
    owner: Organisation,
    fmt: str = "hsds-json",
    file: str = "data",
    dry_run: bool = False,
    skip_invalid: bool = False,
    publish: bool = True,
    progress: bool = False,
) -> ImportReport:
    """Import already-parsed JSON (a list of HSDS services, a page, ...) without a file.

    `fmt` is "hsds-json" or "oruk-v1"; `file` names the data in the report and the services' source.
    """
    from linkwork.directory.formats import hsds_json, oruk_v1

    if fmt not in ("hsds-json", "oruk-v1"):
        raise ValueError(f"import_services_data reads hsds-json or oruk-v1, not {fmt!r}")
    _authorise(actor, owner)
    reader = oruk_v1.read_data if fmt == "oruk-v1" else hsds_json.read_data
    with _collector_paused():
        bundle = reader(data, file=file, progress=progress)
        return import_bundle(
            bundle,
            actor=actor,
            owner=owner,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            publish=publish,
            progress=progress,
        )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while an import builds millions of small objects.

    Records hold no reference cycles, so nothing is left for the collector, which would otherwise
    walk the growing heap again and again (about a sixth of the time of a large import).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _authorise(actor: Actor, owner: Organisation) -> None:
    authorize(actor, Action.CREATE, Service)
    if isinstance(actor, User) and actor.organisation_id != owner.pk:
        raise PermissionDenied("You can only import entries for your own organisation.")


def import_bundle(
    bundle: Bundle,
    *,
    actor: Actor,
    owner: Organisation,
    dry_run: bool = False,
    skip_invalid: bool = False,
    publish: bool = True,
    progress: bool = False,
) -> ImportReport:
    """Check a read file's units and write the valid ones (all of them, or nothing, by default)."""
    report = ImportReport(
        file=bundle.file, fmt=bundle.fmt, dry_run=dry_run, skip_invalid=skip_invalid, warnings=bundle.warnings
    )
    if bundle.fatal:
        report.errors = list(bundle.fatal)
        report.failed = True
        return report
    invalid = [unit for unit in bundle.units if unit.problems]
    report.errors = list(dict.fromkeys(problem for unit in invalid for problem in unit.problems))
    rows = bundle.rows
    if invalid:
        keys = {key for unit in bundle.units if not unit.problems for key in unit.keys}
        rows = {
            table: {i: v for i, v in records.items() if (table, i) in keys} for table, records in rows.items()
        }
        report.skipped = sum(len(unit.service_ids) or 1 for unit in invalid)
    report.records = {table: len(records) for table, records in rows.items() if records}
    if invalid and (not skip_invalid or not report.records):
        report.failed = True
        return report
    if dry_run or not report.records:
        _count_services(report, rows)
        return report
    with transaction.atomic():
        existing = _count_services(report, rows)
        _remove_replaced(bundle, rows, existing)
        writer = _Writer(bundle, rows, actor=actor, owner=owner, publish=publish, progress=progress)
        writer.write()
        announce_services_changed(rows.get("service", {}))
        audit_record(
            actor=actor,
            event="directory.imported",
            target=Service,
            organisation_id=owner.pk,
            detail={
                "format": bundle.fmt,
                "file": bundle.file,
                "created": report.created,
                "updated": report.updated,
                "skipped": report.skipped,
            },
        )
    report.written = True
    return report


def _count_services(report: ImportReport, rows: dict[str, dict[uuid.UUID, dict[str, Any]]]) -> set[uuid.UUID]:
    """Count the services to create and to update; the ids of those already in the directory."""
    existing = set(_existing_ids(Service, rows["service"]))
    report.updated = len(existing)
    report.created = len(rows["service"]) - report.updated
    return existing


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _existing_ids(model: type[models.Model], ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    return _select_ids(model, model._meta.pk.column, ids)


def _select_ids(model: type[models.Model], column: str, values: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    """The ids of `model`'s rows whose uuid `column` is one of `values` (in chunks of one query each)."""
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    adapt = _uuid_hex if not connection.features.has_native_uuid_field else None
    found: list[uuid.UUID] = []
    with connection.cursor() as cursor:
        for chunk in _chunks(values, QUERY_CHUNK):
            placeholders = ", ".join(["%s"] * len(chunk))
            params = [adapt(value) for value in chunk] if adapt else chunk
            cursor.execute(f"SELECT {pk} FROM {table} WHERE {quote(column)} IN ({placeholders})", params)  # noqa: S608
            found += [
                value if isinstance(value, uuid.UUID) else uuid.UUID(value) for (value,) in cursor.fetchall()
            ]
    return found


def _remove_replaced(
    bundle: Bundle, rows: dict[str, dict[uuid.UUID, dict[str, Any]]], existing_services: set[uuid.UUID]
) -> None:
    """Delete children the file no longer lists for a parent (already in the directory) it lists them for."""
    wanted: dict[str, set[uuid.UUID]] = defaultdict(set)
    for (parent_table, _child_table, _reference), parent_ids in bundle.relations.items():
        wanted[parent_table] |= parent_ids
    existing: dict[str, set[uuid.UUID]] = {"service": existing_services}
    for parent_table, parent_ids in wanted.items():
        if parent_table != "service":
            written = parent_ids & rows[parent_table].keys()
            existing[parent_table] = set(_existing_ids(MODELS[parent_table], written))
    parents: dict[tuple[str, str], list[uuid.UUID]] = defaultdict(list)
    for (parent_table, child_table, reference), parent_ids in bundle.relations.items():
        found = parent_ids & existing[parent_table] & rows[parent_table].keys()
        parents[(child_table, reference)] += found
    for (child_table, reference), ids in sorted(parents.items()):
        model = MODELS[child_table]
        reference_field = model._meta.get_field(reference)
        assert isinstance(reference_field, models.Field)
        column = reference_field.column
        keep = rows[child_table]
        stale = [pk for pk in _select_ids(model, column, ids) if pk not in keep]
        for chunk in _chunks(dict.fromkeys(stale), QUERY_CHUNK):
            model._default_manager.filter(pk__in=chunk).delete()
    closed = [service_id for service_id in bundle.closures if service_id in existing_services]
    for chunk in _chunks(closed, QUERY_CHUNK):
        Closure.objects.filter(service_id__in=chunk).delete()


class _Writer:
    def __init__(
        self,
        bundle: Bundle,
        rows: dict[str, dict[uuid.UUID, dict[str, Any]]],
        *,
        actor: Actor,
        owner: Organisation,
        publish: bool,
        progress: bool,
    ) -> None:
        self.bundle = bundle
        self.rows = rows
        self.actor = actor
        self.owner = owner
        self.publish = publish
        self.moment = now()
        self.today = local_today()
        total = sum(len(records) for records in rows.values())
        self.bar = tqdm(total=total, desc="Writing", unit=" records", disable=not progress, file=sys.stderr)

    def write(self) -> None:
        try:
            for table, records in self.rows.items():
                if not records:
                    continue
                if table == "service":
                    self.services(records)
                elif table in ("organization", "location"):
                    self.upsert(
                        MODELS[table],
                        self.owned(table, records.values()),
                        keep={"owner_id"},
                    )
                else:
                    self.upsert(MODELS[table], records.values())
            self.closures()
        finally:
            self.bar.close()

    def owned(self, table: str, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        extra: dict[str, Any] = {"owner_id": self.owner.pk}
        if table == "organization":
            extra["updated_at"] = self.moment
        for values in records:
            yield values | extra

    def services(self, records: dict[uuid.UUID, dict[str, Any]]) -> None:
        source = f"import {self.bundle.fmt} {self.bundle.file}"
        recorded_by = actor_name(self.actor)[:150]
        state = EntryState.PUBLISHED if self.publish else EntryState.DRAFT
        blank_facts = {fact.column: (None if fact.kind == "boolean" else "") for fact in FACTS}
        common = {
            "owner_id": self.owner.pk,
            "state": state,
            "state_changed_at": self.moment,
            "source_recorded_at": self.moment,
            "source_recorded_by": recorded_by,
            "created_at": self.moment,
            "updated_at": self.moment,
            "version": 1,
        }

        review_dates: dict[Any, Any] = {}
        # HSDS times carry milliseconds: a service exported and imported again keeps the same time.
        modified = self.moment.replace(microsecond=self.moment.microsecond // 1000 * 1000)

        def review_due(assured: Any) -> Any:
            if assured not in review_dates:
                review_dates[assured] = review_due_after(assured)
            return review_dates[assured]

        def rows() -> Iterator[dict[str, Any]]:
            for service_id, values in records.items():
                row = common | blank_facts | values | self.bundle.facts.get(service_id, {})
                row.setdefault("status", "active")
                row.setdefault("last_modified", modified)
                note = self.bundle.source_notes.get(service_id)
                row["source"] = (f"{source}, {note}" if note else source)[:200]
                if self.publish:
                    # A feed's assurance date counts as the last check: an entry last assured long
                    # ago arrives due for review or stale, as the daily sweep would have it.
                    due = review_due(values.get("assured_date") or self.today)
                    row["review_due_on"] = due
                    row["state"] = live_state_on(due, self.today)
                yield row

        quote = connection.ops.quote_name
        table = quote(Service._meta.db_table)
        expressions = {"version": f"{table}.{quote('version')} + 1"}
        # Provenance says where the entry came from first: an entry with a source keeps all three.
        for column in PROVENANCE:
            expressions[column] = (
                f"CASE WHEN {table}.{quote('source')} = '' THEN EXCLUDED.{quote(column)} "
                f"ELSE {table}.{quote(column)} END"
            )
        for fact in FACTS:
            column = connection.ops.quote_name(fact.column)
            if fact.kind == "boolean":
                expressions[fact.column] = f"COALESCE(EXCLUDED.{column}, {table}.{column})"
            else:
                expressions[fact.column] = (
                    f"CASE WHEN EXCLUDED.{column} = '' THEN {table}.{column} ELSE EXCLUDED.{column} END"
                )
        self.upsert(Service, rows(), keep=EDITORIAL, expressions=expressions)

    def closures(self) -> None:
        closures = [
            Closure(service_id=service_id, starts_on=spec.starts_on, ends_on=spec.ends_on, reason=spec.reason)
            for service_id, specs in self.bundle.closures.items()
            if service_id in self.rows["service"]
            for spec in specs
        ]
        Closure.objects.bulk_create(closures, batch_size=500)

    def upsert(
        self,
        model: type[models.Model],
        rows: Iterable[dict[str, Any]],
        *,
        keep: Iterable[str] = (),
        expressions: dict[str, str] | None = None,
    ) -> None:
        """Insert rows, or update the ones whose id exists (except the `keep` columns)."""
        sql, prepare = _upsert_statement(model, frozenset(keep), expressions or {})
        with connection.cursor() as cursor:
            for batch in _chunks(rows, BATCH):
                cursor.executemany(sql, [prepare(row) for row in batch])
                self.bar.update(len(batch))


def _upsert_statement(
    model: type[models.Model], keep: frozenset[str], expressions: dict[str, str]
) -> tuple[str, Callable[[dict[str, Any]], Sequence[Any]]]:
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if isinstance(f, models.Field)]
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    updates = ", ".join(
        f"{quote(f.column)} = {expressions.get(f.attname, f'EXCLUDED.{quote(f.column)}')}"
        for f in fields
        if not f.primary_key and f.attname not in keep
    )
    # Every name comes from the model's own metadata, quoted; values are parameters.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT ({quote(model._meta.pk.column)}) DO UPDATE SET {updates}"
    )
    defaults = {f.attname: _default(f) for f in fields}
    values_of = operator.itemgetter(*defaults)
    adapters = [(index, adapt) for index, f in enumerate(fields) if (adapt := _adapter(f)) is not None]

    def prepare(row: dict[str, Any]) -> Sequence[Any]:
        params = list(values_of(defaults | row))
        for index, adapt in adapters:
            if (value := params[index]) is not None:
                params[index] = adapt(value)
        return params

    return sql, prepare


def _default(model_field: models.Field[Any, Any]) -> Any:
    if model_field.has_default() and not callable(model_field.default):
        return model_field.default
    return None if model_field.null else ""


def _adapter(model_field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """Python value -> database parameter, for the types the driver does not take as they are.

    The same conversions as the fields' `get_db_prep_save`, without its per-value overhead: the
    values are already of the field's Python type (the readers converted them).
    """
    target = model_field.target_field if isinstance(model_field, models.ForeignKey) else model_field
    ops = connection.ops
    if isinstance(target, models.UUIDField):
        return None if connection.features.has_native_uuid_field else _uuid_hex
    if isinstance(target, models.DateTimeField):
        return _remembered(ops.adapt_datetimefield_value)
    if isinstance(target, models.DateField):
        return _remembered(ops.adapt_datefield_value)
    if isinstance(target, models.TimeField):
        return _remembered(ops.adapt_timefield_value)
    return None


def _remembered(adapt: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`adapt`, remembering its answers: imports repeat the same dates and times many times over."""
    answers: dict[Any, Any] = {}

    def remembered(value: Any) -> Any:
        try:
            return answers[value]
        except KeyError:
            answers[value] = answer = adapt(value)
            return answer

    return remembered
