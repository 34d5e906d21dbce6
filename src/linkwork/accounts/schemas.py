from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from linkwork.accounts.models import ApiToken, Team, User
from linkwork.accounts.roles import Role


class TeamOut(Schema):
    id: int
    name: str

    @staticmethod
    def build(team: Team) -> TeamOut:
        return TeamOut(id=team.pk, name=team.name)


class TeamIn(Schema):
    name: str = Field(min_length=1, max_length=120)


class OrganisationOut(Schema):
    id: int
    name: str
    slug: str


class StaffOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    is_active: bool
    roles: list[Role]
    teams: list[TeamOut]

    @staticmethod
    def build(user: User) -> StaffOut:
        return StaffOut(
            id=user.pk,
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
            email=user.email,
            is_active=user.is_active,
            roles=sorted(Role(grant.role) for grant in user.role_grants.all()),
            teams=[TeamOut.build(team) for team in user.teams.all()],
        )


class MeOut(Schema):
    user: StaffOut
    organisation: OrganisationOut


class StaffCreateIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    first_name: str = Field(min_length=1, max_length=150)
    last_name: str = Field("", max_length=150)
    email: str = Field(min_length=3, max_length=254)
    roles: list[Role] = Field(min_length=1)
    team_ids: list[int] = []


class StaffUpdateIn(Schema):
    first_name: str = Field(min_length=1, max_length=150)
    last_name: str = Field("", max_length=150)
    email: str = Field(min_length=3, max_length=254)
    roles: list[Role] = Field(min_length=1)
    team_ids: list[int] = []


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    user_id: int
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @staticmethod
    def build(token: ApiToken) -> TokenOut:
        return TokenOut(
            id=token.pk,
            name=token.name,
            prefix=token.prefix,
            user_id=token.user_id,
            created_at=token.created_at,
            expires_at=token.expires_at,
            last_used_at=token.last_used_at,
            revoked_at=token.revoked_at,
        )


class TokenCreateIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    expires_days: int = Field(90, ge=1, le=365)


class TokenCreatedOut(Schema):
    token: str = Field(description="The token itself. It is shown only this once.")
    details: TokenOut
