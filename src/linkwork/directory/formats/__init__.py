"""Reading directory files into HSDS records in memory, with every problem found on the way.

Each reader (`hsds_json`, `hsds_csv`, `oruk_v1`, `simple_csv`) walks its file and hands records to a
`Builder` as HSDS tables (`service`, `phone`, ...) keyed by uuid. The builder checks and converts each
field (uuid, number, date, time, enumerations, e-mail, length), merges a record that appears several
times (the same phone nested under a service, its contact and its location becomes one row with all
three references), and notes where everything came from so problems can be reported by row or JSON path.

Records are grouped into *units*, the pieces that `--skip-invalid` keeps or leaves out whole: one
top-level JSON object with everything nested in it, or in a CSV package one service with everything
that hangs off it (its phones, schedules, places it runs, contacts and their phones, attributes). The
`importing` module decides what to write; nothing here touches the database except `simple_csv`
looking up category and organisation names.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
import sys
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from django.db import models

from linkwork.directory import connector_facts
from linkwork.directory import models as directory_models
from linkwork.directory.hsds_tables import COLUMNS as HSDS_COLUMNS
from linkwork.directory.sanitise import looks_like_html, sanitise_text

T = TypeVar("T")

FORMATS = ("hsds-json", "hsds-csv", "oruk-v1", "csv")

# Ids linkwork makes for records that arrive without a usable one (ORUK 1.0 numeric ids, rows of a
# simple spreadsheet) are uuid5 values under this namespace, so a re-import finds the same records.
IMPORT_NAMESPACE = uuid.UUID("3b0c6a4e-9d51-4c7e-8f2a-5d6e1b9a7c30")

TEXT_LIMIT = 50_000
NAME_LIMIT = 1_000
# Short names, shown as headings and link text: markup in them is made plain text on one line.
NAME_FIELDS = frozenset({"name", "alternate_name", "title", "department", "attention"})
# Web addresses (HSDS marks all but `logo` as `uri`): only http and https, so no `javascript:` link.
URL_FIELDS = frozenset({"url", "website", "uri", "term_uri", "schedule_link", "logo"})
WEB_SCHEMES = ("http", "https")

# Free-text fields that feeds fill with HTML; they are made plain text (see `sanitise`).
HTML_FIELDS = frozenset(
    {
        "description",
        "eligibility_description",
        "application_process",
        "fees_description",
        "fees",
        "interpretation_services",
        "accreditations",
        "alert",
        "wait_time",
        "transportation",
        "details",
        "notes",
        "amount_description",
        "document",
        "source",
    }
)


MODELS: dict[str, type[models.Model]] = {
    "organization": directory_models.Organization,
    "program": directory_models.Program,
    "service": directory_models.Service,
    "attribute": directory_models.Attribute,
    "service_at_location": directory_models.ServiceAtLocation,
    "location": directory_models.Location,
    "phone": directory_models.Phone,
    "contact": directory_models.Contact,
    "address": directory_models.Address,
    "schedule": directory_models.Schedule,
    "funding": directory_models.Funding,
    "service_area": directory_models.ServiceArea,
    "required_document": directory_models.RequiredDocument,
    "language": directory_models.Language,
    "accessibility": directory_models.Accessibility,
    "taxonomy_term": directory_models.TaxonomyTerm,
    "metadata": directory_models.Metadata,
    "cost_option": directory_models.CostOption,
    "organization_identifier": directory_models.OrganizationIdentifier,
    "taxonomy": directory_models.Taxonomy,
}

# Required beyond `id`. HSDS asks for more (an organisation's description, an address's county);
# published data often lacks them, and a directory keeps what it is given.
REQUIRED: dict[str, tuple[str, ...]] = {
    "service": ("name", "status"),
    "organization": ("name",),
    "program": ("name",),
    "phone": ("number",),
    "taxonomy": ("name",),
    "taxonomy_term": ("name",),
    "attribute": ("link_id",),
    "metadata": ("resource_id",),
}

ENUMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("service", "status"): ("active", "inactive", "defunct", "temporarily closed"),
    ("location", "location_type"): ("physical", "postal", "virtual"),
    ("address", "address_type"): ("physical", "postal", "virtual"),
    ("schedule", "freq"): ("WEEKLY", "MONTHLY"),
    ("schedule", "wkst"): ("MO", "TU", "WE", "TH", "FR", "SA", "SU"),
}
EMAIL_FIELDS = frozenset({"email", "assurer_email"})

# Parent references that make a record part of another (for grouping a CSV package into units, and
# for replacing a re-imported record's children): child table -> {reference column: parent table}.
CHILD_REFERENCES: dict[str, dict[str, str]] = {
    "phone": {
        "service_id": "service",
        "service_at_location_id": "service_at_location",
        "contact_id": "contact",
        "location_id": "location",
        "organization_id": "organization",
    },
    "schedule": {
        "service_id": "service",
        "service_at_location_id": "service_at_location",
        "location_id": "location",
    },
    "contact": {
        "service_id": "service",
        "service_at_location_id": "service_at_location",
        "location_id": "location",
        "organization_id": "organization",
    },
    "language": {"service_id": "service", "phone_id": "phone", "location_id": "location"},
    "service_at_location": {"service_id": "service"},
    "service_area": {"service_id": "service"},
    "cost_option": {"service_id": "service"},
    "funding": {"service_id": "service", "organization_id": "organization"},
    "required_document": {"service_id": "service"},
    "address": {"location_id": "location"},
    "accessibility": {"location_id": "location"},
    "organization_identifier": {"organization_id": "organization"},
}


@dataclass(frozen=True)
class ImportProblem:
    """Something wrong in the file: where (file, CSV row or JSON path), which field, and why."""

    file: str
    location: str
    field: str
    reason: str

    def __str__(self) -> str:
        where = " ".join(part for part in (self.file, self.location) if part)
        shown_field = self.field and not self.location.endswith(f".{self.field}")
        return f"{where}: {self.field}: {self.reason}" if shown_field else f"{where}: {self.reason}"


@dataclass
class Unit:
    """What `--skip-invalid` keeps or leaves out whole: a top-level record and what hangs off it."""

    label: str
    keys: set[tuple[str, uuid.UUID]] = field(default_factory=set)
    problems: list[ImportProblem] = field(default_factory=list)
    service_ids: list[uuid.UUID] = field(default_factory=list)


@dataclass(frozen=True)
class ClosureSpec:
    starts_on: dt.date
    ends_on: dt.date
    reason: str


@dataclass
class Bundle:
    """Everything read from one file."""

    file: str
    fmt: str
    rows: dict[str, dict[uuid.UUID, dict[str, Any]]]
    units: list[Unit]
    # (parent table, child table, reference column) -> parent ids: the file gives these parents' full
    # lists of such children, so children it no longer lists are removed on re-import.
    relations: dict[tuple[str, str, str], set[uuid.UUID]]
    facts: dict[uuid.UUID, dict[str, Any]]
    closures: dict[uuid.UUID, list[ClosureSpec]]
    source_notes: dict[uuid.UUID, str]
    fatal: list[ImportProblem]
    warnings: list[ImportProblem]


class FileProblem(Exception):
    """The file as a whole cannot be read (not JSON, not CSV, not found, unknown shape)."""

    def __init__(self, file: str, reason: str, location: str = "") -> None:
        super().__init__(reason)
        self.problem = ImportProblem(file, location, "", reason)


# --- Field conversion ---------------------------------------------------------------------------

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_BYDAY = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_INTEGER_LIST = re.compile(r"[+-]?\d{1,3}")

Converter = Callable[[Any], Any]


@functools.lru_cache(maxsize=100_000)
def _uuid_from_text(text: str) -> uuid.UUID | None:
    """Remembered, as files repeat the same ids (a taxonomy term under every service that uses it)."""
    if _UUID.fullmatch(text):
        return uuid.UUID(text)
    if _UUID.fullmatch(stripped := text.strip()):
        return uuid.UUID(stripped)
    return None


def parse_uuid(value: Any) -> uuid.UUID:
    if isinstance(value, str):
        if (parsed := _uuid_from_text(value)) is not None:
            return parsed
    elif isinstance(value, uuid.UUID):
        return value
    raise ValueError(f"{_shown(value)} is not a uuid (like 3a19ff88-4620-4d17-9830-ac1d859eb5d5)")


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _text(limit: int, html: bool) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        if isinstance(value, str):
            text = value
        elif isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, int | float):
            text = _number_text(value)
        else:
            raise ValueError(f"expected text, not {_shown(value)}")
        text = sanitise_text(text) if html or "\x00" in text else text.strip()
        if len(text) > limit:
            raise ValueError(f"is {len(text):,} characters long; the most allowed is {limit:,}")
        return text

    return convert


def _number_text(value: float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


_plain_email = _text(254, html=False)
_plain_short = _text(500, html=False)
_plain_long = _text(TEXT_LIMIT, html=False)
_plain_name = _text(NAME_LIMIT, html=False)


def _name(value: Any) -> str:
    """A name; one written as HTML (`<b>Club</b>`, `<img src=x onerror=...>Club`) keeps only its text."""
    text = _plain_name(value)
    if "<" in text and looks_like_html(text):
        text = " ".join(sanitise_text(text).split())
    return text


# Browsers drop tabs and line breaks anywhere in an address, and C0 controls and spaces around it, before
# reading its scheme ("java\tscript:" is "javascript:"), so those go before the scheme is checked.
_URL_BREAKS = re.compile(r"[\t\n\r]")
_URL_EDGES = "".join(chr(code) for code in range(0x21))
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_HOST_AND_PORT = re.compile(r"[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+:\d+(?:[/?#].*)?", re.DOTALL)


def _web_address(value: Any) -> str:
    """A web address: one with a scheme must use http or https. One without (`www.example.org`,
    `example.org:8080/page`) is kept as given; exports add https:// to a bare domain."""
    text = _URL_BREAKS.sub("", _plain_long(value)).strip(_URL_EDGES)
    scheme = _SCHEME.match(text)
    if scheme and scheme[1].lower() not in WEB_SCHEMES and not _HOST_AND_PORT.fullmatch(text):
        raise ValueError(f"{_shown(text)} is not a web address: use one starting https:// or http://")
    return text


