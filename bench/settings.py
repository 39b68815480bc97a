"""Settings for the benchmark: production settings against the bench database, on 127.0.0.1.

Only what a plain-HTTP local run needs differs from production: no HTTPS redirect, no
manifest for static files (pages are measured, not assets), mail kept in memory.
"""

from __future__ import annotations

import os
import warnings

os.environ.setdefault("SECRET_KEY", "bench-only-insecure-key-never-used-in-production")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault(
    "DATABASE_URL",
    "postgres://postgres@127.0.0.1:5432/"
    + os.environ.get("FSP_BENCH_DB_NAME", "familysupport_bench"),
)

from familysupport.settings.production import *  # noqa: F403
from familysupport.settings.production import DATABASES, LOGGING

SECURE_SSL_REDIRECT = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Persistent connections, as in production behind gunicorn.
DATABASES["default"]["CONN_MAX_AGE"] = 600
LOGGING["root"]["level"] = "WARNING"
# Static files are not collected for the benchmark (pages are measured, not assets).
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
# A broker database of its own: a report run queued by the benchmark must never reach a
# worker that serves another database (its run id would name another row there).
CELERY_BROKER_URL = os.environ.get("FSP_BENCH_BROKER_URL", "redis://127.0.0.1:6379/15")
# `bench/run.py --pg-options "-c jit=off"` measures a PostgreSQL setting without changing the
# server (passed to every connection, like OPTIONS in production settings would be).
if os.environ.get("FSP_BENCH_PG_OPTIONS"):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = os.environ["FSP_BENCH_PG_OPTIONS"]
# The portal's URLs plus the signed-in floor (bench/urls.py).
ROOT_URLCONF = "bench.urls"
