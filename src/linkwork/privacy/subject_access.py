"""Everything held about a person, collected once and written as JSON, a readable page or a PDF.

`collect` walks `catalogue.HOLDINGS` (every table that leads to the person) and the audit log entries
about those records, so the three formats show the same data. Every field is given with its label,
its stored value and the value as a person would read it.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import models
from django.db.models import Q
from django.template.loader import render_to_string

from linkwork.accounts.models import User
from linkwork.audit.events import EVENTS
from linkwork.audit.models import AuditEvent
from linkwork.audit.services import object_type_of
from linkwork.core.time import now, to_london
from linkwork.people.models import Person
from linkwork.privacy.catalogue import HOLDINGS, Holding
from linkwork.web.pdf import pdf_from_html

STYLESHEET = Path(__file__).parent / "static" / "privacy" / "subject-access.css"
AUDIT_TITLE = "Who opened or changed your record"
NOT_RECORDED = "Not recorded"


@dataclass(frozen=True)
class Value:
    name: str
    label: str
    value: Any
    display: str


@dataclass(frozen=True)
class Record:
    kind: str
    id: int | str
    values: list[Value]


@dataclass
class Section:
    key: str
    title: str
    records: list[Record] = field(default_factory=list)


@dataclass
class SubjectAccess:
    person_id: int
    organisation: str
    generated_at: dt.datetime
    generated_by: str
    sections: list[Section]

    @property
    def count(self) -> int:
        return sum(len(section.records) for section in self.sections)


# Field names whose generated labels would read badly.
LABELS = {"nhs_number": "NHS number", "email": "E-mail", "fhir": "FHIR message", "id": "Record number"}


def label_of(model_field: models.Field[Any, Any] | models.ManyToManyField[Any, Any]) -> str:
    if model_field.name in LABELS:
        return LABELS[model_field.name]
    text = str(model_field.verbose_name)
    return text[:1].upper() + text[1:]


def _display_moment(moment: dt.datetime) -> str:
    return f"{to_london(moment):%-d %B %Y, %H:%M}"


class _Names:
    """Staff names by id, looked up once each."""

    def __init__(self) -> None:
        self._names: dict[int, str] = {}

    def __call__(self, user_id: int) -> str:
        if user_id not in self._names:
            user = User.objects.filter(pk=user_id).first()
            self._names[user_id] = (user.get_full_name() or user.username) if user else f"user {user_id}"
        return self._names[user_id]


def _plain(value: Any) -> Any:
    """The stored value as JSON can hold it."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _shown(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return NOT_RECORDED
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return _display_moment(value)
    if isinstance(value, dt.date):
        return f"{value:%-d %B %Y}"
    if isinstance(value, list) and all(isinstance(item, str | int | float) for item in value):
        return ", ".join(str(item) for item in value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _values(row: models.Model, holding: Holding, names: _Names) -> list[Value]:
    values = []
    for model_field in row._meta.concrete_fields:
        if model_field.name in holding.hidden:
            continue
        label = label_of(model_field)
        if model_field.is_relation:
            related_id = getattr(row, model_field.attname)
            if related_id is None:
                values.append(Value(model_field.name, label, None, NOT_RECORDED))
                continue
            related = model_field.related_model
            if related is User:
                shown = names(related_id)
            elif any(other.model is related for other in HOLDINGS):
                shown = f"number {related_id}"
            else:
                shown = str(getattr(row, model_field.name))
            values.append(Value(model_field.name, label, _plain(related_id), shown))
            continue
        raw = getattr(row, model_field.attname)
        shown = _shown(raw)
        if model_field.choices and raw not in (None, ""):
            shown = str(getattr(row, f"get_{model_field.name}_display")())
        values.append(Value(model_field.name, label, _plain(raw), shown))
    for many in row._meta.many_to_many:
        ids = sorted(getattr(row, many.name).values_list("pk", flat=True))
        shown = ", ".join(names(pk) for pk in ids) if many.related_model is User else ", ".join(map(str, ids))
        values.append(Value(many.name, label_of(many), ids, shown or NOT_RECORDED))
    return values


def rows_of(holding: Holding, person: Person) -> models.QuerySet[Any]:
    """The rows of one table that belong to the person."""
    manager = holding.model._default_manager
    if not holding.path:
        return manager.filter(pk=person.pk)
    return manager.filter(**{holding.path: person}).order_by("pk")


def _audit_records(person: Person, record_ids: dict[str, list[str]], names: _Names) -> list[Record]:
    condition = Q(pk__in=[])
    for object_type, ids in record_ids.items():
        if ids:
            condition |= Q(object_type=object_type, object_id__in=ids)
    entries = (
        AuditEvent.objects.filter(condition, organisation_id=person.organisation_id)
        .order_by("seq")
        .iterator(chunk_size=2000)
    )
    records = []
    for entry in entries:
        event = EVENTS.get(entry.event)
        who = (
            names(entry.actor_id)
            if entry.actor_id
            else entry.actor_username or "The service (no one signed in)"
        )
        values = [
            Value("occurred_at", "When", entry.occurred_at.isoformat(), _display_moment(entry.occurred_at)),
            Value("actor", "Who", entry.actor_username, who),
            Value("event", "What happened", entry.event, event.description if event else entry.event),
            Value("object_type", "Which record", f"{entry.object_type} {entry.object_id}", entry.object_type),
            Value("fields", "Fields changed", entry.fields, _shown(entry.fields)),
            Value(
                "values", "Values before and after (not personal details)", entry.values, _shown(entry.values)
            ),
        ]
        records.append(Record("audit.auditevent", entry.seq, values))
    return records


def collect(person: Person, *, generated_by: str) -> SubjectAccess:
    """Everything held about `person`. The caller has checked who may ask and audits the export."""
    names = _Names()
    sections: list[Section] = []
    record_ids: dict[str, list[str]] = {}
    for holding in HOLDINGS:
        section = Section(holding.key, holding.title)
        for row in rows_of(holding, person):
            section.records.append(
                Record(object_type_of(holding.model), row.pk, _values(row, holding, names))
            )
            record_ids.setdefault(object_type_of(holding.model), []).append(str(row.pk))
        sections.append(section)
    sections.append(Section("audit", AUDIT_TITLE, _audit_records(person, record_ids, names)))
    return SubjectAccess(
        person_id=person.pk,
        organisation=person.organisation.name,
        generated_at=now(),
        generated_by=generated_by,
        sections=sections,
    )


def as_json(data: SubjectAccess) -> dict[str, Any]:
    return {
        "person_id": data.person_id,
        "organisation": data.organisation,
        "generated_at": data.generated_at.isoformat(),
        "generated_by": data.generated_by,
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "records": [
                    {
                        "type": record.kind,
                        "id": record.id,
                        "fields": [
                            {"name": v.name, "label": v.label, "value": v.value, "display": v.display}
                            for v in record.values
                        ],
                    }
                    for record in section.records
                ],
            }
            for section in data.sections
        ],
    }


def as_json_bytes(data: SubjectAccess) -> bytes:
    return json.dumps(as_json(data), ensure_ascii=False, indent=2).encode()


def as_html(data: SubjectAccess) -> str:
    """A page that reads well with no styles at all (it stands alone, away from linkwork)."""
    return render_to_string(
        "privacy/subject_access.html", {"data": data, "generated_at": to_london(data.generated_at)}
    )


def as_pdf(data: SubjectAccess) -> bytes:
    """The same page as an A4 PDF, styled by a stylesheet file rather than inline styles."""
    return pdf_from_html(as_html(data), stylesheet=STYLESHEET)


FORMATS = ("json", "html", "pdf")
CONTENT_TYPES = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


def render(data: SubjectAccess, fmt: str) -> bytes:
    if fmt == "json":
        return as_json_bytes(data)
    if fmt == "html":
        return as_html(data).encode()
    return as_pdf(data)
