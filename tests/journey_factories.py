"""Keyword-only builders for the person's journey: programme, person, referral, episode.

Everything goes through the real services (as the test operator unless an actor is given), so
validation, access rules and the audit log apply to test data exactly as to real data.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from typing import Any

from linkwork.accounts.models import Organisation, Team, User
from linkwork.core.policies import Operator
from linkwork.core.time import LONDON, now
from linkwork.people.models import Consent, Person
from linkwork.people.services import consent_record, person_create
from linkwork.referrals.models import Referral, ReferralSource
from linkwork.referrals.services import referral_create
from linkwork.support.models import Programme, SupportEpisode
from linkwork.support.services import episode_start, programme_create
from tests.factories import OPERATOR

Actor = User | Operator
_numbers = itertools.count(1)


def days_ago(days: int) -> dt.date:
    return now().date() - dt.timedelta(days=days)


def london(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    """An aware datetime at a wall-clock time in London on `day`."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def make_programme(
    *,
    organisation: Organisation,
    name: str | None = None,
    max_contacts: int = 10,
    max_meetups: int = 4,
    planned_weeks: int = 12,
    budget_pence: int = 10_000,
    follow_up_weeks: int = 12,
) -> Programme:
    return programme_create(
        actor=OPERATOR,
        organisation=organisation,
        name=name or f"Programme {next(_numbers)}",
        max_contacts=max_contacts,
        max_meetups=max_meetups,
        planned_weeks=planned_weeks,
        budget_pence=budget_pence,
        follow_up_weeks=follow_up_weeks,
    )


def make_person(
    *,
    organisation: Organisation,
    first_name: str | None = None,
    last_name: str = "Example",
    actor: Actor = OPERATOR,
    **details: Any,
) -> Person:
    return person_create(
        actor=actor,
        organisation=organisation,
        details={"first_name": first_name or f"Person{next(_numbers)}", "last_name": last_name, **details},
    )


def give_consent(
    *, person: Person, purpose: str, agreed: bool = True, actor: Actor = OPERATOR, method: str = "verbal"
) -> Consent:
    return consent_record(actor=actor, person=person, purpose=purpose, agreed=agreed, method=method)


def make_referral(
    *,
    person: Person,
    actor: Actor = OPERATOR,
    source: str = ReferralSource.GP,
    referrer_name: str = "Dr Ada Shah",
    referrer_organisation: str = "Riverside Surgery",
    received_at: dt.datetime | None = None,
    reason: str = "Lives alone since her husband died and rarely goes out.",
) -> Referral:
    details: dict[str, Any] = {
        "source": source,
        "referrer_name": referrer_name,
        "referrer_organisation": referrer_organisation,
        "reason": reason,
    }
    if received_at is not None:
        details["received_at"] = received_at
    return referral_create(actor=actor, person=person, details=details)


def make_episode(
    *,
    connector: User,
    programme: Programme | None = None,
    person: Person | None = None,
    referral: Referral | None = None,
    team: Team | None = None,
    volunteers: Iterable[User] = (),
    started_on: dt.date | None = None,
    actor: Actor = OPERATOR,
) -> SupportEpisode:
    """Accept a referral (made here unless given) and open an episode with `connector`."""
    organisation = connector.organisation
    assert organisation is not None, "a connector belongs to an organisation"
    if referral is None:
        referral = make_referral(person=person or make_person(organisation=organisation))
    volunteers = list(volunteers)
    if volunteers:  # the normal flow: the person agreed to volunteers before one is assigned
        give_consent(person=referral.person, purpose="volunteer-contact")
    return episode_start(
        actor=actor,
        referral=referral,
        programme=programme or make_programme(organisation=organisation),
        connector=connector,
        team=team,
        volunteers=volunteers,
        started_on=started_on,
    )
