"""Every CSV, XLSX and PDF the portal hands out reads in words: no stored choice value
(`in_person`, `mental_health`, `en`), no snake_case key and no True/False, in headers or cells.

The raw codes are taken from every model's choices, so a new choice field shown raw in an
export fails here without this test knowing about it.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.apps import apps
from django.urls import reverse
from pypdf import PdfReader

from familysupport.lib import labels

pytestmark = pytest.mark.django_db

REASON = {"reason": "Checking the file reads in words"}
SNAKE = re.compile(r"[a-z]+(?:_[a-z0-9]+)+")
# Booleans are written as the words "yes"/"no" (reports/exports.py): words, not codes.
WORDS = {"yes", "no"}


def _raw_codes() -> set[str]:
    """Stored choice values whose label says something else (lower-case codes only: a US
    state's "NY" is how people write it)."""
    codes = set(labels.LANGUAGE_NAMES)
    for model in apps.get_models():
        for field in model._meta.get_fields():
            inner = getattr(field, "base_field", None) or field
            for value, label in getattr(inner, "choices", None) or []:
                if isinstance(value, str) and value != str(label) and value.islower():
                    codes.add(value)
    return codes - WORDS


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _cells(response) -> list[str]:
    """Every header and cell of the file, as text."""
    kind = response["Content-Type"]
    body = _body(response)
    if kind.startswith("text/csv"):
        return [c for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for c in row]
    if kind == "application/pdf":
        reader = PdfReader(io.BytesIO(body))
        return [line for page in reader.pages for line in page.extract_text().splitlines()]
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    return [
        "" if v is None else str(v)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for v in row
    ]


def _raw_in(cells: list[str], codes: set[str], *, prose: bool = False) -> list[str]:
    """The cells showing a raw code. In `prose` (a PDF's text lines, where a wrapped header
    leaves "accepted" alone on a line and notes list statuses in words) only snake_case
    and True/False count; the same tables' CSV and XLSX are checked cell by cell."""
    found = []
    for cell in cells:
        parts = {cell.strip(), *(p.strip() for p in re.split(r"[,;·]", cell))}
        tokens = {t.strip(".:()'\"") for t in cell.split() if "@" not in t and "/" not in t}
        if (
            (not prose and parts & codes)
            or {"True", "False"} & parts
            or any(SNAKE.fullmatch(t) for t in tokens)
        ):
            found.append(cell)
    return found


def _assert_words(response, codes: set[str]) -> None:
    assert response.status_code == 200, response.status_code
    cells = _cells(response)
    assert len(cells) > 3, "the file is empty"
    raw = _raw_in(cells, codes, prose=response["Content-Type"] == "application/pdf")
    assert not raw, f"raw codes in {response['Content-Disposition']}: {raw}"


def test_the_check_catches_raw_codes():
    codes = _raw_codes()
    assert {"in_person", "mental_health", "en", "sliding_scale"} <= codes
    assert _raw_in(["In person", "Mental health", "Spanish", "yes", "Family #3"], codes) == []
    assert _raw_in(["accepted", "mental_health", "en"], codes, prose=True) == ["mental_health"]
    assert _raw_in(["in_person", "Telehealth, en", "False", "case_type 4"], codes) == [
        "in_person",
        "Telehealth, en",
        "False",
        "case_type 4",
    ]


def test_report_and_record_exports_read_in_words(edge_year, administrator, login):
    from reports import drilldown

    families = edge_year["families"]
    for n, language in ((1, "es"), (2, "vi"), (5, "en")):
        families[n].preferred_language = language
        families[n].save(update_fields=["preferred_language"])
    codes = _raw_codes()
    client = login(administrator)
    year = edge_year["year"]
    for fmt in ("csv", "xlsx", "pdf"):
        _assert_words(client.get(reverse("reports:export", args=[year, "all", fmt])), codes)
    for figure in drilldown._registry():
        for fmt in ("csv", "xlsx"):
            url = reverse("reports:drilldown_export", args=[year, figure, fmt])
            _assert_words(client.post(url, REASON), codes)
    for name in ("reports:case_list_export", "reports:referral_list_export"):
        for fmt in ("csv", "xlsx", "pdf"):
            _assert_words(client.post(reverse(name, args=[fmt]), REASON), codes)
    _assert_words(client.get(reverse("reports:coverage_csv")), codes)


def test_member_export_itinerary_and_transcript_read_in_words(edge_year, administrator, login):
    from faon import services as faon_services
    from reunification.models import TravelRequest
    from tests.faon.factories import AttendanceFactory, EventFactory

    codes = _raw_codes()
    client = login(administrator)
    _assert_words(client.get(reverse("faon:provider_export")), codes)

    trip = TravelRequest.objects.get()
    _assert_words(client.get(reverse("reunification:itinerary_pdf", args=[trip.pk])), codes)

    p1 = edge_year["p1"]
    event = EventFactory(kind="online", ce_credits=Decimal("1.5"))
    attended = AttendanceFactory(provider=p1, event=event)
    year = attended.completed_at.year
    transcript = faon_services.transcript_issue(provider=p1, year=year, by=administrator)
    _assert_words(client.get(reverse("faon:transcript_pdf", args=[transcript.pk])), codes)
