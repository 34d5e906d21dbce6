"""Input and output schemas for support episodes and what is recorded in them. Money is in pence."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from linkwork.accounts.models import User
from linkwork.support.models import (
    BudgetEntry,
    ContactOutcome,
    ContactType,
    Conversation,
    EndingOutcome,
    Extension,
    Goal,
    GoalStatus,
    MeetUp,
    PauseReason,
    SupportEpisode,
)
from linkwork.support.selectors import CaseloadRow, EpisodeProgress

VERSION_HELP = (
    "The version you started from (or send it as If-Match). If the record has changed since, nothing is "
    "saved: 409 EDIT_CONFLICT with both versions. Leave it out to save regardless."
)


class RefOut(Schema):
    id: int
    name: str

    @staticmethod
    def staff(user: User) -> RefOut:
        return RefOut(id=user.pk, name=str(user))


class ProgrammeIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    max_contacts: int = Field(description="One-to-one contacts included, 1 to 100")
    max_meetups: int = Field(0, description="0 to 50")
    planned_weeks: int = Field(description="1 to 104")
    budget_pence: int = Field(0, description="Budget per person, in pence")
    follow_up_weeks: int = Field(12, description="Follow-up after ending, 0 to 104 weeks")


class ProgrammeOut(Schema):
    id: int
    name: str
    max_contacts: int
    max_meetups: int
    planned_weeks: int
    budget_pence: int
    follow_up_weeks: int
    is_active: bool


class ProgressOut(Schema):
    contacts_used: int
    contact_allowance: int
    contacts_left: int
    meetups_attended: int
    meetup_allowance: int
    budget_spent_pence: int
    budget_allowance_pence: int
    budget_remaining_pence: int
    days_paused: int
    weeks_left: int
    fraction_elapsed: float
    prompt_ending: bool = Field(description="Two thirds of the time has gone: plan the ending")
    summary: str

    @staticmethod
    def build(progress: EpisodeProgress) -> ProgressOut:
        return ProgressOut(
            contacts_used=progress.contacts_used,
            contact_allowance=progress.contact_allowance,
            contacts_left=progress.contacts_left,
            meetups_attended=progress.meetups_attended,
            meetup_allowance=progress.meetup_allowance,
            budget_spent_pence=progress.budget_spent_pence,
            budget_allowance_pence=progress.budget_allowance_pence,
            budget_remaining_pence=progress.budget_remaining_pence,
            days_paused=progress.days_paused,
            weeks_left=progress.weeks_left,
            fraction_elapsed=round(progress.fraction_elapsed, 3),
            prompt_ending=progress.prompt_ending,
            summary=progress.summary,
        )


class PauseOut(Schema):
    id: int
    started_on: dt.date
    ended_on: dt.date | None
    reason: str
    note: str


class ExtensionOut(Schema):
    id: int
    episode_id: int
    new_end_on: dt.date
    extra_contacts: int
    reason: str
    status: str
    requested_by_id: int
    requested_at: dt.datetime
    decided_by_id: int | None
    decided_at: dt.datetime | None
    decision_note: str

    @staticmethod
    def build(extension: Extension) -> ExtensionOut:
        return ExtensionOut.model_validate(extension, from_attributes=True)


class EpisodeOut(Schema):
    id: int
    status: str
    person: RefOut
    referral_id: int | None
    previous_episode_id: int | None
    programme: RefOut
    connector: RefOut
    volunteers: list[RefOut]
    started_on: dt.date
    planned_end_on: dt.date
    contact_allowance: int
    budget_allowance_pence: int
    continuing_connections: str
    contacts_after_ending: str
    follow_up_on: dt.date | None
    relies_on_service_for_company: bool
    closed_on: dt.date | None
    outcome: str
    outcome_note: str
    followed_up_on: dt.date | None
    follow_up_note: str
    version: int
    progress: ProgressOut
    ending_risks: list[str] = Field(description="Signs the person may feel worse when support stops")
    pauses: list[PauseOut]
    extensions: list[ExtensionOut]

    @staticmethod
    def build(episode: SupportEpisode, progress: EpisodeProgress, risks: list[str]) -> EpisodeOut:
        return EpisodeOut(
            id=episode.pk,
            status=episode.status,
            person=RefOut(id=episode.person_id, name=episode.person.display_name),
            referral_id=episode.referral_id,
            previous_episode_id=episode.previous_episode_id,
            programme=RefOut(id=episode.programme_id, name=episode.programme.name),
            connector=RefOut.staff(episode.connector),
            volunteers=[RefOut.staff(v) for v in episode.volunteers.all()],
            started_on=episode.started_on,
            planned_end_on=episode.planned_end_on,
            contact_allowance=episode.contact_allowance,
            budget_allowance_pence=episode.budget_allowance_pence,
            continuing_connections=episode.continuing_connections,
            contacts_after_ending=episode.contacts_after_ending,
            follow_up_on=episode.follow_up_on,
            relies_on_service_for_company=episode.relies_on_service_for_company,
            closed_on=episode.closed_on,
            outcome=episode.outcome,
            outcome_note=episode.outcome_note,
            followed_up_on=episode.followed_up_on,
            follow_up_note=episode.follow_up_note,
            version=episode.version,
            progress=ProgressOut.build(progress),
            ending_risks=risks,
            pauses=[PauseOut.model_validate(p, from_attributes=True) for p in episode.pauses.all()],
            extensions=[ExtensionOut.build(e) for e in episode.extensions.all()],
        )


class PauseIn(Schema):
    reason: PauseReason
    note: str = Field("", max_length=300)
    on: dt.date | None = Field(None, description="Defaults to today")
    version: int | None = Field(None, description=VERSION_HELP)


class ResumeIn(Schema):
    on: dt.date | None = Field(None, description="Defaults to today")
    version: int | None = Field(None, description=VERSION_HELP)


class ExtensionIn(Schema):
    new_end_on: dt.date | None = Field(None, description="Leave out to keep the planned end")
    extra_contacts: int = 0
    reason: str = Field(max_length=2000)
    version: int | None = Field(
        None, description="The episode's version the request was made from; a newer one is a 409"
    )


class DecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=300)


class PlanEndingIn(Schema):
    continuing_connections: str = Field("", max_length=5000)
    contacts_after_ending: str = Field("", max_length=5000)
    follow_up_on: dt.date | None = None
    relies_on_service_for_company: bool = False
    version: int | None = Field(None, description=VERSION_HELP)


class CloseIn(Schema):
    outcome: EndingOutcome
    note: str = Field("", max_length=5000)
    on: dt.date | None = Field(None, description="Defaults to today")
    version: int | None = Field(None, description=VERSION_HELP)


class FollowUpIn(Schema):
    note: str = Field("", max_length=5000)
    on: dt.date | None = Field(None, description="Defaults to today")
    version: int | None = Field(None, description=VERSION_HELP)


class RatingIn(Schema):
    rating: str = ""
    note: str = Field("", max_length=500)


class ConversationIn(Schema):
    version: int | None = Field(
        None,
        description="The conversation's version this edit started from (0 when there was none); "
        "if someone saved a newer one meanwhile, the answer is a 409 showing both",
    )
    what_matters: str = Field("", max_length=10000)
    interests_now: list[str] = []
    interests_past: list[str] = []
    values_and_identities: str = Field("", max_length=10000)
    strengths_and_assets: str = Field("", max_length=10000)
    barriers: list[str] = Field([], description="mobility, stairs, transport, cost, language, ...")
    barriers_note: str = Field("", max_length=10000)
    prefers: str = Field("", description="one-to-one, groups or either")
    setting_preference: str = Field("", description="shared-experience, general or either")
    largest_group: int | None = None
    wants_company_first_visit: bool | None = None
    availability: list[str] = Field([], description='Slots such as "mon-morning" or "sat-evening"')
    travel_limit_km: Decimal | None = Field(None, max_digits=5, decimal_places=1)
    travel_limit_minutes: int | None = None
    participation_factors: dict[str, RatingIn] = {}
    civic_profile: dict[str, RatingIn] = {}


class RatingOut(Schema):
    rating: str
    note: str


class ConversationOut(Schema):
    id: int
    version: int
    recorded_at: dt.datetime
    recorded_by_id: int
    what_matters: str
    interests_now: list[str]
    interests_past: list[str]
    values_and_identities: str
    strengths_and_assets: str
    barriers: list[str]
    barriers_note: str
    prefers: str
    setting_preference: str
    largest_group: int | None
    wants_company_first_visit: bool | None
    availability: list[str]
    travel_limit_km: float | None
    travel_limit_minutes: int | None
    participation_factors: dict[str, RatingOut]
    civic_profile: dict[str, RatingOut]

    @staticmethod
    def build(conversation: Conversation) -> ConversationOut:
        out = ConversationOut.model_validate(conversation, from_attributes=True)
        if conversation.travel_limit_km is not None:
            out.travel_limit_km = float(conversation.travel_limit_km)
        return out


class GoalIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    steps: str = Field("", max_length=5000)


class GoalUpdateIn(Schema):
    """Only the fields sent change. Every change is kept in the goal's history."""

    title: str | None = Field(None, max_length=200)
    steps: str | None = Field(None, max_length=5000)
    status: GoalStatus | None = None
    progress: int | None = Field(None, description="0 to 10")
    note: str = Field("", max_length=500)
    version: int | None = Field(None, description=VERSION_HELP)


