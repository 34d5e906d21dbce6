"""Keyword-only builders that go through the real services (so rules and audit apply)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from linkwork.accounts import services
from linkwork.accounts.models import Organisation, Team, User
from linkwork.accounts.roles import Role
from linkwork.core.policies import Operator

OPERATOR = Operator("tests")
PASSWORD = "a-long-test-password"
_numbers = itertools.count(1)


def make_organisation(*, name: str | None = None) -> Organisation:
    return services.organisation_create(actor=OPERATOR, name=name or f"Test Connectors {next(_numbers)}")


def make_team(*, organisation: Organisation, name: str | None = None) -> Team:
    return services.team_create(
        actor=OPERATOR, organisation=organisation, name=name or f"Team {next(_numbers)}"
    )


def make_staff(
    *,
    organisation: Organisation,
    roles: Iterable[Role] = (Role.CONNECTOR,),
    username: str | None = None,
    teams: Iterable[Team] = (),
) -> User:
    number = next(_numbers)
    return services.staff_create(
        actor=OPERATOR,
        organisation=organisation,
        username=username or f"staff{number}",
        first_name=f"First{number}",
        last_name=f"Last{number}",
        email=f"staff{number}@example.org",
        roles=list(roles),
        team_ids=[team.pk for team in teams],
        password=PASSWORD,
        send_invitation=False,
    )
