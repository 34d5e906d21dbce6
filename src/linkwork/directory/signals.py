"""Signals other apps listen to without the directory knowing about them.

`services_changed` is sent after a transaction that created or changed services commits, with the
ids of those services (`service_ids`, a list of UUIDs): matching uses it to refresh their embeddings.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

from linkwork.directory.models import Service

services_changed = Signal()


def announce_services_changed(service_ids: Iterable[uuid.UUID]) -> None:
    """Send `services_changed` once the current transaction commits (at once outside one)."""
    ids = list(dict.fromkeys(service_ids))
    if ids:
        transaction.on_commit(lambda: services_changed.send(sender=Service, service_ids=ids))
