"""A developer's or newcomer's machine: DEBUG on, e-mail to the console."""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "local-only-insecure-key-never-used-in-production")
os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: F403
from .base import env

DEMO_MODE = env.bool("DEMO_MODE", default=True)
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
DATABASE_APP_ROLE = env("DATABASE_APP_ROLE", default="fsp_app")
