"""Two database roles: the OWNER runs migrations, the APPLICATION role serves web and worker.

The application role (settings.DATABASE_APP_ROLE) does not own any table, so it cannot
ALTER, DISABLE TRIGGER or TRUNCATE; on the audit table it may only INSERT and SELECT
(the append-only trigger also stops the owner's UPDATE, DELETE and TRUNCATE). The grants
are applied after every `migrate` (post_migrate, run as the owner) and are idempotent;
tables the owner creates later (createcachetable) get them through default privileges.
README, "Security" and "Deploying", shows how to create the roles.
"""

from __future__ import annotations

import logging
from typing import Any

from psycopg import sql

log = logging.getLogger(__name__)

AUDIT_TABLE = "accounts_auditentry"  # familysupport.lib.models.AuditEntry


def grant_statements(role: str) -> list[sql.Composed]:
    r = sql.Identifier(role)
    return [
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(r),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(
            r
        ),
        sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {}").format(r),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
            "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
        ).format(r),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
            "GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {}"
        ).format(r),
        # The audit trail: add and read, nothing else.
        sql.SQL("REVOKE ALL ON {} FROM {}").format(sql.Identifier(AUDIT_TABLE), r),
        sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(sql.Identifier(AUDIT_TABLE), r),
    ]


def grant_app_role(connection: Any, role: str) -> bool:
    """Give `role` the application's privileges in this database; False if it does not exist."""
    connection.ensure_connection()
    raw = connection.connection  # psycopg's own connection: quotes the identifiers
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            log.warning("database role %r does not exist: no grants applied (README)", role)
            return False
        for statement in grant_statements(role):
            cursor.execute(statement.as_string(raw))
    return True


def grant_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from django.conf import settings
    from django.db import connections

    role = getattr(settings, "DATABASE_APP_ROLE", "")
    if role:
        grant_app_role(connections[using], role)
