"""Reads for support: episodes, their progress, the after-ending check and caseloads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from linkwork.accounts.models import User
from linkwork.accounts.roles import Role
from linkwork.audit.services import audit_record
from linkwork.core.errors import NotFound
from linkwork.core.policies import Action, organisation_of, visible_to
from linkwork.core.time import local_today, to_london
from linkwork.outcomes.models import Measure
from linkwork.outcomes.selectors import open_episode_measures_overdue
from linkwork.people.choices import Mobility
from linkwork.people.models import Person
from linkwork.referrals.models import Referral
from linkwork.referrals.selectors import referral_list
from linkwork.support.models import (
    ONE_TO_ONE_TYPES,
    OPEN_EPISODE_STATUSES,
    BudgetEntry,
    Contact,
    ContactOutcome,
    Conversation,
    EpisodeStatus,
    Extension,
    ExtensionStatus,
    Goal,
    MeetUp,
    MeetUpAttendance,
    Pause,
    Programme,
    SupportEpisode,
)
from linkwork.support.services import budget_spent_pence, contacts_used

# From two thirds of the planned length, connectors are prompted to plan the ending.
ENDING_PROMPT_FRACTION = 2 / 3
FIRST_CONTACT_WORKING_DAYS = 5
NO_CONTACT_DAYS = 14


def programme_list(*, actor: User) -> QuerySet[Programme]:
    return visible_to(actor, Action.VIEW, Programme).filter(is_active=True).order_by("name")


def programme_get(*, actor: User, programme_id: int) -> Programme:
    programme = visible_to(actor, Action.VIEW, Programme).filter(pk=programme_id, is_active=True).first()
    if programme is None:
        raise NotFound()
    return programme


def episode_get(*, actor: User, episode_id: int, action: str = Action.VIEW) -> SupportEpisode:
    episode = (
        visible_to(actor, action, SupportEpisode)
        .select_related("person", "programme", "connector", "referral")
        .prefetch_related("volunteers")
        .filter(pk=episode_id)
        .first()
    )
    if episode is None:
        raise NotFound()
    if action == Action.VIEW:
        audit_record(actor=actor, event="episode.viewed", target=episode)
    return episode


def episode_list_for_person(*, actor: User, person_id: int) -> QuerySet[SupportEpisode]:
    return (
        visible_to(actor, Action.VIEW, SupportEpisode).filter(person_id=person_id).select_related("programme")
    )


def goal_get(*, actor: User, goal_id: int) -> Goal:
    goal = visible_to(actor, Action.UPDATE, Goal).select_related("episode").filter(pk=goal_id).first()
    if goal is None:
        raise NotFound()
    return goal


def extension_get(*, actor: User, extension_id: int) -> Extension:
    extension = (
        visible_to(actor, Action.VIEW, Extension).select_related("episode").filter(pk=extension_id).first()
    )
    if extension is None:
        raise NotFound()
    return extension


def extensions_waiting(*, actor: User) -> QuerySet[Extension]:
    """Extension requests this supervisor may decide."""
    if not actor.has_role(Role.SUPERVISOR):
        return Extension.objects.none()
    return (
        visible_to(actor, Action.VIEW, Extension)
        .filter(status=ExtensionStatus.REQUESTED)
        .exclude(requested_by=actor)  # another supervisor decides your own requests
        .select_related("episode__person", "requested_by")
        .order_by("requested_at")
    )


def meetup_list(*, actor: User) -> QuerySet[MeetUp]:
    return visible_to(actor, Action.VIEW, MeetUp).annotate(attendees=Count("attendance")).order_by("-held_at")


def paused_days(pauses: Iterable[Pause], today: dt.date) -> int:
    return sum(((pause.ended_on or today) - pause.started_on).days for pause in pauses)


# Contact.counts_against_cap, as a database filter on an episode's contacts.
_COUNTS_AGAINST_CAP = Q(contacts__type__in=ONE_TO_ONE_TYPES, contacts__outcome=ContactOutcome.ATTENDED)


def with_progress(episodes: QuerySet[SupportEpisode]) -> QuerySet[SupportEpisode]:
    """`episodes` with everything episode_progress and the overdue questionnaires read, fetched for
    all of them at once: a fixed number of queries however many episodes there are."""
    attended = (
        MeetUpAttendance.objects.filter(episode=OuterRef("pk"), attended=True)
        .values("episode")
        .annotate(total=Count("pk"))
        .values("total")
    )
    spent = (
        BudgetEntry.objects.filter(episode=OuterRef("pk"))
        .values("episode")
        .annotate(total=Sum("amount_pence"))
        .values("total")
    )
    # Only what the schedule is checked against, not the answers and scores.
    measures = Measure.objects.only("episode", "instrument", "time_point", "months_after_ending")
    return (
        episodes.select_related("programme")
        .prefetch_related("pauses", Prefetch("measures", queryset=measures), "programme__measure_schedule")
        .annotate(
            # Subqueries, not joins: a second joined table would multiply the contacts counted.
            progress_contacts_used=Count("contacts", filter=_COUNTS_AGAINST_CAP, distinct=True),
            progress_meetups_attended=Coalesce(Subquery(attended, output_field=IntegerField()), 0),
            progress_budget_spent_pence=Coalesce(Subquery(spent, output_field=IntegerField()), 0),
        )
    )


def _fetched_or(episode: SupportEpisode, name: str, count: Callable[[SupportEpisode], int]) -> int:
    """The figure with_progress() fetched with the episode, or a query of its own when it was read alone."""
    value = getattr(episode, name, None)
    return count(episode) if value is None else int(value)


def _meetups_attended(episode: SupportEpisode) -> int:
    return episode.meetup_attendance.filter(attended=True).count()


@dataclass(frozen=True)
class EpisodeProgress:
    contacts_used: int
    contact_allowance: int
    meetups_attended: int
    meetup_allowance: int
    budget_spent_pence: int
    budget_allowance_pence: int
    days_paused: int
    weeks_left: int
    fraction_elapsed: float
    prompt_ending: bool

    @property
    def contacts_left(self) -> int:
        return max(self.contact_allowance - self.contacts_used, 0)

    @property
    def budget_remaining_pence(self) -> int:
        return self.budget_allowance_pence - self.budget_spent_pence

    @property
    def summary(self) -> str:
        weeks = f"{self.weeks_left} week{'s' if self.weeks_left != 1 else ''} left"
        return f"{self.contacts_used} of {self.contact_allowance} contacts used, {weeks}"


def episode_progress(episode: SupportEpisode, today: dt.date | None = None) -> EpisodeProgress:
    """Contacts used against the cap, time left (paused time does not count) and budget."""
    day = today or local_today()
    pauses = list(episode.pauses.all())
    paused = paused_days(pauses, day)
    # Days paused so far are already added to planned_end_on when a pause ends; a pause still
    # running moves the end day by day.
    running = next((pause for pause in pauses if pause.ended_on is None), None)
    end = episode.planned_end_on + dt.timedelta(days=(day - running.started_on).days if running else 0)
    total_days = max((end - episode.started_on).days - paused, 1)
    active_days = max((min(day, end) - episode.started_on).days - paused, 0)
    fraction = min(active_days / total_days, 1.0)
    return EpisodeProgress(
        contacts_used=_fetched_or(episode, "progress_contacts_used", contacts_used),
        contact_allowance=episode.contact_allowance,
        meetups_attended=_fetched_or(episode, "progress_meetups_attended", _meetups_attended),
        meetup_allowance=episode.programme.max_meetups,
        budget_spent_pence=_fetched_or(episode, "progress_budget_spent_pence", budget_spent_pence),
        budget_allowance_pence=episode.budget_allowance_pence,
        days_paused=paused,
        weeks_left=max((end - day).days, 0) // 7,
        fraction_elapsed=fraction,
        prompt_ending=episode.status == EpisodeStatus.ACTIVE and fraction >= ENDING_PROMPT_FRACTION,
    )


def ending_risks(episode: SupportEpisode) -> list[str]:
    """Signs that a person may feel worse when support stops (seed 002); each one is a reason to
    offer befriending or longer-term support."""
    risks = []
    if episode.relies_on_service_for_company:
        risks.append("relies mainly on their connector or volunteer for company")
    if not episode.continuing_connections.strip():
        risks.append("no connection is likely to continue after support ends")
    person = episode.person
    barriers = set()
    latest = episode.conversations.order_by("-version").first()
    if latest is not None:
        barriers = set(latest.barriers)
    last_loneliness = episode.measures.filter(instrument="ucla3", valid=True).order_by("-recorded_at").first()
    if last_loneliness is not None and last_loneliness.band == "lonely":
        risks.append("was still lonely at the last UCLA loneliness measure")
    if {Mobility.HOUSEBOUND, Mobility.NEEDS_DOOR_TO_DOOR} & set(person.mobility) or {
        "mobility",
        "transport",
    } & barriers:
        risks.append("has mobility or transport barriers")
    return risks


def add_working_days(start: dt.date, days: int) -> dt.date:
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


@dataclass
class CaseloadRow:
    person_id: int
    name: str
    stage: str
    next_action: str
    overdue: list[str] = field(default_factory=list)
    episode_id: int | None = None
    referral_id: int | None = None
    next_contact_on: dt.date | None = None


def _referral_row(referral: Referral, today: dt.date) -> CaseloadRow:
    row = CaseloadRow(
        person_id=referral.person_id,
        name=referral.person.display_name,
        stage=f"Referral: {referral.get_status_display().lower()}",
        next_action="Make first contact" if referral.first_contact_at is None else "Decide on the referral",
        referral_id=referral.pk,
    )
    deadline = add_working_days(to_london(referral.received_at).date(), FIRST_CONTACT_WORKING_DAYS)
    if referral.first_contact_at is None and today > deadline:
        row.overdue.append(f"first contact was due by {deadline:%d %b}")
    return row


def _episode_row(episode: SupportEpisode, today: dt.date) -> CaseloadRow:
    row = CaseloadRow(
        person_id=episode.person_id,
        name=episode.person.display_name,
        stage=episode.get_status_display(),
        next_action="",
        episode_id=episode.pk,
        next_contact_on=getattr(episode, "next_contact_on", None),
    )
    if episode.status in OPEN_EPISODE_STATUSES:
        last = getattr(episode, "last_contact_at", None)
        since = to_london(last).date() if last else episode.started_on
        if episode.status != EpisodeStatus.PAUSED and (today - since).days > NO_CONTACT_DAYS:
            row.overdue.append(f"no contact for {(today - since).days} days")
        progress = episode_progress(episode, today)
        if episode.status == EpisodeStatus.ACTIVE and progress.prompt_ending:
            row.next_action = "Plan the ending"
        elif episode.status == EpisodeStatus.PAUSED:
            row.next_action = "Check in about resuming"
        elif episode.status == EpisodeStatus.ENDING_PLANNED:
            row.next_action = "Close support"
        else:
            row.next_action = "Next contact" + (
                f" on {row.next_contact_on:%d %b}" if row.next_contact_on else ""
            )
        row.overdue += open_episode_measures_overdue(episode, today)
        if episode.planned_end_on <= today and episode.status != EpisodeStatus.PAUSED:
            row.overdue.append(f"ending was due on {episode.planned_end_on:%d %b}")
    elif episode.follow_up_on and episode.status in (EpisodeStatus.CLOSED, EpisodeStatus.FOLLOW_UP_DUE):
        row.overdue += open_episode_measures_overdue(episode, today)
        row.next_action = f"Follow up on {episode.follow_up_on:%d %b}"
        if episode.follow_up_on <= today:
            row.overdue.append("follow-up due")
    return row


def caseload_episodes(*, actor: User, connectors: Iterable[User]) -> QuerySet[SupportEpisode]:
    """The episodes on these connectors' caseloads that the actor may see, with all a row shows."""
    last_contact = Max("contacts__occurred_at", filter=Q(contacts__outcome=ContactOutcome.ATTENDED))
    return with_progress(
        visible_to(actor, Action.VIEW, SupportEpisode)
        .filter(connector__in=list(connectors))
        .exclude(status=EpisodeStatus.FOLLOWED_UP)
        .select_related("person")
        .annotate(last_contact_at=last_contact, next_contact_on=Max("contacts__next_contact_on"))
    )


