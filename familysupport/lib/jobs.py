"""Scheduled jobs: the sent-log, the division's calendar (business days), the job registry.

Every job is a sweeper: it derives what is due from PostgreSQL on each run, so a beat
tick lost while Redis was down is caught by the next one. What a job sent is recorded in
`SentNotice` with a unique key (job, object, period or threshold), claimed in the same
transaction as the notifications it writes: running a job twice, or on two workers at the
same moment, sends nothing twice. Each run leaves a `JobRun` row (when, how long, how many,
the error's type; familysupport/lib/models.py) for the staff page; administrators can
ask for a run now.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from familysupport.lib import audit, broker, dates

if TYPE_CHECKING:
    from familysupport.lib.models import JobRun

log = logging.getLogger(__name__)


# --- the sent-log -----------------------------------------------------------------------


def claim(*, job: str, object_key: str, period: str) -> bool:
    """Record that `job` handles `object_key` for `period`; False if that was done before.

    Call inside the transaction that writes the notifications: if it rolls back, the claim
    goes with it. A concurrent claimer blocks on the unique index until the first commits.
    """
    from familysupport.lib.models import SentNotice

    try:
        with transaction.atomic():
            SentNotice.objects.create(job=job, object_key=object_key, period=period)
    except IntegrityError:
        return False
    return True


def sent_periods(*, job: str, object_keys: Iterable[str]) -> dict[str, set[str]]:
    """{object_key: {periods already sent}} in one query (prefilter before claiming)."""
    from familysupport.lib.models import SentNotice

    out: dict[str, set[str]] = {}
    keys = list(object_keys)
    if not keys:
        return out
    rows = SentNotice.objects.filter(job=job, object_key__in=keys).values_list(
        "object_key", "period"
    )
    for key, period in rows:
        out.setdefault(key, set()).add(period)
    return out


ESCALATED = "escalated"


def reminders_sent(*, job: str, object_key: str, period_prefix: str = "") -> int:
    """How many notices `job` sent about `object_key` (optionally: periods with a prefix)."""
    from familysupport.lib.models import SentNotice

    return (
        SentNotice.objects.filter(job=job, object_key=object_key, period__startswith=period_prefix)
        .exclude(period__endswith=ESCALATED)
        .count()
    )


# --- the registry -----------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], int]
    description: str


_REGISTRY: dict[str, Job] = {}
# Set while a run is being recorded, so a sweeper called inside it records no second row.
_recording: ContextVar[bool] = ContextVar("jobs_recording", default=False)


def register(name: str, description: str) -> Callable[[Callable[..., int]], Callable[..., int]]:
    """Make a sweeper runnable by name (`manage.py run_job <name>`, the Celery task).

    The name the decorated function keeps is a recording wrapper: however it is called
    (the beat task, a test, a shell), each call leaves one `JobRun` row.
    """

    def deco(fn: Callable[..., int]) -> Callable[..., int]:
        _REGISTRY[name] = Job(name=name, run=fn, description=description)

        @wraps(fn)
        def recorded(*args: Any, **kwargs: Any) -> int:
            if _recording.get():
                return fn(*args, **kwargs)
            return _execute(_start(name, trigger=_trigger()), lambda: fn(*args, **kwargs))

        return recorded

    return deco


def all_jobs() -> dict[str, Job]:
    autodiscover_modules("tasks")  # each app's <app>/tasks.py registers its sweepers
    return dict(sorted(_REGISTRY.items()))


def run(name: str, *, trigger: str = "command") -> int:
    """Run one job now in this process, record the run and return how much it sent."""
    job = all_jobs()[name]
    return _execute(_start(name, trigger=trigger), job.run)


# --- the run log (JobRun): one row per run --------------------------------------
#
# Rows are written outside any job transaction (autocommit in a worker), so a running job
# shows as running and a failed one keeps its row. Only the exception's type is stored:
# its message may quote a name or an address.

REQUEUE_AFTER = timedelta(minutes=10)  # a queued "run now" not started by then was lost


def _trigger() -> str:
    from celery import current_task

    task = current_task._get_current_object()
    if task is not None and not task.request.called_directly:
        return "schedule"  # a *_task delivered by the broker: beat put it there
    return "command"


def _start(name: str, *, trigger: str) -> JobRun:
    from familysupport.lib.models import JobRun

    now = timezone.now()
    return JobRun.objects.create(
        job=name, trigger=trigger, status=JobRun.Status.RUNNING, requested_at=now, started_at=now
    )


def _error_type(exc: BaseException) -> str:
    kind = type(exc)
    return f"{kind.__module__}.{kind.__qualname__}"[-120:]


def _finish(record: JobRun, **fields: Any) -> None:
    from familysupport.lib.models import JobRun

    try:
        JobRun.objects.filter(pk=record.pk).update(finished_at=timezone.now(), **fields)
    except DatabaseError:  # e.g. the job broke the caller's transaction; keep its error
        log.warning("job %s: could not record the end of run %s", record.job, record.pk)


def _execute(record: JobRun, call: Callable[[], int]) -> int:
    from familysupport.lib.models import JobRun

    token = _recording.set(True)
    started = time.monotonic()
    try:
        sent = call()
    except Exception as exc:
        _finish(
            record,
            status=JobRun.Status.FAILED,
            duration=timedelta(seconds=time.monotonic() - started),
            error_type=_error_type(exc),
        )
        raise
    finally:
        _recording.reset(token)
    elapsed = time.monotonic() - started
    _finish(
        record,
        status=JobRun.Status.SUCCEEDED,
        duration=timedelta(seconds=elapsed),
        items=max(int(sent or 0), 0),
    )
    log.info("job %s sent %s in %.1fs", record.job, sent, elapsed)
    return sent


def open_run(name: str) -> JobRun | None:
    """A "run now" still waiting or queued, or a run under way, for this job (or None)."""
    from familysupport.lib.models import JobRun

    Status = JobRun.Status
    fresh = timezone.now() - JobRun.STALE_AFTER
    return (
        JobRun.objects.filter(job=name)
        .filter(
            Q(status__in=[Status.PENDING, Status.QUEUED])
            | Q(status=Status.RUNNING, started_at__gte=fresh)
        )
        .order_by("requested_at", "pk")
        .first()
    )


def request_run(*, name: str, by: Any) -> tuple[JobRun, str]:
    """An administrator's "run now": ("queued" | "pending" | "already", the JobRun row).

    The row is committed before the broker is asked, so the worker finds it, and a
    request made while Redis is down stays pending: the outbox sweep (every minute)
    enqueues it once Redis is back. Sweepers are idempotent, so a second run never sends
    twice; an open request is reused rather than stacking up more.
    """
    from familysupport.lib.models import JobRun

    if name not in all_jobs():
        raise KeyError(name)
    existing = open_run(name)
    if existing is not None:
        return existing, "already"
    with transaction.atomic():
        record = JobRun.objects.create(
            job=name, trigger=JobRun.Trigger.MANUAL, status=JobRun.Status.PENDING, requested_by=by
        )
        audit.record(action="accounts.jobrun.requested", obj=record, actor=by)
    return record, "queued" if dispatch(record) else "pending"


def dispatch(record: JobRun) -> bool:
    """Hand a requested run to Celery with the short broker timeouts; never raises."""
    from familysupport.lib import tasks
    from familysupport.lib.models import JobRun

    if not broker.publish(tasks.run_job, args=[record.pk, record.job]):
        # The broker is down or slow; the row stays pending for the sweep.
        log.warning("job %s: could not enqueue run %s; the sweep will retry", record.job, record.pk)
        return False
    JobRun.objects.filter(
        pk=record.pk, status__in=[JobRun.Status.PENDING, JobRun.Status.QUEUED]
    ).update(status=JobRun.Status.QUEUED, queued_at=timezone.now())
    return True


def dispatch_pending(*, limit: int = 20) -> int:
    """Enqueue "run now" requests the broker never took (or lost); called by the sweep.

    Stops at the first failure: the broker is still down. Two sweeps enqueueing the same row
    is harmless: only one task can move it from pending/queued to running.
    """
    from familysupport.lib.models import JobRun

    Status = JobRun.Status
    lost = timezone.now() - REQUEUE_AFTER
    rows = list(
        JobRun.objects.filter(
            Q(status=Status.PENDING) | Q(status=Status.QUEUED, queued_at__lt=lost)
        ).order_by("requested_at", "pk")[:limit]
    )
    sent = 0
    for record in rows:
        if not dispatch(record):
            break
        sent += 1
    return sent


def run_requested(*, run_id: int, name: str) -> int:
    """Run a requested job (the task `familysupport.lib.tasks.run_job`); at most once each."""
    from familysupport.lib.models import JobRun

    now = timezone.now()
    claimed = JobRun.objects.filter(
        pk=run_id, job=name, status__in=[JobRun.Status.PENDING, JobRun.Status.QUEUED]
    ).update(status=JobRun.Status.RUNNING, started_at=now)
    if not claimed:
        return 0  # ran already (a redelivered or re-enqueued message), or not in this database
    record = JobRun.objects.get(pk=run_id)
    job = all_jobs().get(name)
    if job is None:  # the job was renamed or removed since the request
        _finish(record, status=JobRun.Status.FAILED, error_type="UnknownJob")
        return 0
    return _execute(record, job.run)


# --- the schedule (familysupport/celery.py) ----------------------------------------------


def beat_task_name(name: str) -> str:
    """`faon.license_renewal` → its beat task `faon.tasks.license_renewal_task`."""
    app_label, job = name.split(".", 1)
    return f"{app_label}.tasks.{job}_task"


def beat_entry(name: str) -> Any:
    from celery import current_app  # the project's app (familysupport/celery.py)

    task = beat_task_name(name)
    for entry in current_app.conf.beat_schedule.values():
        if entry["task"] == task:
            return entry["schedule"]
    return None


def next_run(schedule: Any, now: datetime) -> datetime | None:
    """When beat next sends the job (in the division's time zone)."""
    if schedule is None:
        return None
    if hasattr(schedule, "remaining_delta"):  # crontab: exact wall-clock times, DST-aware
        last, delta, _now = schedule.remaining_delta(now)
        when: datetime = last + delta
        return when
    estimate: timedelta = schedule.remaining_estimate(now)
    return now + estimate


def describe_schedule(schedule: Any) -> str:
    """A crontab in words, e.g. "daily at 06:10", "hourly at :15, 07:00-18:00"."""
    if schedule is None:
        return "not scheduled"
    minutes, hours = sorted(getattr(schedule, "minute", ())), sorted(getattr(schedule, "hour", ()))
    days_ok = all(
        len(getattr(schedule, attr, ())) == full
        for attr, full in (("day_of_week", 7), ("day_of_month", 31), ("month_of_year", 12))
    )
    if not (minutes and hours and days_ok):
        return str(schedule)
    if len(minutes) == 60 and len(hours) == 24:
        return "every minute"
    if len(minutes) == 1:
        minute = minutes[0]
        if len(hours) == 24:
            return f"hourly at :{minute:02d}"
        if len(hours) == 1:
            return f"daily at {hours[0]:02d}:{minute:02d}"
        if hours == list(range(hours[0], hours[-1] + 1)):
            return (
                f"hourly at :{minute:02d}, {hours[0]:02d}:{minute:02d}-{hours[-1]:02d}:{minute:02d}"
            )
    return str(schedule)


# --- the staff page ----------------------------------------------------------------------

FAILURE_WINDOW = timedelta(days=30)
RECENT_RUNS = 50


@dataclass
class JobStatus:
    job: Job
    schedule: str
    next_run: datetime | None
    last: Any = None  # the latest JobRun (any status)
    last_success: Any = None
    failures: int = 0  # failed runs within FAILURE_WINDOW
    open_run: Any = None  # a waiting/queued/running run: "run now" is not offered again


@dataclass
class Overview:
    jobs: list[JobStatus]
    recent: list[Any]
    outbox: dict[str, Any]


def _latest_per_job(names: list[str], **filters: Any) -> dict[str, Any]:
    """The newest JobRun of each job, one query: a UNION of per-job index probes."""
    from familysupport.lib.models import JobRun

    if not names:
        return {}
    probes = [
        JobRun.objects.filter(job=name, **filters).order_by("-requested_at", "-pk").values("pk")[:1]
        for name in names
    ]
    union = probes[0].union(*probes[1:], all=True) if len(probes) > 1 else probes[0]
    return {row.job: row for row in JobRun.objects.filter(pk__in=union)}


def overview(*, now: datetime | None = None) -> Overview:
    """Everything the job page shows, in a fixed number of queries."""
    from familysupport.lib.models import JobRun, OutboundEmail

    now = now or timezone.now()
    registry = all_jobs()
    names = list(registry)
    Status = JobRun.Status
    last = _latest_per_job(names)
    success = _latest_per_job(names, status=Status.SUCCEEDED)
    failures = dict(
        JobRun.objects.filter(status=Status.FAILED, requested_at__gte=now - FAILURE_WINDOW)
        .values("job")
        .annotate(n=Count("pk"))
        .values_list("job", "n")
    )
    open_runs: dict[str, Any] = {}
    for row in JobRun.objects.filter(
        Q(status__in=[Status.PENDING, Status.QUEUED])
        | Q(status=Status.RUNNING, started_at__gte=now - JobRun.STALE_AFTER)
    ).order_by("requested_at", "pk"):
        open_runs.setdefault(row.job, row)
    local_now = timezone.localtime(now, dates.division_tz())
    statuses = []
    for name, job in registry.items():
        schedule = beat_entry(name)
        statuses.append(
            JobStatus(
                job=job,
                schedule=describe_schedule(schedule),
                next_run=next_run(schedule, local_now),
                last=last.get(name),
                last_success=success.get(name),
                failures=failures.get(name, 0),
                open_run=open_runs.get(name),
            )
        )
    recent = list(
        JobRun.objects.select_related("requested_by").order_by("-requested_at", "-pk")[:RECENT_RUNS]
    )
    outbox = OutboundEmail.objects.filter(
        status__in=[OutboundEmail.Status.PENDING, OutboundEmail.Status.FAILED]
    ).aggregate(
        pending=Count("pk", filter=Q(status=OutboundEmail.Status.PENDING)),
        oldest_pending=Min("created_at", filter=Q(status=OutboundEmail.Status.PENDING)),
        failed=Count(
            "pk",
            filter=Q(status=OutboundEmail.Status.FAILED, created_at__gte=now - FAILURE_WINDOW),
        ),
    )
    return Overview(jobs=statuses, recent=recent, outbox=outbox)
