"""Network maps: adding, editing, moving and removing entries, completing and sharing the map, and
the baseline and end snapshots. Every write is authorised, validated, atomic and audited, and every
change to an entry adds a row to its history (NetworkEntryVersion).

Snapshot rules:

- The baseline is saved the first time the map is marked complete within an episode (or, for a
  person with no open support, the first time at all). Marking it complete again changes nothing.
- The end map is saved when support closes: `support.services.episode_close` calls
  `network_snapshot_end`, and nothing else does. A person whose map was never completed gets no
  end map. Each episode has at most one of each.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from linkwork.accounts.models import User
from linkwork.audit.services import audit_record
from linkwork.core.errors import DomainError, ValidationFailed
from linkwork.core.policies import Action, Operator, authorize
from linkwork.core.time import now
from linkwork.networks.choices import CATEGORY_OF, Category, EntryType, Frequency, Quality, Ring, Wants
from linkwork.networks.models import (
    LABEL_MAX_LENGTH,
    NetworkEntry,
    NetworkEntryChange,
    NetworkEntryVersion,
    NetworkMap,
    NetworkSnapshot,
    SnapshotKind,
)
from linkwork.people.models import Person
from linkwork.support.models import OPEN_EPISODE_STATUSES, SupportEpisode

Actor = User | Operator

NOTE_MAX_LENGTH = 300
LABEL_REQUIRED = "Say who or what this is: a first name or a short description, such as 'Tuesday choir'."
LABEL_TOO_LONG = f"Keep it to {LABEL_MAX_LENGTH} characters: a first name or a short description."
LABEL_SURNAME = "Use first names only. Leave out surnames."
NOTE_TOO_LONG = f"Keep the note to {NOTE_MAX_LENGTH} characters."
ENTRY_REMOVED = "This entry has been removed from the map, so it cannot be changed."
CHOOSE = {
    "type": "Choose who or what this is from the list.",
    "ring": "Choose the inner, middle or outer ring.",
    "frequency": "Choose how often they are in touch from the list.",
    "quality": "Choose supportive, mixed or difficult.",
    "wants": "Choose more, the same or less.",
}
_CHOICES: dict[str, list[str]] = {
    "type": list(EntryType.values),
    "ring": list(Ring.values),
    "frequency": list(Frequency.values),
    "quality": list(Quality.values),
    "wants": list(Wants.values),
}
# The optional fields may be left empty ("" = not recorded); type and ring may not.
_OPTIONAL = ("frequency", "quality", "wants")
# Fields copied into each history row and each snapshot.
ENTRY_FIELDS = ("label", "type", "ring", "frequency", "quality", "wants", "new_since_support", "note")
# Values that are not personal data, so the audit log may keep them before and after.
_AUDITED_VALUES = ("type", "ring", "frequency", "quality", "wants", "new_since_support")


def entry_frozen(entry: NetworkEntry) -> dict[str, Any]:
    """An entry as stored in a snapshot and compared by networks.selectors.network_compare."""
    return {
        "id": entry.pk,
        "category": CATEGORY_OF.get(entry.type, ""),
        **{name: getattr(entry, name) for name in ENTRY_FIELDS},
    }


def _surname_in(label: str, person: Person) -> bool:
    """True when a label for a person on the map contains the mapped person's own surname."""
    surname = person.last_name.strip()
    if not surname:
        return False
    return re.search(rf"(?<!\w){re.escape(surname)}(?!\w)", label, flags=re.IGNORECASE) is not None


def _clean(person: Person, values: dict[str, Any], current_type: str = "") -> dict[str, Any]:
    """Check the fields given (a partial set for an edit) and return them tidied."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name == "label":
            label = " ".join(str(value).split())
            if not label:
                errors["label"] = LABEL_REQUIRED
            elif len(label) > LABEL_MAX_LENGTH:
                errors["label"] = LABEL_TOO_LONG
            cleaned["label"] = label
        elif name == "note":
            note = str(value).strip()
            if len(note) > NOTE_MAX_LENGTH:
                errors["note"] = NOTE_TOO_LONG
            cleaned["note"] = note
        elif name == "new_since_support":
            cleaned[name] = bool(value)
        elif name in _CHOICES:
            value = value or ""
            if value not in _CHOICES[name] and not (name in _OPTIONAL and value == ""):
                errors[name] = CHOOSE[name]
            cleaned[name] = value
        else:
            raise TypeError(f"unknown network entry field {name!r}")
    # Staff are asked for first names only. The one surname linkwork knows is the person's own, which
    # family members often share; refuse it on entries for people (a place may share the word).
    entry_type = cleaned.get("type", current_type)
    new_label = cleaned.get("label")
    if (
        new_label
        and "label" not in errors
        and CATEGORY_OF.get(entry_type) == Category.PEOPLE
        and _surname_in(new_label, person)
    ):
        errors["label"] = LABEL_SURNAME
    if errors:
        raise ValidationFailed("Check the entry.", fields=errors)
    return cleaned


def _map_or_new(person: Person) -> NetworkMap:
    """The person's map, or an unsaved one to authorise against before it is started."""
    return NetworkMap.objects.filter(person=person).first() or NetworkMap(
        person=person, organisation_id=person.organisation_id
    )


