"""Endpoints for the signed-in user, teams, staff and personal API tokens."""

from ninja import Router, Status
from ninja.pagination import paginate

from linkwork.accounts import selectors, services
from linkwork.accounts.schemas import (
    MeOut,
    OrganisationOut,
    StaffCreateIn,
    StaffOut,
    StaffUpdateIn,
    TeamIn,
    TeamOut,
    TokenCreatedOut,
    TokenCreateIn,
    TokenOut,
)
from linkwork.core.pagination import BoundedLimitOffsetPagination
from linkwork.core.policies import Action
from linkwork.web.http import StaffRequest

router = Router(tags=["organisation and staff"])


@router.get("/me", response=MeOut, summary="The signed-in user and their organisation")
def me(request: StaffRequest) -> MeOut:
    organisation = selectors.organisation_get(actor=request.auth)
    user = selectors.staff_get(actor=request.auth, staff_id=request.auth.pk)
    return MeOut(
        user=StaffOut.build(user),
        organisation=OrganisationOut(id=organisation.pk, name=organisation.name, slug=organisation.slug),
    )


@router.get("/teams", response=list[TeamOut])
def team_list(request: StaffRequest) -> list[TeamOut]:
    return [TeamOut.build(team) for team in selectors.team_list(actor=request.auth)]


@router.post("/teams", response={201: TeamOut})
def team_create(request: StaffRequest, payload: TeamIn) -> Status[TeamOut]:
    organisation = selectors.organisation_get(actor=request.auth)
    team = services.team_create(actor=request.auth, organisation=organisation, name=payload.name)
    return Status(201, TeamOut.build(team))


@router.patch("/teams/{team_id}", response=TeamOut)
def team_rename(request: StaffRequest, team_id: int, payload: TeamIn) -> TeamOut:
    team = selectors.team_get(actor=request.auth, team_id=team_id)
    return TeamOut.build(services.team_rename(actor=request.auth, team=team, name=payload.name))


@router.delete("/teams/{team_id}", response={204: None})
def team_delete(request: StaffRequest, team_id: int) -> Status[None]:
    team = selectors.team_get(actor=request.auth, team_id=team_id)
    services.team_delete(actor=request.auth, team=team)
    return Status(204, None)


@router.get("/staff", response=list[StaffOut])
@paginate(BoundedLimitOffsetPagination)
def staff_list(
    request: StaffRequest, team_id: int | None = None, include_inactive: bool = False
) -> list[StaffOut]:
    staff = selectors.staff_list(actor=request.auth, team_id=team_id, include_inactive=include_inactive)
    return [StaffOut.build(user) for user in staff]


@router.get("/staff/{staff_id}", response=StaffOut)
def staff_get(request: StaffRequest, staff_id: int) -> StaffOut:
    return StaffOut.build(selectors.staff_get(actor=request.auth, staff_id=staff_id))


@router.post("/staff", response={201: StaffOut})
def staff_create(request: StaffRequest, payload: StaffCreateIn) -> Status[StaffOut]:
    organisation = selectors.organisation_get(actor=request.auth)
    user = services.staff_create(actor=request.auth, organisation=organisation, **payload.dict())
    return Status(201, StaffOut.build(user))


@router.put("/staff/{staff_id}", response=StaffOut)
def staff_update(request: StaffRequest, staff_id: int, payload: StaffUpdateIn) -> StaffOut:
    staff = selectors.staff_get(actor=request.auth, staff_id=staff_id, action=Action.UPDATE)
    return StaffOut.build(services.staff_update(actor=request.auth, staff=staff, **payload.dict()))


@router.post("/staff/{staff_id}/deactivate", response=StaffOut, summary="Remove a member of staff's access")
def staff_deactivate(request: StaffRequest, staff_id: int) -> StaffOut:
    staff = selectors.staff_get(actor=request.auth, staff_id=staff_id, action=Action.DELETE)
    return StaffOut.build(services.staff_set_active(actor=request.auth, staff=staff, active=False))


@router.get("/tokens", response=list[TokenOut], summary="Your personal API tokens")
def token_list(request: StaffRequest) -> list[TokenOut]:
    return [TokenOut.build(token) for token in selectors.token_list(actor=request.auth)]


@router.post("/tokens", response={201: TokenCreatedOut})
def token_create(request: StaffRequest, payload: TokenCreateIn) -> Status[TokenCreatedOut]:
    token, raw = services.token_create(
        actor=request.auth, user=request.auth, name=payload.name, expires_days=payload.expires_days
    )
    return Status(201, TokenCreatedOut(token=raw, details=TokenOut.build(token)))


@router.delete("/tokens/{token_id}", response=TokenOut, summary="Revoke a token")
def token_revoke(request: StaffRequest, token_id: int) -> TokenOut:
    token = selectors.token_get(actor=request.auth, token_id=token_id, action=Action.DELETE)
    return TokenOut.build(services.token_revoke(actor=request.auth, token=token))
