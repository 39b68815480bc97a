from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=300, soft_time_limit=280)
def report_compute(run_id: int) -> None:
    """Compute a year of the report in the background (see services.run_execute)."""
    services.run_execute(run_id=run_id)
