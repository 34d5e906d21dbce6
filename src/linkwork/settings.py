"""One settings module for every environment, driven by environment variables.

See docs/operations.md for the variables and their defaults.
"""

from __future__ import annotations

import datetime as dt
import os

from linkwork import config

LINKWORK_ENV = config.environment()
PRODUCTION = LINKWORK_ENV == "production"
VAR_DIR = config.var_dir()

SECRET_KEY = config.secret_key(LINKWORK_ENV, VAR_DIR)
DEBUG = config.flag("LINKWORK_DEBUG", default=False)
ALLOWED_HOSTS = config.allowed_hosts(LINKWORK_ENV)
CSRF_TRUSTED_ORIGINS = [
    origin.strip() for origin in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if origin.strip()
]

INSTALLED_APPS = [
    "linkwork.core",
    "linkwork.accounts",
    "linkwork.audit",
    "linkwork.people",
    "linkwork.referrals",
    "linkwork.support",
    "linkwork.outcomes",
    "linkwork.networks",
    "linkwork.directory",
    "linkwork.matching",
    "linkwork.reporting",
    "linkwork.interop",
    "linkwork.privacy",
    "linkwork.webhooks",
    "linkwork.web",
    "linkwork.demo",
    "django.contrib.auth",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "linkwork.web.limits.RequestSizeLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks the session verified by a second factor; the next one sends unverified staff to it.
    "django_otp.middleware.OTPMiddleware",
    "linkwork.accounts.middleware.TwoFactorMiddleware",
    "linkwork.audit.middleware.AuditContextMiddleware",
    "linkwork.web.middleware.DomainErrorPagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "linkwork.accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the "signing in is paused" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "linkwork.urls"
WSGI_APPLICATION = "linkwork.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "linkwork.web.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {"default": config.database(VAR_DIR)}
# Reports (and only reports) read from a PostgreSQL read replica when one is given; writes and
# migrations always go to DATABASE_URL (docs/operations.md "Scaling out", linkwork.reporting.router).
REPORTING_DATABASE = config.reporting_database()
if REPORTING_DATABASE is not None:
    DATABASES["reporting"] = REPORTING_DATABASE
DATABASE_ROUTERS = ["linkwork.reporting.router.ReportingRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Argon2 for new and changed passwords; the others stay so older hashes still verify, and are
# upgraded to Argon2 the next time their owner signs in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "linkwork.accounts.validators.PatternPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "linkwork.accounts.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# A session unused for this long is signed out (linkwork.accounts.middleware).
LINKWORK_IDLE_TIMEOUT_MINUTES = config.integer("LINKWORK_IDLE_TIMEOUT_MINUTES", default=30, minimum=1)
# Sign-in lockout (django-axes, linkwork.accounts.lockout): this many failed sign-ins for one username,
# or from one address, pause signing in for it until LINKWORK_LOCKOUT_MINUTES after the last one.
AXES_FAILURE_LIMIT = config.integer("LINKWORK_SIGNIN_ATTEMPTS", default=5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=config.integer("LINKWORK_LOCKOUT_MINUTES", default=15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Attempts refused during a lockout do not extend it, so the time on the page holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "linkwork.accounts.lockout.username_tried"
AXES_CLIENT_IP_CALLABLE = "linkwork.core.http.client_ip"
AXES_LOCKOUT_CALLABLE = "linkwork.accounts.lockout.locked_out_response"
# Successful sign-ins are already in the audit log; axes need not keep a second copy.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# Two-factor authentication (django-otp, linkwork.accounts.two_factor): the name authenticator apps
# show, and the demo logins' exemption (`make run` sets it), honoured only outside production and only for
# the users `linkwork demo-data` made (`linkwork check --deploy` fails while it is set).
OTP_TOTP_ISSUER = "linkwork"
LINKWORK_DEMO_SKIP_TWO_FACTOR = config.flag("LINKWORK_DEMO_SKIP_TWO_FACTOR", default=False)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Hashed, long-cached names after `linkwork collectstatic`; plain names before (linkwork.web.storage).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "linkwork.web.storage.StaticStorage"},
}
WHITENOISE_USE_FINDERS = True

# API list endpoints return at most this many items a page (?limit=...).
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 200

# How many reverse proxies (each appending to X-Forwarded-For) stand in front of linkwork.
LINKWORK_PROXY_HOPS = config.integer("LINKWORK_PROXY_HOPS", default=0)

# Directory entries fall due for review this many days after they were last checked, and are
# flagged stale (still shown, with a warning) this many days after that.
LINKWORK_DIRECTORY_REVIEW_DAYS = config.integer("LINKWORK_DIRECTORY_REVIEW_DAYS", default=180, minimum=1)
LINKWORK_DIRECTORY_STALE_AFTER_DAYS = config.integer(
    "LINKWORK_DIRECTORY_STALE_AFTER_DAYS", default=60, minimum=1
)
# The organisation (by slug) whose directory editors receive public suggestions; blank means the
# first organisation created.
LINKWORK_DIRECTORY_OWNER = os.environ.get("LINKWORK_DIRECTORY_OWNER", "")
# The names, e-mail addresses and phone numbers of people who suggest services, report problems or claim
# listings are cleared this many days after an editor's decision (by `linkwork daily`).
LINKWORK_DIRECTORY_CONTACT_RETENTION_DAYS = config.integer(
    "LINKWORK_DIRECTORY_CONTACT_RETENTION_DAYS", default=90, minimum=1
)

# Reports for analysts and commissioners show any count of fewer people than this as "<N"
# (docs/reporting.md "Disclosure control"); it can be raised but never set below 3.
LINKWORK_REPORT_THRESHOLD = config.integer("LINKWORK_REPORT_THRESHOLD", default=5, minimum=3)

# The address people use to reach this installation, for links in e-mails.
LINKWORK_BASE_URL = os.environ.get("LINKWORK_BASE_URL", "http://127.0.0.1:8000")

# Background jobs (webhook deliveries, ...): Django's tasks API through the django-tasks backport, kept
# in the database and run by `linkwork db-worker` (docs/decisions/0018-background-tasks-django-tasks.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Webhooks to plain http://127.0.0.1 or localhost and to private networks: for tests and development
# only; `linkwork check --deploy` refuses it (docs/webhooks.md).
LINKWORK_WEBHOOKS_ALLOW_LOCAL = config.flag("LINKWORK_WEBHOOKS_ALLOW_LOCAL", default=not PRODUCTION)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = config.integer("EMAIL_PORT", default=25, minimum=1)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = config.flag("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "linkwork@localhost")
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8  # one working day
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
# No script of ours reads the CSRF token from the cookie (forms carry it), so scripts need not see it.
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = config.flag("LINKWORK_SSL_REDIRECT", default=PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (django-csp): scripts and styles come only from our own static files, never
# inline, so injected markup cannot run. The one hash is the printable commissioner report's own
# stylesheet, which stays inline because WeasyPrint makes the PDF from the same page
# (tests/security_headers check it matches). docs/security.md "Headers".
COMMISSIONER_REPORT_STYLE_HASH = "'sha256-DKzR+vU05yVyJvh+EgBoC5Zi3AjnCCbi3mhRIBFMyEo='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", COMMISSIONER_REPORT_STYLE_HASH],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
# HSTS preloading commits a whole domain (and its subdomains) to HTTPS for good: that is the
# operator's decision for their domain, not one the software should force.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LINKWORK_LOG_LEVEL", "INFO")},
}
