"""Endpoints for referrals: intake for a person on record, contact attempts and decisions.

Accepting a referral starts the support episode (support.services.episode_start).
"""

from django.db.models import QuerySet
from ninja import Router, Status
from ninja.pagination import paginate

from linkwork.accounts.models import Team, User
from linkwork.accounts.roles import Role
from linkwork.accounts.selectors import staff_with_role, team_get
from linkwork.core.errors import NotFound, ValidationFailed
from linkwork.core.pagination import BoundedLimitOffsetPagination
from linkwork.core.policies import Action
from linkwork.people.selectors import person_get
from linkwork.referrals import selectors, services
from linkwork.referrals.models import Referral, ReferralStatus
from linkwork.referrals.schemas import (
    AcceptedOut,
    AcceptIn,
    AttemptIn,
    AttemptOut,
    DecisionNoteIn,
    EpisodeStartedOut,
    NotAppropriateIn,
    OutcomeMessageOut,
    ReferralCreateIn,
    ReferralDetailOut,
    ReferralOut,
)
from linkwork.support.models import Programme
from linkwork.support.selectors import programme_get
from linkwork.support.services import CONNECTOR_REQUIRED, episode_start
from linkwork.web.http import StaffRequest

router = Router(tags=["referrals"])

PROGRAMME_REQUIRED = "Choose one of your organisation's programmes."
TEAM_REQUIRED = "Choose one of your organisation's teams."
VOLUNTEERS_REQUIRED = "Choose volunteers from your organisation."


def _for_update(request: StaffRequest, referral_id: int) -> Referral:
    return selectors.referral_get(actor=request.auth, referral_id=referral_id, action=Action.UPDATE)


def _detail(request: StaffRequest, referral_id: int) -> ReferralDetailOut:
    """The referral as it is after a change, read again so its attempts and letters are current."""
    return ReferralDetailOut.build(_for_update(request, referral_id))


@router.get("", response=list[ReferralOut], summary="Referrals, oldest first")
@paginate(BoundedLimitOffsetPagination)
def referral_list(
    request: StaffRequest, status: ReferralStatus | None = None, open_only: bool = False
) -> QuerySet[Referral]:
    return selectors.referral_list(actor=request.auth, status=status, open_only=open_only)


@router.post("", response={201: ReferralDetailOut}, summary="Record a referral for a person on record")
def referral_create(request: StaffRequest, payload: ReferralCreateIn) -> Status[ReferralDetailOut]:
    person = person_get(actor=request.auth, person_id=payload.person_id, action=Action.UPDATE)
    details = payload.dict(exclude={"person_id"}, exclude_none=True)
    referral = services.referral_create(actor=request.auth, person=person, details=details)
    return Status(201, _detail(request, referral.pk))


@router.get("/{referral_id}", response=ReferralDetailOut)
def referral_get(request: StaffRequest, referral_id: int) -> ReferralDetailOut:
    return ReferralDetailOut.build(selectors.referral_get(actor=request.auth, referral_id=referral_id))


@router.get("/{referral_id}/outcome-messages", response=list[OutcomeMessageOut])
def outcome_message_list(request: StaffRequest, referral_id: int) -> list[OutcomeMessageOut]:
    referral = selectors.referral_get(actor=request.auth, referral_id=referral_id)
    return [OutcomeMessageOut.build(message) for message in referral.outcome_messages.all()]


@router.post("/{referral_id}/attempts", response={201: AttemptOut}, summary="Log an attempt to make contact")
def attempt_create(request: StaffRequest, referral_id: int, payload: AttemptIn) -> Status[AttemptOut]:
    attempt = services.referral_attempt_contact(
        actor=request.auth,
        referral=_for_update(request, referral_id),
        method=payload.method,
        outcome=payload.outcome,
        note=payload.note,
        at=payload.at,
    )
    return Status(201, AttemptOut.build(attempt))


@router.post("/{referral_id}/decline", response=ReferralDetailOut, summary="The person declined support")
def referral_decline(request: StaffRequest, referral_id: int, payload: DecisionNoteIn) -> ReferralDetailOut:
    services.referral_decline(
        actor=request.auth, referral=_for_update(request, referral_id), note=payload.note
    )
    return _detail(request, referral_id)


@router.post(
    "/{referral_id}/unable-to-contact",
    response=ReferralDetailOut,
    summary="Close a referral after attempts to make contact failed",
)
def referral_unable_to_contact(
    request: StaffRequest, referral_id: int, payload: DecisionNoteIn
) -> ReferralDetailOut:
    referral = _for_update(request, referral_id)
    services.referral_close_unable_to_contact(actor=request.auth, referral=referral, note=payload.note)
    return _detail(request, referral_id)


@router.post(
    "/{referral_id}/not-appropriate", response=ReferralDetailOut, summary="Redirect an inappropriate referral"
)
def referral_not_appropriate(
    request: StaffRequest, referral_id: int, payload: NotAppropriateIn
) -> ReferralDetailOut:
    services.referral_mark_not_appropriate(
        actor=request.auth,
        referral=_for_update(request, referral_id),
        reason=payload.reason,
        redirected_to=payload.redirected_to,
        note=payload.note,
    )
    return _detail(request, referral_id)


def _programme(request: StaffRequest, programme_id: int) -> Programme:
    try:
        return programme_get(actor=request.auth, programme_id=programme_id)
    except NotFound:
        raise ValidationFailed(PROGRAMME_REQUIRED, fields={"programme_id": PROGRAMME_REQUIRED}) from None


def _team(request: StaffRequest, team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    try:
        return team_get(actor=request.auth, team_id=team_id)
    except NotFound:
        raise ValidationFailed(TEAM_REQUIRED, fields={"team_id": TEAM_REQUIRED}) from None


def _staff(request: StaffRequest, role: Role, ids: list[int], field: str, message: str) -> list[User]:
    """Active colleagues with `role`, by id; anyone else (or another organisation's id) is a field error."""
    wanted = set(ids)
    found = [user for user in staff_with_role(actor=request.auth, role=role) if user.pk in wanted]
    if len(found) != len(wanted):
        raise ValidationFailed(message, fields={field: message})
    return found


@router.post(
    "/{referral_id}/accept",
    response={201: AcceptedOut},
    summary="Accept the referral and start a support episode",
)
def referral_accept(request: StaffRequest, referral_id: int, payload: AcceptIn) -> Status[AcceptedOut]:
    referral = _for_update(request, referral_id)
    [connector] = _staff(request, Role.CONNECTOR, [payload.connector_id], "connector_id", CONNECTOR_REQUIRED)
    volunteers = _staff(request, Role.VOLUNTEER, payload.volunteer_ids, "volunteer_ids", VOLUNTEERS_REQUIRED)
    episode = episode_start(
        actor=request.auth,
        referral=referral,
        programme=_programme(request, payload.programme_id),
        connector=connector,
        team=_team(request, payload.team_id),
        volunteers=volunteers,
        started_on=payload.started_on,
    )
    detail = _detail(request, referral_id)
    return Status(201, AcceptedOut(referral=detail, episode=EpisodeStartedOut.build(episode)))
