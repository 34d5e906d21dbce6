"""Refusing stale edits. A versioned record (a person, a support episode, a goal, a directory entry)
carries a `version` that every saved change bumps. An edit names the version it started from; if the
record has moved on since, the edit is refused with both versions and who changed it and when (from the
audit log), rather than silently overwriting someone else's change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import models

from linkwork.accounts.models import User
from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.audit.services import object_type_of
from linkwork.core.errors import EditConflict, ValidationFailed
from linkwork.core.time import to_london

EDIT_CONFLICT = (
    "Changed by {name} at {time} since you opened it, so your changes have not been saved. "
    "Compare the two versions, then save again."
)

IF_MATCH_INVALID = "If-Match must be the record's version, a whole number such as 3."

Versioned = TypeVar("Versioned", bound=models.Model)


def last_change(record: models.Model) -> tuple[str, dt.datetime | None]:
    """Who last created or changed the record and when, from the audit log."""
    entry = (
        AuditEvent.objects.filter(
            object_type=object_type_of(record),
            object_id=str(record.pk),
            action__in=[AuditAction.CREATE, AuditAction.UPDATE],
        )
        .order_by("-seq")
        .first()
    )
    if entry is None:
        return "someone", None
    user = User.objects.filter(pk=entry.actor_id).first() if entry.actor_id is not None else None
    return (str(user) if user else entry.actor_username or "someone"), entry.occurred_at


def edit_conflict(
    record: models.Model,
    *,
    expected_version: int,
    yours: Mapping[str, Any],
    current: Mapping[str, Any] | None = None,
) -> EditConflict:
    """The refusal for a stale edit: who changed the record and when, and both versions. `current`
    defaults to the record's own values of the fields in `yours`."""
    name, when = last_change(record)
    time = f"{to_london(when):%H:%M on %d %B %Y}" if when else "an unknown time"
    if current is None:
        current = {key: getattr(record, key) for key in yours if hasattr(record, key)}
    version = getattr(record, "version")  # noqa: B009  (every versioned model has it; mypy cannot know)
    return EditConflict(
        EDIT_CONFLICT.format(name=name, time=time),
        current={**current, "version": version},
        yours={**yours, "version": expected_version},
    )


def lock_for_edit(
    record: Versioned, *, expected_version: int | None, yours: Mapping[str, Any] | None = None
) -> Versioned:
    """Lock the record's row for the rest of the transaction and reload `record` from it, so two
    saves at once queue up and the second sees the first. A version other than `expected_version`
    (None: no check) raises EditConflict."""
    record.refresh_from_db(from_queryset=type(record)._default_manager.select_for_update())
    if expected_version is not None and getattr(record, "version") != expected_version:  # noqa: B009
        raise edit_conflict(record, expected_version=expected_version, yours=yours or {})
    return record


def version_wanted(sent: int | None, if_match: str | None) -> int | None:
    """The version an API edit started from: `version` in the body, else the If-Match header (`3` or
    `"3"`). None, so no check, when neither is given or If-Match is `*`."""
    if sent is not None:
        return sent
    text = (if_match or "").strip().removeprefix("W/").strip('"')
    if text in ("", "*"):
        return None
    if not text.isdigit():
        raise ValidationFailed(IF_MATCH_INVALID, fields={"If-Match": IF_MATCH_INVALID})
    return int(text)
