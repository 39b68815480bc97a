"""Exports of the case list and the referral list (CSV, XLSX, PDF), redacted by default.

GET downloads the redacted file; POST with a reason (reports/redaction.py) the unredacted
one. Both read through the owning apps' access selectors with the page's own filters, so a
file never holds a record (restricted or not) its reader could not open on the page. Who:
supervisors and administrators (DESIGN.md: exports are for administrators; supervisors
answer for their team's caseload); advocates read the lists but do not export them.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from familysupport.lib import dates, dbrouter
from familysupport.lib.access import LIST_EXPORTERS, role_required

from . import redaction
from .redaction import ExportColumn, initials

EXPORTERS = tuple(sorted(LIST_EXPORTERS))
FORMATS = ("csv", "xlsx", "pdf")


def _day(moment) -> str:
    return timezone.localtime(moment, dates.division_tz()).strftime("%Y-%m-%d") if moment else ""


def _address(family) -> str:
    parts = [family.address_line, family.city, family.state, family.zip_code]
    return ", ".join(p for p in parts if p)


CASE_COLUMNS = [
    ExportColumn("Case", lambda c: c.reference),
    ExportColumn(
        "Family",
        lambda c: c.family.display_name,
        redacted=lambda c: initials(c.family.display_name),
    ),
    ExportColumn(
        "Primary contact",
        lambda c: c.family.contact_name,
        redacted=lambda c: initials(c.family.contact_name),
    ),
    ExportColumn("Phone", lambda c: c.family.phone, sensitive=True),
    ExportColumn("E-mail", lambda c: c.family.email, sensitive=True),
    ExportColumn("Address", lambda c: _address(c.family), sensitive=True),
    ExportColumn("Type", lambda c: c.get_case_type_display()),
    ExportColumn("Status", lambda c: c.get_status_display()),
    ExportColumn("Risk", lambda c: c.get_risk_level_display()),
    ExportColumn("Advocate", lambda c: str(c.assigned_advocate or "Unassigned")),
    ExportColumn("Opened", lambda c: _day(c.opened_at)),
    ExportColumn("Closed", lambda c: _day(c.closed_at)),
]

REFERRAL_COLUMNS = [
    ExportColumn("Referral", lambda r: f"Referral #{r.pk}"),
    ExportColumn("Case", lambda r: r.case.reference),
    ExportColumn(
        "Family contact",
        lambda r: r.family.contact_name,
        redacted=lambda r: initials(r.family.contact_name),
    ),
    ExportColumn("Phone", lambda r: r.family.phone, sensitive=True),
    ExportColumn("E-mail", lambda r: r.family.email, sensitive=True),
    ExportColumn("Service", lambda r: r.get_service_type_display()),
    ExportColumn("To", lambda r: r.recipient_name),
    ExportColumn("Status", lambda r: r.get_status_display()),
    ExportColumn("Created", lambda r: _day(r.created_at)),
    ExportColumn("Sent", lambda r: _day(r.sent_at)),
    ExportColumn("Answered", lambda r: _day(r.responded_at)),
]


def unredacted_request(request: HttpRequest) -> tuple[bool, str, redaction.UnredactedForm | None]:
    """(redacted?, reason, a form with errors to show again) for an export request."""
    if request.method != "POST":
        return True, "", None
    form = redaction.UnredactedForm(request.POST)
    if not form.is_valid():
        return False, "", form
    return False, form.cleaned_data["reason"], None


def refuse_form(
    request: HttpRequest, form, *, title: str, fmt: str, back: str = ""
) -> HttpResponse:
    return render(
        request,
        "reports/export_unredacted.html",
        {"form": form, "title": title, "fmt": fmt.upper(), "back": back},
        status=400,
    )


def export(
    request: HttpRequest,
    *,
    what: str,
    title: str,
    fmt: str,
    queryset,
    columns,
    filters: dict[str, Any],
    redacted: bool,
    reason: str,
    id_column: bool = True,
    obj: Any = None,
) -> HttpResponse:
    """Count, audit, then stream the file with its watermark."""
    # Pinned now: the file streams after the view (and its replica_reads block) has returned.
    queryset = queryset.using(dbrouter.read_alias())
    rows = queryset.count()
    if fmt == "pdf" and rows > redaction.PDF_MAX_ROWS:
        message = (
            f"{rows} rows are too many for a PDF (at most {redaction.PDF_MAX_ROWS}): narrow "
            "the filters, or download CSV or XLSX."
        )
        return render(
            request, "reports/export_refused.html", {"title": title, "message": message}, status=400
        )
    redaction.record_export(
        user=request.user,
        what=what,
        filters=filters,
        rows=rows,
        redacted=redacted,
        fmt=fmt,
        reason=reason,
        obj=obj,
    )
    mark = redaction.Watermark(user=request.user, redacted=redacted, rows=rows)
    suffix = "" if redacted else "-unredacted"
    stamp = timezone.localtime(mark.at, dates.division_tz()).strftime("%Y%m%d-%H%M")
    return redaction.respond(
        fmt,
        filename=f"{what}-{stamp}{suffix}.{fmt}",
        title=title,
        rows=redaction.record_rows(columns, queryset, redacted=redacted, id_column=id_column),
        mark=mark,
    )


def _filters(request: HttpRequest) -> dict[str, Any]:
    return {k: v if len(v) > 1 else v[0] for k, v in request.GET.lists() if k != "page"}


@require_http_methods(["GET", "POST"])
@role_required(*EXPORTERS)
@dbrouter.replica_reads
def case_list_export(request: HttpRequest, fmt: str) -> HttpResponse:
    from cases import report as cases_report

    if fmt not in FORMATS:
        raise Http404
    redacted, reason, bad = unredacted_request(request)
    if bad is not None:
        return refuse_form(request, bad, title="the case list", fmt=fmt, back="cases:case_list")
    filterset = cases_report.case_list_filter(user=request.user, params=request.GET)
    if filterset.is_bound and not filterset.is_valid():
        message = "Some filters could not be used: fix them on the case list, then export."
        return render(
            request,
            "reports/export_refused.html",
            {"title": "Cases", "message": message},
            status=400,
        )
    return export(
        request,
        what="cases",
        title="Cases",
        fmt=fmt,
        queryset=filterset.qs,
        columns=CASE_COLUMNS,
        filters=_filters(request),
        redacted=redacted,
        reason=reason,
        id_column=False,
    )


@require_http_methods(["GET", "POST"])
@role_required(*EXPORTERS)
@dbrouter.replica_reads
def referral_list_export(request: HttpRequest, fmt: str) -> HttpResponse:
    from referrals import selectors as referral_selectors

    if fmt not in FORMATS:
        raise Http404
    redacted, reason, bad = unredacted_request(request)
    if bad is not None:
        return refuse_form(request, bad, title="the referral list", fmt=fmt, back="referrals:list")
    status = request.GET.get("status", "")
    qs = referral_selectors.referral_list_filtered(user=request.user, status=status)
    qs = qs.select_related("family")
    return export(
        request,
        what="referrals",
        title="Referrals",
        fmt=fmt,
        queryset=qs,
        columns=REFERRAL_COLUMNS,
        filters={"status": status} if status else {},
        redacted=redacted,
        reason=reason,
        id_column=False,
    )
