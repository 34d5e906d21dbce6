"""Reads for shortlists: the staff view (with entries no longer public flagged) and the person's view
through a private link (first name, postcode district and public entries only).

What the person sees for each activity: where it is and how to get there (the venue's address, rough
distance and walking and bus minutes from the middle of their postcode district, public transport,
parking and step-free access), what it costs, when it runs (the schedule in plain English and the next
dates), and what to expect on a first visit. Nothing else about the person is shown: not their surname,
not their full postcode.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass, field

from django.db.models import QuerySet

from linkwork.accounts.models import User
from linkwork.audit.services import audit_record
from linkwork.core.errors import DomainError, NotFound
from linkwork.core.hashing import secret_hash
from linkwork.core.policies import Action, visible_to
from linkwork.core.time import now, to_london
from linkwork.directory import geography
from linkwork.directory.models import (
    Booking,
    CostOption,
    EntryState,
    GroupSize,
    Location,
    Organization,
    Service,
)
from linkwork.directory.page_selectors import ENTRY_PREFETCH
from linkwork.directory.words import long_date, minutes_words, next_sessions, when_lines
from linkwork.matching.gaps import postcode_district
from linkwork.matching.models import Shortlist, ShortlistItem, ShortlistLink
from linkwork.people.models import Person

NEXT_DATES_SHOWN = 4
NOT_PUBLIC_FLAG = "No longer in the public directory: the person's link and printout leave it out."
STALE_FLAG = "Not checked for a long time: it may be out of date."
JOURNEY_NOTE = "Distances and times are rough, measured from the middle of the postcode district."


@dataclass(frozen=True)
class Venue:
    name: str
    address_lines: list[str]
    journey: str


@dataclass(frozen=True)
class Activity:
    """One activity as the person sees it (and as staff see it, with flags)."""

    item_id: int
    service_id: uuid.UUID
    name: str
    provider: str
    description: str
    note: str
    venues: list[Venue]
    getting_there: list[str]
    costs: list[str]
    when: list[str]
    next_dates: list[str]
    first_visit: list[str]
    contact: list[str]
    website: str
    is_public: bool
    flags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PublicShortlist:
    first_name: str
    district: str
    activities: list[Activity]
    expires_on: str
    organisation_name: str


# --- Words -----------------------------------------------------------------------------------------


def journey_words(journey: geography.Journey) -> str:
    """For example, "1.2 km: about 20 minutes' walk, or about 15 minutes by bus"."""
    km = f"{max(journey.km, 0.1):.1f} km"
    return f"{km}: about {minutes_words(journey.walk_minutes)} walking, or about " + (
        f"{minutes_words(journey.bus_minutes)} by bus"
    )


def cost_words(option: CostOption) -> str:
    amount = ""
    if option.amount is not None:
        currency = option.currency.strip().upper()
        if option.amount == 0:
            amount = "Free"
        elif currency in ("", "GBP"):
            amount = f"£{option.amount:,.2f}"
        else:
            amount = f"{option.amount:,.2f} {currency}"
    words = ": ".join(part for part in (option.option.strip(), amount) if part)
    note = option.amount_description.strip()
    if note:
        words = f"{words} ({note})" if words else note
    return words


def _provider(service: Service) -> str:
    try:
        return service.organization.name if service.organization is not None else ""
    except Organization.DoesNotExist:
        return ""


def _locations(service: Service) -> list[Location]:
    found: list[Location] = []
    for link in service.service_at_locations.all():
        try:
            location: Location | None = link.location
        except Location.DoesNotExist:
            continue
        if location is not None:
            found.append(location)
    return found


def _venues(locations: list[Location], place: geography.Place | None) -> list[Venue]:
    venues = []
    for location in locations:
        addresses = list(location.addresses.all())
        lines: list[str] = []
        if addresses:
            address = addresses[0]
            parts = (address.address_1, address.address_2, address.city, address.postal_code)
            lines = [part.strip() for part in parts if part.strip()]
        journey = ""
        if place is not None and location.latitude is not None and location.longitude is not None:
            km = geography.distance_km(place.latitude, place.longitude, location.latitude, location.longitude)
            if math.isfinite(km):
                journey = journey_words(geography.journey(km))
        venues.append(Venue(location.name.strip(), lines, journey))
    return venues


def _getting_there(service: Service) -> list[str]:
    notes = []
    if service.near_public_transport:
        notes.append("Near a bus stop or station.")
    if service.parking:
        notes.append("Parking nearby.")
    if service.step_free is True:
        notes.append("Step-free access.")
    elif service.step_free is False:
        notes.append("Not step-free: there are steps or stairs.")
    if service.accessible_toilet:
        notes.append("Accessible toilet.")
    if service.hearing_loop:
        notes.append("Hearing loop.")
    if service.online_option:
        notes.append("You can also join online.")
    if service.phone_option:
        notes.append("You can also join by phone.")
    if service.home_visits:
        notes.append("They can visit you at home.")
    return notes


def _first_visit(service: Service) -> list[str]:
    lines = []
    if service.booking == Booking.DROP_IN:
        lines.append("Just turn up: no need to book.")
    elif service.booking == Booking.BOOKING_NEEDED:
        lines.append("Book before you go.")
    if service.newcomers_met:
        lines.append("Someone meets new people when they arrive.")
    if service.companion_free:
        lines.append("You can bring someone with you for free.")
    if service.group_size:
        lines.append(f"Group size: {GroupSize(service.group_size).label.lower()}.")
    if service.atmosphere == "quiet":
        lines.append("Usually quiet.")
    elif service.atmosphere == "busy":
        lines.append("Usually busy.")
    return lines


def _contact(service: Service, locations: list[Location]) -> list[str]:
    numbers = [phone.number.strip() for phone in service.phones.all() if phone.number.strip()]
    numbers += [
        phone.number.strip() for loc in locations for phone in loc.phones.all() if phone.number.strip()
    ]
    lines = [f"Phone {number}" for number in dict.fromkeys(numbers)]
    if service.email.strip():
        lines.append(f"E-mail {service.email.strip()}")
    return lines


def activity(
    item: ShortlistItem, service: Service, place: geography.Place | None, today: dt.date
) -> Activity:
    locations = _locations(service)
    flags = []
    if not service.is_public:
        flags.append(NOT_PUBLIC_FLAG)
    elif service.state == EntryState.STALE:
        flags.append(STALE_FLAG)
    costs = [words for words in (cost_words(option) for option in service.cost_options.all()) if words]
    if not costs and service.cost_band:
        costs = [
            {"free": "Free", "low_cost": "Low cost", "paid": "There is a cost each time"}[service.cost_band]
        ]
    return Activity(
        item_id=item.pk,
        service_id=service.pk,
        name=service.name,
        provider=_provider(service),
        description=service.description.strip(),
        note=item.note,
        venues=_venues(locations, place),
        getting_there=_getting_there(service),
        costs=costs,
        when=when_lines(service, today),
        next_dates=next_sessions(service, today, shown=NEXT_DATES_SHOWN),
        first_visit=_first_visit(service),
        contact=_contact(service, locations),
        website=service.url.strip() if service.url.strip().startswith(("https://", "http://")) else "",
        is_public=service.is_public,
        flags=flags,
    )


def person_district(person: Person) -> str:
    return postcode_district(person.postcode)


def _place(district: str) -> geography.Place | None:
    if not district:
        return None
    try:
        return geography.locate(district)
    except DomainError:
        return None


def _items(shortlist: Shortlist) -> list[ShortlistItem]:
    return list(shortlist.items.order_by("position", "pk"))


def _services(items: list[ShortlistItem]) -> dict[uuid.UUID, Service]:
    ids = [item.service_id for item in items]
    found = (
        Service.objects.filter(pk__in=ids).select_related("organization").prefetch_related(*ENTRY_PREFETCH)
    )
    return {service.pk: service for service in found}


def activities(shortlist: Shortlist, today: dt.date, *, public_only: bool) -> list[Activity]:
    """The shortlist's activities in order; for the person, only those still in the public directory."""
    items = _items(shortlist)
    services = _services(items)
    place = _place(person_district(shortlist.person))
    found = []
    for item in items:
        service = services.get(item.service_id)
        if service is None or (public_only and not service.is_public):
            continue
        found.append(activity(item, service, place, today))
    return found


