"""Computing, caching and publishing the yearly report.

A year's live figures are computed by figures.compute (a fixed number of aggregate
queries) and stored as a ReportRun with the data version it was computed at; the newest
finished run is reused only while that version is still current (PostgreSQL triggers bump
it on every committed change to a counted table: reports.models.DataVersion) and it was
computed today (the current year's compliance is assessed "today"). A year whose last
computation took longer than settings.REPORTS_SLOW_MS is computed by a Celery task instead,
and the page shows its progress with the previous figures marked as not current.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from familysupport.lib import audit, dates, dbrouter

from . import definitions, figures
from .models import DataVersion, ReportRun, ReportSnapshot

log = logging.getLogger(__name__)

FIRST_YEAR = 2000


def stuck_after() -> timedelta:
    # A run still "in flight" after the task time limit died with its worker.
    return timedelta(seconds=int(getattr(settings, "CELERY_TASK_TIME_LIMIT", 300)) + 60)


def current_year() -> int:
    return dates.today().year


def year_is_valid(year: int) -> bool:
    return FIRST_YEAR <= year <= current_year()


# --- reads -----------------------------------------------------------------------------------


def run_latest_done(*, year: int) -> ReportRun | None:
    return (
        ReportRun.objects.filter(
            year=year,
            status=ReportRun.Status.DONE,
            definitions_version=definitions.DEFINITIONS_VERSION,
        )
        .order_by("-finished_at", "-pk")
        .first()
    )


def data_version() -> int:
    """The committed data's version (read before computing, so a change made during the
    computation makes the run stale rather than silently missing)."""
    return DataVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def run_is_fresh(run: ReportRun | None, version: int | None = None) -> bool:
    """Whether `run` shows the figures of the data as committed now."""
    return bool(
        run
        and run.finished_at
        and run.data_version is not None
        and run.data_version == (data_version() if version is None else version)
        and timezone.localtime(run.finished_at, dates.division_tz()).date() == dates.today()
    )


def run_in_flight(*, year: int) -> ReportRun | None:
    run = ReportRun.objects.filter(
        year=year, status__in=[ReportRun.Status.PENDING, ReportRun.Status.RUNNING]
    ).first()
    if run and timezone.now() - run.created_at > stuck_after():
        _fail(run, "The computation did not finish; it can be started again.")
        return None
    return run


def expected_slow(*, year: int) -> bool:
    """Whether computing `year` is expected to take longer than REPORTS_SLOW_MS (last run)."""
    last = (
        ReportRun.objects.filter(year=year, status=ReportRun.Status.DONE, duration_ms__isnull=False)
        .order_by("-finished_at")
        .values_list("duration_ms", flat=True)
        .first()
    )
    if last is not None:
        return last > settings.REPORTS_SLOW_MS
    return _estimated_rows() > int(getattr(settings, "REPORTS_BACKGROUND_ROWS", 2_000_000))


def _estimated_rows() -> int:
    """Planner's row estimate of the big tables (free: no scan), for a year never computed."""
    from django.db import connection

    from cases import report as cases_report
    from teamhope import report as teamhope_report

    tables = [*cases_report.tables_for_estimate(), *teamhope_report.tables_for_estimate()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(GREATEST(reltuples, 0)), 0) FROM pg_class WHERE relname = ANY(%s)",
            [tables],
        )
        return int(cursor.fetchone()[0])


def years_with_data() -> list[int]:
    """The year picker's years, newest first: from the first year any counted record falls
    in (in the division's time zone) to this year, plus any published year.

    One MIN per table, each answered from the index on its date column.
    """
    from cases import report as cases_report
    from faon import report as faon_report
    from referrals import report as referrals_report
    from teamhope import report as teamhope_report

    firsts = [
        cases_report.first_case_opened_at(),
        cases_report.first_contact_at(),
        referrals_report.first_referral_sent_at(),
        teamhope_report.first_peer_call_at(),
        faon_report.first_status_change_at(),
    ]
    years = {dates.year_of(moment) for moment in firsts if moment is not None}
    this_year = current_year()
    first = max(FIRST_YEAR, min(years, default=this_year))
    published = set(ReportSnapshot.objects.order_by().values_list("year", flat=True).distinct())
    return sorted({*range(first, this_year + 1), *published}, reverse=True)


def snapshot_latest(*, year: int) -> ReportSnapshot | None:
    return ReportSnapshot.objects.filter(year=year).select_related("published_by").first()


# --- computing -------------------------------------------------------------------------------


def report_live(*, year: int, user) -> tuple[ReportRun | None, ReportRun | None]:
    """(figures to show, computation in progress) for a year's live figures.

    Fresh cache → shown at once. Otherwise a fast year is computed inline; a slow one is
    handed to Celery and the stale figures (if any) are shown while it runs.
    """
    done = run_latest_done(year=year)
    if run_is_fresh(done):
        return done, None
    pending = run_in_flight(year=year)
    if pending is not None:
        return done, pending
    if expected_slow(year=year):
        return done, run_start(year=year, user=user)
    return run_compute_inline(year=year, user=user), None


