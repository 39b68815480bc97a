"""The retention sweeper: purges what the retention schedule says is due, every night.

The rules live in each app's `retention.py` (familysupport/lib/retention.py has the
machinery); this module only makes the sweep a scheduled job like the others (a JobRun
per run, "run now" on the jobs page, `manage.py run_job accounts.retention`).
"""

from __future__ import annotations

from celery import shared_task

from familysupport.lib import jobs
from familysupport.lib import retention as retention_rules

RETENTION_JOB = "accounts.retention"


@jobs.register(
    RETENTION_JOB,
    "Purge what the retention schedule says is due (closed cases, travel documents, files of "
    "members who left, outbox, job runs, sessions), except what a legal hold keeps; each purge "
    "leaves a tombstone in the audit trail.",
)
def retention() -> int:
    return retention_sweep()


def retention_sweep() -> int:
    return retention_rules.sweep().total


# Daily 03:10 (familysupport/celery.py). A sweeper in batches: a long backlog is worked off
# over the following nights, and a missed night is caught by the next.
@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=1800, soft_time_limit=1740)
def retention_task() -> int:
    return retention()