# --- Staff -----------------------------------------------------------------------------------------


def shortlist_person_get(*, actor: User, person_id: int) -> Person:
    """The person whose shortlist this is, if the actor works their case (NotFound otherwise)."""
    person = visible_to(actor, Action.UPDATE, Person).filter(pk=person_id).first()
    if person is None:
        raise NotFound()
    return person


def shortlist_get(*, actor: User, person: Person, audit: bool = True, via: str = "staff") -> Shortlist | None:
    """The person's shortlist, or None if none has been started. Opening it is audited (`via` says
    which page: "staff", "print" or "api")."""
    shortlist = (
        visible_to(actor, Action.VIEW, Shortlist).filter(person=person).select_related("person").first()
    )
    if shortlist is not None and audit:
        audit_record(actor=actor, event="shortlist.viewed", target=shortlist, detail={"via": via})
    return shortlist


def shortlist_item_get(*, actor: User, shortlist: Shortlist, item_id: int) -> ShortlistItem:
    item = (
        ShortlistItem.objects.filter(
            pk=item_id, shortlist__in=visible_to(actor, Action.UPDATE, Shortlist).filter(pk=shortlist.pk)
        )
        .select_related("shortlist")
        .first()
    )
    if item is None:
        raise NotFound()
    return item


def shortlist_item_by_service(*, actor: User, shortlist: Shortlist, service_id: uuid.UUID) -> ShortlistItem:
    item = (
        ShortlistItem.objects.filter(
            service_id=service_id,
            shortlist__in=visible_to(actor, Action.UPDATE, Shortlist).filter(pk=shortlist.pk),
        )
        .select_related("shortlist")
        .first()
    )
    if item is None:
        raise NotFound()
    return item


