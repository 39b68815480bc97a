"""The test suite: real PostgreSQL and Redis, fast hashing, mail to the outbox."""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "test-only-insecure-key")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/familysupport")

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEMO_MODE = False
# A busy test machine can take over a second for the tiny test year; only the tests that
# mean the background path take it (they record a slower last run themselves).
REPORTS_SLOW_MS = 60_000
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PRIVATE_MEDIA_ROOT = BASE_DIR / ".data" / "test-private"  # noqa: F405
MEDIA_ROOT = PRIVATE_MEDIA_ROOT

# Several people (or CI jobs) may test against one server: FSP_TEST_DB names a private one.
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("FSP_TEST_DB", "test_familysupport")}  # noqa: F405

# A second alias on the same test database (Django's test mirror) for the replica router's
# tests; routing to it stays off (DATABASE_REPLICA_ALIAS None) unless a test switches it on.
DATABASES["replica"] = {  # noqa: F405
    **DATABASES["default"],  # noqa: F405
    "ATOMIC_REQUESTS": False,
    "TEST": {"MIRROR": "default"},
}

# The test database is created (and migrated) as the owner, postgres; the application role
# gets its grants after the migrations, so tests can prove what it may not do.
DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "fsp_app")
DATABASE_APP_PASSWORD = os.environ.get("DATABASE_APP_PASSWORD", "fsp_app-test-only")
