"""Reads of reports, exports and drill-downs from a PostgreSQL read replica.

Set `DATABASE_REPLICA_URL` and settings define a `replica` alias (DATABASE_REPLICA_ALIAS).
Code that reads a lot and tolerates a few seconds of staleness asks for it with
`reading_from_replica()` (or the `replica_reads` view decorator). Everything else — every
write, and every read made inside a transaction on the primary (which may depend on what
that transaction wrote) — goes to `default`. Without the setting everything is `default`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

_wanted: ContextVar[bool] = ContextVar("replica_reads", default=False)


def replica_alias() -> str | None:
    """The replica's alias when one is configured and switched on, else None."""
    alias = getattr(settings, "DATABASE_REPLICA_ALIAS", None)
    return alias if alias and alias in settings.DATABASES else None


@contextmanager
def reading_from_replica() -> Iterator[None]:
    token = _wanted.set(True)
    try:
        yield
    finally:
        _wanted.reset(token)


def read_alias() -> str:
    """Where a read made now goes (for raw SQL and querysets evaluated later, e.g. streamed)."""
    alias = replica_alias()
    if alias is None or not _wanted.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return alias


def read_connection() -> BaseDatabaseWrapper:
    return connections[read_alias()]


def replica_reads(view: Callable[..., Any]) -> Callable[..., Any]:
    """A read-only view whose reads go to the replica.

    Outside the request-wide transaction (ATOMIC_REQUESTS): inside it every read would have
    to stay on the primary. The view's writes (audit entries, a computed report run) are
    committed one by one, as the services that make them decide.
    """

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with reading_from_replica():
            return view(*args, **kwargs)

    return transaction.non_atomic_requests(wrapped)


def replica_lag_seconds() -> float | None:
    """How far the replica's replay is behind, in seconds; None without a replica (or when
    the alias points at a primary). 0 when it has replayed everything it received, so an
    idle primary does not look like lag."""
    alias = replica_alias()
    if alias is None:
        return None
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL"
            " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
            " ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
        )
        value = cursor.fetchone()[0]
    return None if value is None else float(value)


class ReplicaRouter:
    """DATABASE_ROUTERS entry: reads per `read_alias()`, writes always on the primary."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: type, **hints: Any) -> str:
        # Explicit: Django would otherwise write an instance back where it was read from.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica holds the primary's rows: objects from either may be related.
        both = {obj1._state.db, obj2._state.db}
        return True if both <= {DEFAULT_DB_ALIAS, replica_alias()} else None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == "replica" else None