def run_compute_inline(*, year: int, user=None) -> ReportRun:
    started = timezone.now()
    clock = time.perf_counter()
    with dbrouter.reading_from_replica():  # the version read where the figures are read
        version = data_version()
        results = figures.compute(year)
    return ReportRun.objects.create(
        data_version=version,
        year=year,
        status=ReportRun.Status.DONE,
        progress=100,
        step="Done",
        definitions_version=definitions.DEFINITIONS_VERSION,
        results=results,
        requested_by=user if getattr(user, "pk", None) else None,
        started_at=started,
        finished_at=timezone.now(),
        duration_ms=int((time.perf_counter() - clock) * 1000),
    )


def run_start(*, year: int, user=None) -> ReportRun:
    """Queue a background computation of `year` (or return the one already queued)."""
    try:
        with transaction.atomic():
            run = ReportRun.objects.create(
                year=year,
                step="Queued",
                definitions_version=definitions.DEFINITIONS_VERSION,
                requested_by=user if getattr(user, "pk", None) else None,
            )
    except IntegrityError:
        existing = run_in_flight(year=year)
        if existing is None:  # the other one just finished
            raise
        return existing
    transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    from . import tasks

    try:
        tasks.report_compute.delay(run_id)
    except Exception:  # broker down: the page offers to try again
        log.exception("could not queue report run %s", run_id)
        run = ReportRun.objects.filter(pk=run_id).first()
        if run is not None:
            _fail(run, "The background worker could not be reached; try again later.")


def _fail(run: ReportRun, message: str) -> None:
    run.status, run.error, run.finished_at = ReportRun.Status.FAILED, message[:300], timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])


def run_execute(*, run_id: int) -> None:
    """The Celery task's body: compute, reporting progress on the row as it goes.

    Runs outside a transaction so each progress update is visible to the polling page.
    Idempotent: a run that is no longer pending (done, failed, taken) is left alone.
    """
    # A conditional UPDATE claims the run, so a redelivered task does not compute it twice.
    claimed = ReportRun.objects.filter(pk=run_id, status=ReportRun.Status.PENDING).update(
        status=ReportRun.Status.RUNNING, started_at=timezone.now(), step="Starting"
    )
    if not claimed:
        return
    run = ReportRun.objects.get(pk=run_id)
    with dbrouter.reading_from_replica():
        run.data_version = data_version()
    clock = time.perf_counter()

    def progress(percent: int, step: str) -> None:
        run.progress, run.step = percent, step
        run.save(update_fields=["progress", "step"])

    try:
        with dbrouter.reading_from_replica():  # progress saves still go to the primary
            results = figures.compute(run.year, progress)
    except Exception as exc:
        _fail(run, f"The computation failed ({type(exc).__name__}).")
        raise
    run.results = results
    run.status, run.progress, run.step = ReportRun.Status.DONE, 100, "Done"
    run.finished_at = timezone.now()
    run.duration_ms = int((time.perf_counter() - clock) * 1000)
    run.save(
        update_fields=[
            *("results", "status", "progress", "step", "finished_at", "duration_ms"),
            "data_version",
        ]
    )


# --- publishing ------------------------------------------------------------------------------


@transaction.atomic
def snapshot_publish(*, year: int, by, note: str = "") -> ReportSnapshot:
    """Freeze `year`'s figures as published, computed from live data now."""
    if not year_is_valid(year):
        raise ValidationError("This year cannot be published.")
    run = run_compute_inline(year=year, user=by)
    snapshot = ReportSnapshot(
        year=year,
        definitions_version=definitions.DEFINITIONS_VERSION,
        as_of=run.finished_at or timezone.now(),  # set by run_compute_inline
        results=run.results,
        note=note[:300],
        published_by=by,
    )
    snapshot.full_clean()
    snapshot.save()
    audit.record(action="reports.snapshot.published", obj=snapshot, actor=by)
    return snapshot


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def snapshot_diff(published: dict, live: dict) -> list[dict]:
    """Cells whose live value differs from the published one (same table, row and column)."""

    def cells(results: dict) -> dict:
        out: dict[tuple, tuple] = {}
        for t in results.get("tables", []):
            columns = {c["key"]: c["label"] for c in t["columns"]}
            for r in [*t["rows"], *([t["total"]] if t.get("total") else [])]:
                for key, label in columns.items():
                    out[(t["key"], r["key"], key)] = (
                        t["title"],
                        r["label"],
                        label,
                        r["cells"].get(key),
                    )
        return out

    before, after = cells(published), cells(live)
    changes = []
    for key in [*before, *(k for k in after if k not in before)]:
        old = before.get(key, (None, None, None, None))
        new = after.get(key, (None, None, None, None))
        if old[3] == new[3]:
            continue
        a, b = _number(old[3]), _number(new[3])
        changes.append(
            {
                "table": (new[0] or old[0]),
                "row": (new[1] or old[1]),
                "column": (new[2] or old[2]),
                "published": old[3],
                "live": new[3],
                "delta": (b - a) if a is not None and b is not None else None,
            }
        )
    return changes
