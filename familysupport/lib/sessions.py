"""The database session store, reading its row with one plain SELECT.

Every signed-in request loads its session first; Django's store builds and compiles an ORM
query for that each time, which cost more than the statement itself on the signed-in
request floor (bench/run.py). Same table, same encoding: existing sessions stay valid.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.db import connections, router
from django.utils import timezone


class SessionStore(DbSessionStore):
    def _get_session_from_db(self) -> Any:
        connection = connections[router.db_for_read(self.model)]
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} "  # noqa: S608 - the model's table
                "WHERE session_key = %s AND expire_date > %s",
                [self.session_key, timezone.now()],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return SimpleNamespace(session_data=row[0])
