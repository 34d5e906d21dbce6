"""A deterministic, realistic national directory for the directory benchmarks.

`generate(size, seed)` gives `size` full HSDS 3.0 service objects (the shape of the official
examples): a provider organisation (shared by about four services), a location with an address and
coordinates near a real UK postcode sector centroid, one or two schedules (weekly, fortnightly,
monthly, daily, one-off), a phone, usually a cost option, categories and connector facts as
attributes, and now and then a service area. `load(services, owner)` writes the same records
straight into the database with `bulk_create`, in the states a live directory has.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from django.db import transaction
from django.db.models import Model

from linkwork.accounts.models import Organisation
from linkwork.core.time import local_today, now
from linkwork.directory import connector_facts
from linkwork.directory.models import (
    Address,
    Attribute,
    Closure,
    CostOption,
    EntryState,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


NAMESPACE = uuid.UUID("0b6a3f5e-2d4c-4e8f-9a1b-7c5d3e2f1a09")
CATEGORY_TAXONOMY_ID = uuid.uuid5(NAMESPACE, "taxonomy:community-activities")

# (activity, category, words for its description)
ACTIVITIES: tuple[tuple[str, str, str], ...] = (
    ("Knit and Natter", "Arts and crafts", "knitting crochet yarn chat tea"),
    ("Walking Group", "Physical activity", "walks parks countryside fresh air"),
    ("Chair Yoga", "Physical activity", "yoga stretching seated gentle movement"),
    ("Men's Shed", "Social", "woodwork tools making repairing friendship"),
    ("Community Choir", "Music", "singing songs harmony voices"),
    ("Gardening Club", "Gardening", "allotment plants vegetables growing outdoors"),
    ("Coffee Morning", "Social", "coffee cake conversation neighbours"),
    ("Bereavement Support Group", "Mental health", "loss grief listening support"),
    ("Carers Cafe", "Carers", "carers respite advice peer support"),
    ("Digital Skills Drop-in", "Learning", "computers tablets phones internet help"),
    ("Tai Chi", "Physical activity", "balance breathing slow movement"),
    ("Book Club", "Learning", "reading novels discussion library"),
    ("Art Class", "Arts and crafts", "painting drawing watercolour sketching"),
    ("Lunch Club", "Food", "hot meal lunch company older people"),
    ("Befriending Service", "Befriending", "volunteers visits phone calls loneliness"),
    ("Dance Fitness", "Physical activity", "dancing music exercise fun"),
    ("Swimming for Over 50s", "Physical activity", "swimming pool lanes exercise"),
    ("Peer Support Group", "Mental health", "wellbeing anxiety depression sharing"),
    ("Debt Advice", "Money", "debts benefits budgeting advice"),
    ("Food Bank", "Food", "food parcels emergency help"),
    ("Repair Cafe", "Social", "fixing repairs electricals clothes bikes"),
    ("Table Tennis", "Physical activity", "ping pong tables bats"),
    ("Singing for the Brain", "Dementia", "dementia singing memories carers"),
    ("Memory Cafe", "Dementia", "dementia memory loss carers activities"),
    ("Cookery Course", "Food", "cooking recipes healthy eating kitchen"),
    ("English Conversation Class", "Learning", "english language practice newcomers"),
    ("Volunteering Hub", "Volunteering", "volunteer roles opportunities skills"),
    ("Pilates", "Physical activity", "pilates core strength mats"),
    ("Bowls Club", "Physical activity", "bowls green outdoor sport"),
    ("Parent and Toddler Group", "Families", "toddlers parents play songs"),
)
CATEGORIES = tuple(sorted({category for _, category, _ in ACTIVITIES}))
PLACE_STARTS = _words(
    "Ash Brook Castle Elm Fair Green High King Lark Mill North Oak River South Stone West "
    "Willow Bramble Cedar Hazel Holly Marsh Moor Orchard Pine Rose Thorn Vale"
)
PLACE_ENDS = _words("field ford gate ham ley side ton wood bridge bury")
PROVIDER_KINDS = (
    "Community Trust",
    "Neighbourhood Association",
    "Age Friendly Network",
    "Wellbeing Collective",
    "Community Centre",
    "Mind",
    "Voluntary Action",
    "Library Friends",
)
AUDIENCES = ("everyone", "older people", "adults", "people living alone", "carers", "families", "newcomers")
EXTRA_WORDS = _words(
    "welcoming relaxed accessible lively quiet informal experienced trained qualified local "
    "weekly beginners improvers confidence routine outdoors indoors hall church library centre "
    "park transport parking refreshments biscuits games quiz crafts stories laughter"
)
STREETS = _words("High Church Station Mill Park Victoria Queen King School Chapel")
VENUES = ("Community Centre", "Library", "Church Hall", "Park")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


_SECTOR = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9]")


def _sectors() -> list[tuple[str, float, float]]:
    """Postcode sectors in use (the data also keeps a few old non-geographic ones, like NPT 1)."""
    text = resources.files("linkwork.directory").joinpath("data", "uk-postcode-sectors.csv").read_text()
    return [
        (row["sector"], float(row["latitude"]), float(row["longitude"]))
        for row in csv.DictReader(io.StringIO(text))
        if _SECTOR.fullmatch(row["sector"])
    ]


def _district_areas() -> dict[str, str]:
    text = resources.files("linkwork.directory").joinpath("data", "uk-postcode-districts.csv").read_text()
    return {row["district"]: row["area_name"] for row in csv.DictReader(io.StringIO(text))}


def category_term_id(category: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"term:{category}"))


def _category_attribute(rng: random.Random, category: str) -> dict[str, Any]:
    return {
        "id": _uuid(rng),
        "taxonomy_term_id": category_term_id(category),
        "taxonomy_term": {
            "id": category_term_id(category),
            "code": category.lower().replace(" ", "-"),
            "name": category,
            "description": f"Activities and services: {category.lower()}.",
            "taxonomy_detail": {
                "id": str(CATEGORY_TAXONOMY_ID),
                "name": "Community activities",
                "description": "Kinds of community activity and support.",
                "uri": "https://example.org/taxonomies/community-activities",
                "version": "1",
            },
        },
        "value": "",
    }


def _fact_attribute(rng: random.Random, fact: connector_facts.Fact, value: str) -> dict[str, Any]:
    return {
        "id": _uuid(rng),
        "taxonomy_term_id": str(fact.term_id),
        "taxonomy_term": {
            "id": str(fact.term_id),
            "code": fact.code,
            "name": fact.name,
            "description": fact.description,
            "taxonomy_detail": {
                "id": str(connector_facts.TAXONOMY_ID),
                "name": connector_facts.TAXONOMY_NAME,
                "description": connector_facts.TAXONOMY_DESCRIPTION,
                "uri": connector_facts.TAXONOMY_URI,
                "version": connector_facts.TAXONOMY_VERSION,
            },
        },
        "value": value,
    }


def _schedule(rng: random.Random, today: dt.date) -> dict[str, Any]:
    opens = rng.choice((9, 10, 11, 13, 14, 18))
    schedule: dict[str, Any] = {
        "id": _uuid(rng),
        "opens_at": f"{opens:02d}:{rng.choice((0, 30)):02d}:00",
        "closes_at": f"{opens + rng.choice((1, 2)):02d}:00:00",
    }
    kind = rng.random()
    if kind < 0.55:
        schedule |= {"freq": "WEEKLY", "byday": rng.choice(DAYS[:6])}
        if rng.random() < 0.5:
            schedule["dtstart"] = (today - dt.timedelta(days=rng.randrange(30, 900))).isoformat()
    elif kind < 0.65:
        first, second = sorted(rng.sample(range(7), 2))
        schedule |= {"freq": "WEEKLY", "byday": f"{DAYS[first]},{DAYS[second]}"}
    elif kind < 0.72:
        start = today - dt.timedelta(days=rng.randrange(14, 400))
        schedule |= {"freq": "WEEKLY", "interval": 2, "byday": DAYS[start.weekday()]}
        schedule["dtstart"] = start.isoformat()
    elif kind < 0.87:
        schedule |= {"freq": "MONTHLY", "byday": f"{rng.choice((1, 2, 3, -1))}{rng.choice(DAYS[:6])}"}
    elif kind < 0.93:
        schedule |= {"freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR"}
    else:
        schedule["dtstart"] = (today + dt.timedelta(days=rng.randrange(-10, 60))).isoformat()
    return schedule


def generate(size: int, seed: int) -> Iterator[dict[str, Any]]:
    """`size` HSDS service objects; the same size and seed always give the same services."""
    rng = random.Random(seed)
    sectors = _sectors()
    areas = _district_areas()
    today = local_today()
    stamp = now().isoformat()
    provider: dict[str, Any] = {}
    for number in range(size):
        sector, latitude, longitude = rng.choice(sectors)
        district = sector.split()[0]
        place = rng.choice(PLACE_STARTS) + rng.choice(PLACE_ENDS)
        if number % 4 == 0:
            provider = {
                "id": _uuid(rng),
                "name": f"{place} {rng.choice(PROVIDER_KINDS)}",
                "description": f"A charity working with people in and around {place}.",
                "email": f"hello@{place.lower()}.example.org",
                "website": f"https://{place.lower()}.example.org",
            }
        activity, category, topic = rng.choice(ACTIVITIES)
        audience = rng.choice(AUDIENCES)
        extra = " ".join(rng.sample(EXTRA_WORDS, 4))
        description = (
            f"A friendly {activity.lower()} for {audience} in {place}. "
            f"We offer {topic}. {extra.capitalize()}. New faces are always welcome."
        )
        location_id = _uuid(rng)
        unit = "".join(rng.choice("ABDEFGHJLNPQRSTUWXYZ") for _ in range(2))
        service: dict[str, Any] = {
            "id": _uuid(rng),
            "name": f"{place} {activity}",
            "description": description,
            "url": f"https://{place.lower()}.example.org/{activity.lower().replace(' ', '-')}",
            "email": f"{activity.split()[0].lower()}@{place.lower()}.example.org",
            "status": "active",
            "last_modified": stamp,
            "organization": provider,
            "service_at_locations": [
                {
                    "id": _uuid(rng),
                    "location": {
                        "id": location_id,
                        "location_type": "physical",
                        "name": f"{place} {rng.choice(VENUES)}",
                        "latitude": round(latitude + rng.uniform(-0.01, 0.01), 6),
                        "longitude": round(longitude + rng.uniform(-0.015, 0.015), 6),
                        "addresses": [
                            {
                                "id": _uuid(rng),
                                "address_1": f"{rng.randrange(1, 200)} {rng.choice(STREETS)} Street",
                                "city": place,
                                "state_province": areas.get(district, "") or place,
                                "postal_code": f"{sector}{unit}",
                                "country": "GB",
                                "address_type": "physical",
                            }
                        ],
                    },
                }
            ],
            "schedules": [_schedule(rng, today) for _ in range(rng.choice((1, 1, 1, 2)))],
            "phones": [
                {"id": _uuid(rng), "number": f"01632 {rng.randrange(100000, 999999)}", "type": "voice"}
            ],
            "cost_options": [],
            "service_areas": [],
            "attributes": [_category_attribute(rng, category)],
        }
        cost = rng.random()
        if cost < 0.7:
            amount = 0 if cost < 0.35 else rng.choice((2, 3, 4, 5))
            service["cost_options"].append(
                {
                    "id": _uuid(rng),
                    "option": "Per session",
                    "currency": "GBP",
                    "amount": amount,
                    "amount_description": "free" if amount == 0 else "per session",
                }
            )
        if rng.random() < 0.2:
            second = rng.choice(CATEGORIES)
            if second != category:
                service["attributes"].append(_category_attribute(rng, second))
        facts = connector_facts.FACTS_BY_CODE
        band = "free" if cost < 0.35 else ("low_cost" if cost < 0.6 else rng.choice(("paid", "")))
        values = {
            "cost-band": band,
            "step-free": rng.choice(("true", "true", "true", "false", "")),
            "online-option": "true" if rng.random() < 0.1 else "",
            "phone-option": "true" if rng.random() < 0.05 else "",
            "booking": rng.choice(("drop_in", "booking_needed", "")),
            "group-size": rng.choice(("small", "medium", "large", "")),
            "newcomers-met": rng.choice(("true", "")),
        }
        service["attributes"] += [
            _fact_attribute(rng, facts[code], value) for code, value in values.items() if value
        ]
        area = rng.random()
        if area < 0.03:
            service["service_areas"].append(
                {
                    "id": _uuid(rng),
                    "name": f"{district} and around",
                    "extent": district,
                    "extent_type": "postcode",
                }
            )
        elif area < 0.04 and areas.get(district):
            service["service_areas"].append(
                {
                    "id": _uuid(rng),
                    "name": f"All of {areas[district]}",
                    "extent": areas[district],
                    "extent_type": "local_authority",
                }
            )
        yield service


# --- Straight into the database ----------------------------------------------------------------


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _time(text: str | None) -> dt.time | None:
    return dt.time.fromisoformat(text) if text else None


def _state(rng: random.Random) -> str:
    roll = rng.random()
    for limit, state in (
        (0.85, EntryState.PUBLISHED),
        (0.90, EntryState.REVIEW_DUE),
        (0.93, EntryState.STALE),
        (0.97, EntryState.DRAFT),
        (0.99, EntryState.SUBMITTED),
    ):
        if roll < limit:
            return state
    return EntryState.ARCHIVED


BATCH = 5000


@dataclass
class _Context:
    owner: Organisation
    rng: random.Random
    moment: dt.datetime
    today: dt.date
    providers: set[str] = field(default_factory=set)
    terms: set[str] = field(default_factory=set)
    states: bool = True  # give entries the mix of states a live directory has; else all published


def records(item: dict[str, Any], context: _Context) -> list[Model]:
    """Model instances for one HSDS service object, parents first (shared ones only the first time)."""
    rng = context.rng
    owner = context.owner
    made: list[Model] = []
    org = item["organization"]
    if org["id"] not in context.providers:
        context.providers.add(org["id"])
        made.append(
            Organization(
                id=org["id"],
                name=org["name"],
                description=org["description"],
                email=org["email"],
                website=org["website"],
                owner=owner,
            )
        )
    facts = {
        attribute["taxonomy_term"]["code"]: attribute["value"]
        for attribute in item["attributes"]
        if uuid.UUID(attribute["taxonomy_term_id"]) in connector_facts.FACTS_BY_TERM_ID
    }
    state = _state(rng) if context.states else EntryState.PUBLISHED
    live = state in (EntryState.PUBLISHED, EntryState.REVIEW_DUE, EntryState.STALE)
    made.append(
        Service(
            id=item["id"],
            organization_id=org["id"],
            name=item["name"],
            description=item["description"],
            url=item["url"],
            email=item["email"],
            status=item["status"],
            last_modified=context.moment,
            owner=owner,
            state=state,
            state_changed_at=context.moment,
            review_due_on=context.today + dt.timedelta(days=rng.randrange(-60, 180)) if live else None,
            source="benchmark",
            source_recorded_at=context.moment,
            source_recorded_by="bench",
            cost_band=facts.get("cost-band", ""),
            step_free={"true": True, "false": False}.get(facts.get("step-free", "")),
            online_option=True if facts.get("online-option") == "true" else None,
            phone_option=True if facts.get("phone-option") == "true" else None,
            booking=facts.get("booking", ""),
            group_size=facts.get("group-size", ""),
            newcomers_met=True if facts.get("newcomers-met") == "true" else None,
        )
    )
    for at_location in item["service_at_locations"]:
        place = at_location["location"]
        made.append(
            Location(
                id=place["id"],
                location_type=place["location_type"],
                organization_id=org["id"],
                name=place["name"],
                latitude=place["latitude"],
                longitude=place["longitude"],
                owner=owner,
            )
        )
        made.append(ServiceAtLocation(id=at_location["id"], service_id=item["id"], location_id=place["id"]))
        made += [Address(location_id=place["id"], **address) for address in place["addresses"]]
    for schedule in item["schedules"]:
        values = dict(schedule)
        made.append(
            Schedule(
                service_id=item["id"],
                id=values.pop("id"),
                dtstart=_date(values.pop("dtstart", None)),
                opens_at=_time(values.pop("opens_at", None)),
                closes_at=_time(values.pop("closes_at", None)),
                **values,
            )
        )
    made += [Phone(service_id=item["id"], **phone) for phone in item["phones"]]
    made += [CostOption(service_id=item["id"], **option) for option in item["cost_options"]]
    made += [ServiceArea(service_id=item["id"], **area) for area in item["service_areas"]]
    for attribute in item["attributes"]:
        term = attribute["taxonomy_term"]
        if term["id"] not in context.terms:
            context.terms.add(term["id"])
            made.append(
                TaxonomyTerm(
                    id=term["id"],
                    code=term["code"],
                    name=term["name"],
                    description=term["description"],
                    taxonomy_detail_id=term["taxonomy_detail"]["id"],
                )
            )
        made.append(
            Attribute(
                id=attribute["id"],
                link_id=item["id"],
                link_type="service",
                link_entity="service",
                taxonomy_term_id=term["id"],
                value=attribute["value"],
            )
        )
    if context.states and rng.random() < 0.02:
        starts = context.today + dt.timedelta(days=rng.randrange(-7, 7))
        made.append(Closure(service_id=item["id"], starts_on=starts, ends_on=starts + dt.timedelta(days=13)))
    return made


def context(*, owner: Organisation, seed: int, states: bool = True) -> _Context:
    """What `records` needs; taxonomy terms already stored are not made again."""
    return _Context(
        owner=owner,
        rng=random.Random(seed + 1),
        moment=now(),
        today=local_today(),
        terms={str(pk) for pk in TaxonomyTerm.objects.values_list("pk", flat=True)},
        states=states,
    )


def ensure_taxonomies() -> None:
    Taxonomy.objects.bulk_create(
        [
            Taxonomy(id=CATEGORY_TAXONOMY_ID, name="Community activities"),
            Taxonomy(id=connector_facts.TAXONOMY_ID, name=connector_facts.TAXONOMY_NAME),
        ],
        ignore_conflicts=True,
    )


def load(services: Iterator[dict[str, Any]], *, owner: Organisation, seed: int) -> int:
    """Write the services (and everything in them) with bulk_create; returns how many."""
    state = context(owner=owner, seed=seed)
    pending: dict[type[Model], list[Model]] = defaultdict(list)
    count = 0

    def flush() -> None:
        for model, batch in pending.items():  # in the order first seen: parents before children
            model._default_manager.bulk_create(batch, batch_size=BATCH)
        pending.clear()

    with transaction.atomic():
        ensure_taxonomies()
        for item in services:
            count += 1
            for record in records(item, state):
                pending[type(record)].append(record)
            if count % BATCH == 0:
                flush()
        flush()
    return count