def _email(value: Any) -> str:
    text = _plain_email(value)
    if text and not _EMAIL.fullmatch(text):
        raise ValueError(f"{_shown(text)} is not an e-mail address (like name@example.org)")
    return text


def _enum(choices: tuple[str, ...]) -> Converter:
    by_folded = {choice.casefold(): choice for choice in choices}

    def convert(value: Any) -> str:
        if isinstance(value, str) and (found := by_folded.get(value.strip().casefold())) is not None:
            return found
        raise ValueError(f"{_shown(value)} is not one of: {', '.join(choices)}")

    return convert


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"expected a number, not {_shown(value)}")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", ""))
        except ValueError:
            raise ValueError(f"{_shown(value)} is not a number") from None
    else:
        raise ValueError(f"expected a number, not {_shown(value)}")
    if not math.isfinite(number):
        raise ValueError(f"{_shown(value)} is not a number")
    return number


def _integer(value: Any) -> int:
    number = _number(value)
    if not number.is_integer() or abs(number) > 2**31 - 1:
        raise ValueError(f"{_shown(value)} is not a whole number")
    return int(number)


def parse_date(value: Any) -> dt.date:
    if isinstance(value, str) and (match := _DATE.fullmatch(value.strip())):
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise ValueError(f"{_shown(value)} is not a date (use YYYY-MM-DD, like 2025-03-31)")


