"""Writing to and verifying the hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from linkwork.audit.context import current_origin
from linkwork.audit.events import EVENTS
from linkwork.audit.models import AuditChainHead, AuditEvent
from linkwork.core.policies import Operator
from linkwork.core.time import now

GENESIS_HASH = "0" * 64


def _entry_hash(entry: AuditEvent) -> str:
    payload = [
        entry.seq,
        entry.occurred_at.isoformat(),
        entry.actor_id,
        entry.actor_username,
        entry.organisation_id,
        entry.action,
        entry.event,
        entry.object_type,
        entry.object_id,
        entry.fields,
        entry.values,
        entry.detail,
        entry.ip_address,
        entry.user_agent,
        entry.prev_hash,
    ]
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


# Records without an organisation of their own reach it through one of these.
_OWNER_PATHS = ("episode", "person", "referral", "goal", "user", "meetup")


def _organisation_of(record: models.Model, depth: int = 0) -> int | None:
    """The organisation a record belongs to, so every entry is filed where its admins can see it."""
    if hasattr(record, "organisation_id"):
        return record.organisation_id  # type: ignore[no-any-return]
    if depth < 3:
        for name in _OWNER_PATHS:
            owner = getattr(record, name, None)
            if isinstance(owner, models.Model):
                return _organisation_of(owner, depth + 1)
    return None


def object_type_of(target: models.Model | type[models.Model]) -> str:
    meta = target._meta
    return f"{meta.app_label}.{meta.model_name}"


def audit_record(
    *,
    actor: Any,
    event: str,
    target: models.Model | type[models.Model] | None = None,
    fields: Iterable[str] = (),
    values: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
    organisation_id: int | None = None,
) -> AuditEvent:
    """Append one entry. `fields` names what changed; `values` only non-personal before/after pairs."""
    try:
        code = EVENTS[event]
    except KeyError:
        raise ValueError(f"unknown audit event code {event!r}; declare it in an events.py") from None
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    is_operator = isinstance(actor, Operator)
    if organisation_id is None and isinstance(target, models.Model):
        organisation_id = _organisation_of(target)
    if organisation_id is None and is_user:
        organisation_id = actor.organisation_id
    origin = current_origin.get()
    object_id = ""
    if isinstance(target, models.Model) and target.pk is not None:
        object_id = str(target.pk)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_seq": 0, "last_hash": GENESIS_HASH}
        )
        entry = AuditEvent(
            seq=head.last_seq + 1,
            occurred_at=now(),
            actor_id=actor.pk if is_user else None,
            actor_username=actor.get_username() if (is_user or is_operator) else "",
            organisation_id=organisation_id,
            action=code.action,
            event=event,
            object_type=object_type_of(target) if target is not None else "",
            object_id=object_id,
            fields=sorted(fields),
            values=json.loads(json.dumps(values or {}, default=str)),
            detail=json.loads(json.dumps(detail or {}, default=str)),
            ip_address=origin.ip_address,
            user_agent=origin.user_agent,
            prev_hash=head.last_hash,
        )
        entry.hash = _entry_hash(entry)
        entry.save()
        head.last_seq, head.last_hash = entry.seq, entry.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return entry


def audit_permission_denied(*, actor: Any, action: str, target: models.Model | type[models.Model]) -> None:
    audit_record(actor=actor, event="auth.permission_denied", target=target, detail={"action": action})


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(name for name in after if before.get(name) != after[name])


@dataclass
class VerifyResult:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_verify(*, max_problems: int = 50) -> VerifyResult:
    """Walk the whole chain; report edited, deleted, inserted or reordered entries."""
    result = VerifyResult()
    expected_seq, prev_hash = 1, GENESIS_HASH

    def problem(text: str) -> None:
        if len(result.problems) < max_problems:
            result.problems.append(text)

    for entry in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        result.checked += 1
        if entry.seq != expected_seq:
            problem(f"entry #{entry.seq}: expected #{expected_seq} next (entries missing or renumbered)")
        if entry.prev_hash != prev_hash:
            problem(f"entry #{entry.seq}: does not link to the entry before it (deleted or reordered)")
        if _entry_hash(entry) != entry.hash:
            problem(f"entry #{entry.seq}: contents do not match its hash (edited)")
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead(last_seq=0, last_hash=GENESIS_HASH)
    if head.last_seq != expected_seq - 1 or head.last_hash != prev_hash:
        problem(f"the chain ends at #{expected_seq - 1} but the newest recorded entry is #{head.last_seq}")
    return result
