"""Django settings for Kota Pintar.

Everything that differs between a laptop and a city's production server comes from the
environment (or a `.env` file beside manage.py). The defaults give the embedded mode:
SQLite under `var/`, local-memory cache, Celery tasks run eagerly in-process, DEBUG off.
See docs/operations.md for production.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR / "kotapintar"
VAR_DIR = Path(environ.Env().str("KOTAPINTAR_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The embedded default must start with no configuration at all; production refuses to run
# with this key (see kotapintar/core/checks.py).
INSECURE_DEFAULT_SECRET_KEY = "insecure-embedded-default-change-me-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=INSECURE_DEFAULT_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Production hardening switches on whenever the instance is told it is behind HTTPS.
SECURE_MODE = env.bool("SECURE_MODE", default=False)
if SECURE_MODE:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag instead
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "kotapintar.core",
    "kotapintar.regions",
    "kotapintar.agencies",
    "kotapintar.accounts",
    "kotapintar.reports",
    "kotapintar.portal",
    "kotapintar.permits",
]

MIDDLEWARE = [
    # First: it puts the size guard's 413 (and Django's own errors) under /open311/ into the
    # Open311 error shape.
    "kotapintar.reports.open311.middleware.Open311ErrorMiddleware",
    "kotapintar.core.middleware.RequestSizeLimitMiddleware",
    "kotapintar.core.middleware.NullCharacterMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kotapintar.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kotapintar.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "kotapintar.accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kotapintar.urls"
FORM_RENDERER = "kotapintar.core.forms.FormRenderer"
WSGI_APPLICATION = "kotapintar.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kotapintar.core.context_processors.platform",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'kotapintar.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web server, a worker and a management command share
    # the embedded database without "database is locked" errors.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="kotapintar"),
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kotapintar"}}

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
# Embedded mode: no broker configured, tasks run in-process at once.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Jakarta"
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict = {
    "notifications-flush": {"task": "core.outbox_flush", "schedule": 60.0},
    "reports-sla-sweep": {"task": "reports.sla_sweep", "schedule": 15 * 60.0},
    "portal-expiry-reminders": {"task": "portal.expiry_reminders", "schedule": 6 * 60 * 60.0},
}
# Lapor's public statistics and map clusters are pre-aggregated (reports/stats.py) and must
# be at most 5 minutes old: refreshed every 4 minutes. The task lives outside tasks.py.
CELERY_BEAT_SCHEDULE["reports-public-stats"] = {"task": "reports.refresh_public_stats", "schedule": 4 * 60.0}
CELERY_IMPORTS = ["kotapintar.reports.stats"]

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "kotapintar.accounts.backends.EmailOrPhoneBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("full_name", "email", "phone")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env.list(
    "PASSWORD_HASHERS",
    default=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ],
)

# django-axes: lock an account+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_LOCKOUT_CALLABLE = "kotapintar.accounts.lockout.lockout_response"  # JSON for /api/, the template for pages
AXES_USERNAME_FORM_FIELD = "username"
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Kota Pintar")

# Personal data (NIK) is encrypted at rest with this key (Fernet); see accounts/crypto.py.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [PROJECT_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "kotapintar_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Embedded mode serves uploaded files itself; production lets the web server do it.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)
# Files that only their owner and authorised staff may read; never under a public URL.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
# `make setup` runs collectstatic: hashed, pre-compressed (gzip + brotli) files that
# WhiteNoise serves with far-future caching, so a phone downloads little. With DEBUG on,
# files are served straight from the source folders instead.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)
WHITENOISE_MAX_AGE = 60 * 60 * 24 * 30

# Oversized requests are refused before a view runs (core.middleware).
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", default=60 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# --- E-mail and notification channels -------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
# Absolute base URL of the instance, for links in e-mails and QR codes (no trailing slash).
SITE_URL = env.str("SITE_URL", default="").rstrip("/")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Kota Pintar <noreply@kotapintar.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
NOTIFICATION_BACKENDS = {
    "email": env.str("NOTIFY_EMAIL_BACKEND", default="kotapintar.core.notifications.backends.EmailBackend"),
    "inbox": "kotapintar.core.notifications.backends.InboxBackend",
    "whatsapp": env.str("NOTIFY_WHATSAPP_BACKEND", default="kotapintar.core.notifications.backends.LoggingBackend"),
    "sms": env.str("NOTIFY_SMS_BACKEND", default="kotapintar.core.notifications.backends.LoggingBackend"),
}
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=6)

# --- The city this instance serves ----------------------------------------------------
# Kemendagri code of the kabupaten/kota (default Kota Semarang). Changing it re-points the
# whole platform: kecamatan/kelurahan lists, geo lookups, routing, maps.
CITY_CODE = env.str("CITY_CODE", default="33.74")
CITY_NAME = env.str("CITY_NAME", default="")  # empty: taken from the regions table
PLATFORM_NAME = env.str("PLATFORM_NAME", default="Kota Pintar")
MAP_TILE_URL = env.str("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env.str(
    "MAP_TILE_ATTRIBUTION", default='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
)
CALENDAR_INCLUDE_CUTI_BERSAMA = env.bool("CALENDAR_INCLUDE_CUTI_BERSAMA", default=True)

# --- Permits: signing and verification (docs/permits-signing.md) -----------------------
# JSON lists. Signing: [{"kid": "2026a", "private_key": "<base64 raw 32 bytes or PEM>"}], the
# first signs. Verify: [{"kid": "2025a", "public_key": "<base64 or PEM>"}], retired or external
# keys still accepted. Both empty: a development key derived from SECRET_KEY (not for production).
PERMIT_SIGNING_KEYS = env.json("PERMIT_SIGNING_KEYS", default=[])
PERMIT_VERIFY_KEYS = env.json("PERMIT_VERIFY_KEYS", default=[])
PERMIT_SIGNER = env.str("PERMIT_SIGNER", default="")  # empty: kotapintar.permits.signing.LocalEd25519Signer
PERMIT_VERIFY_BASE_URL = env.str("PERMIT_VERIFY_BASE_URL", default="")  # e.g. https://kotapintar.semarangkota.go.id
# Reminders and escalation of permit steps (kotapintar/permits/services.sla_sweep).
PERMIT_ESCALATE_AFTER_DAYS = env.int("PERMIT_ESCALATE_AFTER_DAYS", default=2)
CELERY_BEAT_SCHEDULE["permits-sla-sweep"] = {"task": "permits.sla_sweep", "schedule": 15 * 60.0}

# --- Payments of permit fees (docs/permits.md) ------------------------------------------
# The secret shared with the payment gateway (HMAC-SHA256 of its callbacks); empty: a
# development secret derived from SECRET_KEY. The simulated gateway (a "pay" button that
# sends a correctly signed callback) is for demos and tests: off when SECURE_MODE is on.
PAYMENT_GATEWAY_SECRET = env.str("PAYMENT_GATEWAY_SECRET", default="")
PAYMENT_CALLBACK_WINDOW_SECONDS = env.int("PAYMENT_CALLBACK_WINDOW_SECONDS", default=300)
PAYMENT_SIMULATED_GATEWAY = env.bool("PAYMENT_SIMULATED_GATEWAY", default=not SECURE_MODE)

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "kotapintar.core.api.authentication.BearerTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "kotapintar.core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kotapintar.core.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="120/min"),
        "user": env.str("API_THROTTLE_USER", default="600/min"),
        "auth": env.str("API_THROTTLE_AUTH", default="10/min"),
    },
    "NUM_PROXIES": env.int("PROXY_COUNT", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kota Pintar API",
    "DESCRIPTION": "Public and staff API of the Kota Pintar smart-city platform.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No call to validator.swagger.io from the docs page: city intranets are offline.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Every operation documents the one error body (core.api.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kotapintar.core.api.schema.error_responses",
    ],
}

# Schema names of the permits app's enums (field names such as "status" recur across apps).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {}),
    "PermitApplicationStatusEnum": "kotapintar.permits.models.Status",
    "PermitApplicationKindEnum": "kotapintar.permits.models.ApplicationKind",
}
# ... and of the portal's.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"],  # type: ignore[dict-item]
    "SatisfactionSurveyStatusEnum": "kotapintar.portal.models.SurveyStatus",
    "ServiceCategoryEnum": "kotapintar.portal.models.Category",
}
# ... and of the reports (Lapor) and agencies, whose "status"/"kind" names other apps reuse.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"],  # type: ignore[dict-item]
    "ReportStatusEnum": "kotapintar.reports.models.Status",
    "AgencyKindEnum": "kotapintar.agencies.models.Agency.Kind",
}

# --- Open311 GeoReport v2 (docs/open311.md) -------------------------------------------
# The jurisdiction this server answers for (requests naming another one answer 404).
OPEN311_JURISDICTION_ID = env.str("OPEN311_JURISDICTION_ID", default="semarangkota.go.id")
OPEN311_CONTACT = env.str("OPEN311_CONTACT", default="")  # discovery "contact"; empty: a default text
OPEN311_KEY_SERVICE = env.str("OPEN311_KEY_SERVICE", default="")  # discovery "key_service"
OPEN311_ENDPOINT_TYPE = env.str("OPEN311_ENDPOINT_TYPE", default="production")  # or "test"
OPEN311_THROTTLE_RATES = {
    "read": env.str("OPEN311_THROTTLE_READ", default="300/min"),  # every call, per address
    "write": env.str("OPEN311_THROTTLE_WRITE", default="60/min"),  # POST requests, per client
}

# --- Benchmarks ---------------------------------------------------------------------
# Baseline views for bench/ (kotapintar/reports/bench_views.py), mounted at /bench/ only when
# this is on. The benchmark scripts set it for the servers they start; never in production.
BENCH_BASELINE_VIEWS = env.bool("BENCH_BASELINE_VIEWS", default=False)

# --- Logging --------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "kotapintar.core.context.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # One INFO line per eager task would bury the demo-account list and the server log.
        "celery.app.trace": {"level": "WARNING"},
    },
}
