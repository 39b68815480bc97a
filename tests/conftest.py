from __future__ import annotations

import time

import pytest
from django.test import Client

from accounts.models import User

from .factories import UserFactory

ROLES = [r.value for r in User.Role]


def mfa_login(client: Client, user: User) -> Client:
    """Sign in as if password and TOTP were both passed (the login flow is tested apart)."""
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    session = client.session
    now = time.time()
    session["account_authentication_methods"] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "type": "totp"},
    ]
    session["fsp_session_started"] = now
    session["fsp_last_activity"] = now
    session.save()
    return client


@pytest.fixture
def make_user(db):
    def make(role: str = User.Role.ADVOCATE, **kwargs) -> User:
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def login():
    """`client = login(user)`: a fresh test client signed in with both factors."""

    def do(user: User, client: Client | None = None) -> Client:
        return mfa_login(client or Client(), user)

    return do


@pytest.fixture
def advocate(make_user):
    return make_user(User.Role.ADVOCATE)


@pytest.fixture
def supervisor(make_user):
    return make_user(User.Role.SUPERVISOR)


@pytest.fixture
def administrator(make_user):
    return make_user(User.Role.ADMINISTRATOR)


@pytest.fixture
def provider_user(make_user):
    return make_user(User.Role.PROVIDER)


@pytest.fixture
def volunteer_user(make_user):
    return make_user(User.Role.VOLUNTEER)


@pytest.fixture(autouse=True)
def _fast_private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = settings.PRIVATE_MEDIA_ROOT