def _map_for(person: Person) -> NetworkMap:
    network_map, _ = NetworkMap.objects.get_or_create(
        person=person, defaults={"organisation_id": person.organisation_id}
    )
    return network_map


def _version(actor: Actor, entry: NetworkEntry, change: str) -> None:
    NetworkEntryVersion.objects.create(
        entry=entry,
        change=change,
        recorded_at=entry.updated_at,
        recorded_by=actor if isinstance(actor, User) else None,
        **{name: getattr(entry, name) for name in ENTRY_FIELDS},
    )


def entry_add(
    *,
    actor: Actor,
    person: Person,
    label: str,
    type: str,
    ring: str,
    frequency: str = "",
    quality: str = "",
    wants: str = "",
    new_since_support: bool | None = None,
    note: str = "",
) -> NetworkEntry:
    """Add a tie to the person's map: label, type and ring are needed, the rest may follow later.

    `new_since_support` defaults to whether the map already has a baseline (an entry added after the
    map was first completed is usually new).
    """
    authorize(actor, Action.CREATE, NetworkEntry(person=person, organisation_id=person.organisation_id))
    cleaned = _clean(
        person,
        {"label": label, "type": type, "ring": ring, "frequency": frequency, "quality": quality}
        | {"wants": wants, "note": note},
    )
    with transaction.atomic():
        network_map = _map_for(person)
        if new_since_support is None:
            new_since_support = network_map.completed_at is not None
        moment = now()
        entry = NetworkEntry.objects.create(
            organisation_id=person.organisation_id,
            person=person,
            new_since_support=new_since_support,
            created_at=moment,
            updated_at=moment,
            **cleaned,
        )
        _version(actor, entry, NetworkEntryChange.ADDED)
        audit_record(
            actor=actor,
            event="network_entry.added",
            target=entry,
            fields=[name for name in ENTRY_FIELDS if getattr(entry, name) not in ("", False)],
            values={name: [None, getattr(entry, name)] for name in ("type", "ring")},
        )
    return entry


def entry_update(*, actor: Actor, entry: NetworkEntry, **changes: Any) -> NetworkEntry:
    """Change any of an entry's fields (label, type, ring, frequency, quality, wants,
    new_since_support, note). A change of ring alone is recorded as a move."""
    authorize(actor, Action.UPDATE, entry)
    if entry.removed_at is not None:
        raise DomainError(ENTRY_REMOVED, code="ENTRY_REMOVED")
    unknown = set(changes) - set(ENTRY_FIELDS)
    if unknown:
        raise TypeError(f"unknown network entry fields: {', '.join(sorted(unknown))}")
    given = {name: value for name, value in changes.items() if value is not None}
    # The surname rule depends on the type, which may be unchanged: pass the current one along.
    cleaned = _clean(entry.person, given, current_type=entry.type)
    changed = [name for name, value in cleaned.items() if getattr(entry, name) != value]
    if not changed:
        return entry
    before = {name: getattr(entry, name) for name in changed}
    for name in changed:
        setattr(entry, name, cleaned[name])
    moved = changed == ["ring"]
    with transaction.atomic():
        entry.updated_at = now()
        entry.save()
        _version(actor, entry, NetworkEntryChange.MOVED if moved else NetworkEntryChange.UPDATED)
        audit_record(
            actor=actor,
            event="network_entry.moved" if moved else "network_entry.updated",
            target=entry,
            fields=changed,
            values={n: [before[n], getattr(entry, n)] for n in changed if n in _AUDITED_VALUES},
        )
    return entry


def entry_move(*, actor: Actor, entry: NetworkEntry, ring: str) -> NetworkEntry:
    """Move an entry to another ring (inner: closest; middle; outer)."""
    return entry_update(actor=actor, entry=entry, ring=ring)


