"""What connectors need to know about a service, carried as HSDS attributes.

HSDS has no columns for "someone meets newcomers" or "sit and chat", so linkwork keeps them as typed
columns on `Service` (for fast filters) and exchanges them as HSDS `attribute` records whose
`taxonomy_term` belongs to the linkwork connector taxonomy below. Ids are fixed uuid5 values so every
installation exports the same term ids and a re-import maps them back to the columns.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import models

from linkwork.directory.models import (
    ActivityLevel,
    Atmosphere,
    Audience,
    Booking,
    CostBand,
    GroupSize,
    Service,
)

NAMESPACE = uuid.UUID("6f1d3c52-7a0e-4b59-9a53-2c1b0e7d4a10")
TAXONOMY_ID = uuid.uuid5(NAMESPACE, "taxonomy")
TAXONOMY_NAME = "linkwork connector facts"
TAXONOMY_DESCRIPTION = (
    "What people who help others into community activities need to know about a service: the first "
    "visit, the feel of the group, access, cost and how to join."
)
TAXONOMY_URI = "https://linkwork.invalid/taxonomies/connector-facts"
TAXONOMY_VERSION = "1"


@dataclass(frozen=True)
class Fact:
    """One column of `Service` exchanged as an attribute; `choices` for coded values, None for text."""

    column: str
    code: str
    name: str
    description: str
    kind: str  # "boolean", "choice" or "text"
    choices: type[models.TextChoices] | None = None

    @property
    def term_id(self) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"term:{self.code}")


FACTS: tuple[Fact, ...] = (
    Fact("first_visit", "first-visit", "First visit", "What happens the first time someone comes.", "text"),
    Fact(
        "newcomers_met",
        "newcomers-met",
        "Someone meets newcomers",
        "A named person welcomes new people.",
        "boolean",
    ),
    Fact(
        "companion_free",
        "companion-free",
        "Companion comes free",
        "A friend or supporter may come free.",
        "boolean",
    ),
    Fact(
        "group_size",
        "group-size",
        "Typical group size",
        "How many people usually take part.",
        "choice",
        GroupSize,
    ),
    Fact(
        "atmosphere",
        "atmosphere",
        "Busy or quiet",
        "Whether sessions are usually busy or quiet.",
        "choice",
        Atmosphere,
    ),
    Fact(
        "activity_level",
        "activity-level",
        "Active or sit-and-chat",
        "How physically active sessions are.",
        "choice",
        ActivityLevel,
    ),
    Fact(
        "audience",
        "audience",
        "Who it is for",
        "General community, or people with shared experience.",
        "choice",
        Audience,
    ),
    Fact(
        "shared_experience",
        "shared-experience",
        "Shared experience",
        "The experience members share, such as a mental health peer group or carers.",
        "text",
    ),
    Fact("cost_band", "cost-band", "Cost", "Free, low cost, or a cost per session.", "choice", CostBand),
    Fact("step_free", "step-free", "Step-free access", "The venue can be reached without steps.", "boolean"),
    Fact(
        "accessible_toilet",
        "accessible-toilet",
        "Accessible toilet",
        "There is an accessible toilet.",
        "boolean",
    ),
    Fact("hearing_loop", "hearing-loop", "Hearing loop", "A hearing loop is available.", "boolean"),
    Fact(
        "near_public_transport",
        "near-public-transport",
        "Near public transport",
        "A bus stop or station is within a short walk.",
        "boolean",
    ),
    Fact("parking", "parking", "Parking", "There is parking at or near the venue.", "boolean"),
    Fact("online_option", "online-option", "Online option", "People can take part online.", "boolean"),
    Fact("phone_option", "phone-option", "Phone option", "People can take part by phone.", "boolean"),
    Fact("home_visits", "home-visits", "Home visits", "The service visits people at home.", "boolean"),
    Fact(
        "booking",
        "booking",
        "Booking or drop in",
        "Whether people need to book or can drop in.",
        "choice",
        Booking,
    ),
)

FACTS_BY_TERM_ID = {fact.term_id: fact for fact in FACTS}
FACTS_BY_CODE = {fact.code: fact for fact in FACTS}
CLOSURE_TERM_ID = uuid.uuid5(NAMESPACE, "term:closure")
CLOSURE_CODE = "closure"


def fact_values(service: Service) -> list[tuple[Fact, str]]:
    """The facts recorded for a service, as HSDS attribute values ("true"/"false", a code, or text)."""
    values = []
    for fact in FACTS:
        raw = getattr(service, fact.column)
        if raw is None or raw == "":
            continue
        values.append((fact, ("true" if raw else "false") if fact.kind == "boolean" else str(raw)))
    return values


def parse_fact(fact: Fact, value: str) -> bool | str:
    """An attribute value back into the column's type; ValueError names what was expected."""
    text = value.strip()
    if fact.kind == "boolean":
        lowered = text.lower()
        if lowered in {"true", "yes", "1"}:
            return True
        if lowered in {"false", "no", "0"}:
            return False
        raise ValueError(f"{fact.name}: expected true or false, not {value!r}")
    if fact.kind == "choice":
        assert fact.choices is not None
        codes = [str(code) for code in fact.choices.values]
        if text not in codes:
            raise ValueError(f"{fact.name}: expected one of {', '.join(codes)}, not {value!r}")
    return text
