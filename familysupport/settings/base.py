"""Settings shared by every environment; read from the environment with django-environ."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# Links in e-mails and certificates: follow `make run`'s PORT unless SITE_URL says otherwise.
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{env('PORT', default='8000')}")
ORGANISATION_NAME = env("ORGANISATION_NAME", default="Family Advocacy Division")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "familysupport.lib",
    "accounts",
    "cases",
    "referrals",
    "faon",
    "teamhope",
    "reunification",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "familysupport.lib.badinput.RefuseNulQueryMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # the language switch's cookie, then the browser
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Outside the time-out, MFA and login checks: their answers to htmx/fetch become a 401.
    "familysupport.lib.fragments.SignedOutFragmentMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "accounts.middleware.RequireSecondFactorMiddleware",
    "familysupport.lib.audit.AuditContextMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    # Axes last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "familysupport.urls"
WSGI_APPLICATION = "familysupport.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "familysupport.context_processors.portal",
            ],
            # `|phone` on every page without a {% load %}.
            "builtins": ["familysupport.lib.templatefilters"],
        },
    },
]

# One database engine everywhere: PostgreSQL through psycopg 3.
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# JIT compilation costs more than it saves on this portal's short OLTP queries (measured:
# provider matching over 30,000 rows 300-650 ms with JIT, 35-90 ms without).
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# A read replica (optional): reports, exports and drill-downs read from it
# (familysupport/lib/dbrouter.py); writes, and reads inside a transaction, stay on default.
DATABASE_ROUTERS = ["familysupport.lib.dbrouter.ReplicaRouter"]
DATABASE_REPLICA_ALIAS: str | None = None
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    DATABASE_REPLICA_ALIAS = "replica"
# A year whose last computation took longer than this (ms) is recomputed by a Celery task.
REPORTS_SLOW_MS = env.int("REPORTS_SLOW_MS", default=1000)
# The report page says the figures may be behind when the replica lags more than this.
DATABASE_REPLICA_LAG_NOTICE_SECONDS = env.int("DATABASE_REPLICA_LAG_NOTICE_SECONDS", default=60)
# PgBouncer in transaction mode (docker-compose.yml): a server connection changes hands
# between transactions, so no server-side cursors (they outlive a transaction) and no
# persistent Django connections (PgBouncer pools; CONN_MAX_AGE=0 hands them back at once).
if env.bool("DATABASE_PGBOUNCER", default=False):
    for _db in DATABASES.values():
        _db["DISABLE_SERVER_SIDE_CURSORS"] = True
        _db["CONN_MAX_AGE"] = 0
        # PgBouncer refuses the `options` startup parameter: set jit=off on the database
        # instead (ALTER DATABASE ... SET jit = off; see docker-compose.yml).
        _db.get("OPTIONS", {}).pop("options", None)
# The role web and worker connect as (it owns nothing; INSERT+SELECT only on the audit
# trail). Set where migrations run as the owner: they grant it its privileges afterwards
# (familysupport/lib/db_roles.py). Empty: no grants (a single-role development database).
DATABASE_APP_ROLE = env("DATABASE_APP_ROLE", default="")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis is only the Celery broker: cache, sessions and lockouts live in PostgreSQL.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
    }
}
SESSION_ENGINE = "familysupport.lib.sessions"  # the db store, one plain SELECT per load
# Messages name people ("Invitation sent to ..."): kept in the server-side session, not
# in a cookie (signed, not encrypted).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    # Length over composition (NIST SP 800-63B): 15 to 128, no character-class rules.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 15},
    },
    {"NAME": "accounts.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.passwords.OrganisationWordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: e-mail login, no open sign-up (users are invited), MFA for everyone.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {"login_failed": False}  # axes owns failed-login throttling
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
# Wrong second factors count against the same axes lock as wrong passwords (accounts/lockout.py).
MFA_FORMS = {
    "authenticate": "accounts.mfa_forms.LimitedAuthenticateForm",
    "reauthenticate": "accounts.mfa_forms.LimitedReauthenticateForm",
    "authenticate_webauthn": "accounts.mfa_forms.LimitedAuthenticateWebAuthnForm",
    "reauthenticate_webauthn": "accounts.mfa_forms.LimitedReauthenticateWebAuthnForm",
}
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="Family Support Portal")
# A code typed in the last seconds of its 30-s period still counts (RFC 6238's one step of
# drift); allauth then remembers a used code for the whole window, so none is replayed.
MFA_TOTP_TOLERANCE = 1
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env.bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", default=False)
USERSESSIONS_TRACK_ACTIVITY = False

# django-axes: lock the username (not the IP: one office NAT must not lock a whole team).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Wrong second factors from one client address (any accounts) within the cool-off before
# that address may not try codes (accounts/lockout.py).
MFA_ADDRESS_FAILURE_LIMIT = env.int("MFA_ADDRESS_FAILURE_LIMIT", default=20)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "accounts.lockout.username_from_request"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
# allauth's own per-address limits must see the client, not the proxy, or one attacker
# behind the proxy would rate-limit every colleague's sign-in.
ALLAUTH_TRUSTED_PROXY_COUNT = AXES_IPWARE_PROXY_COUNT
AXES_VERBOSE = False

# Sessions: idle expiry is enforced by SessionTimeoutMiddleware; the cookie itself ends at
# the absolute lifetime.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=15 * 60)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie

LANGUAGE_CODE = "en-us"
# The public pages speak English and Spanish (locale/es; compiled by familysupport/i18n_compile.py).
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads (licences, insurance) are never under a public URL: served by access-checked views.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / ".data" / "private")))
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)  # an SMTP hang must not pin a worker
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Family Support Portal <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security headers. CSP is nonce-based; nothing is loaded from another host.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Celery: Redis as broker only; results are not stored (jobs record their effects in PostgreSQL).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Short broker timeouts so a Redis outage never hangs a web request.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "max_retries": 1,
    "visibility_timeout": 3600,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY = False
# Hand-offs from a web request (familysupport/lib/broker.py): their own connection with a
# short timeout, at most one per transaction, and a circuit breaker that skips them for a
# while after a failed or slow one (the outbox and job sweeps deliver what was skipped).
BROKER_PUBLISH_TIMEOUT = env.float("BROKER_PUBLISH_TIMEOUT", default=0.5)
BROKER_SLOW_SECONDS = env.float("BROKER_SLOW_SECONDS", default=0.25)
BROKER_BREAKER_SECONDS = env.int("BROKER_BREAKER_SECONDS", default=30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Request logs would carry URLs with record ids only; bodies are never logged.
        "django.request": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
INVITE_TIMEOUT_SECONDS = env.int("INVITE_TIMEOUT_SECONDS", default=72 * 60 * 60)

# Lockout is by username on purpose: locking by IP would let one attacker lock out a whole
# office behind one NAT address (README, "Configuration": AXES_*).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Privacy (README "Privacy"): how long a break-glass opening of a restricted case lasts,
# and the retention schedule (familysupport/lib/retention.py; drafts: CASES_DRAFT_RETENTION_DAYS).
RESTRICTED_BREAK_GLASS_HOURS = env.int("RESTRICTED_BREAK_GLASS_HOURS", default=4)
RETENTION = {
    "closed_case_years": env.int("RETENTION_CLOSED_CASE_YEARS", default=7),
    "travel_document_days": env.int("RETENTION_TRAVEL_DOCUMENT_DAYS", default=365),
    "provider_document_days": env.int("RETENTION_PROVIDER_DOCUMENT_DAYS", default=365),
    "outbox_days": env.int("RETENTION_OUTBOX_DAYS", default=90),
    "job_run_days": env.int("RETENTION_JOB_RUN_DAYS", default=180),
    "session_days": env.int("RETENTION_SESSION_DAYS", default=1),
    "audit_years": env.int("RETENTION_AUDIT_YEARS", default=10),
    "phone_call_days": env.int("RETENTION_PHONE_CALL_DAYS", default=90),
}

# The phone system (README "Phone system"): Twilio signs with the account's auth token over
# the public URL it called (behind a proxy the request's own host/scheme may differ, hence
# a configured base URL); other systems sign with a per-integration HMAC secret, stored
# encrypted under PHONE_SECRET_KEY (or a key derived from SECRET_KEY: lib/secretbox.py).
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
PHONE_WEBHOOK_BASE_URL = env("PHONE_WEBHOOK_BASE_URL", default=SITE_URL).rstrip("/")
PHONE_SECRET_KEY = env("PHONE_SECRET_KEY", default="")
PHONE_HMAC_MAX_AGE_SECONDS = env.int("PHONE_HMAC_MAX_AGE_SECONDS", default=300)
PHONE_MISSED_AFTER_MINUTES = env.int("PHONE_MISSED_AFTER_MINUTES", default=3)
# Where Twilio goes next after telling the portal a call is ringing (the number's real call
# flow: a Studio flow's or TwiML app's URL); empty: an empty <Response/> (status callbacks).
PHONE_TWIML_NEXT_URL = env("PHONE_TWIML_NEXT_URL", default="")