def _datetime(value: Any) -> dt.datetime:
    if isinstance(value, str):
        text = value.strip()
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            moment = None
        if moment is not None and _DATE.fullmatch(text):
            return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    raise ValueError(f"{_shown(value)} is not a date and time (like 2025-03-31T10:30:00Z)")


def parse_time(value: Any) -> dt.time:
    if isinstance(value, str) and (match := _TIME.fullmatch(value.strip())):
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        if hour == 24 and minute == 0 and second == 0:
            return dt.time(23, 59, 59)
        if hour < 24 and minute < 60 and second < 60:
            return dt.time(hour, minute, second)
    raise ValueError(f"{_shown(value)} is not a time (use HH:MM or HH:MM:SS, like 09:30)")


def _byday(value: Any) -> str:
    text = _plain_short(value).upper().replace(" ", "")
    if text and not all(_BYDAY.fullmatch(part) for part in text.split(",")):
        raise ValueError(f"{_shown(value)} is not a list of days like MO,WE or 1FR (first Friday)")
    return text


def _integer_list(value: Any) -> str:
    text = _plain_short(value).replace(" ", "")
    if text and not all(_INTEGER_LIST.fullmatch(part) for part in text.split(",")):
        raise ValueError(f"{_shown(value)} is not a list of numbers separated by commas")
    return text