class GoalHistoryOut(Schema):
    recorded_at: dt.datetime
    recorded_by_id: int
    title: str
    steps: str
    status: str
    progress: int | None
    note: str


class GoalOut(Schema):
    id: int
    episode_id: int
    title: str
    steps: str
    status: str
    progress: int | None
    created_at: dt.datetime
    version: int
    history: list[GoalHistoryOut]

    @staticmethod
    def build(goal: Goal) -> GoalOut:
        return GoalOut(
            id=goal.pk,
            episode_id=goal.episode_id,
            title=goal.title,
            steps=goal.steps,
            status=goal.status,
            progress=goal.progress,
            created_at=goal.created_at,
            version=goal.version,
            history=[GoalHistoryOut.model_validate(u, from_attributes=True) for u in goal.updates.all()],
        )


class ContactIn(Schema):
    occurred_at: dt.datetime
    type: ContactType
    outcome: ContactOutcome = ContactOutcome.ATTENDED
    duration_minutes: int | None = None
    activity: str = Field("", max_length=200, description="For accompanied visits: where to")
    notes: str = Field("", max_length=10000)
    next_steps: str = Field("", max_length=5000)
    next_contact_on: dt.date | None = None


class ContactOut(Schema):
    id: int
    episode_id: int
    occurred_at: dt.datetime
    type: str
    outcome: str
    duration_minutes: int | None
    staff_id: int
    activity: str
    notes: str
    next_steps: str
    next_contact_on: dt.date | None
    counts_against_cap: bool


