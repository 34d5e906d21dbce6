"""Recommendations for one person: who may ask, what is ranked, and the audit of each view.

Recommendations are casework: only the connectors and supervisors who work the person's case (the
person policy's VIEW scope) may see them; everyone else gets NotFound. Each view is audited as
`recommendations.viewed`, with counts and options but no personal values (not the free text).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from linkwork.accounts.models import User
from linkwork.audit.services import audit_record
from linkwork.core.errors import NotFound, ValidationFailed
from linkwork.core.policies import Action, Operator, visible_to
from linkwork.directory.geography import normalise_postcode
from linkwork.directory.models import PUBLIC_STATES, Service
from linkwork.matching.engine import Options, Ranking, Result, rank
from linkwork.matching.profile import MatchProfile, profile_for
from linkwork.people.models import Person

Actor = User | Operator

# The barrier a gap is filed under: what keeps things out of reach first.
GAP_BARRIER_ORDER = (
    "transport",
    "mobility",
    "stairs",
    "cost",
    "language",
    "confidence",
    "caring",
    "digital",
    "health",
)
MAX_LIMIT = 100
MAX_TEXT = 500
MAX_MINUTES = 300


@dataclass
class Recommendation:
    result: Result
    service: Service

    @property
    def name(self) -> str:
        return self.service.name

    @property
    def provider_name(self) -> str:
        return self.service.organization.name if self.service.organization_id else ""


@dataclass
class GapSuggestion:
    """What a "record a gap" button sends: the need, the area and the main barrier."""

    need: str
    area: str
    barrier: str


@dataclass
class Recommendations:
    person: Person
    profile: MatchProfile
    ranking: Ranking
    items: list[Recommendation] = field(default_factory=list)
    gap: GapSuggestion | None = None

    @property
    def mode(self) -> str:
        return self.ranking.mode


def _check(*, limit: int, max_minutes: int | None, text: str) -> None:
    errors: dict[str, str] = {}
    if not 1 <= limit <= MAX_LIMIT:
        errors["limit"] = f"Ask for between 1 and {MAX_LIMIT} results."
    if max_minutes is not None and not 1 <= max_minutes <= MAX_MINUTES:
        errors["max_minutes"] = f"The travel time must be between 1 and {MAX_MINUTES} minutes."
    if len(text) > MAX_TEXT:
        errors["text"] = f"Keep the need to {MAX_TEXT} characters or fewer."
    if errors:
        raise ValidationFailed("Check the search.", fields=errors)


def person_for_recommendations(*, actor: Actor, person_id: int) -> Person:
    """The person, if the actor works their case; NotFound otherwise (volunteers included).

    The installation operator (the `match` command) may rank for anyone.
    """
    people = Person.objects.all() if isinstance(actor, Operator) else visible_to(actor, Action.VIEW, Person)
    person = people.filter(pk=person_id).first()
    if person is None:
        raise NotFound()
    return person


def _area(postcode: str) -> str:
    try:
        return normalise_postcode(postcode).split(" ")[0]
    except ValidationFailed:
        return ""


def gap_suggestion(profile: MatchProfile) -> GapSuggestion:
    need = profile.text or ", ".join(profile.interests_now[:3]) or "an activity"
    barrier = next((b for b in GAP_BARRIER_ORDER if b in profile.barriers), "")
    return GapSuggestion(need=need[:200], area=_area(profile.postcode), barrier=barrier)


def recommendations_for(
    *,
    actor: Actor,
    person_id: int,
    text: str = "",
    limit: int = 20,
    max_minutes: int | None = None,
    free_only: bool = False,
    include_beyond_limit: bool = False,
) -> Recommendations:
    """The person's best services from the directory, ranked and explained, and audited."""
    _check(limit=limit, max_minutes=max_minutes, text=text.strip())  # bad input first, then the lookup
    return recommendations_for_person(
        actor=actor,
        person=person_for_recommendations(actor=actor, person_id=person_id),
        text=text,
        limit=limit,
        max_minutes=max_minutes,
        free_only=free_only,
        include_beyond_limit=include_beyond_limit,
    )


def recommendations_for_person(
    *,
    actor: Actor,
    person: Person,
    text: str = "",
    limit: int = 20,
    max_minutes: int | None = None,
    free_only: bool = False,
    include_beyond_limit: bool = False,
) -> Recommendations:
    """As `recommendations_for`, for a person already read for this actor under the person policy's
    VIEW scope (by `person_for_recommendations` or `people.selectors.person_get`), saving a second read.
    """
    text = text.strip()
    _check(limit=limit, max_minutes=max_minutes, text=text)
    profile = profile_for(person, text=text)
    options = Options(
        limit=limit, max_minutes=max_minutes, free_only=free_only, include_beyond_limit=include_beyond_limit
    )
    ranking = rank(profile, options)
    found = _services_for_results([result.service_id for result in ranking.results])
    items = [
        Recommendation(result, found[result.service_id])
        for result in ranking.results
        if result.service_id in found
    ]
    audit_record(
        actor=actor,
        event="recommendations.viewed",
        target=person,
        detail={
            "mode": ranking.mode,
            "results": len(items),
            "limit": limit,
            "max_minutes": max_minutes,
            "free_only": free_only,
            "include_beyond_limit": include_beyond_limit,
            "text_given": bool(text),
        },
    )
    return Recommendations(
        person=person, profile=profile, ranking=ranking, items=items, gap=gap_suggestion(profile)
    )


def _services_for_results(ids: list[uuid.UUID]) -> dict[uuid.UUID, Service]:
    """The ranked entries with their provider: all a recommendation shows (name, provider, link).

    Only public entries, as in `directory.selectors.services_by_ids`: the index may be a moment behind
    the database. Only the columns shown are read: the ranking has already used the rest.
    """
    found = (
        Service.objects.filter(pk__in=ids, state__in=list(PUBLIC_STATES))
        .select_related("organization")
        .only("pk", "name", "organization__name")
    )
    return {service.pk: service for service in found}


def service_ids(recommendations: Recommendations) -> list[uuid.UUID]:
    return [item.service.pk for item in recommendations.items]