@dataclass(frozen=True)
class Column:
    key: str  # the HSDS name
    attname: str  # the model's attribute (and database column)
    convert: Converter


def _converter(table: str, key: str, model_field: models.Field[Any, Any]) -> Converter:
    if key == "id" or isinstance(model_field, models.UUIDField | models.ForeignKey):
        return parse_uuid
    if (table, key) in ENUMS:
        return _enum(ENUMS[(table, key)])
    if isinstance(model_field, models.DateTimeField):
        return _datetime
    if isinstance(model_field, models.DateField):
        return parse_date
    if isinstance(model_field, models.TimeField):
        return parse_time
    if isinstance(model_field, models.FloatField):
        return _number
    if isinstance(model_field, models.IntegerField):
        return _integer
    if key in EMAIL_FIELDS:
        return _email
    if table == "schedule" and key == "byday":
        return _byday
    if table == "schedule" and key in ("bymonthday", "byweekno", "byyearday"):
        return _integer_list
    if key in URL_FIELDS:
        return _web_address
    if key in NAME_FIELDS:
        return _name
    return _text(TEXT_LIMIT, html=key in HTML_FIELDS)


def _columns(table: str) -> dict[str, Column]:
    model = MODELS[table]
    columns = {}
    for key in HSDS_COLUMNS[table]:
        name = "taxonomy_detail" if (table, key) == ("taxonomy_term", "taxonomy_id") else key
        model_field = model._meta.get_field(name)  # attnames (organization_id) are found too
        assert isinstance(model_field, models.Field)
        columns[key] = Column(
            key=key,
            attname=model_field.attname,
            convert=_converter(table, key, model_field),
        )
    return columns


COLUMNS: dict[str, dict[str, Column]] = {table: _columns(table) for table in HSDS_COLUMNS}
REQUIRED_ATTNAMES: dict[str, tuple[tuple[str, str], ...]] = {
    table: tuple((key, COLUMNS[table][key].attname) for key in ("id", *REQUIRED.get(table, ())))
    for table in HSDS_COLUMNS
}


CONNECTOR_RECORDS = frozenset(
    {connector_facts.TAXONOMY_ID, connector_facts.CLOSURE_TERM_ID, *connector_facts.FACTS_BY_TERM_ID}
)


def import_id(*parts: object) -> uuid.UUID:
    """A stable id for a record that arrived without one, from what identifies it in the source."""
    return uuid.uuid5(IMPORT_NAMESPACE, ":".join(str(part) for part in parts))


def at(path: str, key: str, separator: str | None) -> str:
    return path if separator is None else f"{path}{separator}{key}"


# --- The builder ----------------------------------------------------------------------------------


