"""The yearly report: page, progress, drill-downs, exports and publishing.

Who (DESIGN.md): administrators read, export and publish; supervisors read (no exports,
no publishing); every other role gets 403.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import report as cases_report
from familysupport.lib import audit, dbrouter
from familysupport.lib.access import ADMINISTRATOR, SUPERVISOR, role_required
from familysupport.lib.badinput import posted_text

from . import (
    charts,
    definitions,
    disclosure,
    drilldown,
    exports,
    list_exports,
    pdf,
    selectors,
    services,
)
from .models import ReportRun

READERS = (ADMINISTRATOR, SUPERVISOR)
PAGE_SIZE = 50
FORMATS = ("csv", "xlsx")


def _year_or_404(year: int) -> int:
    if not services.year_is_valid(year):
        raise Http404("No report for this year.")
    return year


def can_export(user) -> bool:
    return user.is_authenticated and user.role == ADMINISTRATOR


def _figure_url(year: int, spec: dict | None) -> str | None:
    if not spec:
        return None
    params = {k: v for k, v in spec.items() if k != "figure"}
    url = reverse("reports:drilldown", args=[year, spec["figure"]])
    return f"{url}?{urlencode(params)}" if params else url


def _present(results: dict, *, year: int, public: bool) -> list[dict]:
    """Tables ready for the template: cells in column order with their drill-down links.

    `results` are already the public release's (disclosure.public_results) when `public`.
    """
    out = []
    for t in results.get("tables", []):

        def line(r: dict, t: dict = t) -> dict:
            return {
                "label": r["label"],
                "cells": [
                    {
                        "value": r["cells"].get(c["key"]),
                        "kind": c["kind"],
                        "url": None if public else _figure_url(year, r["links"].get(c["key"])),
                    }
                    for c in t["columns"]
                ],
            }

        out.append(
            {
                "key": t["key"],
                "title": t["title"],
                "columns": t["columns"],
                "row_header": t.get("row_header") or "Category",
                "rows": [line(r) for r in t["rows"]],
                "total": line(t["total"]) if t.get("total") else None,
                "note": t.get("note", ""),
                "chart": None if public else charts.for_table(t),
            }
        )
    return out


def _source(request, snapshot) -> str:
    if snapshot is None:
        return "live"
    return "live" if request.GET.get("view") == "live" else "snapshot"


@require_GET
@role_required(*READERS)
def report_index(request):
    """The year picker's target (?year=) and the menu's entry: the current year by default."""
    try:
        year = int(request.GET.get("year") or services.current_year())
    except ValueError:
        year = services.current_year()
    if not services.year_is_valid(year):
        year = services.current_year()
    return redirect("reports:year", year=year)


@require_GET
@role_required(*READERS)
@dbrouter.replica_reads
def report_year(request, year: int):
    _year_or_404(year)
    public = request.GET.get("public") == "1"
    snapshot = services.snapshot_latest(year=year)
    source = _source(request, snapshot)
    run, pending = services.report_live(year=year, user=request.user)
    live = run.results if run else None
    # While a slow year recomputes, the figures shown are the previous run's: not current,
    # so they are neither compared with the published ones nor called "the same".
    live_current = run is not None and pending is None
    results = snapshot.results if source == "snapshot" else live
    published = snapshot.results if snapshot is not None else None
    if public:  # everything the public page shows comes from the released figures
        results = disclosure.public_results(results) if results else results
        published = disclosure.public_results(published) if published else published
        live = disclosure.public_results(live) if live else live
    diff = (
        services.snapshot_diff(published, live)
        if published is not None and live is not None and live_current
        else None
    )
    context = {
        "year": year,
        "years": services.years_with_data(),
        "public": public,
        "source": source,
        "snapshot": snapshot,
        "run": run,
        "pending": pending,
        "live_current": live_current,
        "results": results,
        "tables": _present(results, year=year, public=public) if results else [],
        "headlines": _headlines(results, year=year, public=public) if results else [],
        "diff": diff,
        "definitions_version": definitions.DEFINITIONS_VERSION,
        "notes": definitions.NOTES,
        # Records of this year purged under the retention schedule: live figures miss them.
        "purged": cases_report.purged_for_year(year),
        "can_export": can_export(request.user),
        "can_publish": request.user.role == ADMINISTRATOR,
        "replica_lag": _replica_lag(),
        "export_query": urlencode(
            {
                **({"public": "1"} if public else {}),
                **({"view": "live"} if snapshot and source == "live" else {}),
            }
        ),
    }
    return render(request, "reports/report_year.html", context)


def _replica_lag() -> int | None:
    """Seconds the replica is behind, when more than the notice threshold; else None."""
    lag = dbrouter.replica_lag_seconds()
    if lag is None or lag <= settings.DATABASE_REPLICA_LAG_NOTICE_SECONDS:
        return None
    return int(lag)


def _headlines(results: dict, *, year: int, public: bool) -> list[dict]:
    out = []
    for key, meta in definitions.HEADLINES.items():
        value = results.get("headline", {}).get(key)  # already public when `public`
        out.append(
            {
                "key": key,
                "title": meta["title"],
                "definition": meta["definition"],
                "value": value,
                "url": None if public else reverse("reports:drilldown", args=[year, key]),
            }
        )
    return out


@require_GET
@role_required(*READERS)
def report_status(request, year: int):
    """The progress bar's fragment, polled by htmx while a background run computes."""
    _year_or_404(year)
    services.run_in_flight(year=year)  # marks a run stuck past the time limit as failed
    run = selectors.report_run_latest(year=year)
    if run is None:
        raise Http404
    if run.status == ReportRun.Status.DONE:
        response = render(request, "reports/includes/_progress_done.html", {"year": year})
        response["HX-Refresh"] = "true"  # reload the page to show the fresh figures
        return response
    return render(request, "reports/includes/_progress.html", {"run": run, "year": year})


