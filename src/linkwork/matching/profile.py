"""What the ranking needs to know about a person, gathered in one plain object.

`profile_for(person)` reads the person's record and the latest conversation of their open support
episode (or of their latest episode when none is open). Facts nobody recorded stay None or empty:
the engine treats them as "not known", never as "no".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from linkwork.core.time import local_today
from linkwork.people.models import Person
from linkwork.support.models import OPEN_EPISODE_STATUSES, BudgetEntry, Conversation, SupportEpisode

# The middle of each age band, for age limits when only the band is known.
_BAND_AGES: dict[str, tuple[float, float]] = {
    "under-18": (0, 17),
    "18-24": (18, 24),
    "25-34": (25, 34),
    "35-49": (35, 49),
    "50-64": (50, 64),
    "65-74": (65, 74),
    "75-84": (75, 84),
    "85+": (85, 120),
}


@dataclass
class MatchProfile:
    """A person as the ranking sees them. Every field may be empty: empty means "not known"."""

    postcode: str = ""
    age: float | None = None  # exact age in years, from the date of birth
    age_range: tuple[float, float] | None = None  # from the age band when the birth date is unknown
    main_language: str = ""
    interpreter_needed: bool = False
    mobility: list[str] = field(default_factory=list)
    digital_access: str = ""
    interests_now: list[str] = field(default_factory=list)
    interests_past: list[str] = field(default_factory=list)
    text: str = ""  # the connector's free-text need for this search
    barriers: list[str] = field(default_factory=list)
    prefers: str = ""  # one-to-one | groups | either
    setting_preference: str = ""  # shared-experience | general | either
    largest_group: int | None = None
    wants_company_first_visit: bool | None = None
    availability: list[str] = field(default_factory=list)  # "mon-morning", ...
    travel_limit_km: float | None = None
    travel_limit_minutes: int | None = None
    confidence: str = ""  # participation factor rating: helps | mixed | hinders | unknown
    budget_left_pence: int | None = None  # what is left of the episode budget, when there is one

    @property
    def low_confidence(self) -> bool:
        return self.confidence == "hinders" or "confidence" in self.barriers

    @property
    def money_barrier(self) -> bool:
        return "cost" in self.barriers

    @property
    def step_free_needed(self) -> bool:
        return bool({"mobility", "stairs"} & set(self.barriers))

    @property
    def housebound(self) -> bool:
        return "housebound" in self.mobility

    @property
    def language_needed(self) -> bool:
        language = self.main_language.strip().casefold()
        return (
            bool(language)
            and language != "english"
            and (self.interpreter_needed or "language" in self.barriers)
        )


def _age(born: dt.date, today: dt.date) -> float:
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return float(years)


def latest_conversation(person: Person) -> tuple[SupportEpisode | None, Conversation | None]:
    """The person's open episode (else their latest) and its latest conversation.

    The episode comes with `budget_spent_pence`, the sum of its budget entries, read in the same query.
    """
    spent = (
        BudgetEntry.objects.filter(episode=OuterRef("pk"))
        .order_by()
        .values("episode")
        .annotate(total=Sum("amount_pence"))
        .values("total")
    )
    episode = (
        SupportEpisode.objects.filter(person=person)
        .annotate(
            closed_last=Case(When(status__in=OPEN_EPISODE_STATUSES, then=Value(0)), default=Value(1)),
            budget_spent_pence=Coalesce(Subquery(spent), 0),
        )
        .order_by("closed_last", "-started_on", "-pk")
        .first()
    )
    if episode is None:
        return None, None
    return episode, episode.conversations.order_by("-version").first()


def _budget_left(episode: SupportEpisode) -> int | None:
    if not episode.budget_allowance_pence:
        return None
    spent: int = getattr(episode, "budget_spent_pence")  # noqa: B009  (annotated by latest_conversation)
    return max(0, episode.budget_allowance_pence - spent)


def profile_for(person: Person, *, text: str = "", today: dt.date | None = None) -> MatchProfile:
    """The person's matching profile; `text` is an optional free-text need for this search."""
    today = today or local_today()
    profile = MatchProfile(
        postcode=person.postcode.strip(),
        main_language=person.main_language.strip(),
        interpreter_needed=person.interpreter_needed,
        mobility=list(person.mobility or []),
        digital_access=person.digital_access,
        text=text.strip(),
    )
    if person.date_of_birth is not None:
        profile.age = _age(person.date_of_birth, today)
    elif person.age_band in _BAND_AGES:
        profile.age_range = _BAND_AGES[person.age_band]
    episode, conversation = latest_conversation(person)
    if episode is not None:
        profile.budget_left_pence = _budget_left(episode)
    if conversation is not None:
        profile.interests_now = list(conversation.interests_now or [])
        profile.interests_past = list(conversation.interests_past or [])
        profile.barriers = list(conversation.barriers or [])
        profile.prefers = conversation.prefers
        profile.setting_preference = conversation.setting_preference
        profile.largest_group = conversation.largest_group
        profile.wants_company_first_visit = conversation.wants_company_first_visit
        profile.availability = list(conversation.availability or [])
        if conversation.travel_limit_km is not None:
            profile.travel_limit_km = float(conversation.travel_limit_km)
        profile.travel_limit_minutes = conversation.travel_limit_minutes
        factors = conversation.participation_factors or {}
        profile.confidence = str((factors.get("confidence") or {}).get("rating", ""))
    return profile
