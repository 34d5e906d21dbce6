"""What a directory search asks and what it answers: the contract between the search engine, the
public pages, the staff pages and APIs, and the Open Referral UK API."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from linkwork.directory.geography import Journey, Place
from linkwork.directory.models import PUBLIC_STATES

MAX_PER_PAGE = 100


@dataclass(frozen=True)
class DirectoryQuery:
    text: str = ""  # words, matched against name, description, organisation, categories
    taxonomy_term_ids: tuple[uuid.UUID, ...] = ()  # any of these categories
    taxonomy_ids: tuple[uuid.UUID, ...] = ()  # any term of these taxonomies
    organization_id: uuid.UUID | None = None
    postcode: str = ""  # full, sector or district: sorts by distance, enables max_km
    max_km: float | None = None  # with a postcode: within this distance, or covering the place by area
    day: int | None = None  # 0 = Monday ... 6 = Sunday: runs on that weekday in the coming week
    this_week: bool = False  # has a session between today and Sunday
    free_only: bool = False
    step_free: bool = False
    online: bool = False  # can take part online or by phone
    modified_after: dt.datetime | None = None
    states: tuple[str, ...] = tuple(PUBLIC_STATES)
    owner_id: int | None = None  # staff: only entries this organisation looks after
    page: int = 1
    per_page: int = 20


@dataclass(frozen=True)
class SearchHit:
    service_id: uuid.UUID
    score: float  # higher is a better text match; 0 when no words were given
    distance_km: float | None  # to the nearest of its locations, when a postcode was given
    journey: Journey | None
    in_service_area: bool  # the place lies inside one of the service's areas


@dataclass(frozen=True)
class SearchResults:
    hits: list[SearchHit]
    total: int
    page: int
    per_page: int
    place: Place | None  # where the postcode was placed, for "distances from W10 6"

    @property
    def total_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))
