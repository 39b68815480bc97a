"""Hand work to Celery from a web request without ever holding up the save.

Three rules (README, "Background jobs"):

- Publish on a connection of its own with short timeouts (BROKER_PUBLISH_TIMEOUT): a
  Redis that refuses connections fails at once, one that hangs (frozen, overloaded) is
  given up on after the timeout instead of the workers' longer socket timeout.
- A circuit breaker: after a failed or slow publish, skip publishing in this process for
  BROKER_BREAKER_SECONDS. Nothing is lost: whatever was not handed off is in PostgreSQL
  (the outbox, pending job runs) and the minute's sweep picks it up.
- Callers publish once per transaction at most (familysupport.lib.notify.deliver_soon).

The breaker is per process: each web worker pays for at most one slow publish per period.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings

log = logging.getLogger(__name__)

_lock = threading.Lock()
_open_until = 0.0  # time.monotonic() until which publishing is skipped


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def breaker_open() -> bool:
    return time.monotonic() < _open_until


def trip(reason: str) -> None:
    global _open_until
    seconds = _setting("BROKER_BREAKER_SECONDS", 30)
    with _lock:
        _open_until = time.monotonic() + seconds
    log.warning("broker: %s; hand-offs skipped for %.0fs, the sweeps deliver", reason, seconds)


def reset_breaker() -> None:
    global _open_until
    with _lock:
        _open_until = 0.0


def publish(
    task: Any, *, args: list[Any] | tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None
) -> bool:
    """apply_async `task` if the broker is healthy; False (never an exception) otherwise."""
    if breaker_open():
        return False
    timeout = _setting("BROKER_PUBLISH_TIMEOUT", 0.5)
    options = {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "max_retries": 0,
        "interval_start": 0,
    }
    started = time.monotonic()
    try:
        with task.app.connection_for_write(
            connect_timeout=timeout, transport_options=options
        ) as conn:
            task.apply_async(args=list(args), kwargs=kwargs or {}, connection=conn, retry=False)
    except Exception as exc:  # refused, timed out, auth, anything: the sweep delivers
        trip(f"publish of {task.name} failed ({type(exc).__name__})")
        return False
    elapsed = time.monotonic() - started
    if elapsed > _setting("BROKER_SLOW_SECONDS", 0.25):
        trip(f"publish of {task.name} took {elapsed:.2f}s")
    return True
