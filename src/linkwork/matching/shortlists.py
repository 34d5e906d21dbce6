"""Shortlists: saving activities for a person, a note for each, their order, and the private link.

Rules:

- Only directory entries the public can see (`PUBLIC_STATES`) can be added. Adding an entry that is
  already on the shortlist changes nothing.
- The person's shortlist is started by the first activity added to it.
- The private link's token is random (32 bytes) and stored only as its SHA-256 fingerprint; the raw
  token is returned once. It expires (`LINKWORK_SHORTLIST_LINK_DAYS`, 30 days unless set) and can be
  revoked. Making a new link leaves older links working until they expire or are revoked.
- Every write is authorised, atomic and audited without personal values (notes are named, not kept).
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max

from linkwork.accounts.models import User
from linkwork.audit.services import audit_record
from linkwork.core.errors import NotFound, ValidationFailed
from linkwork.core.hashing import secret_hash
from linkwork.core.policies import Action, Operator, authorize
from linkwork.core.time import now
from linkwork.directory.models import Service
from linkwork.directory.public_selectors import public_services
from linkwork.matching.models import NOTE_MAX_LENGTH, Shortlist, ShortlistItem, ShortlistLink
from linkwork.people.models import Person

Actor = User | Operator

DEFAULT_LINK_DAYS = 30
MAX_LINK_DAYS = 90
NOT_PUBLIC = "Choose an activity that is published in the directory."
NOTE_TOO_LONG = f"Keep the note to {NOTE_MAX_LENGTH} characters."
DAYS_RANGE = f"Choose between 1 and {MAX_LINK_DAYS} days."
MOVES = ("up", "down")


def link_days_default() -> int:
    return int(getattr(settings, "LINKWORK_SHORTLIST_LINK_DAYS", DEFAULT_LINK_DAYS))


def _public_service(service_id: uuid.UUID | str) -> Service:
    try:
        key = service_id if isinstance(service_id, uuid.UUID) else uuid.UUID(str(service_id))
    except ValueError:
        raise ValidationFailed(NOT_PUBLIC, fields={"service_id": NOT_PUBLIC}) from None
    service = public_services().filter(pk=key).first()
    if service is None:
        raise ValidationFailed(NOT_PUBLIC, fields={"service_id": NOT_PUBLIC})
    return service


def _clean_note(note: str) -> str:
    cleaned = note.strip()
    if len(cleaned) > NOTE_MAX_LENGTH:
        raise ValidationFailed(NOTE_TOO_LONG, fields={"note": NOTE_TOO_LONG})
    return cleaned


def _touch(shortlist: Shortlist) -> None:
    shortlist.updated_at = now()
    shortlist.save(update_fields=["updated_at"])


def shortlist_start(*, actor: Actor, person: Person) -> Shortlist:
    """The person's shortlist, started now if they have none."""
    existing = Shortlist.objects.filter(person=person).first()
    if existing is not None:
        authorize(actor, Action.UPDATE, existing)
        return existing
    draft = Shortlist(person=person, organisation_id=person.organisation_id)
    authorize(actor, Action.CREATE, draft)
    try:
        with transaction.atomic():
            moment = now()
            shortlist = Shortlist.objects.create(
                person=person,
                organisation_id=person.organisation_id,
                created_at=moment,
                created_by=actor if isinstance(actor, User) else None,
                updated_at=moment,
            )
            audit_record(actor=actor, event="shortlist.created", target=shortlist)
    except IntegrityError:  # started at the same moment by someone else
        return Shortlist.objects.get(person=person)
    return shortlist


def shortlist_add(
    *, actor: Actor, person: Person, service_id: uuid.UUID | str, note: str = ""
) -> ShortlistItem:
    """Put a published activity on the person's shortlist (starting it if need be)."""
    service = _public_service(service_id)
    cleaned = _clean_note(note)
    shortlist = shortlist_start(actor=actor, person=person)
    with transaction.atomic():
        Shortlist.objects.select_for_update().filter(pk=shortlist.pk).first()
        existing = shortlist.items.filter(service=service).first()
        if existing is not None:
            return existing
        last = shortlist.items.aggregate(last=Max("position"))["last"]
        item = ShortlistItem.objects.create(
            shortlist=shortlist,
            service=service,
            position=0 if last is None else last + 1,
            note=cleaned,
            added_at=now(),
            added_by=actor if isinstance(actor, User) else None,
        )
        _touch(shortlist)
        audit_record(
            actor=actor,
            event="shortlist.updated",
            target=shortlist,
            fields=["items"] + (["note"] if cleaned else []),
            detail={"added_service": str(service.pk)},
        )
    return item