def entry_remove(*, actor: Actor, entry: NetworkEntry) -> NetworkEntry:
    """Take an entry off the map. The row and its history stay, so comparisons show the tie as lost."""
    authorize(actor, Action.DELETE, entry)
    if entry.removed_at is not None:
        return entry
    with transaction.atomic():
        entry.removed_at = entry.updated_at = now()
        entry.save(update_fields=["removed_at", "updated_at"])
        _version(actor, entry, NetworkEntryChange.REMOVED)
        audit_record(actor=actor, event="network_entry.removed", target=entry, fields=["removed_at"])
    return entry


def _open_episode(person: Person) -> SupportEpisode | None:
    return person.episodes.filter(status__in=OPEN_EPISODE_STATUSES).order_by("-started_on", "-pk").first()


def snapshot_take(
    *, actor: Actor, person: Person, kind: str, episode: SupportEpisode | None = None
) -> NetworkSnapshot:
    """Freeze the live entries as the baseline or end map, once per episode (and kind).

    Taking a snapshot an episode already has returns the one saved before, unchanged.
    """
    if kind not in SnapshotKind.values:
        raise ValidationFailed("Choose baseline or end.", fields={"kind": "Choose baseline or end."})
    if episode is not None and episode.person_id != person.pk:
        raise ValidationFailed(
            "That support belongs to someone else.", fields={"episode": "Check the episode."}
        )
    authorize(actor, Action.UPDATE, _map_or_new(person))
    with transaction.atomic():
        _map_for(person)
        existing = NetworkSnapshot.objects.filter(person=person, episode=episode, kind=kind)
        if episode is not None and existing.exists():
            return existing.get()
        live = NetworkEntry.objects.filter(person=person, removed_at__isnull=True).order_by(
            "created_at", "pk"
        )
        snapshot = NetworkSnapshot.objects.create(
            organisation_id=person.organisation_id,
            person=person,
            episode=episode,
            kind=kind,
            taken_at=now(),
            entries=[entry_frozen(entry) for entry in live],
        )
        audit_record(
            actor=actor,
            event="network_snapshot.taken",
            target=snapshot,
            fields=["entries"],
            values={"kind": [None, kind]},
            detail={"episode": episode.pk if episode else None, "entries": len(snapshot.entries)},
        )
    return snapshot


def map_mark_complete(*, actor: Actor, person: Person) -> NetworkMap:
    """Mark the map complete. The first time within an episode (or, with no open support, the first
    time at all), the baseline is saved. An empty map is a valid baseline: some people name no one."""
    authorize(actor, Action.UPDATE, _map_or_new(person))
    episode = _open_episode(person)
    with transaction.atomic():
        network_map = _map_for(person)
        first = network_map.completed_at is None
        if first:
            network_map.completed_at = now()
            network_map.save(update_fields=["completed_at", "updated_at"])
        baselines = NetworkSnapshot.objects.filter(person=person, kind=SnapshotKind.BASELINE)
        if baselines.filter(episode=episode).exists():
            if not first:
                return network_map  # completed before: the baseline stays as it was
        else:
            snapshot_take(actor=actor, person=person, kind=SnapshotKind.BASELINE, episode=episode)
        audit_record(
            actor=actor,
            event="network_map.completed",
            target=network_map,
            fields=["completed_at"] if first else [],
            detail={"episode": episode.pk if episode else None},
        )
    return network_map


def network_snapshot_end(*, actor: Actor, episode: SupportEpisode) -> NetworkSnapshot | None:
    """Save the end map for an episode as support closes; call it from `episode_close` only.

    Returns None (and saves nothing) when the person's map was never completed. Calling it again for
    the same episode returns the end map already saved.
    """
    person = episode.person
    network_map = NetworkMap.objects.filter(person=person).first()
    if network_map is None or network_map.completed_at is None:
        return None
    return snapshot_take(actor=actor, person=person, kind=SnapshotKind.END, episode=episode)


def map_share_with_volunteers(*, actor: Actor, person: Person, shared: bool) -> NetworkMap:
    """Let volunteers assigned to the person's open support see the map (they never change it)."""
    authorize(actor, Action.UPDATE, _map_or_new(person))
    with transaction.atomic():
        network_map = _map_for(person)
        before = network_map.shared_with_volunteers
        if before == shared:
            return network_map
        network_map.shared_with_volunteers = shared
        network_map.save(update_fields=["shared_with_volunteers", "updated_at"])
        audit_record(
            actor=actor,
            event="network_map.shared",
            target=network_map,
            fields=["shared_with_volunteers"],
            values={"shared_with_volunteers": [before, shared]},
        )
    return network_map
