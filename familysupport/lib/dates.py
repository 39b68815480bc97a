"""The division's calendar: its time zone, years and months in it, business days.

Every date rule of the portal (membership years, report years, reminder windows, referral
deadlines) reads its boundaries from here, so they cannot disagree by a time zone.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def division_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def today() -> date:
    """Today in the division's time zone (America/New_York), not UTC's."""
    return timezone.localdate(timezone=division_tz())


def year_of(moment: datetime) -> int:
    """The calendar year a moment falls in, in the division's time zone."""
    return timezone.localtime(moment, division_tz()).year


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[start, end) of a calendar year in the division's time zone, as aware datetimes."""
    tz = division_tz()
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """[start, end) of a month in the division's time zone."""
    tz = division_tz()
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


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
