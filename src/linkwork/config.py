"""Reading configuration from the environment, with errors that say what to fix."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

ENVIRONMENTS = ("development", "production")
DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql", "pgsql")


def environment() -> str:
    value = os.environ.get("LINKWORK_ENV", "development").strip().lower()
    if value not in ENVIRONMENTS:
        raise ImproperlyConfigured(f"LINKWORK_ENV must be 'production' or 'development', not {value!r}.")
    return value


def flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no or on/off, not {raw!r}.")


def integer(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be {minimum} or more, not {value}.")
    return value


def var_dir() -> Path:
    path = Path(os.environ.get("LINKWORK_VAR_DIR", Path.cwd() / "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(env: str, var: Path) -> str:
    """SECRET_KEY from the environment; in development a key is generated once into var/."""
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    if env == "production":
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when LINKWORK_ENV=production "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    key_file = var / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def allowed_hosts(env: str) -> list[str]:
    raw = os.environ.get("ALLOWED_HOSTS", "")
    hosts = [host.strip() for host in raw.split(",") if host.strip()]
    if hosts or env == "production":
        return hosts
    return ["127.0.0.1", "localhost", "[::1]", "testserver"]


def database(var: Path) -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{var / 'linkwork.sqlite3'}"
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in DATABASE_SCHEMES:
        raise ImproperlyConfigured(
            f"DATABASE_URL must start with sqlite:// or postgresql://, not {scheme or url!r}."
        )
    config: dict[str, Any] = dict(dj_database_url.parse(url))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            # IMMEDIATE takes the write lock when a transaction starts, so concurrent
            # writers queue instead of failing half-way (and the audit chain stays linear).
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;"
            ),
        }
    else:
        config["CONN_MAX_AGE"] = 60
        config["CONN_HEALTH_CHECKS"] = True
    return config


def reporting_database() -> dict[str, Any] | None:
    """The read replica reports read from (`REPORTING_DATABASE_URL`, PostgreSQL only), or None."""
    url = os.environ.get("REPORTING_DATABASE_URL", "").strip()
    if not url:
        return None
    if url.split("://", 1)[0] not in ("postgres", "postgresql", "pgsql"):
        raise ImproperlyConfigured("REPORTING_DATABASE_URL must be a postgresql:// address (a read replica).")
    config: dict[str, Any] = dict(dj_database_url.parse(url))
    config["CONN_MAX_AGE"] = 60
    config["CONN_HEALTH_CHECKS"] = True
    # Tests use the primary's test database for it, as a replica of it.
    config["TEST"] = {"MIRROR": "default"}
    return config
