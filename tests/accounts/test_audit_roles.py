"""The audit trail cannot be emptied: not by TRUNCATE as the owner (trigger), and the
application's own role may only add and read entries (it owns no table)."""

from __future__ import annotations

import psycopg
import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from psycopg import errors, sql

from familysupport.lib import audit
from familysupport.lib.db_roles import grant_statements
from familysupport.lib.models import AuditEntry

pytestmark = pytest.mark.django_db


def _dsn(**overrides) -> dict:
    params = connection.settings_dict
    dsn = {
        "host": params["HOST"] or None,
        "port": params["PORT"] or None,
        "dbname": params["NAME"],
        "user": params["USER"],
        "password": params["PASSWORD"] or None,
    }
    dsn.update(overrides)
    return {k: v for k, v in dsn.items() if v is not None}


@pytest.fixture
def app_connection():
    """A connection as the application role (created here if the server lacks it)."""
    role = settings.DATABASE_APP_ROLE
    password = settings.DATABASE_APP_PASSWORD
    with psycopg.connect(**_dsn(), autocommit=True) as owner:
        exists = owner.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
        if not exists:
            owner.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )
        for statement in grant_statements(role):  # what post_migrate did at creation
            owner.execute(statement)
    with psycopg.connect(**_dsn(user=role, password=password), autocommit=True) as conn:
        yield conn


def test_truncate_is_refused_even_for_the_owner():
    audit.record(action="test.kept")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE accounts_auditentry")
    assert AuditEntry.objects.filter(action="test.kept").exists()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE accounts_auditentry SET action = 'rewritten'",
        "DELETE FROM accounts_auditentry",
        "TRUNCATE accounts_auditentry",
        "ALTER TABLE accounts_auditentry DISABLE TRIGGER ALL",
        "DROP TRIGGER accounts_auditentry_append_only ON accounts_auditentry",
        "DROP TABLE accounts_auditentry",
    ],
)
def test_the_application_role_cannot_rewrite_or_empty_the_audit_trail(app_connection, statement):
    with pytest.raises(errors.InsufficientPrivilege):
        app_connection.execute(statement)


def test_the_application_role_adds_and_reads_entries_and_works_elsewhere(app_connection):
    with app_connection.transaction(force_rollback=True):
        app_connection.execute(
            "INSERT INTO accounts_auditentry (at, actor_label, action, object_id, object_label,"
            " changed_fields, changes, user_agent, path)"
            " VALUES (now(), '', 'test.insert', '', '', '[]', '{}', '', '')"
        )
        count = app_connection.execute(
            "SELECT count(*) FROM accounts_auditentry WHERE action = 'test.insert'"
        ).fetchone()[0]
        assert count == 1
        # The rest of the schema is the application's to change (rows, not structure).
        app_connection.execute("UPDATE accounts_user SET full_name = full_name WHERE false")
        app_connection.execute("DELETE FROM django_session WHERE false")
    with pytest.raises(errors.InsufficientPrivilege):
        app_connection.execute("ALTER TABLE accounts_user ADD COLUMN x int")
