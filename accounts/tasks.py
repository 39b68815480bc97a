from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=60, soft_time_limit=50)
def deliver_email(pk: int) -> str:
    return services.outbound_email_deliver(pk=pk)


@shared_task(time_limit=120)
def sweep_outbox() -> int:
    return services.outbound_email_sweep()
