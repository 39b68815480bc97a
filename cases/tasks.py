"""Cases' scheduled jobs: each advocate's daily digest of follow-up tasks due or overdue, and
the purge of old contact drafts.

Counts only: task titles are typed by staff and may name a family, so the e-mail says how
many tasks are waiting and links to the "my work" page. Owned by the jobs issue.
"""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse

from accounts.models import User
from familysupport.lib import dates, jobs
from familysupport.lib.notify import notify

from . import services
from .models import Case, Task

DIGEST_JOB = "cases.followup_digest"
DRAFTS_JOB = "cases.drafts_purge"


@jobs.register(DIGEST_JOB, "Each advocate's daily digest of follow-up tasks due or overdue.")
def followup_digest(*, on: date | None = None) -> int:
    on = on or dates.today()
    rows = (
        Task.objects.filter(done_at__isnull=True, due_on__lte=on, owner__is_active=True)
        .exclude(case__status=Case.Status.CLOSED)
        .values("owner")
        .annotate(
            due_today=Count("pk", filter=Q(due_on=on)),
            overdue=Count("pk", filter=Q(due_on__lt=on)),
        )
        .order_by("owner")
    )
    counts = {row["owner"]: (row["due_today"], row["overdue"]) for row in rows}
    already = jobs.sent_periods(job=DIGEST_JOB, object_keys=[f"user:{pk}" for pk in counts])
    owners = User.objects.in_bulk(
        [pk for pk in counts if on.isoformat() not in already.get(f"user:{pk}", ())]
    )
    sent = 0
    for pk, owner in owners.items():
        due_today, overdue = counts[pk]
        sent += _digest(owner=owner, on=on, due_today=due_today, overdue=overdue)
    return sent


@transaction.atomic
def _digest(*, owner: User, on: date, due_today: int, overdue: int) -> int:
    key = f"user:{owner.pk}"
    if not jobs.claim(job=DIGEST_JOB, object_key=key, period=on.isoformat()):
        return 0
    total = due_today + overdue
    return notify(
        recipients=[owner],
        event="cases.followup.digest",
        title=f"You have {total} follow-up task{'s' if total != 1 else ''} due or overdue",
        url=reverse("home"),
        key=f"{DIGEST_JOB}:{key}:{on.isoformat()}",
        template="cases-followup-digest",
        context={"due_today": due_today, "overdue": overdue, "day": on},
    )


# Hourly from 07:00 to 18:00 (familysupport/celery.py): the first run of the day sends, the
# others find the day's digest on the sent-log, so a dropped tick only delays it an hour.
@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=540)
def followup_digest_task() -> int:
    return followup_digest()


@jobs.register(
    DRAFTS_JOB,
    "Delete contact drafts untouched for the retention period (CASES_DRAFT_RETENTION_DAYS, "
    "14 days by default) and those of deactivated users.",
)
def drafts_purge() -> int:
    return services.drafts_purge()


# Daily 02:40 (familysupport/celery.py). A sweeper: a missed night is caught the next one.
@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=540)
def drafts_purge_task() -> int:
    return drafts_purge()


PHONE_MISSED_JOB = "cases.phone_missed_calls"


@jobs.register(
    PHONE_MISSED_JOB,
    "Calls nobody started within PHONE_MISSED_AFTER_MINUTES (3 by default): a task for the "
    "advocate of a known family's open case, otherwise a notice to supervisors.",
)
def phone_missed_calls() -> int:
    from . import phone_services

    return phone_services.phone_missed_calls()


# Every minute (familysupport/celery.py). Each call is handled once, under a row lock
# (SKIP LOCKED), so overlapping runs or two workers never make a second task.
@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=120, soft_time_limit=100)
def phone_missed_calls_task() -> int:
    return phone_missed_calls()
