"""Directory records for tests: a provider organisation, a service at one location, a weekly session."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from linkwork.accounts.models import Organisation
from linkwork.core.time import local_today, now
from linkwork.directory.models import (
    Address,
    EntryState,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
)

_numbers = itertools.count(1)


def make_provider(*, owner: Organisation, name: str | None = None) -> Organization:
    number = next(_numbers)
    return Organization.objects.create(
        owner=owner, name=name or f"Provider {number}", description=f"Provider number {number}"
    )


def make_service(
    *,
    owner: Organisation,
    state: str = EntryState.PUBLISHED,
    name: str | None = None,
    provider: Organization | None = None,
    postcode: str = "W10 6AB",
    latitude: float | None = 51.5215,
    longitude: float | None = -0.2105,
    weekday: str = "TU",
    **fields: Any,
) -> Service:
    """A service with one location (address and coordinates) and a weekly session on `weekday`."""
    number = next(_numbers)
    provider = provider or make_provider(owner=owner)
    published = state in (EntryState.PUBLISHED, EntryState.REVIEW_DUE, EntryState.STALE)
    defaults: dict[str, Any] = {
        "name": name or f"Service {number}",
        "description": f"A friendly group, number {number}.",
        "status": "active",
        "state_changed_at": now(),
        "last_modified": now(),
        "review_due_on": local_today() + dt.timedelta(days=180) if published else None,
    }
    defaults.update(fields)
    service = Service.objects.create(owner=owner, organization=provider, state=state, **defaults)
    location = Location.objects.create(
        owner=owner,
        organization=provider,
        name=f"Hall {number}",
        latitude=latitude,
        longitude=longitude,
        location_type="physical",
    )
    Address.objects.create(
        location=location,
        address_1=f"{number} High Street",
        city="London",
        state_province="London",
        postal_code=postcode,
        country="GB",
        address_type="physical",
    )
    ServiceAtLocation.objects.create(service=service, location=location)
    Schedule.objects.create(
        service=service,
        freq="WEEKLY",
        byday=weekday,
        opens_at=dt.time(10, 0),
        closes_at=dt.time(12, 0),
    )
    return service