def shortlist_item_remove(*, actor: Actor, item: ShortlistItem) -> None:
    shortlist = item.shortlist
    authorize(actor, Action.UPDATE, shortlist)
    with transaction.atomic():
        service_id = str(item.service_id)
        item.delete()
        _touch(shortlist)
        audit_record(
            actor=actor,
            event="shortlist.updated",
            target=shortlist,
            fields=["items"],
            detail={"removed_service": service_id},
        )


def shortlist_item_note(*, actor: Actor, item: ShortlistItem, note: str) -> ShortlistItem:
    """Change the note shown to the person beside this activity."""
    authorize(actor, Action.UPDATE, item.shortlist)
    cleaned = _clean_note(note)
    if cleaned == item.note:
        return item
    with transaction.atomic():
        item.note = cleaned
        item.save(update_fields=["note"])
        _touch(item.shortlist)
        audit_record(actor=actor, event="shortlist.updated", target=item.shortlist, fields=["note"])
    return item


def shortlist_item_move(*, actor: Actor, item: ShortlistItem, direction: str) -> ShortlistItem:
    """Swap an activity with the one above ("up") or below ("down"); at either end nothing moves."""
    shortlist = item.shortlist
    authorize(actor, Action.UPDATE, shortlist)
    if direction not in MOVES:
        raise ValidationFailed("Choose up or down.", fields={"direction": "Choose up or down."})
    with transaction.atomic():
        items = list(shortlist.items.select_for_update().order_by("position", "pk"))
        index = next((i for i, row in enumerate(items) if row.pk == item.pk), None)
        if index is None:
            raise NotFound()
        other = index - 1 if direction == "up" else index + 1
        if other < 0 or other >= len(items):
            return item
        items[index], items[other] = items[other], items[index]
        for position, row in enumerate(items):
            if row.position != position:
                row.position = position
                row.save(update_fields=["position"])
        _touch(shortlist)
        audit_record(actor=actor, event="shortlist.updated", target=shortlist, fields=["position"])
    item.refresh_from_db()
    return item


def shortlist_link_create(
    *, actor: Actor, shortlist: Shortlist, days: int | None = None
) -> tuple[ShortlistLink, str]:
    """A private link for the person. The raw token is returned here once and never stored."""
    authorize(actor, Action.UPDATE, shortlist)
    lifetime = link_days_default() if days is None else days
    if not 1 <= lifetime <= MAX_LINK_DAYS:
        raise ValidationFailed(DAYS_RANGE, fields={"days": DAYS_RANGE})
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        moment = now()
        link = ShortlistLink.objects.create(
            shortlist=shortlist,
            token_hash=secret_hash(raw),
            created_at=moment,
            created_by=actor if isinstance(actor, User) else None,
            expires_at=moment + dt.timedelta(days=lifetime),
        )
        audit_record(
            actor=actor,
            event="shortlist.link_created",
            target=link,
            organisation_id=shortlist.organisation_id,
            detail={"days": lifetime},
        )
    return link, raw


def shortlist_link_revoke(*, actor: Actor, link: ShortlistLink) -> ShortlistLink:
    """Stop a link working at once. Revoking twice changes nothing."""
    authorize(actor, Action.UPDATE, link.shortlist)
    if link.revoked_at is not None:
        return link
    with transaction.atomic():
        link.revoked_at = now()
        link.revoked_by = actor if isinstance(actor, User) else None
        link.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=actor,
            event="shortlist.updated",
            target=link.shortlist,
            fields=["link_revoked"],
            detail={"link": link.pk},
        )
    return link
