"""Demo users: one per role (plus a second advocate, so ownership shows), fake names only."""

from __future__ import annotations

import base64
import hashlib

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from .models import User

DEMO_PASSWORD = "demo portal passphrase 2026"  # noqa: S105 - demo data, local only

DEMO_USERS = [
    ("admin@demo.example", "Avery Admin", User.Role.ADMINISTRATOR),
    ("supervisor@demo.example", "Sam Supervisor", User.Role.SUPERVISOR),
    ("advocate@demo.example", "Alex Advocate", User.Role.ADVOCATE),
    ("advocate2@demo.example", "Jordan Advocate", User.Role.ADVOCATE),
    ("provider@demo.example", "Dr. Pat Provider", User.Role.PROVIDER),
    ("volunteer@demo.example", "Robin Volunteer", User.Role.VOLUNTEER),
]


def demo_totp_secret(email: str) -> str:
    """A stable secret per demo user, so re-seeding keeps authenticator apps working."""
    return base64.b32encode(hashlib.sha256(f"demo-totp:{email}".encode()).digest()[:20]).decode()


def seed(*, scale: str, stdout, users: dict) -> None:
    supervisor = None
    for email, name, role in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name, role=role)
        if role == User.Role.SUPERVISOR:
            supervisor = user
        if role == User.Role.ADVOCATE and supervisor and user.supervisor_id != supervisor.pk:
            user.supervisor = supervisor
            user.save(update_fields=["supervisor"])
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, demo_totp_secret(email))
        users.setdefault(role, user)
        users[email] = user
