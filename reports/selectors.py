"""Reads of the report's own records (runs and snapshots)."""

from __future__ import annotations

from .models import ReportRun


def report_run_latest(*, year: int) -> ReportRun | None:
    return ReportRun.objects.filter(year=year).order_by("-created_at", "-pk").first()