class Builder:
    """Collects converted records, problems and units while a reader walks a file."""

    def __init__(self, file: str, fmt: str) -> None:
        self.file = file
        self.fmt = fmt
        self.rows: dict[str, dict[uuid.UUID, dict[str, Any]]] = {table: {} for table in HSDS_COLUMNS}
        self.units: list[Unit] = []
        self.unit = Unit(label="")
        self.relations: dict[tuple[str, str, str], set[uuid.UUID]] = defaultdict(set)
        self.facts: dict[uuid.UUID, dict[str, Any]] = {}
        self.closures: dict[uuid.UUID, list[ClosureSpec]] = {}
        self.source_notes: dict[uuid.UUID, str] = {}
        self.fatal: list[ImportProblem] = []
        self.part = file  # the file named in problems: a CSV package's table, or `file`
        self.notes: list[ImportProblem] = []  # warnings that are not about one field
        self._ignored: dict[tuple[str, str], tuple[int, str]] = {}

    def begin_unit(self, label: str) -> Unit:
        self.unit = Unit(label=label)
        self.units.append(self.unit)
        return self.unit

    def problem(self, location: str, field_name: str, reason: str) -> None:
        self.unit.problems.append(ImportProblem(self.part, location, field_name, reason))

    def ignore(self, table: str, key: str, location: str) -> None:
        """A field linkwork does not keep: reported once per table and field, with a count."""
        count, first = self._ignored.get((table, key), (0, location))
        self._ignored[(table, key)] = (count + 1, first)

    def convert(
        self,
        table: str,
        data: Mapping[str, Any],
        path: str,
        *,
        nested: Iterable[str] = (),
        names: Mapping[str, str] | None = None,
        separator: str | None = ".",
    ) -> dict[str, Any]:
        """Check and convert the HSDS fields of one record; problems are noted against `path`.

        `nested` names keys the reader handles itself. `names` gives the file's own name for an HSDS
        key, for the report. `separator` joins the path and the field name in a problem's location
        (None for CSV, where the location is the row). Blank values (None or "") count as missing.
        The result holds model attribute names.
        """
        columns = COLUMNS[table]
        values: dict[str, Any] = {}
        for key, raw in data.items():
            column = columns.get(key)
            if column is None:
                if key not in nested and raw not in (None, "", [], {}):
                    self.ignore(table, key, at(path, key, separator))
                continue
            if raw is None or raw == "":
                continue
            try:
                value = column.convert(raw)
            except ValueError as error:
                shown = names.get(key, key) if names else key
                self.problem(at(path, shown, separator), shown, str(error))
                continue
            if value != "":
                values[column.attname] = value
        return values

    def require(
        self,
        table: str,
        values: Mapping[str, Any],
        path: str,
        *,
        names: Mapping[str, str] | None = None,
        separator: str | None = ".",
    ) -> bool:
        """Note missing required fields; False when the record has no id (it cannot be stored)."""
        missing = [key for key, attname in REQUIRED_ATTNAMES[table] if attname not in values]
        for key in missing:
            shown = names.get(key, key) if names else key
            location = at(path, shown, separator)
            if not any(p.location == location and p.field == shown for p in self.unit.problems):
                self.problem(location, shown, "is required (a uuid)" if key == "id" else "is required")
        return "id" in values

    def put(self, table: str, values: dict[str, Any]) -> uuid.UUID:
        """Store a record (with an id), merging it with an earlier record of the same id.

        The linkwork connector taxonomy and its terms are defined in code (`connector_facts`), so an
        export's copies of them are not stored.
        """
        record_id: uuid.UUID = values["id"]
        if record_id in CONNECTOR_RECORDS and table in ("taxonomy", "taxonomy_term"):
            return record_id
        existing = self.rows[table].get(record_id)
        if existing is None:
            self.rows[table][record_id] = values
        else:
            for name, value in values.items():
                existing.setdefault(name, value)
        self.unit.keys.add((table, record_id))
        if table == "service" and record_id not in self.unit.service_ids:
            self.unit.service_ids.append(record_id)
        return record_id

    def relate(self, parent_table: str, parent_id: uuid.UUID, child_table: str, reference: str) -> None:
        self.relations[(parent_table, child_table, reference)].add(parent_id)

    def bundle(self) -> Bundle:
        warnings = [
            ImportProblem(
                self.file,
                first,
                key,
                f"is not a field linkwork keeps for {table.replace('_', ' ')}; ignored"
                + (f" ({count:,} times)" if count > 1 else ""),
            )
            for (table, key), (count, first) in sorted(self._ignored.items())
        ]
        warnings[:0] = self.notes
        return Bundle(
            file=self.file,
            fmt=self.fmt,
            rows=self.rows,
            units=[unit for unit in self.units if unit.keys or unit.problems],
            relations=dict(self.relations),
            facts=self.facts,
            closures=self.closures,
            source_notes=self.source_notes,
            fatal=self.fatal,
            warnings=warnings,
        )


