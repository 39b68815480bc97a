from __future__ import annotations

import time

import pytest
from django.test import Client

from accounts.models import User

from .factories import UserFactory

ROLES = [r.value for r in User.Role]

# Rows that data migrations load. A transactional test (live server, real Celery worker)
# ends by flushing every table, which would leave later tests without them.
REFERENCE_DATA = [
    ("referrals.migrations.0002_load_zip_centroids", "load", "referrals.ZipCentroid"),
    ("reunification.migrations.0002_seed_guidelines", "seed", "reunification.PovertyGuideline"),
]


def _flush_past_the_audit_triggers() -> None:
    """A transactional test ends with a flush (TRUNCATE of every table); the audit trail
    refuses TRUNCATE by trigger, so the test owner (a superuser) flushes with triggers off
    for that one transaction (SET LOCAL). Production never flushes."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush
    if getattr(original, "past_audit_triggers", False):
        return

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if not statements:
            return statements
        return ["SET LOCAL session_replication_role = replica", *statements]

    sql_flush.past_audit_triggers = True
    DatabaseOperations.sql_flush = sql_flush


_flush_past_the_audit_triggers()


def restore_reference_data() -> None:
    from importlib import import_module

    from django.apps import apps

    from familysupport.lib import audit

    for module, function, model in REFERENCE_DATA:
        if not apps.get_model(model).objects.exists():
            with audit.bulk_load(reason="test_reference_data"):
                getattr(import_module(module), function)(apps, None)


def _flushes_database(item) -> bool:
    marker = item.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction"))
    fixtures = set(getattr(item, "fixturenames", ()))
    return transactional or bool({"transactional_db", "live_server"} & fixtures)


def _on_test_database() -> bool:
    from django.db import connection

    return connection.settings_dict["NAME"].startswith("test_")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    # nextitem is None on a worker's last test: the session's fixtures (the test database)
    # have just been torn down and the connection points at the real database again.
    if nextitem is None or not _flushes_database(item):
        return
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        if _on_test_database():
            restore_reference_data()


@pytest.fixture(autouse=True)
def _closed_broker_breaker():
    """Each test starts with the broker circuit breaker closed (it is per process)."""
    from familysupport.lib.broker import reset_breaker

    reset_breaker()
    yield
    reset_breaker()


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
