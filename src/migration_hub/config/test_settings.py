"""Settings for the test suite: the real settings with the few changes tests need.

The database still comes from DATABASE_URL, so the same suite runs on SQLite and PostgreSQL.
"""

import base64
import os
import tempfile

os.environ.setdefault("MIGRATION_HUB_DATA_DIR", tempfile.mkdtemp(prefix="migration-hub-test-"))
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-not-a-secret-" + "x" * 40)
# A fixed field encryption key (tests/core/test_encryption.py overrides it per test). In the
# environment, not only in the settings: the CLI tests' subprocesses inherit it.
os.environ.setdefault(
    "MIGRATION_HUB_FIELD_KEYS",
    base64.urlsafe_b64encode(b"test-only-not-a-secret-".ljust(32, b"x")).decode(),
)

from .settings import *  # noqa: F403
from .settings import INSTALLED_APPS, REST_FRAMEWORK, STORAGES

# A model with encrypted fields for tests/core/test_encryption.py (no migrations: the test
# database creates its table directly).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.encryption_app"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},
}

# Lets several test runs share one PostgreSQL server without sharing the test database.
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}  # noqa: F405
