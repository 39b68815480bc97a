"""The floors' settings: Django with no middleware, no auth, one app (bench.floor).

Served by gunicorn exactly like the portal, so the difference in throughput is what the
portal's login, sessions, CSP, audit and richer pages cost.
"""

from __future__ import annotations

import os

import environ

env = environ.Env()
SECRET_KEY = os.environ.get("SECRET_KEY", "bench-only-insecure-key-never-used-in-production")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
INSTALLED_APPS = ["bench"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.floor"
DATABASES = {
    "default": env.db_url_config(
        os.environ.get(
            "DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/"
            + os.environ.get("FSP_BENCH_DB_NAME", "familysupport_bench"),
        )
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = 600
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {},
    }
]
USE_TZ = True
TIME_ZONE = "America/New_York"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
