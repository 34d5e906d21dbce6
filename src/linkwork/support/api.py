"""Endpoints for support episodes: progress, lifecycle moves and what is recorded along the way.

Casework roles read and change episodes. Volunteers may only log contacts on the episodes they
are assigned to; they never read conversations, goals, contacts or budgets.
"""

from collections.abc import Callable
from typing import TypeVar

from django.db.models import QuerySet
from ninja import Router, Status
from ninja.pagination import paginate

from linkwork.accounts.selectors import organisation_get
from linkwork.audit.versions import version_wanted
from linkwork.core.errors import EditConflict, NotFound, ValidationFailed
from linkwork.core.pagination import BoundedLimitOffsetPagination
from linkwork.core.policies import Action
from linkwork.support import selectors, services
from linkwork.support.models import Contact, Goal, Programme, SupportEpisode
from linkwork.support.schemas import (
    BudgetEntryOut,
    BudgetIn,
    BudgetOut,
    CaseloadRowOut,
    CloseIn,
    ContactIn,
    ContactOut,
    ConversationIn,
    ConversationOut,
    DecisionIn,
    EpisodeOut,
    ExtensionIn,
    ExtensionOut,
    FollowUpIn,
    GoalIn,
    GoalOut,
    GoalUpdateIn,
    MeetUpIn,
    MeetUpOut,
    PauseIn,
    PlanEndingIn,
    ProgrammeIn,
    ProgrammeOut,
    ResumeIn,
)
from linkwork.web.conflict_schemas import EditConflictOut
from linkwork.web.http import StaffRequest

router = Router(tags=["support"])

EPISODES_REQUIRED = "Choose open support episodes that you work with."


def _episode(request: StaffRequest, episode_id: int, action: str = Action.UPDATE) -> SupportEpisode:
    return selectors.episode_get(actor=request.auth, episode_id=episode_id, action=action)


def _out(episode: SupportEpisode) -> EpisodeOut:
    return EpisodeOut.build(episode, selectors.episode_progress(episode), selectors.ending_risks(episode))


Saved = TypeVar("Saved")
Shown = TypeVar("Shown")


def _unless_stale(
    request: StaffRequest,
    sent: int | None,
    save: Callable[[int | None], Saved],
    show: Callable[[Saved], Shown],
) -> Status[Shown | EditConflictOut]:
    """Save with the version the client started from (body or If-Match); a stale one is a 409."""
    try:
        saved = save(version_wanted(sent, request.headers.get("If-Match")))
    except EditConflict as conflict:
        return Status(409, EditConflictOut.build(conflict))
    return Status(200, show(saved))


EPISODE_OR_CONFLICT = {200: EpisodeOut, 409: EditConflictOut}


@router.get("/programmes", response=list[ProgrammeOut], summary="The organisation's active programmes")
def programme_list(request: StaffRequest) -> QuerySet[Programme]:
    return selectors.programme_list(actor=request.auth)


@router.post("/programmes", response={201: ProgrammeOut}, summary="Set up a programme")
def programme_create(request: StaffRequest, payload: ProgrammeIn) -> Status[Programme]:
    organisation = organisation_get(actor=request.auth)
    programme = services.programme_create(actor=request.auth, organisation=organisation, **payload.dict())
    return Status(201, programme)


@router.get("/caseload", response=list[CaseloadRowOut], summary="Your caseload, most urgent first")
def caseload(request: StaffRequest) -> list[CaseloadRowOut]:
    return [CaseloadRowOut.build(row) for row in selectors.caseload_list(actor=request.auth)]


@router.get("/episodes/{episode_id}", response=EpisodeOut, summary="A support episode and its progress")
def episode_get(request: StaffRequest, episode_id: int) -> EpisodeOut:
    return _out(_episode(request, episode_id, Action.VIEW))


@router.post("/episodes/{episode_id}/pause", response=EPISODE_OR_CONFLICT)
def episode_pause(
    request: StaffRequest, episode_id: int, payload: PauseIn
) -> Status[EpisodeOut | EditConflictOut]:
    episode = _episode(request, episode_id)

    def save(version: int | None) -> SupportEpisode:
        return services.episode_pause(
            actor=request.auth,
            episode=episode,
            reason=payload.reason,
            note=payload.note,
            on=payload.on,
            expected_version=version,
        )

    return _unless_stale(request, payload.version, save, _out)


