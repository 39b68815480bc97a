"""Celery tasks of the accounts app: the e-mail outbox. Thin wrappers around services."""

from __future__ import annotations

from celery import shared_task

from . import services


# acks_late + reject_on_worker_lost: a worker killed mid-send leaves the message in Redis
# and it is redelivered; the service is idempotent (row status + FOR UPDATE SKIP LOCKED).
# No Celery retry countdown: the backoff lives in the row (next_attempt_at) and the sweeper
# picks it up, so no long ETA task sits unacknowledged in a worker.
@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=60, soft_time_limit=50)
def deliver_email(pk: int) -> str:
    return services.outbound_email_deliver(pk=pk)


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=90, soft_time_limit=80)
def sweep_outbox() -> int:
    return services.outbound_email_sweep()
