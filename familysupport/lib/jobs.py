"""Scheduled jobs: the sent-log, the division's calendar (business days), the job registry.

Every job is a sweeper: it derives what is due from PostgreSQL on each run, so a beat
tick lost while Redis was down is caught by the next one. What a job sent is recorded in
`SentNotice` with a unique key (job, object, period or threshold), claimed in the same
transaction as the notifications it writes: running a job twice, or on two workers at the
same moment, sends nothing twice.
"""

from __future__ import annotations

import calendar
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

log = logging.getLogger(__name__)


# --- the division's calendar ------------------------------------------------------------


def division_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def today() -> date:
    """Today in the division's time zone (America/New_York), not UTC's."""
    return timezone.localdate(timezone=division_tz())


def add_months(day: date, months: int) -> date:
    """Same day `months` later (or earlier), clamped to the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th `weekday` (0 = Monday) of a month; n = -1 for the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    """A federal holiday on a Saturday is observed on Friday, on a Sunday on Monday."""
    if day.weekday() == calendar.SATURDAY:
        return day - timedelta(days=1)
    if day.weekday() == calendar.SUNDAY:
        return day + timedelta(days=1)
    return day


@lru_cache(maxsize=64)
def federal_holidays(year: int) -> frozenset[date]:
    """US federal holidays as observed (5 U.S.C. 6103): the division's office calendar."""
    mon, thu = calendar.MONDAY, calendar.THURSDAY
    return frozenset(
        {
            _observed(date(year, 1, 1)),  # New Year's Day
            _nth_weekday(year, 1, mon, 3),  # Martin Luther King Jr. Day
            _nth_weekday(year, 2, mon, 3),  # Washington's Birthday
            _nth_weekday(year, 5, mon, -1),  # Memorial Day
            _observed(date(year, 6, 19)),  # Juneteenth
            _observed(date(year, 7, 4)),  # Independence Day
            _nth_weekday(year, 9, mon, 1),  # Labor Day
            _nth_weekday(year, 10, mon, 2),  # Columbus Day
            _observed(date(year, 11, 11)),  # Veterans Day
            _nth_weekday(year, 11, thu, 4),  # Thanksgiving
            _observed(date(year, 12, 25)),  # Christmas Day
        }
    )


def holidays(year: int) -> frozenset[date]:
    """Federal holidays plus any the division adds (settings.JOBS_EXTRA_HOLIDAYS, ISO dates)."""
    extra = {date.fromisoformat(str(d)) for d in getattr(settings, "JOBS_EXTRA_HOLIDAYS", ())}
    return federal_holidays(year) | {d for d in extra if d.year == year}


def is_business_day(day: date) -> bool:
    return day.weekday() < calendar.SATURDAY and day not in holidays(day.year)


def add_business_days(start: date, count: int) -> date:
    """The business day `count` business days after `start` (start itself not counted)."""
    day, left = start, count
    while left > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            left -= 1
    return day


def business_days_between(start: date, end: date) -> int:
    """Business days after `start` up to and including `end` (0 if end <= start)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_business_day(day):
            count += 1
    return count


# --- the sent-log -----------------------------------------------------------------------


def claim(*, job: str, object_key: str, period: str) -> bool:
    """Record that `job` handles `object_key` for `period`; False if that was done before.

    Call inside the transaction that writes the notifications: if it rolls back, the claim
    goes with it. A concurrent claimer blocks on the unique index until the first commits.
    """
    from accounts.models import SentNotice

    try:
        with transaction.atomic():
            SentNotice.objects.create(job=job, object_key=object_key, period=period)
    except IntegrityError:
        return False
    return True


def sent_periods(*, job: str, object_keys: Iterable[str]) -> dict[str, set[str]]:
    """{object_key: {periods already sent}} in one query (prefilter before claiming)."""
    from accounts.models import SentNotice

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
    from accounts.models import SentNotice

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


def register(name: str, description: str) -> Callable[[Callable[[], int]], Callable[[], int]]:
    """Make a sweeper runnable by name (`manage.py run_job <name>`, the Celery task)."""

    def deco(fn: Callable[[], int]) -> Callable[[], int]:
        _REGISTRY[name] = Job(name=name, run=fn, description=description)
        return fn

    return deco


def all_jobs() -> dict[str, Job]:
    autodiscover_modules("jobs")  # each app's <app>/jobs.py registers its sweepers
    return dict(sorted(_REGISTRY.items()))


def run(name: str) -> int:
    """Run one job now and log how long it took and how much it sent."""
    job = all_jobs()[name]
    started = time.monotonic()
    sent = job.run()
    log.info("job %s sent %s in %.1fs", name, sent, time.monotonic() - started)
    return sent
