"""Point the Celery app's publishing at another broker URL for a while (fault tests)."""

from __future__ import annotations

import os
from contextlib import contextmanager

from familysupport.celery import app

UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused


def reset_producer_pools() -> None:
    """Forget pooled broker connections (and a tripped breaker) so the next publish uses the
    current settings."""
    from familysupport.lib.broker import reset_breaker

    reset_breaker()
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@contextmanager
def broker_at(url: str):
    # Celery reads the CELERY_BROKER_URL environment variable before its own setting (CI
    # exports it), so both must point at the other broker for the while.
    before = app.conf.broker_url
    env_before = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.broker_url = url
    reset_producer_pools()
    try:
        yield
    finally:
        if env_before is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = env_before
        app.conf.broker_url = before
        reset_producer_pools()