class BudgetIn(Schema):
    amount_pence: int = Field(description="More than 0")
    purpose: str = Field(max_length=200)
    spent_on: dt.date | None = Field(None, description="Defaults to today")
    receipt_reference: str = Field("", max_length=100)


class BudgetEntryOut(Schema):
    id: int
    spent_on: dt.date
    amount_pence: int
    purpose: str
    receipt_reference: str
    recorded_by_id: int
    approved_by_id: int | None = Field(description="The supervisor who approved spending over the allowance")

    @staticmethod
    def build(entry: BudgetEntry) -> BudgetEntryOut:
        return BudgetEntryOut.model_validate(entry, from_attributes=True)


class BudgetOut(Schema):
    allowance_pence: int
    spent_pence: int
    remaining_pence: int
    entries: list[BudgetEntryOut]


class CaseloadRowOut(Schema):
    person_id: int
    name: str
    stage: str
    next_action: str
    overdue: list[str]
    episode_id: int | None
    referral_id: int | None
    next_contact_on: dt.date | None

    @staticmethod
    def build(row: CaseloadRow) -> CaseloadRowOut:
        return CaseloadRowOut.model_validate(row, from_attributes=True)


class MeetUpIn(Schema):
    held_at: dt.datetime
    place: str = Field(max_length=200)
    topic: str = Field("", max_length=200)
    episode_ids: list[int] = Field([], description="The support episodes of the people who came")


class MeetUpOut(Schema):
    id: int
    held_at: dt.datetime
    place: str
    topic: str
    facilitator_id: int
    episode_ids: list[int]

    @staticmethod
    def build(meetup: MeetUp) -> MeetUpOut:
        return MeetUpOut(
            id=meetup.pk,
            held_at=meetup.held_at,
            place=meetup.place,
            topic=meetup.topic,
            facilitator_id=meetup.facilitator_id,
            episode_ids=sorted(a.episode_id for a in meetup.attendance.all()),
        )
