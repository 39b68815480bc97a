"""CSV and XLSX exports of the report's tables and of the records behind a figure.

Text that a spreadsheet would run as a formula (starting with = + - @, tab or carriage
return) gets a leading apostrophe. Record lists are streamed (CSV row by row from a
server-side cursor; XLSX through openpyxl's write-only mode into a temporary file that is
then streamed), so a large export never sits in memory.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.http import FileResponse, StreamingHttpResponse

from . import disclosure

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000


def neutralise(value: Any) -> Any:
    """A cell value that no spreadsheet will evaluate as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


# --- report tables ---------------------------------------------------------------------------


def table_for_display(t: dict, *, public: bool = False) -> dict:
    """A table as shown: for the public release, through reports.disclosure."""
    return disclosure.public_table(t) if public else t


def _typed(column: dict, value: Any) -> Any:
    if column["kind"] == "money" and isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value


def table_rows(t: dict, *, public: bool = False) -> Iterator[list[Any]]:
    t = table_for_display(t, public=public)
    yield [t.get("row_header") or "Category", *(c["label"] for c in t["columns"])]
    for r in [*t["rows"], *([t["total"]] if t.get("total") else [])]:
        yield [r["label"], *(_typed(c, r["cells"].get(c["key"])) for c in t["columns"])]


# --- writers ---------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, rows: Iterable[list[Any]]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream() -> Iterator[str]:
        yield "\ufeff"  # BOM: spreadsheet programs then read UTF-8
        for r in rows:
            yield writer.writerow([neutralise(v) for v in r])

    response = StreamingHttpResponse(stream(), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_sections(sections: Iterable[tuple[str, Iterable[list[Any]]]]) -> Iterator[list[Any]]:
    """Several tables in one CSV: a title line, the table, a blank line."""
    for title, rows in sections:
        yield [title]
        yield from rows
        yield []


# Excel allows 31 characters in a sheet name: the report's tables get short names that
# still say what they hold (a cut title such as "Team HOPE peer-support calls by" does not).
SHEET_NAMES = {
    "headline": "Headline figures",
    "mental_health": "Mental-health support",
    "faon_membership": "FAON membership",
    "faon_compliance": "FAON compliance",
    "contacts": "Contacts by purpose & month",
    "cases": "New cases by type",
    "referrals": "Referrals by service & outcome",
    "legal": "Legal requests received",
    "legal_provided": "Legal assistance provided",
    "travel": "Reunification travel",
    "travel_cost": "Reunification cost & budget",
    "peer_calls": "Team HOPE calls by month",
}


def sheet_name(t: dict) -> str:
    return SHEET_NAMES.get(t["key"], t["title"])


def _sheet_title(title: str, used: set[str]) -> str:
    clean = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Sheet"
    name, n = clean, 1
    while name in used:
        n += 1
        name = f"{clean[:28]}~{n}"
    used.add(name)
    return name


def xlsx_response(filename: str, sheets: Iterable[tuple[str, Iterable[list[Any]]]]) -> FileResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for title, rows in sheets:
        sheet = workbook.create_sheet(_sheet_title(title, used))
        for r in rows:
            sheet.append([neutralise(v) for v in r])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def record_rows(columns, queryset) -> Iterator[list[Any]]:
    """Header and one line per record, read in chunks from a server-side cursor."""
    yield ["Id", *(c.label for c in columns)]
    for obj in queryset.iterator(chunk_size=CHUNK):
        yield [obj.pk, *(c.value(obj) for c in columns)]
