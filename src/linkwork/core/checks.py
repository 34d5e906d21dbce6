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
    if settings.LINKWORK_DEMO_SKIP_TWO_FACTOR:
        error(
            "LINKWORK_DEMO_SKIP_TWO_FACTOR is set.",
            "Unset it: letting demo logins skip two-factor authentication is for development only.",
            "E010",
        )
    if settings.LINKWORK_WEBHOOKS_ALLOW_LOCAL:
        error(
            "Webhooks may be sent over plain HTTP and to local or private network addresses.",
            "Unset LINKWORK_WEBHOOKS_ALLOW_LOCAL: it is for tests and development (docs/webhooks.md).",
            "E030",
        )
    problems.extend(header_problems())
    return problems


def header_problems() -> list[checks.CheckMessage]:
    """The HTTP headers that protect every page (docs/security.md "Headers"): each one missing or
    weakened is an Error."""
    problems: list[checks.CheckMessage] = []

    def error(msg: str, hint: str, ident: str) -> None:
        problems.append(checks.Error(msg, hint=hint, id=f"linkwork.{ident}"))

    directives = _csp_directives()
    if directives is None:
        error(
            "No Content Security Policy is sent.",
            "Keep csp.middleware.CSPMiddleware in MIDDLEWARE and CONTENT_SECURITY_POLICY in the settings.",
            "E020",
        )
    else:
        for name in ("default-src", "script-src", "style-src", "frame-ancestors", "object-src", "base-uri"):
            if name not in directives:
                error(
                    f"The Content Security Policy has no {name}.",
                    f"Restore {name} in CONTENT_SECURITY_POLICY.",
                    "E021",
                )
        for name, sources in directives.items():
            if _allows_any_inline(sources):
                error(
                    f"The Content Security Policy allows inline code or '*' in {name}.",
                    "Remove 'unsafe-inline', 'unsafe-eval', 'unsafe-hashes' and '*' from it.",
                    "E022",
                )
    if not isinstance(settings.SECURE_HSTS_SECONDS, int) or settings.SECURE_HSTS_SECONDS <= 0:
        error(
            "HSTS is off (SECURE_HSTS_SECONDS is not above 0).",
            "Run with LINKWORK_ENV=production, which sets HSTS for a year.",
            "E023",
        )
    if "django.middleware.security.SecurityMiddleware" not in settings.MIDDLEWARE:
        error(
            "SecurityMiddleware is missing, so HSTS, nosniff and the referrer policy are not sent.",
            "Put django.middleware.security.SecurityMiddleware first in MIDDLEWARE.",
            "E024",
        )
    if not (settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY):
        error(
            "The session or CSRF cookie can be read by scripts in the page.",
            "Set SESSION_COOKIE_HTTPONLY = True and CSRF_COOKIE_HTTPONLY = True.",
            "E025",
        )
    if not settings.SECURE_CONTENT_TYPE_NOSNIFF:
        error(
            "X-Content-Type-Options: nosniff is not sent.",
            "Set SECURE_CONTENT_TYPE_NOSNIFF = True.",
            "E026",
        )
    if settings.SECURE_REFERRER_POLICY not in _SAFE_REFERRER_POLICIES:
        error(
            "The referrer policy is missing or lets full addresses leave the service.",
            "Set SECURE_REFERRER_POLICY = 'same-origin'.",
            "E027",
        )
    if (
        settings.X_FRAME_OPTIONS != "DENY"
        or "django.middleware.clickjacking.XFrameOptionsMiddleware" not in settings.MIDDLEWARE
    ):
        error(
            "Pages may be framed by other sites.",
            "Set X_FRAME_OPTIONS = 'DENY' and keep XFrameOptionsMiddleware in MIDDLEWARE.",
            "E028",
        )
    return problems


# Policies that never send a page's address, with its ids and search terms, to another site.
_SAFE_REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}


def _csp_directives() -> dict[str, Any] | None:
    if "csp.middleware.CSPMiddleware" not in settings.MIDDLEWARE:
        return None
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
    if not isinstance(policy, dict) or not isinstance(policy.get("DIRECTIVES"), dict):
        return None
    directives: dict[str, Any] = policy["DIRECTIVES"]
    return directives or None


def _allows_any_inline(sources: Any) -> bool:
    values = [sources] if isinstance(sources, str) else list(sources or [])
    tokens = {token.lower() for value in values for token in str(value).split()}
    return bool(tokens & {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*"})