@require_POST
@role_required(*READERS)
def report_refresh(request, year: int):
    """ "Recompute now" (and "Try again" after a failed run): a fast year at once."""
    _year_or_404(year)
    if services.expected_slow(year=year):
        services.run_start(year=year, user=request.user)
        messages.info(request, "The figures are being recomputed.")
    else:
        services.run_compute_inline(year=year, user=request.user)
        messages.success(request, "The figures are recomputed from the data as it is now.")
    return redirect("reports:year", year=year)


@require_POST
@role_required(ADMINISTRATOR)
def report_publish(request, year: int):
    _year_or_404(year)
    try:
        services.snapshot_publish(year=year, by=request.user, note=posted_text(request, "note"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reports:year", year=year)
    messages.success(request, f"The {year} figures are published.")
    return redirect("reports:year", year=year)


# --- drill-down ------------------------------------------------------------------------------


@require_GET
@role_required(*READERS)
@dbrouter.replica_reads
def drilldown_list(request, year: int, figure: str):
    _year_or_404(year)
    fig = drilldown.figure_get(figure)
    params = drilldown.parse_params(fig, request.GET)
    qs = fig.queryset(request.user, year, **params)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"url": fig.url(obj), "cells": [c.value(obj) for c in fig.columns]} for obj in page]
    not_listed = 0
    if cases_report.hides_anything(request.user):
        # The figure counts restricted families' records; this reader may not see them.
        with cases_report.counting_restricted():
            not_listed = fig.queryset(request.user, year, **params).count() - page.paginator.count
    return render(
        request,
        "reports/drilldown_list.html",
        {
            "year": year,
            "figure": fig,
            "words": drilldown.describe(fig, params),
            "page": page,
            "rows": rows,
            "not_listed": not_listed,
            "can_export": can_export(request.user),
            "export_query": urlencode(params),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*READERS)
@dbrouter.replica_reads
def drilldown_export(request, year: int, figure: str, fmt: str):
    """The records behind a figure: redacted by GET, unredacted by POST with a reason."""
    _year_or_404(year)
    if not can_export(request.user):
        raise PermissionDenied
    if fmt not in FORMATS:
        raise Http404
    fig = drilldown.figure_get(figure)
    params = drilldown.parse_params(fig, request.GET)
    redacted, reason, bad = list_exports.unredacted_request(request)
    if bad is not None:
        return list_exports.refuse_form(request, bad, title=f"{fig.title}, {year}", fmt=fmt)
    return list_exports.export(
        request,
        what=f"by-the-numbers-{year}-{figure}",
        title=f"{fig.title}, {year}",
        fmt=fmt,
        queryset=fig.queryset(request.user, year, **params),
        columns=fig.columns,
        filters={"year": year, "figure": figure, "params": params},
        redacted=redacted,
        reason=reason,
    )


# --- table exports ---------------------------------------------------------------------------


@require_GET
@role_required(*READERS)
@dbrouter.replica_reads
def report_export(request, year: int, table: str, fmt: str):
    _year_or_404(year)
    if not can_export(request.user):
        raise PermissionDenied
    # The PDF is the whole report (board packs); CSV and XLSX also come per table.
    if fmt not in FORMATS and not (fmt == "pdf" and table == "all"):
        raise Http404
    public = request.GET.get("public") == "1"
    snapshot = services.snapshot_latest(year=year)
    source = _source(request, snapshot)
    run = None
    if source == "snapshot":
        results = snapshot.results
    else:
        run, _pending = services.report_live(year=year, user=request.user)
        if run is None:
            messages.info(request, "The figures are still being computed; export them when ready.")
            return redirect("reports:year", year=year)
        results = run.results
    tables = results["tables"]
    if table != "all":
        tables = [t for t in tables if t["key"] == table]
        if not tables:
            raise Http404
    audit.record(
        action="reports.export.downloaded",
        actor=request.user,
        obj=snapshot if source == "snapshot" else None,
        changes={"year": year, "table": table, "format": fmt, "public": public, "source": source},
    )
    suffix = "-public" if public else ""
    name = f"by-the-numbers-{year}-{table}{suffix}.{fmt}"
    if fmt == "pdf":
        content = pdf.render(
            year=year,
            results=disclosure.public_results(results) if public else results,
            stamp_text=pdf.stamp(year=year, snapshot=snapshot, run=run, source=source),
            public=public,
        )
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    sheets = [
        (
            exports.sheet_name(t) if fmt == "xlsx" else t["title"],
            exports.table_rows(t, public=public),
        )
        for t in tables
    ]
    if fmt == "csv":
        rows = sheets[0][1] if len(sheets) == 1 else exports.csv_sections(sheets)
        return exports.csv_response(name, rows)
    return exports.xlsx_response(name, sheets)
