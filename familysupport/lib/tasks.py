"""Celery tasks of the ground floor: the e-mail outbox and "run now" of a scheduled job.

Thin wrappers: the work is in familysupport/lib/outbox.py and familysupport/lib/jobs.py.
"""

from __future__ import annotations

import logging

from celery import shared_task

from familysupport.lib import jobs, outbox

log = logging.getLogger(__name__)


# acks_late + reject_on_worker_lost: a worker killed mid-send leaves the message in Redis
# and it is redelivered; the delivery is idempotent (row status + FOR UPDATE SKIP LOCKED).
# No Celery retry countdown: the backoff lives in the row (next_attempt_at) and the sweeper
# picks it up, so no long ETA task sits unacknowledged in a worker.
@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=60, soft_time_limit=50)
def deliver_email(pk: int) -> str:
    return outbox.outbound_email_deliver(pk=pk)


# The one "deliver now" nudge of a transaction (familysupport.lib.notify.deliver_soon).
@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=300, soft_time_limit=280)
def deliver_emails(pks: list[int]) -> int:
    return sum(outbox.outbound_email_deliver(pk=pk) == "sent" for pk in pks)


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=90, soft_time_limit=80)
def sweep_outbox() -> int:
    # The minute's sweep also enqueues "run now" requests made while Redis was down.
    try:
        jobs.dispatch_pending()
    except Exception:  # never let it stop the e-mail sweep
        log.exception("could not dispatch pending job runs")
    return outbox.outbound_email_sweep()


# An administrator's "run now" (familysupport.lib.jobs.request_run). The JobRun row is the
# claim: a redelivered or re-enqueued message finds it no longer pending and does nothing.
# Time limit: the longest of the jobs' own (familysupport/celery.py, <app>/tasks.py).
@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=1800, soft_time_limit=1740)
def run_job(run_id: int, name: str) -> int:
    return jobs.run_requested(run_id=run_id, name=name)
