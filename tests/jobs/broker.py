"""Point the Celery app's publishing at another broker URL for a while (fault tests)."""

from __future__ import annotations

from contextlib import contextmanager

from familysupport.celery import app

UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused


def reset_producer_pools() -> None:
    """Forget pooled broker connections so the next publish uses the current settings."""
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@contextmanager
def broker_at(url: str):
    before = app.conf.broker_url
    app.conf.broker_url = url
    reset_producer_pools()
    try:
        yield
    finally:
        app.conf.broker_url = before
        reset_producer_pools()