def caseload_list(
    *, actor: User, connector: User | None = None, today: dt.date | None = None
) -> list[CaseloadRow]:
    """A connector's people with stage, next action and what is overdue, most urgent first.

    Without `connector`, the actor's own caseload plus the referrals waiting in their teams."""
    day = today or local_today()
    rows = [
        _episode_row(episode, day)
        for episode in caseload_episodes(actor=actor, connectors=[connector or actor])
    ]
    if connector is None:
        rows += [_referral_row(referral, day) for referral in referral_list(actor=actor, open_only=True)]
    return sorted(rows, key=lambda row: (not row.overdue, row.name))


@dataclass(frozen=True)
class TeamCaseload:
    connector: User
    open_episodes: int
    paused: int
    overdue: int


def team_caseloads(*, actor: User, today: dt.date | None = None) -> list[TeamCaseload]:
    """A supervisor's view: each connector in their teams with caseload size and overdue items."""
    if not actor.has_role(Role.SUPERVISOR):
        return []
    team_ids = list(actor.teams.values_list("pk", flat=True))
    connectors = list(
        User.objects.filter(
            organisation_id=organisation_of(actor),
            is_active=True,
            teams__in=team_ids,
            role_grants__role=Role.CONNECTOR,
        )
        .distinct()
        .order_by("first_name", "last_name")
    )
    day = today or local_today()
    # One read for the whole team, not one per connector.
    rows_of: dict[int, list[CaseloadRow]] = {connector.pk: [] for connector in connectors}
    for episode in caseload_episodes(actor=actor, connectors=connectors):
        rows_of[episode.connector_id].append(_episode_row(episode, day))
    result = []
    for connector in connectors:
        rows = rows_of[connector.pk]
        open_rows = [
            r for r in rows if r.stage in {s.label for s in EpisodeStatus if s in OPEN_EPISODE_STATUSES}
        ]
        result.append(
            TeamCaseload(
                connector=connector,
                open_episodes=len(open_rows),
                paused=sum(1 for r in rows if r.stage == EpisodeStatus.PAUSED.label),
                overdue=sum(1 for r in rows if r.overdue),
            )
        )
    return result


