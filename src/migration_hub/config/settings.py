"""Settings, all read from the environment (see .env.example and docs/deploy.md).

`migration-hub demo` works with nothing set: DEBUG on, SQLite and a secret key in the data
directory. Production sets at least SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from .database import database_config
from .paths import ConfigurationError, data_dir, demo_secret_key

PACKAGE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
DATA_DIR = data_dir()

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ConfigurationError(
            "SECRET_KEY is not set: set it to a long random value for production, "
            "or set DEBUG=true to use the demo key kept in the data directory."
        )
    SECRET_KEY = demo_secret_key(DATA_DIR)

# Keys encrypting sensitive fields at rest (core/encryption.py): comma-separated Fernet keys,
# the first encrypts and all decrypt. Only the environment holds them. With DEBUG on and none
# set, one development key is derived from SECRET_KEY (the demo's key file keeps it stable);
# in production `check --deploy` reports the variable missing.
FIELD_ENCRYPTION_KEYS = env.list("MIGRATION_HUB_FIELD_KEYS", default=[])
if not FIELD_ENCRYPTION_KEYS and DEBUG:
    FIELD_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(
            hashlib.sha256(b"migration-hub field encryption\0" + SECRET_KEY.encode()).digest()
        ).decode()
    ]

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "csp",
    "rules",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "migration_hub.core",
    "migration_hub.accounts",
    "migration_hub.registry",
    "migration_hub.statistics",
    "migration_hub.funds",
    "migration_hub.reviews",
    "migration_hub.knowledge",
    "migration_hub.health",
    "migration_hub.cases",
]

MIDDLEWARE = [
    "migration_hub.core.middleware.RequestBodyLimitMiddleware",
    "migration_hub.core.middleware.RejectNulCharactersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "migration_hub.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "migration_hub.config.urls"
WSGI_APPLICATION = "migration_hub.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "migration_hub.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": database_config(
        env.str("DATABASE_URL", default=""), DATA_DIR / "migration-hub.sqlite3"
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://migration-hub")}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Brute-force protection: lock a user name from one address after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Behind a reverse proxy every request comes from the proxy's address: read the client's from
# X-Forwarded-For, which the proxy must set (nginx: proxy_set_header X-Forwarded-For
# $remote_addr). Never trust the header without a proxy: clients could forge it.
if env.bool("BEHIND_PROXY", default=False):
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    # Further proxies the header passes through after the client (0 with one nginx).
    AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Migration Hub"

# Registry changes cite their source as the history's change reason; sources exceed 100 chars.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("ar", _("Arabic")),
    ("zh-hans", _("Chinese")),
    ("en", _("English")),
    ("fr", _("French")),
    ("ru", _("Russian")),
    ("es", _("Spanish")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=str(DATA_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# The demo serves static files straight from the package; production collects them first.
WHITENOISE_USE_FINDERS = DEBUG

# Bodies above this size get 413 (core.middleware.RequestBodyLimitMiddleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("MAX_REQUEST_BODY_BYTES", default=2_621_440)
# A whole multipart request (a statistics contribution is at most 20 MB): refused with 413
# before anything is written to disk.
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=25 * 1024 * 1024)

globals().update(
    env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
)
# Background work (report compilation): run in the request on one machine ("immediate"), or
# queued in the database ("database") for `migration-hub manage db_worker` to run.
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS_BACKEND = env.str("TASKS_BACKEND", default="immediate")
if TASKS_BACKEND not in TASK_BACKENDS:
    raise ConfigurationError(
        f"TASKS_BACKEND is {TASKS_BACKEND!r}: set it to one of {', '.join(TASK_BACKENDS)}."
    )
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASKS_BACKEND]}}
# Documents annexed to a GCM review.
REVIEW_ATTACHMENT_MAX_BYTES = env.int("REVIEW_ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
# The Migration Network Hub: files attached to resources, and how many experts one person may
# write to (and how many people they may e-mail by @mentions) in a day through the platform.
KNOWLEDGE_FILE_MAX_BYTES = env.int("KNOWLEDGE_FILE_MAX_BYTES", default=20 * 1024 * 1024)
KNOWLEDGE_EXPERT_CONTACTS_PER_DAY = env.int("KNOWLEDGE_EXPERT_CONTACTS_PER_DAY", default=10)
KNOWLEDGE_MENTION_EMAILS_PER_DAY = env.int("KNOWLEDGE_MENTION_EMAILS_PER_DAY", default=50)
# The address people open the site at, for links in e-mails and feeds sent outside a request
# (alerts, digests): e.g. https://hub.example.org
SITE_URL = env.str("SITE_URL", default="")

EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Migration Hub <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers. Production defaults are strict; a reverse proxy terminating TLS must set
# X-Forwarded-Proto and the operator sets SECURE_PROXY_SSL_HEADER=true.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preload is what `check --deploy` asks for; set SECURE_HSTS_PRELOAD=false on a domain
# whose subdomains cannot all serve HTTPS.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes anonymous requests answer 401.
        "migration_hub.accounts.authentication.TwoFactorAwareTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["migration_hub.core.api.permissions.RulesPermission"],
    "DEFAULT_PAGINATION_CLASS": "migration_hub.core.api.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "migration_hub.core.api.filters.FullTextSearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
        "user": env.str("API_THROTTLE_USER", default="1200/minute"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "migration_hub.core.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Migration Hub API",
    "DESCRIPTION": "The governance registry, knowledge hub, reviews, statistics, cases, health "
    "assessments and trust funds of Migration Hub.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Field names shared by different choice sets across apps get one enum name each.
    "ENUM_NAME_OVERRIDES": {
        "ReviewStatusEnum": "migration_hub.reviews.choices.ReviewStatus",
        "PledgeStatusEnum": "migration_hub.reviews.choices.PledgeStatus",
        "ReviewLevelEnum": "migration_hub.reviews.choices.ReviewLevel",
        "LanguageEnum": "django.conf.settings.LANGUAGES",
        "ResourceKindEnum": "migration_hub.knowledge.choices.ResourceKind",
        "ResourceStatusEnum": "migration_hub.knowledge.choices.ResourceStatus",
        "SearchKindEnum": "migration_hub.knowledge.choices.SearchKind",
        "AssessmentStatusEnum": "migration_hub.health.workflow_choices.AssessmentStatus",
        "PeerReviewDecisionEnum": "migration_hub.knowledge.choices.Decision",
        "AssessmentDecisionEnum": "migration_hub.health.workflow_choices.Decision",
        "ResultOutcomeEnum": "migration_hub.health.workflow_choices.ResultOutcome",
        "ReferralStatusEnum": "migration_hub.health.workflow_choices.ReferralStatus",
        "ApplicantSexEnum": "migration_hub.health.choices.Sex",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