def shortlist_links(*, actor: User, shortlist: Shortlist) -> QuerySet[ShortlistLink]:
    """Links still working (not expired, not revoked), newest first."""
    allowed = visible_to(actor, Action.VIEW, Shortlist).filter(pk=shortlist.pk)
    return ShortlistLink.objects.filter(
        shortlist__in=allowed, revoked_at__isnull=True, expires_at__gt=now()
    ).select_related("shortlist")


def shortlist_link_get(*, actor: User, shortlist: Shortlist, link_id: int) -> ShortlistLink:
    link = shortlist_links(actor=actor, shortlist=shortlist).filter(pk=link_id).first()
    if link is None:
        raise NotFound()
    return link


def person_shortlist_summary(*, actor: User, person: Person) -> list[str]:
    """Names of the activities on a person's shortlist, for the person page (not audited: no detail)."""
    # One query: a person has at most one shortlist, so its items are those of the visible shortlists.
    shortlists = visible_to(actor, Action.VIEW, Shortlist).filter(person=person)
    items = ShortlistItem.objects.filter(shortlist__in=shortlists).order_by("position", "pk")
    return list(items.values_list("service__name", flat=True))


# --- The person, through the private link ------------------------------------------------------------


def shortlist_link_open(raw: str) -> ShortlistLink:
    """A working link; a missing, tampered, expired or revoked one looks the same: not found."""
    if not raw or len(raw) > 200:
        raise NotFound()
    link = (
        ShortlistLink.objects.select_related("shortlist__person", "shortlist__organisation")
        .filter(token_hash=secret_hash(raw))
        .first()
    )
    if link is None or link.revoked_at is not None or link.expires_at <= now():
        raise NotFound("This link has expired or has been withdrawn.")
    return link


def public_shortlist(raw: str, today: dt.date) -> PublicShortlist:
    """What the link shows: the first name, the postcode district and the public activities. Audited."""
    link = shortlist_link_open(raw)
    shortlist = link.shortlist
    audit_record(
        actor=None,
        event="shortlist.viewed",
        target=shortlist,
        organisation_id=shortlist.organisation_id,
        detail={"via": "link", "link": link.pk},
    )
    expires = link.expires_at
    return PublicShortlist(
        first_name=shortlist.person.first_name,
        district=person_district(shortlist.person),
        activities=activities(shortlist, today, public_only=True),
        expires_on=long_date(to_london(expires).date()),
        organisation_name=shortlist.organisation.name,
    )


def shortlist_required(*, actor: User, person: Person) -> Shortlist:
    """The person's shortlist for a change; NotFound if none has been started."""
    shortlist = visible_to(actor, Action.UPDATE, Shortlist).filter(person=person).first()
    if shortlist is None:
        raise NotFound("There is no shortlist for this person yet.")
    return shortlist


def shortlist_items(shortlist: Shortlist) -> list[ShortlistItem]:
    """The items of a shortlist already authorised, in order, with their services."""
    return list(shortlist.items.select_related("service").order_by("position", "pk"))