@router.post(
    "/episodes/{episode_id}/resume", response=EPISODE_OR_CONFLICT, summary="Resume; paused days move the end"
)
def episode_resume(
    request: StaffRequest, episode_id: int, payload: ResumeIn
) -> Status[EpisodeOut | EditConflictOut]:
    episode = _episode(request, episode_id)

    def save(version: int | None) -> SupportEpisode:
        return services.episode_resume(
            actor=request.auth, episode=episode, on=payload.on, expected_version=version
        )

    return _unless_stale(request, payload.version, save, _out)


@router.post(
    "/episodes/{episode_id}/extensions",
    response={201: ExtensionOut, 409: EditConflictOut},
    summary="Ask for an extension",
)
def extension_request(
    request: StaffRequest, episode_id: int, payload: ExtensionIn
) -> Status[ExtensionOut | EditConflictOut]:
    try:
        extension = services.extension_request(
            actor=request.auth,
            episode=_episode(request, episode_id),
            new_end_on=payload.new_end_on,
            extra_contacts=payload.extra_contacts,
            reason=payload.reason,
            expected_version=version_wanted(payload.version, request.headers.get("If-Match")),
        )
    except EditConflict as conflict:
        return Status(409, EditConflictOut.build(conflict))
    return Status(201, ExtensionOut.build(extension))


@router.post("/extensions/{extension_id}/decision", response=ExtensionOut, summary="Approve or refuse")
def extension_decide(request: StaffRequest, extension_id: int, payload: DecisionIn) -> ExtensionOut:
    extension = selectors.extension_get(actor=request.auth, extension_id=extension_id)
    decided = services.extension_decide(
        actor=request.auth, extension=extension, approve=payload.approve, note=payload.note
    )
    return ExtensionOut.build(decided)


@router.post("/episodes/{episode_id}/plan-ending", response=EPISODE_OR_CONFLICT)
def episode_plan_ending(
    request: StaffRequest, episode_id: int, payload: PlanEndingIn
) -> Status[EpisodeOut | EditConflictOut]:
    episode = _episode(request, episode_id)

    def save(version: int | None) -> SupportEpisode:
        return services.episode_plan_ending(
            actor=request.auth, episode=episode, expected_version=version, **payload.dict(exclude={"version"})
        )

    return _unless_stale(request, payload.version, save, _out)


@router.post("/episodes/{episode_id}/close", response=EPISODE_OR_CONFLICT, summary="End support")
def episode_close(
    request: StaffRequest, episode_id: int, payload: CloseIn
) -> Status[EpisodeOut | EditConflictOut]:
    episode = _episode(request, episode_id)

    def save(version: int | None) -> SupportEpisode:
        return services.episode_close(
            actor=request.auth,
            episode=episode,
            outcome=payload.outcome,
            note=payload.note,
            on=payload.on,
            expected_version=version,
        )

    return _unless_stale(request, payload.version, save, _out)


@router.post("/episodes/{episode_id}/follow-up", response=EPISODE_OR_CONFLICT, summary="Record the follow-up")
def episode_follow_up(
    request: StaffRequest, episode_id: int, payload: FollowUpIn
) -> Status[EpisodeOut | EditConflictOut]:
    episode = _episode(request, episode_id)

    def save(version: int | None) -> SupportEpisode:
        return services.episode_record_follow_up(
            actor=request.auth, episode=episode, note=payload.note, on=payload.on, expected_version=version
        )

    return _unless_stale(request, payload.version, save, _out)


@router.get("/episodes/{episode_id}/conversations", response=list[ConversationOut])
def conversation_list(request: StaffRequest, episode_id: int) -> list[ConversationOut]:
    episode = _episode(request, episode_id, Action.VIEW)
    return [
        ConversationOut.build(c) for c in selectors.conversation_list(actor=request.auth, episode=episode)
    ]


@router.post(
    "/episodes/{episode_id}/conversations",
    response={201: ConversationOut, 409: EditConflictOut},
    summary='Record the "what matters to you" conversation as a new version',
)
def conversation_record(
    request: StaffRequest, episode_id: int, payload: ConversationIn
) -> Status[ConversationOut | EditConflictOut]:
    data = payload.dict()
    sent = data.pop("version")
    try:
        conversation = services.conversation_record(
            actor=request.auth,
            episode=_episode(request, episode_id),
            data=data,
            expected_version=version_wanted(sent, request.headers.get("If-Match")),
        )
    except EditConflict as conflict:
        return Status(409, EditConflictOut.build(conflict))
    return Status(201, ConversationOut.build(conversation))