# --- Reading files --------------------------------------------------------------------------------


def load_json(path: Path) -> Any:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise FileProblem(path.name, f"cannot be read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise FileProblem(path.name, "is not UTF-8 text; save it as UTF-8 and try again") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise FileProblem(
            path.name, f"is not valid JSON: {error.msg}", f"line {error.lineno}, column {error.colno}"
        ) from None
    except RecursionError:
        raise FileProblem(path.name, "is nested too deeply to be a directory file") from None


ORUK_V1_KEYS = frozenset(
    {
        "attending_type",
        "attending_access",
        "deliverable_type",
        "regular_schedules",
        "holiday_schedules",
        "service_taxonomys",
        "eligibilitys",
        "fundings",
        "reviews",
    }
)


def json_format(data: Any) -> str:
    """hsds-json or oruk-v1, from the shape of parsed JSON."""
    if isinstance(data, dict) and isinstance(data.get("content"), list):
        return "oruk-v1"
    items = data.get("contents") if isinstance(data, dict) else data
    if isinstance(items, dict):
        items = [items]
    if isinstance(items, list):
        for item in items[:50]:
            if isinstance(item, dict) and any(key in ORUK_V1_KEYS or key.startswith("pc_") for key in item):
                return "oruk-v1"
    return "hsds-json"


def progress_bar(items: Sequence[T], enabled: bool, description: str = "Reading") -> Iterable[T]:
    """`items`, with a progress bar on standard error when `enabled`."""
    if not enabled:
        return items
    from tqdm import tqdm

    return cast("Iterable[T]", tqdm(items, desc=description, unit=" records", file=sys.stderr))


def read(path: Path, fmt: str | None, *, progress: bool = False) -> Bundle:
    """Read `path` in format `fmt` (guessed when None); file-level problems are in `Bundle.fatal`."""
    from linkwork.directory.formats import hsds_csv, hsds_json, oruk_v1, simple_csv

    name = path.name or str(path)
    try:
        if not path.exists():
            raise FileProblem(name, "does not exist")
        data: Any = None
        if fmt is None:
            if path.is_dir() or path.name.lower() == "datapackage.json":
                fmt = "hsds-csv"
            elif path.suffix.lower() in (".csv", ".tsv", ".txt"):
                fmt = "csv"
            else:
                data = load_json(path)
                fmt = json_format(data)
        if fmt not in FORMATS:
            raise FileProblem(name, f"format {fmt!r} is not one of: {', '.join(FORMATS)}")
        if fmt == "hsds-csv":
            return hsds_csv.read_package(path)
        if fmt == "csv":
            return simple_csv.read_sheet(path)
        if data is None:
            data = load_json(path)
        if fmt == "oruk-v1":
            return oruk_v1.read_data(data, file=name, progress=progress)
        return hsds_json.read_data(data, file=name, progress=progress)
    except RecursionError:
        builder = Builder(name, fmt or "")
        builder.fatal.append(ImportProblem(name, "", "", "is nested too deeply to be a directory file"))
        return builder.bundle()
    except FileProblem as error:
        builder = Builder(name, fmt or "")
        builder.fatal.append(error.problem)
        return builder.bundle()
