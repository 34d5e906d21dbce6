"""Schemathesis against the staff API's own OpenAPI document: no 5xx, every response as declared."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from linkwork.accounts import services
from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.wsgi import application
from tests.conftest import signed_in
from tests.factories import OPERATOR, make_staff, make_team

if TYPE_CHECKING:
    from schemathesis.specs.openapi.schemas import OpenApiCase

schema: schemathesis.BaseSchema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Iterator[None]:
    # The WSGI app closes the database connection as each request ends, which would end the test's
    # transaction on PostgreSQL; Django's test client turns this off the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def every_role_token(organisation: Organisation) -> str:
    team = make_team(organisation=organisation)
    user = make_staff(organisation=organisation, roles=list(Role), username="every-role", teams=[team])
    _, raw = services.token_create(actor=OPERATOR, user=user, name="schemathesis")
    return raw


@schema.parametrize()
# Ten examples an operation, the same ones every run, so CI stays bounded and repeatable.
@settings(
    max_examples=10,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_never_fails_and_answers_as_declared(case: OpenApiCase, every_role_token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {every_role_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )


def test_an_id_too_large_for_the_database_is_not_found_rather_than_a_server_error(connector: User) -> None:
    response = signed_in(connector).get("/api/v1/people/99999999999999999999999/network-map.svg")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


def test_a_list_offset_too_large_for_the_database_is_a_422_not_a_server_error(connector: User) -> None:
    response = signed_in(connector).get("/api/v1/people", {"offset": str(10**20)})
    assert response.status_code == 422


def test_a_meetup_time_with_an_offset_postgresql_cannot_store_is_kept_as_the_same_moment(
    connector: User,
) -> None:
    response = signed_in(connector).post(
        "/api/v1/meetups",
        {"held_at": "2026-11-20T21:05:05+17:39", "place": "Library"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["held_at"].startswith("2026-11-20T03:26:05")