def contact_list(*, actor: User, episode: SupportEpisode) -> QuerySet[Contact]:
    return visible_to(actor, Action.VIEW, Contact).filter(episode=episode).select_related("staff")


@dataclass(frozen=True)
class PracticalArrangement:
    """What a volunteer may know about upcoming support: when, what kind, and where to."""

    episode_id: int
    connector: str
    next_contact_on: dt.date | None
    activities: list[str]


def practical_arrangements(*, actor: User, person: Person) -> list[PracticalArrangement]:
    episodes = visible_to(actor, Action.VIEW_PRACTICAL, SupportEpisode).filter(
        person=person, status__in=OPEN_EPISODE_STATUSES
    )
    result = []
    for episode in episodes.select_related("connector"):
        contacts = episode.contacts.order_by("-occurred_at")
        latest = contacts.first()
        activities = sorted({c.activity for c in contacts if c.activity})
        result.append(
            PracticalArrangement(
                episode_id=episode.pk,
                connector=str(episode.connector),
                next_contact_on=latest.next_contact_on if latest else None,
                activities=activities,
            )
        )
    return result


def open_episodes(*, actor: User) -> QuerySet[SupportEpisode]:
    return (
        visible_to(actor, Action.UPDATE, SupportEpisode)
        .filter(status__in=OPEN_EPISODE_STATUSES)
        .select_related("person")
        .order_by("person__first_name")
    )


def conversation_list(*, actor: User, episode: SupportEpisode) -> QuerySet[Conversation]:
    """Every version of the "what matters to you" record, newest first."""
    return visible_to(actor, Action.VIEW, Conversation).filter(episode=episode).order_by("-version")


def goal_list(*, actor: User, episode: SupportEpisode) -> QuerySet[Goal]:
    """The episode's goals, oldest first, each with its history."""
    return (
        visible_to(actor, Action.VIEW, Goal)
        .filter(episode=episode)
        .prefetch_related("updates")
        .order_by("created_at", "pk")
    )


def budget_entry_list(*, actor: User, episode: SupportEpisode) -> QuerySet[BudgetEntry]:
    return visible_to(actor, Action.VIEW, BudgetEntry).filter(episode=episode).order_by("spent_on", "pk")
