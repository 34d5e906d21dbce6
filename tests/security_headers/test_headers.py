"""Every kind of response carries the protective headers: a Content Security Policy with no inline code,
nosniff, the referrer policy and frame denial; HSTS and secure, HttpOnly cookies once served over HTTPS."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest
from django.conf import settings
from django.http import HttpResponseBase
from django.test import Client

from linkwork.accounts.models import User
from linkwork.reporting.exporting import commissioner_html
from tests.conftest import signed_in
from tests.factories import PASSWORD
from tests.reporting.test_reports import sample_report

EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", settings.COMMISSIONER_REPORT_STYLE_HASH],
    "img-src": ["'self'", "data:"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}


def policy(response: HttpResponseBase) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {words[0]: words[1:] for words in directives}


def assert_protective_headers(response: HttpResponseBase) -> None:
    assert policy(response) == EXPECTED_POLICY
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_the_sign_in_page_carries_the_headers() -> None:
    response = Client().get("/sign-in/")
    assert response.status_code == 200
    assert_protective_headers(response)


def test_a_staff_page_carries_the_headers(admin: User) -> None:
    response = signed_in(admin).get("/staff/")
    assert response.status_code == 200
    assert_protective_headers(response)


@pytest.mark.django_db
def test_the_public_directory_carries_the_headers() -> None:
    response = Client().get("/directory/")
    assert response.status_code == 200
    assert_protective_headers(response)


def test_an_api_response_carries_the_headers(connector: User) -> None:
    response = signed_in(connector).get("/api/v1/me")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert_protective_headers(response)


@pytest.mark.django_db
def test_a_not_found_page_and_a_redirect_carry_the_headers() -> None:
    assert_protective_headers(Client().get("/no-such-page/"))
    redirect = Client().get("/staff/")
    assert redirect.status_code == 302
    assert_protective_headers(redirect)


@pytest.mark.django_db
def test_hsts_is_sent_over_https_when_production_sets_it(settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = Client().get("/sign-in/", secure=True)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    # Never over plain HTTP, where an attacker could forge it.
    assert "Strict-Transport-Security" not in Client().get("/sign-in/").headers


def test_cookies_are_secure_and_httponly_in_production(settings: Any, connector: User) -> None:
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client = Client()
    client.get("/sign-in/", secure=True)
    response = client.post(
        "/sign-in/", {"username": connector.username, "password": PASSWORD}, secure=True, follow=False
    )
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"]
    csrf = client.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["httponly"]


def test_the_commissioner_report_keeps_only_the_one_stylesheet_the_policy_allows_by_hash() -> None:
    html = commissioner_html(sample_report())
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert len(styles) == 1
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" == settings.COMMISSIONER_REPORT_STYLE_HASH
    # Its charts are drawn with presentation attributes, which the policy does not govern.
    assert html.count("<svg") == 5
    assert " style=" not in html
    assert "<script" not in html