@router.get("/episodes/{episode_id}/goals", response=list[GoalOut])
def goal_list(request: StaffRequest, episode_id: int) -> list[GoalOut]:
    episode = _episode(request, episode_id, Action.VIEW)
    return [GoalOut.build(goal) for goal in selectors.goal_list(actor=request.auth, episode=episode)]


@router.post("/episodes/{episode_id}/goals", response={201: GoalOut}, summary="Set a goal (three at a time)")
def goal_create(request: StaffRequest, episode_id: int, payload: GoalIn) -> Status[GoalOut]:
    goal = services.goal_create(
        actor=request.auth, episode=_episode(request, episode_id), title=payload.title, steps=payload.steps
    )
    return Status(201, GoalOut.build(goal))


@router.patch(
    "/goals/{goal_id}",
    response={200: GoalOut, 409: EditConflictOut},
    summary="Revise a goal or rate its progress",
)
def goal_update(
    request: StaffRequest, goal_id: int, payload: GoalUpdateIn
) -> Status[GoalOut | EditConflictOut]:
    goal = selectors.goal_get(actor=request.auth, goal_id=goal_id)

    def save(version: int | None) -> Goal:
        changes = payload.dict(exclude_unset=True, exclude={"version"})
        return services.goal_update(actor=request.auth, goal=goal, expected_version=version, **changes)

    return _unless_stale(request, payload.version, save, GoalOut.build)


@router.get("/episodes/{episode_id}/contacts", response=list[ContactOut], summary="Contacts, newest first")
@paginate(BoundedLimitOffsetPagination)
def contact_list(request: StaffRequest, episode_id: int) -> QuerySet[Contact]:
    episode = _episode(request, episode_id, Action.VIEW)
    return selectors.contact_list(actor=request.auth, episode=episode)


@router.post(
    "/episodes/{episode_id}/contacts",
    response={201: ContactOut},
    summary="Log a contact (volunteers too, on their assigned episodes)",
)
def contact_log(request: StaffRequest, episode_id: int, payload: ContactIn) -> Status[Contact]:
    episode = _episode(request, episode_id, Action.VIEW_PRACTICAL)
    return Status(201, services.contact_log(actor=request.auth, episode=episode, **payload.dict()))


@router.get("/episodes/{episode_id}/budget", response=BudgetOut, summary="Budget allowance and spending")
def budget_get(request: StaffRequest, episode_id: int) -> BudgetOut:
    episode = _episode(request, episode_id, Action.VIEW)
    entries = [
        BudgetEntryOut.build(e) for e in selectors.budget_entry_list(actor=request.auth, episode=episode)
    ]
    spent = sum(entry.amount_pence for entry in entries)
    allowance = episode.budget_allowance_pence
    return BudgetOut(
        allowance_pence=allowance, spent_pence=spent, remaining_pence=allowance - spent, entries=entries
    )


@router.post("/episodes/{episode_id}/budget", response={201: BudgetEntryOut}, summary="Record spending")
def budget_spend(request: StaffRequest, episode_id: int, payload: BudgetIn) -> Status[BudgetEntryOut]:
    entry = services.budget_spend(actor=request.auth, episode=_episode(request, episode_id), **payload.dict())
    return Status(201, BudgetEntryOut.build(entry))


@router.post("/meetups", response={201: MeetUpOut}, summary="Record a meet-up and who came")
def meetup_record(request: StaffRequest, payload: MeetUpIn) -> Status[MeetUpOut]:
    try:
        episodes = [_episode(request, episode_id) for episode_id in dict.fromkeys(payload.episode_ids)]
    except NotFound:
        raise ValidationFailed(EPISODES_REQUIRED, fields={"episode_ids": EPISODES_REQUIRED}) from None
    meetup = services.meetup_record(
        actor=request.auth,
        organisation=organisation_get(actor=request.auth),
        held_at=payload.held_at,
        place=payload.place,
        topic=payload.topic,
        attendee_episodes=episodes,
    )
    return Status(201, MeetUpOut.build(meetup))
