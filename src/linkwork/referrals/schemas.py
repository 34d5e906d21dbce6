"""Input and output schemas for referrals, contact attempts, decisions and outcome letters."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from linkwork.referrals.models import (
    AttemptMethod,
    AttemptOutcome,
    ContactAttempt,
    NotAppropriateReason,
    OutcomeMessage,
    Referral,
    ReferralSource,
    Urgency,
)
from linkwork.referrals.services import referral_suggests_closing, referral_waiting_time
from linkwork.support.models import SupportEpisode


class PersonRefOut(Schema):
    id: int
    display_name: str


class ReferralCreateIn(Schema):
    person_id: int
    source: ReferralSource
    referrer_name: str = Field("", max_length=150)
    referrer_organisation: str = Field("", max_length=200)
    referrer_contact: str = Field("", max_length=200)
    reason: str = Field("", max_length=5000)
    needs: str = Field("", max_length=5000)
    urgency: Urgency = Urgency.ROUTINE
    received_at: dt.datetime | None = Field(None, description="Defaults to now")


class ReferralOut(Schema):
    """One row of the referral list."""

    id: int
    reference: str
    person: PersonRefOut
    source: str
    urgency: str
    status: str
    received_at: dt.datetime
    first_contact_at: dt.datetime | None
    decided_at: dt.datetime | None


class AttemptIn(Schema):
    method: AttemptMethod
    outcome: AttemptOutcome
    note: str = Field("", max_length=500)
    at: dt.datetime | None = Field(None, description="When the attempt was made; defaults to now")


class AttemptOut(Schema):
    id: int
    attempted_at: dt.datetime
    method: str
    outcome: str
    note: str
    made_by_id: int | None

    @staticmethod
    def build(attempt: ContactAttempt) -> AttemptOut:
        return AttemptOut(
            id=attempt.pk,
            attempted_at=attempt.attempted_at,
            method=attempt.method,
            outcome=attempt.outcome,
            note=attempt.note,
            made_by_id=attempt.made_by_id,
        )


class OutcomeMessageOut(Schema):
    id: int
    kind: str
    created_at: dt.datetime
    recipient: str
    subject: str
    body: str

    @staticmethod
    def build(message: OutcomeMessage) -> OutcomeMessageOut:
        return OutcomeMessageOut(
            id=message.pk,
            kind=message.kind,
            created_at=message.created_at,
            recipient=message.recipient,
            subject=message.subject,
            body=message.body,
        )


class ReferralDetailOut(Schema):
    id: int
    reference: str
    person: PersonRefOut
    status: str
    source: str
    referrer_name: str
    referrer_organisation: str
    referrer_contact: str
    reason: str
    needs: str
    urgency: str
    received_at: dt.datetime
    first_contact_at: dt.datetime | None
    decided_at: dt.datetime | None
    not_appropriate_reason: str
    redirected_to: str
    decision_note: str
    via_public_form: bool
    episode_id: int | None
    attempts: list[AttemptOut]
    suggests_closing: bool = Field(description="Three unanswered attempts over two weeks or more")
    waiting_time_days: int | None = Field(description="Days from receipt to first contact")
    outcome_messages: list[OutcomeMessageOut]

    @staticmethod
    def build(referral: Referral, episode: SupportEpisode | None = None) -> ReferralDetailOut:
        waiting = referral_waiting_time(referral)
        if episode is None:
            episode = getattr(referral, "episode", None)
        return ReferralDetailOut(
            id=referral.pk,
            reference=referral.reference,
            person=PersonRefOut(id=referral.person_id, display_name=referral.person.display_name),
            status=referral.status,
            source=referral.source,
            referrer_name=referral.referrer_name,
            referrer_organisation=referral.referrer_organisation,
            referrer_contact=referral.referrer_contact,
            reason=referral.reason,
            needs=referral.needs,
            urgency=referral.urgency,
            received_at=referral.received_at,
            first_contact_at=referral.first_contact_at,
            decided_at=referral.decided_at,
            not_appropriate_reason=referral.not_appropriate_reason,
            redirected_to=referral.redirected_to,
            decision_note=referral.decision_note,
            via_public_form=referral.via_public_form,
            episode_id=episode.pk if episode is not None else None,
            attempts=[AttemptOut.build(a) for a in referral.attempts.all()],
            suggests_closing=referral_suggests_closing(referral),
            waiting_time_days=waiting.days if waiting is not None else None,
            outcome_messages=[OutcomeMessageOut.build(m) for m in referral.outcome_messages.all()],
        )


class DecisionNoteIn(Schema):
    note: str = Field("", max_length=5000)


class NotAppropriateIn(Schema):
    reason: NotAppropriateReason
    redirected_to: str = Field(max_length=300, description="Where the person was passed on to")
    note: str = Field("", max_length=5000)


class AcceptIn(Schema):
    programme_id: int
    connector_id: int
    team_id: int | None = Field(None, description="Defaults to the connector's first team")
    volunteer_ids: list[int] = []
    started_on: dt.date | None = Field(None, description="Defaults to today")


class EpisodeStartedOut(Schema):
    id: int
    status: str
    programme_id: int
    connector_id: int
    volunteer_ids: list[int]
    started_on: dt.date
    planned_end_on: dt.date
    contact_allowance: int
    budget_allowance_pence: int

    @staticmethod
    def build(episode: SupportEpisode) -> EpisodeStartedOut:
        return EpisodeStartedOut(
            id=episode.pk,
            status=episode.status,
            programme_id=episode.programme_id,
            connector_id=episode.connector_id,
            volunteer_ids=sorted(v.pk for v in episode.volunteers.all()),
            started_on=episode.started_on,
            planned_end_on=episode.planned_end_on,
            contact_allowance=episode.contact_allowance,
            budget_allowance_pence=episode.budget_allowance_pence,
        )


class AcceptedOut(Schema):
    referral: ReferralDetailOut
    episode: EpisodeStartedOut
