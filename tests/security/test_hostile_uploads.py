"""Request bodies over the limit are refused with 413 before anything reads or parses them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from linkwork.accounts.models import Organisation, Team, User
from linkwork.referrals.models import Referral
from tests.conftest import signed_in

LIMITS = "linkwork.web.limits.RequestSizeLimitMiddleware"
LIMIT = 10_000


@pytest.fixture(autouse=True)
def size_limit(settings: Any) -> None:
    # As wired in settings: right after SecurityMiddleware (so refusals get its headers) and before
    # the CSRF check, which would read a form body.
    others = [name for name in settings.MIDDLEWARE if name != LIMITS]
    settings.MIDDLEWARE = [others[0], LIMITS, *others[1:]]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT


def _team_body(size: int) -> str:
    return json.dumps({"name": "x" * size})


def test_an_api_body_over_the_limit_gets_413_in_the_api_error_shape_and_changes_nothing(admin: User) -> None:
    response = signed_in(admin).post("/api/v1/teams", _team_body(LIMIT + 1), content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "TOO_LARGE"
    assert "at most 9 KB" in response.json()["error"]["message"]
    assert not Team.objects.exists()


def test_an_api_body_at_the_limit_is_read_as_usual(admin: User) -> None:
    body = json.dumps({"name": "Riverside East"})
    body += " " * (LIMIT - len(body))
    response = signed_in(admin).post("/api/v1/teams", body, content_type="application/json")
    assert response.status_code == 201


def test_a_public_form_over_the_limit_gets_413_before_the_csrf_check_reads_it(
    organisation: Organisation,
) -> None:
    client = Client(enforce_csrf_checks=True)
    url = reverse("self_referral", args=[organisation.slug])
    response = client.post(url, {"first_name": "A" * (LIMIT + 1)})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")
    assert "too large" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_declared_length_over_the_limit_is_refused_without_reading_the_body(admin: User) -> None:
    # The body is small but claims to be large: the refusal rests on the header alone.
    response = signed_in(admin).generic(
        "POST", "/api/v1/teams", b"{}", content_type="application/json", CONTENT_LENGTH=str(10**9)
    )
    assert response.status_code == 413


def test_a_content_length_that_is_not_a_number_gets_400_not_a_server_error(admin: User) -> None:
    response = signed_in(admin).generic(
        "POST", "/api/v1/teams", b"", content_type="application/json", CONTENT_LENGTH="lots"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BAD_REQUEST"


def test_gets_without_a_body_pass(admin: User) -> None:
    assert signed_in(admin).get("/api/v1/teams").status_code == 200
