"""Redaction of exports that list families or people, and the export's watermark and audit.

Every export that lists families or people (the case list, the referral list, the records
behind a figure) is redacted by default: initials and case numbers instead of names, no
phones, e-mails or addresses. The unredacted file needs a typed reason, is offered only to
the roles that may see the page it comes from, and is audited with its filter and row count
like every export. Each file says who exported it and when: a comment row in CSV, the page
header (and a first row) in XLSX, the footer of every page in PDF.

Restricted records never reach an export of someone who may not open them: every export
reads through the owning app's access selectors (cases/restricted.py).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import FileResponse, HttpResponse
from django.utils import timezone

from familysupport.lib import audit, dates, pdf

from . import exports

PDF_TYPE = "application/pdf"
PDF_MAX_ROWS = 2000  # a larger list is a spreadsheet's job (CSV/XLSX stream any size)
REDACTED_NOTE = "REDACTED: initials and case numbers only; no names, phones, e-mails or addresses"


def initials(name: str) -> str:
    """'Rosalind Quenby' → 'R. Q.'; 'Quenby family' → 'Q.' (the word "family" is dropped)."""
    words = [w for w in (name or "").replace("-", " ").split() if w.lower() != "family"]
    return " ".join(f"{w[0].upper()}." for w in words if w[0].isalnum()) or "—"


@dataclass(frozen=True)
class ExportColumn:
    """A column of a record export. `redacted`: what the redacted file shows instead (None:
    the same value); `sensitive`: left out of the redacted file altogether."""

    label: str
    value: Callable[[Any], Any]
    redacted: Callable[[Any], Any] | None = None
    sensitive: bool = False


def columns_for(columns: Iterable[Any], *, redacted: bool) -> list[tuple[str, Callable]]:
    out = []
    for c in columns:
        if redacted and getattr(c, "sensitive", False):
            continue
        fn = (getattr(c, "redacted", None) or c.value) if redacted else c.value
        out.append((c.label, fn))
    return out


def record_rows(columns, queryset, *, redacted: bool, id_column: bool = True) -> Iterator[list]:
    """Header and one line per record, read in chunks from a server-side cursor."""
    cols = columns_for(columns, redacted=redacted)
    yield [*(["Id"] if id_column else []), *(label for label, _ in cols)]
    for obj in queryset.iterator(chunk_size=exports.CHUNK):
        yield [*([obj.pk] if id_column else []), *(fn(obj) for _, fn in cols)]


# --- who exported it, when ------------------------------------------------------------------


@dataclass
class Watermark:
    user: Any
    redacted: bool
    rows: int
    at: dt.datetime = field(default_factory=timezone.now)

    @property
    def text(self) -> str:
        local = timezone.localtime(self.at, dates.division_tz())
        kind = REDACTED_NOTE if self.redacted else "UNREDACTED: names and contact details"
        return (
            f"Confidential. Exported by {self.user.email} on {local:%Y-%m-%d %H:%M} "
            f"({dates.division_tz().key}). {kind}. {self.rows} row{'s' if self.rows != 1 else ''}."
        )


# --- writers ----------------------------------------------------------------------------------


def csv_response(filename: str, rows: Iterable[list], mark: Watermark):
    """CSV with the watermark as its first, comment row ('# Confidential. Exported by …')."""

    def with_mark() -> Iterator[list]:
        yield [f"# {mark.text}"]
        yield from rows

    return exports.csv_response(filename, with_mark())


def xlsx_response(filename: str, title: str, rows: Iterable[list], mark: Watermark):
    """XLSX whose page header (printed on every page) and first row carry the watermark."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(exports._sheet_title(title, set()))
    for header in (sheet.oddHeader, sheet.evenHeader, sheet.firstHeader):
        header.center.text = mark.text.replace("&", "&&")  # & starts a header code
        header.center.size = 8
    sheet.append([mark.text])
    for r in rows:
        sheet.append([exports.neutralise(v) for v in r])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type=exports.XLSX_TYPE
    )


def pdf_response(filename: str, title: str, rows: Iterable[list], mark: Watermark):
    """A landscape PDF table; the watermark and the page number in every page's footer."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import landscape, letter
    from reportlab.lib.units import inch
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    styles = pdf.styles()  # an embedded font: names print in any script
    cell = styles["BodyText"].clone("cell", fontSize=7, leading=8)
    data = [[Paragraph(_xml(v), cell) for v in r] for r in rows]

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(pdf.FONT, 7)
        canvas.drawString(0.5 * inch, 0.35 * inch, mark.text)
        canvas.drawRightString(10.5 * inch, 0.35 * inch, f"Page {doc.page}")
        canvas.restoreState()

    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    doc = SimpleDocTemplate(
        handle,
        pagesize=landscape(letter),
        leftMargin=0.5 * inch,
        rightMargin=0.5 * inch,
        topMargin=0.5 * inch,
        bottomMargin=0.6 * inch,
        title=title,
        author=mark.user.email,
    )
    table = LongTable(data, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    doc.build(
        [Paragraph(_xml(title), styles["Heading2"]), Spacer(1, 6), table],
        onFirstPage=footer,
        onLaterPages=footer,
    )
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=PDF_TYPE)


def _xml(value: Any) -> str:
    from xml.sax.saxutils import escape

    return escape("" if value is None else str(value))


def respond(
    fmt: str, *, filename: str, title: str, rows: Iterable[list], mark: Watermark
) -> HttpResponse:
    if fmt == "csv":
        return csv_response(filename, rows, mark)
    if fmt == "xlsx":
        return xlsx_response(filename, title, rows, mark)
    return pdf_response(filename, title, rows, mark)


# --- asking for the unredacted file ------------------------------------------------------------


class UnredactedForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need names and contact details?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded in the audit trail with the filter and the number of rows.",
    )

    def clean_reason(self):
        value = self.cleaned_data["reason"].strip()
        if len(value) < 10:
            raise forms.ValidationError("Say in a sentence why the unredacted file is needed.")
        return value


def record_export(
    *,
    user,
    what: str,
    filters: dict[str, Any],
    rows: int,
    redacted: bool,
    fmt: str,
    reason: str = "",
    obj: Any = None,
) -> None:
    """The audit entry of one export: what, the filter, how many rows, redacted or not, why."""
    audit.record(
        action="reports.export.downloaded",
        actor=user,
        obj=obj,
        changes={
            "export": what,
            "filters": filters,
            "rows": rows,
            "redacted": redacted,
            "format": fmt,
            **({"reason": reason} if not redacted else {}),
        },
    )
