"""`linkwork check --deploy` fails when any protective header setting is missing or weakened, and
passes on a safe production configuration."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from linkwork.core.checks import header_problems, linkwork_deploy_checks

SAFE = {
    "SECURE_HSTS_SECONDS": 60 * 60 * 24 * 365,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "CSRF_COOKIE_HTTPONLY": True,
    "SECURE_CONTENT_TYPE_NOSNIFF": True,
    "SECURE_REFERRER_POLICY": "same-origin",
    "X_FRAME_OPTIONS": "DENY",
}


@pytest.fixture
def safe(settings: Any) -> Any:
    for name, value in SAFE.items():
        setattr(settings, name, value)
    settings.CONTENT_SECURITY_POLICY = copy.deepcopy(django_settings.CONTENT_SECURITY_POLICY)
    return settings


def ids() -> list[str]:
    return [problem.id or "" for problem in header_problems()]


def directives(settings: Any) -> dict[str, list[str]]:
    result: dict[str, list[str]] = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    return result


def without(settings: Any, middleware: str) -> None:
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != middleware]


def test_a_safe_configuration_has_no_header_problems(safe: Any) -> None:
    assert header_problems() == []


def test_header_problems_are_part_of_the_deploy_check(safe: Any) -> None:
    safe.SECURE_HSTS_SECONDS = 0
    assert "linkwork.E023" in [problem.id for problem in linkwork_deploy_checks()]


def test_no_csp_middleware_fails(safe: Any) -> None:
    without(safe, "csp.middleware.CSPMiddleware")
    assert ids() == ["linkwork.E020"]


@pytest.mark.parametrize("policy", [None, {}, {"DIRECTIVES": {}}, {"DIRECTIVES": "default-src 'self'"}])
def test_no_content_security_policy_fails(safe: Any, policy: Any) -> None:
    safe.CONTENT_SECURITY_POLICY = policy
    assert ids() == ["linkwork.E020"]


def test_a_policy_setting_left_out_fails(safe: Any) -> None:
    del safe.CONTENT_SECURITY_POLICY
    assert ids() == ["linkwork.E020"]


@pytest.mark.parametrize(
    "directive", ["default-src", "script-src", "style-src", "frame-ancestors", "object-src", "base-uri"]
)
def test_a_policy_missing_a_directive_fails(safe: Any, directive: str) -> None:
    del directives(safe)[directive]
    assert ids() == ["linkwork.E021"]


@pytest.mark.parametrize(
    ("directive", "source"),
    [
        ("script-src", "'unsafe-inline'"),
        ("style-src", "'unsafe-inline'"),
        ("style-src", "'UNSAFE-INLINE'"),
        ("script-src", "'unsafe-eval'"),
        ("script-src", "'unsafe-hashes'"),
        ("default-src", "*"),
        ("script-src", "'self' 'unsafe-inline'"),
    ],
)
def test_a_policy_allowing_inline_code_fails(safe: Any, directive: str, source: str) -> None:
    directives(safe)[directive].append(source)
    assert ids() == ["linkwork.E022"]


def test_a_policy_given_as_one_string_is_read_word_by_word(safe: Any) -> None:
    safe.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"] = "'self' 'unsafe-inline'"
    assert ids() == ["linkwork.E022"]


@pytest.mark.parametrize("seconds", [0, -1, None])
def test_hsts_off_fails(safe: Any, seconds: int | None) -> None:
    safe.SECURE_HSTS_SECONDS = seconds
    assert ids() == ["linkwork.E023"]


def test_no_security_middleware_fails(safe: Any) -> None:
    without(safe, "django.middleware.security.SecurityMiddleware")
    assert ids() == ["linkwork.E024"]


def test_a_session_cookie_scripts_can_read_fails(safe: Any) -> None:
    safe.SESSION_COOKIE_HTTPONLY = False
    assert ids() == ["linkwork.E025"]


def test_a_csrf_cookie_scripts_can_read_fails(safe: Any) -> None:
    safe.CSRF_COOKIE_HTTPONLY = False
    assert ids() == ["linkwork.E025"]


def test_no_nosniff_fails(safe: Any) -> None:
    safe.SECURE_CONTENT_TYPE_NOSNIFF = False
    assert ids() == ["linkwork.E026"]


@pytest.mark.parametrize("policy", [None, "", "unsafe-url", "no-referrer-when-downgrade", "origin"])
def test_a_missing_or_leaky_referrer_policy_fails(safe: Any, policy: str | None) -> None:
    safe.SECURE_REFERRER_POLICY = policy
    assert ids() == ["linkwork.E027"]


@pytest.mark.parametrize("value", ["SAMEORIGIN", ""])
def test_pages_that_may_be_framed_fail(safe: Any, value: str) -> None:
    safe.X_FRAME_OPTIONS = value
    assert ids() == ["linkwork.E028"]


def test_no_frame_options_middleware_fails(safe: Any) -> None:
    without(safe, "django.middleware.clickjacking.XFrameOptionsMiddleware")
    assert ids() == ["linkwork.E028"]


GOOD_PRODUCTION = {
    "LINKWORK_ENV": "production",
    "SECRET_KEY": "k3Y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN",
    "ALLOWED_HOSTS": "connect.example.org",
    "DATABASE_URL": "postgresql://linkwork@db.example.org:5432/linkwork",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def check_deploy(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LINKWORK_", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_"))
    }
    return subprocess.run(
        [sys.executable, "-m", "linkwork.cli", "check", "--deploy"],
        env={**base, "LINKWORK_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_in_production_with_every_header(tmp_path: Path) -> None:
    result = check_deploy(tmp_path, GOOD_PRODUCTION)
    assert result.returncode == 0, result.stderr


def test_check_deploy_outside_production_names_the_missing_hsts_and_secure_cookies(tmp_path: Path) -> None:
    result = check_deploy(tmp_path, {})
    assert result.returncode != 0
    assert "linkwork.E023" in result.stderr and "linkwork.E008" in result.stderr
    assert "linkwork.E020" not in result.stderr and "linkwork.E022" not in result.stderr
