"""Forethought settings: one module, every value from the environment.

With no environment at all this runs on a laptop: SQLite under ``var/``, Celery tasks
executed eagerly in-process, DEBUG on with a development secret key. Production sets
``DATABASE_URL``, ``REDIS_URL``, ``SECRET_KEY`` (or ``SECRET_KEY_FILE``), ``DEBUG=0`` and
``ALLOWED_HOSTS``; see docs/configuration.md for the full list.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("FORETHOUGHT_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """Read NAME, or the contents of the file named by NAME_FILE (for Docker secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from exc


def env_json(name: str) -> dict:
    raw = env_str(name)
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object")
    return value


def development_secret(path: Path) -> str:
    """A random secret kept in a file under var/, created on first use (development only)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Core -------------------------------------------------------------------------------

DEV_SECRET_KEY = "django-insecure-forethought-development-key-do-not-use-in-production"  # noqa: S105
DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY is the development key. Set SECRET_KEY (or "
        "SECRET_KEY_FILE) to a long random value, e.g. "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    # One app per capability; each imports only the apps above it in this list
    # (tests/test_architecture.py checks it). See docs/development.md.
    "orgs.ledger",
    "orgs.plumbing",
    "orgs",
    "orgs.members",
    "reviews",
    "reviews.harms",
    "reviews.workshops",
    "reviews.feedback",
    "reviews.board",
    "audits",
    "reviews.feedback.pages",
    "reviews.modelcards.documents",
    "reviews.modelcards",
    "reviews.frameworks",
    "reviews.controls",
    "reviews.compliance",
    "audits.signatures",
    "audits.dossiers.pdf",
    "audits.dossiers",
    "audits.monitoring",
    "audits.incidents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "orgs.site.RequestAddressMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "orgs.middleware.CurrentOrganizationMiddleware",
    "orgs.plumbing.idempotency.IdempotencyMiddleware",
    # Axes must come last so that it sees the outcome of every login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "orgs.context_processors.organizations",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django binds parameters in the client (psycopg's ClientCursor), so psycopg's
        # count of queries to prepare only costs CPU: every query text is new.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", None)
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "forethought.sqlite3")),
            # IMMEDIATE takes SQLite's write lock when a transaction starts, so two writers
            # can never both read the same event-chain head (see orgs/ledger/chain.py).
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
            # A file, not :memory:, for the test database: the browser tests' live server
            # answers from several threads, and each needs its own connection to one database.
            "TEST": {"NAME": str(VAR_DIR / "test-forethought.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -------------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed logins are throttled per account (whatever the address: credential stuffing from
# many machines) and per address (whatever the account: password spraying from one
# machine). The price: someone who knows a username can keep that account locked; the
# cool-off is short and `manage.py axes_reset_username` unlocks it.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "orgs.views.locked_out"
# Failures expire with the cool-off, not with a success: otherwise one good login to their
# own account would clear an address's count for someone spraying passwords from it.
AXES_RESET_ON_SUCCESS = False
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_VERBOSE = env_bool("AXES_VERBOSE", False)
# Behind a reverse proxy, the client address comes from X-Forwarded-For.
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if env_int("PROXY_COUNT", 0) else ["REMOTE_ADDR"]
)

# --- Security (production) --------------------------------------------------------------

SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# --- I18n, static, media ----------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
# The public feedback pages speak these (reviews/feedback/locale/); the team's pages are in
# English. No LocaleMiddleware: the feedback pages choose their language themselves
# (?lang=, then the language cookie, then the browser's Accept-Language).
LANGUAGES = [("en", "English"), ("es", "Español"), ("fr", "Français"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "reviews" / "feedback" / "locale"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request without it
WHITENOISE_USE_FINDERS = DEBUG  # serve from app folders without collectstatic while developing
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"
# The event log's signed checkpoints live outside the database (orgs/ledger/checkpoints.py):
# a folder by default; in production point it at storage the database's admins cannot
# rewrite (another host, or an object-store bucket through a django-storages backend).
EVENT_CHECKPOINT_DIR = Path(env_str("EVENT_CHECKPOINT_DIR", str(VAR_DIR / "event-checkpoints")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "event_checkpoints": {
        "BACKEND": env_str(
            "EVENT_CHECKPOINT_BACKEND", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": (
            {"location": str(EVENT_CHECKPOINT_DIR)}
            if not env_str("EVENT_CHECKPOINT_OPTIONS")
            else env_json("EVENT_CHECKPOINT_OPTIONS")
        ),
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Absolute links (emails, invitation links, the demo's login line): orgs.site.site_url().
# SITE_URL, when set, wins; otherwise a link made while serving a request uses the address
# that request came in on, and one made outside any request (a management command, a
# task on a worker) uses the address `make run` serves, which the Makefile passes as
# FORETHOUGHT_HOST and FORETHOUGHT_PORT.
SITE_URL = env_str("SITE_URL").rstrip("/")
RUN_HOST = env_str("FORETHOUGHT_HOST", "127.0.0.1")
RUN_PORT = env_int("FORETHOUGHT_PORT", 8000)
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "forethought@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Axes logs every login at INFO; keep lockouts (WARNING) and drop the chatter.
    # WeasyPrint logs every page it lays out; dossiers read its progress themselves.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}

# --- REST API ---------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": env_int("API_PAGE_SIZE", 50),
    "DEFAULT_FILTER_BACKENDS": [
        "orgs.plumbing.filters.SafeFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "orgs.api_support.ForethoughtAutoSchema",
    "EXCEPTION_HANDLER": "orgs.api_support.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Forethought API",
    "DESCRIPTION": "Stakeholder harm reviews of machine-learning systems.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Serve Swagger UI from our own static files: no CDN needed.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "orgs.models.Role",
        "ReviewStatusEnum": "reviews.models.ReviewStatus",
        "VerificationStatusEnum": "orgs.ledger.models.ChainVerification.Status",
        "WorkshopStatusEnum": "reviews.workshops.models.WorkshopStatus",
        "HarmStatusEnum": "reviews.harms.models.HarmStatus",
        "MitigationStatusEnum": "reviews.harms.models.MitigationStatus",
        "RunStatusEnum": "audits.models.RunStatus",
        "EvidenceKindEnum": "reviews.compliance.evidence.KIND_CHOICES",
        "StakeholderKindEnum": "reviews.harms.models.StakeholderKind",
    },
}

# --- Cache ------------------------------------------------------------------------------

# Holds the live board's drawn parts (reviews/board/render.py), keyed by their content.
# In-process by default (each gunicorn worker draws a change once); with CACHE_URL
# (redis://...) the workers share one drawing, as docker-compose.yml sets.
CACHE_URL = env_str("CACHE_URL")
CACHES: dict[str, dict[str, Any]] = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 5000)},
        }
    )
}

# --- Celery -----------------------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without a broker, tasks run in-process when enqueued, so the laptop set-up needs no worker.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 15 * 60)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 16 * 60)
# An audit may run longer than other tasks; at the soft limit it fails with a message.
AUDIT_SOFT_TIME_LIMIT = env_int("AUDIT_SOFT_TIME_LIMIT", 30 * 60)
AUDIT_TIME_LIMIT = env_int("AUDIT_TIME_LIMIT", AUDIT_SOFT_TIME_LIMIT + 60)
# A worker process is replaced after a task that left it above this resident size (KiB),
# and (on Linux) may not reserve more than AUDIT_WORKER_MEMORY_MB of address space: an
# audit that needs more fails with a message instead of taking the machine down.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_MB", 1536) * 1024
AUDIT_WORKER_MEMORY_MB = env_int("AUDIT_WORKER_MEMORY_MB", 6144)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# With acks_late a task must finish within the visibility timeout or Redis delivers it
# again while it still runs: the default outlasts the longest hard time limit (a system
# check warns otherwise). An audit delivered twice is also guarded by its claim, which a
# heartbeat keeps fresh while it computes (audits/services.py).
VISIBILITY_TIMEOUT = env_int(
    "CELERY_VISIBILITY_TIMEOUT", max(CELERY_TASK_TIME_LIMIT, AUDIT_TIME_LIMIT) + 300
)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": VISIBILITY_TIMEOUT,
    # How often (seconds) a worker looks for unacknowledged tasks past the visibility
    # timeout, i.e. tasks of a worker that died; kombu scans on every tenth look.
    "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_INTERVAL", 10),
}
CELERY_BEAT_SCHEDULE = {
    "verify-event-chains-nightly": {
        "task": "orgs.ledger.tasks.verify_all_event_chains",
        "schedule": 24 * 60 * 60,
    },
    "purge-idempotency-keys": {
        "task": "orgs.tasks.purge_idempotency_keys",
        "schedule": 60 * 60,
    },
    "check-late-monitors": {
        "task": "audits.monitoring.tasks.check_late_monitors",
        "schedule": env_int("MONITOR_LATE_CHECK_MINUTES", 15) * 60,
    },
    "write-event-checkpoint": {
        "task": "orgs.ledger.tasks.write_event_checkpoint",
        "schedule": env_int("EVENT_CHECKPOINT_MINUTES", 15) * 60,
    },
    "purge-feedback-contacts": {
        "task": "reviews.feedback.tasks.purge_feedback_pii",
        "schedule": env_int("FEEDBACK_PURGE_MINUTES", 24 * 60) * 60,
    },
}

# --- Forethought ------------------------------------------------------------------------

# The key of the event log's HMAC chain and checkpoints. It must live outside the database
# (a secret file or the environment): whoever holds it could rewrite history undetected.
# Without it, development uses a random key kept in var/ (created on first start).
EVENT_CHAIN_KEY = env_str("EVENT_CHAIN_KEY")
if not EVENT_CHAIN_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DEBUG is off but EVENT_CHAIN_KEY is not set. Set EVENT_CHAIN_KEY (or "
            "EVENT_CHAIN_KEY_FILE) to a long random value kept outside the database, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
        )
    EVENT_CHAIN_KEY = development_secret(VAR_DIR / "event-chain.key")

# Audit uploads: a hard size limit, and above AUDIT_SPLIT_BYTES (with a real broker) a
# file's row ranges are counted in parallel by a Celery group and added by a chord callback.
AUDIT_MAX_UPLOAD_BYTES = env_int("AUDIT_MAX_UPLOAD_MB", 500) * 2**20
AUDIT_SPLIT_BYTES = env_int("AUDIT_SPLIT_MB", 64) * 2**20
AUDIT_MAX_PARTS = env_int("AUDIT_MAX_PARTS", 16)
# Model card imports (README.md, Model Card Toolkit JSON, Markdown).
MODELCARD_MAX_UPLOAD_BYTES = env_int("MODELCARD_MAX_UPLOAD_KB", 1024) * 1024
# Rows per batch when streaming Parquet (CSV streams in 16 MiB blocks).
AUDIT_CHUNK_ROWS = env_int("AUDIT_CHUNK_ROWS", 262_144)
# What one audit may take on: distinct values of one sensitive feature, observed
# intersection cells, characters in one group label, and the size of its stored result.
# An audit beyond a limit is refused before the heavy work, naming the setting.
AUDIT_MAX_VALUES_PER_FEATURE = env_int("AUDIT_MAX_VALUES_PER_FEATURE", 1000)
AUDIT_MAX_CELLS = env_int("AUDIT_MAX_CELLS", 10_000)
AUDIT_MAX_LABEL_LENGTH = env_int("AUDIT_MAX_LABEL_LENGTH", 200)
AUDIT_MAX_RESULT_BYTES = env_int("AUDIT_MAX_RESULT_MB", 50) * 2**20

# Compliance evidence files (reviews/compliance): the largest upload accepted.
COMPLIANCE_EVIDENCE_MAX_BYTES = env_int("COMPLIANCE_EVIDENCE_MAX_MB", 20) * 2**20
# A running audit whose worker has not reported for this long is taken over by another.
AUDIT_STALE_SECONDS = env_int("AUDIT_STALE_SECONDS", 60)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 2**20
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 2**20

# Writes that carry an idempotency key keep their first answer this long; a duplicate that
# arrives while the first is still running waits this many seconds for its answer.
IDEMPOTENCY_KEEP_HOURS = env_int("IDEMPOTENCY_KEEP_HOURS", 24)
IDEMPOTENCY_WAIT_SECONDS = env_int("IDEMPOTENCY_WAIT_SECONDS", 5)

# Roles whose approval a review needs before it can move to "approved", unless the
# organization sets its own list (Organization.required_signoff_roles).
DEFAULT_REQUIRED_SIGNOFF_ROLES = ["owner", "reviewer"]

# Community feedback (docs/feedback.md). Public form POSTs allowed per client address and
# per channel in each window; beyond them the form answers 429. The benchmark raises them.
FEEDBACK_RATE_PER_IP = env_int("FEEDBACK_RATE_PER_IP", 10)
FEEDBACK_RATE_PER_CHANNEL = env_int("FEEDBACK_RATE_PER_CHANNEL", 600)
FEEDBACK_RATE_WINDOW_SECONDS = env_int("FEEDBACK_RATE_WINDOW_SECONDS", 3600)
# Days a submitter's contact details are kept unless the organization sets its own period.
FEEDBACK_RETENTION_DAYS = env_int("FEEDBACK_RETENTION_DAYS", 180)
# The rate limiter's counters: Redis when REDIS_URL is set (shared by every web process),
# else this process's memory.
CACHES["ratelimit"] = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rate"}
)
# Signed PDF dossiers (docs/dossiers.md). The organization's signing key: a PEM private key
# and certificate (and the chain up to its root), or a PKCS#12 bundle; each also as *_FILE
# (a path whose contents are read; the PKCS#12 bundle is binary and only taken as a path).
# With none of them a development CA and signing certificate are made once under var/ and
# every dossier's cover says it was signed with a development key.
DOSSIER_SIGNING_KEY = env_str("DOSSIER_SIGNING_KEY")
DOSSIER_SIGNING_CERT = env_str("DOSSIER_SIGNING_CERT")
DOSSIER_SIGNING_CHAIN = env_str("DOSSIER_SIGNING_CHAIN")
DOSSIER_SIGNING_PKCS12_FILE = os.environ.get("DOSSIER_SIGNING_PKCS12_FILE", "")
DOSSIER_SIGNING_PASSPHRASE = env_str("DOSSIER_SIGNING_PASSPHRASE")
DOSSIER_DEV_CA_DIR = Path(env_str("DOSSIER_DEV_CA_DIR", str(VAR_DIR / "dossier-dev-ca")))
# Trust roots verification accepts (PEM, one or more certificates) besides the
# organization's own root; never the operating system's store.
DOSSIER_TRUST_ROOTS = env_str("DOSSIER_TRUST_ROOTS")
# An RFC 3161 timestamp authority: with it, signatures are PAdES B-T.
DOSSIER_TSA_URL = env_str("DOSSIER_TSA_URL")
# An export renders in a child process that may take this long and this much memory, and
# exits afterwards, so the worker's memory goes back to where it was after every export.
DOSSIER_ISOLATE = env_bool("DOSSIER_ISOLATE", True)
DOSSIER_TIME_LIMIT = env_int("DOSSIER_TIME_LIMIT", 300)
DOSSIER_MEMORY_MB = env_int("DOSSIER_MEMORY_MB", 2048)
# The public /verify/ page takes PDFs up to this size.
DOSSIER_MAX_VERIFY_BYTES = env_int("DOSSIER_MAX_VERIFY_MB", 25) * 2**20
# --- Monitoring after launch (docs/monitoring.md) --------------------------------------

MONITOR_MAX_COUNT_ROWS = env_int("MONITOR_MAX_COUNT_ROWS", 100_000)
# Hosts webhooks may reach even on loopback/private addresses (the tests' local receiver).
WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS")
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 5)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 6)
WEBHOOK_BACKOFF_SECONDS = env_int("WEBHOOK_BACKOFF_SECONDS", 30)
