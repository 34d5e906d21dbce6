"""Configuration from the environment: clear errors for bad values, and the deploy check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GOOD_PRODUCTION = {
    "LINKWORK_ENV": "production",
    "SECRET_KEY": "k3Y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN",
    "ALLOWED_HOSTS": "connect.example.org",
    "DATABASE_URL": "postgresql://linkwork@db.example.org:5432/linkwork",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def linkwork(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LINKWORK_", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_"))
    }
    full_env = {**base, "LINKWORK_VAR_DIR": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, "-m", "linkwork.cli", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LINKWORK_ENV": "staging"}, "LINKWORK_ENV must be 'production' or 'development', not 'staging'"),
        ({"LINKWORK_ENV": "production"}, "SECRET_KEY must be set when LINKWORK_ENV=production"),
        (
            {"DATABASE_URL": "mysql://root@localhost/x"},
            "DATABASE_URL must start with sqlite:// or postgresql://",
        ),
        ({"LINKWORK_DEBUG": "maybe"}, "LINKWORK_DEBUG must be one of"),
        ({"LINKWORK_PROXY_HOPS": "one"}, "LINKWORK_PROXY_HOPS must be a whole number, not 'one'"),
        ({"LINKWORK_PROXY_HOPS": "-1"}, "LINKWORK_PROXY_HOPS must be 0 or more"),
    ],
)
def test_bad_configuration_stops_with_a_clear_message(
    env: dict[str, str], message: str, tmp_path: Path
) -> None:
    result = linkwork("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert message in result.stderr


def test_development_generates_a_private_secret_key_once(tmp_path: Path) -> None:
    assert linkwork("check", env={}, tmp_path=tmp_path).returncode == 0
    key_file = tmp_path / "secret_key"
    first = key_file.read_text()
    assert len(first) >= 50
    assert key_file.stat().st_mode & 0o077 == 0
    linkwork("check", env={}, tmp_path=tmp_path)
    assert key_file.read_text() == first


def test_check_deploy_lists_unsafe_settings_and_fails(tmp_path: Path) -> None:
    result = linkwork("check", "--deploy", env={"LINKWORK_DEBUG": "1"}, tmp_path=tmp_path)
    assert result.returncode != 0
    for ident in ("linkwork.E001", "linkwork.E002", "linkwork.E006", "linkwork.E007"):
        assert ident in result.stderr


def test_check_deploy_passes_for_a_safe_production_configuration(tmp_path: Path) -> None:
    result = linkwork("check", "--deploy", env=GOOD_PRODUCTION, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr


def test_demo_data_is_refused_in_production(tmp_path: Path) -> None:
    result = linkwork("demo-data", env=GOOD_PRODUCTION, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "refused when LINKWORK_ENV=production" in result.stderr


def test_serve_rejects_a_bad_port(tmp_path: Path) -> None:
    result = linkwork("serve", "--port", "70000", env={}, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "--port between 1 and 65535" in result.stderr
