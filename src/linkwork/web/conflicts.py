"""Showing a refused stale edit on its form: the fields that differ, in words, side by side."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms

from linkwork.core.errors import EditConflict


@dataclass(frozen=True)
class ConflictRow:
    """One field that differs between the saved version and the editor's, as words to show."""

    label: str
    theirs: str
    yours: str


def show_edit_conflict(
    form: forms.Form, conflict: EditConflict, choices: Mapping[str, Mapping[str, str]] | None = None
) -> list[ConflictRow]:
    """Put a refused edit back on its form and list the fields whose saved value differs from the
    editor's, labelled as on the form. The form keeps what they typed but now carries the saved
    version, so saving again is a deliberate choice. `choices` gives words for values of fields the
    form does not have (such as an episode's status)."""
    posted: Any = form.data  # a QueryDict, whose copy can be changed
    data = posted.copy()
    data[form.add_prefix("version")] = str(conflict.current["version"])
    form.data = data
    form.full_clean()
    form.add_error(None, conflict.message)
    rows = []
    for name, yours in conflict.yours.items():
        if name == "version" or name not in conflict.current or conflict.current[name] == yours:
            continue
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else name.replace("_", " ").capitalize()
        names = _choice_labels(field) or (choices or {}).get(name, {})
        rows.append(ConflictRow(label, _shown(conflict.current[name], names), _shown(yours, names)))
    return rows


def _choice_labels(field: forms.Field | None) -> Mapping[str, str]:
    if not isinstance(field, forms.ChoiceField):  # model choice fields too
        return {}
    options: Any = field.choices
    return {str(value): str(label) for value, label in options}


def _shown(value: Any, names: Mapping[str, str]) -> str:
    if value is None or value == "" or value == []:
        return "Not given"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return f"{value:%d %B %Y}"
    if isinstance(value, list | tuple):
        return ", ".join(_shown(item, names) for item in value)
    return names.get(str(value), str(value))
