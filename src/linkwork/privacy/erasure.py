"""What erasure does to each field (`catalogue.HOLDINGS`), worked out the same way for the dry run and
for the erasure itself, so the confirmation page lists exactly what will change."""

from __future__ import annotations

import copy
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from linkwork.core.time import local_today, now
from linkwork.people.models import Person, age_band_on
from linkwork.privacy.catalogue import ERASED, HOLDINGS, Holding, Rule
from linkwork.privacy.subject_access import label_of, rows_of
from linkwork.referrals.models import Referral
from linkwork.referrals.services import REFERENCE_ALPHABET

MASK = "***"


@dataclass
class PlanLine:
    """One table: how many of the person's rows it has, and what happens to them."""

    key: str
    title: str
    rows: int = 0
    deleted: int = 0
    # Field label -> number of rows where it changes.
    changed: dict[str, int] = field(default_factory=dict)

    @property
    def anonymised(self) -> int:
        return max(self.changed.values(), default=0)


@dataclass
class ErasurePlan:
    person_id: int
    lines: list[PlanLine]

    @property
    def touched(self) -> list[PlanLine]:
        return [line for line in self.lines if line.deleted or line.changed]

    def counts(self) -> dict[str, dict[str, int]]:
        """Numbers only, for the audit log and the request record."""
        result = {}
        for line in self.touched:
            entry = {"rows": line.rows}
            if line.deleted:
                entry["deleted"] = line.deleted
            if line.changed:
                entry["anonymised"] = line.anonymised
            result[line.key] = entry
        return result


def _district(value: str) -> str:
    """Only the outward code, padded so that the reports' district rule (all but the last three
    characters) still finds it: "LS6 1AB" -> "LS6 ***"."""
    compact = re.sub(r"\s+", "", value.upper())
    if len(compact) <= 3:
        return value
    return f"{compact[:-3]} {MASK}"


def _notes(value: Any, keys: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {
            key: ERASED if key in keys and isinstance(item, str) and item else _notes(item, keys)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_notes(item, keys) for item in value]
    return value


def _cleared(model_field: models.Field[Any, Any], value: Any) -> Any:
    if isinstance(model_field, models.JSONField):
        return type(value)() if isinstance(value, list | dict) else None
    if model_field.null:
        return None
    return ""


def _new_reference() -> str:
    while True:
        reference = "LW-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
        if not Referral.objects.filter(reference=reference).exists():
            return reference


def _field(row: models.Model, name: str) -> models.Field[Any, Any]:
    model_field = row._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    return model_field


def new_value(holding: Holding, row: models.Model, name: str, rule: Rule, moment: Any) -> Any:
    """The value the field takes when erased (equal to the old one when nothing changes)."""
    model_field = _field(row, name)
    value = getattr(row, model_field.attname)
    if rule is Rule.ERASE:
        return ERASED if value else value
    if rule is Rule.CLEAR:
        return _cleared(model_field, value)
    if rule is Rule.NOTES:
        return _notes(copy.deepcopy(value), holding.note_keys)
    if rule is Rule.DISTRICT:
        return _district(value) if value else value
    if rule is Rule.NEW_REFERENCE:
        return _new_reference()
    if rule is Rule.AGE_BAND:
        assert isinstance(row, Person)
        if not value and row.date_of_birth:
            return age_band_on(row.date_of_birth, local_today()).value
        return value
    assert rule is Rule.END_NOW
    return moment if value is None or value > moment else value


def walk(person: Person, *, apply: bool) -> ErasurePlan:
    """Work out (and with `apply`, make) every change erasure makes to the person's records."""
    moment = now()
    lines = []
    for holding in HOLDINGS:
        line = PlanLine(holding.key, holding.title)
        rows = list(rows_of(holding, person))
        line.rows = len(rows)
        if holding.delete:
            line.deleted = len(rows)
            if apply and rows:
                holding.model._default_manager.filter(pk__in=[row.pk for row in rows]).delete()
            lines.append(line)
            continue
        for row in rows:
            changed = _change_row(holding, row, moment, line, apply=apply)
            if apply and changed:
                if hasattr(row, "version"):
                    row.version += 1
                    changed.append("version")
                row.save(update_fields=changed)
        lines.append(line)
    return ErasurePlan(person.pk, lines)


def _change_row(
    holding: Holding, row: models.Model, moment: Any, line: PlanLine, *, apply: bool
) -> list[str]:
    changed = []
    for name, rule in holding.erase.items():
        model_field = _field(row, name)
        before = getattr(row, model_field.attname)
        if rule is Rule.NEW_REFERENCE and not apply:
            after: Any = f"{before}!"  # always replaced; no need to draw one for a dry run
        else:
            after = new_value(holding, row, name, rule, moment)
        if after == before:
            continue
        label = label_of(model_field)
        line.changed[label] = line.changed.get(label, 0) + 1
        if apply:
            setattr(row, model_field.attname, after)
            changed.append(name)
    return changed
