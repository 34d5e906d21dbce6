"""Deployment checks run by `linkwork check --deploy`.

Each unsafe production setting is an Error, so the command exits non-zero while any remains.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def linkwork_deploy_checks(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []

    def error(msg: str, hint: str, ident: str) -> None:
        problems.append(checks.Error(msg, hint=hint, id=f"linkwork.{ident}"))

    if settings.LINKWORK_ENV != "production":
        error(
            "LINKWORK_ENV is not 'production'.",
            "Set LINKWORK_ENV=production on a server that holds real people's data.",
            "E001",
        )
    if settings.DEBUG:
        error("LINKWORK_DEBUG is on.", "Unset LINKWORK_DEBUG: debug pages reveal personal data.", "E002")
    if len(settings.SECRET_KEY) < 50 or len(set(settings.SECRET_KEY)) < 5:
        error("SECRET_KEY is too short or too simple.", "Use at least 50 random characters.", "E003")
    if not settings.ALLOWED_HOSTS:
        error(
            "ALLOWED_HOSTS is empty.", "Set ALLOWED_HOSTS to the host names the service answers on.", "E004"
        )
    if "*" in settings.ALLOWED_HOSTS:
        error("ALLOWED_HOSTS allows any host.", "List the real host names instead of '*'.", "E005")
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        error(
            "The database is SQLite.",
            "Use PostgreSQL in production: set DATABASE_URL=postgresql://... (docs/operations.md).",
            "E006",
        )
    if settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
        error(
            "E-mail goes to the console, so password reset messages never arrive.",
            "Set EMAIL_BACKEND (and EMAIL_HOST etc.) to a real mail server.",
            "E007",
        )
    if not settings.SESSION_COOKIE_SECURE or not settings.CSRF_COOKIE_SECURE:
        error("Cookies may be sent without HTTPS.", "Run with LINKWORK_ENV=production.", "E008")
    return problems
