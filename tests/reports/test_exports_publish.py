"""Exports (content, public release, formula injection, audit) and published snapshots."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from familysupport.lib.models import AuditEntry
from reports import exports
from reports.models import ReportSnapshot

from . import factories as f
from .factories import ny

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"))))


def _page_cells(html: str, key: str) -> list[list[str]]:
    """The rows of one report table as the page shows them (label + cell texts)."""
    table = re.search(rf'data-table="{key}">(.*?)</table>', html, re.S).group(1)
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]:
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip().replace("—", "") for c in cells])
    return rows


def test_neutralise_formula_starts():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert exports.neutralise(text) == "'" + text
    assert exports.neutralise("plain") == "plain"
    assert exports.neutralise(-5) == -5  # numbers stay numbers
    assert exports.neutralise(None) == ""


def test_csv_export_equals_the_page_and_is_audited(edge_year, administrator, login):
    client = login(administrator)
    html = client.get(reverse("reports:year", args=[2024])).content.decode()
    response = client.get(reverse("reports:export", args=[2024, "contacts", "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0][:3] == ["Category", "Jan", "Feb"]
    assert rows[1:] == _page_cells(html, "contacts")
    entry = AuditEntry.objects.get(action="reports.export.downloaded")
    assert entry.actor == administrator
    assert entry.changes == {
        "year": 2024,
        "table": "contacts",
        "format": "csv",
        "public": False,
        "source": "live",
    }


def test_xlsx_export_has_every_table_matching_the_page(edge_year, administrator, login):
    client = login(administrator)
    html = client.get(reverse("reports:year", args=[2024])).content.decode()
    response = client.get(reverse("reports:export", args=[2024, "all", "xlsx"]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(_body(response)), read_only=True)
    assert len(book.sheetnames) == 12
    headline = [list(r) for r in book[book.sheetnames[0]].iter_rows(values_only=True)]
    assert headline[1:] == [
        ["Families given mental-health support", 3],
        ["FAON participants", 2],
        ["Team HOPE peer-support calls", 3],
    ]
    # Short names that say what each sheet holds, not titles cut at 31 characters.
    assert sorted(book.sheetnames) == sorted(exports.SHEET_NAMES.values())
    assert all(len(name) <= 31 for name in book.sheetnames)
    sheet = book["Team HOPE calls by month"]
    rows = [[("" if v is None else str(v)) for v in r] for r in sheet.iter_rows(values_only=True)]
    assert rows[1:] == _page_cells(html, "peer_calls")
    assert AuditEntry.objects.filter(action="reports.export.downloaded").count() == 1


def test_public_release_suppresses_small_counts(edge_year, administrator, login):
    client = login(administrator)
    response = client.get(reverse("reports:export", args=[2024, "referrals", "csv"]) + "?public=1")
    rows = {r[0]: r for r in _csv(response)[1:]}
    header = _csv(client.get(reverse("reports:export", args=[2024, "referrals", "csv"])))[0]
    mh = dict(zip(header, rows["Mental-health counselling / therapy"], strict=True))
    assert mh["Sent"] == "<10" and mh["Accepted"] == "<10"
    assert mh["Expired (no answer)"] == "0"  # zero is not a small count
    assert mh["Median response (hours)"] == "withheld"
    html = client.get(reverse("reports:year", args=[2024]) + "?public=1").content.decode()
    assert 'data-figure="mh_families">&lt;10' in html
    assert "/records/" not in html  # no drill-down in the public version
    entries = AuditEntry.objects.filter(action="reports.export.downloaded")
    assert sorted(e.changes["public"] for e in entries) == [False, True]


def test_record_export_is_streamed_neutralised_and_audited(administrator, login):
    fam = f.family(display_name='=HYPERLINK("http://evil.example")')
    c = f.case(fam, opened_at=ny(2024, 1, 2, 9))
    f.contact(c, at=ny(2024, 2, 1, 9), purpose="crisis_intervention")
    client = login(administrator)
    url = reverse("reports:drilldown_export", args=[2024, "mh_families", "csv"])
    # Names are in the unredacted file only (reports/redaction.py): asked for with a reason.
    reason = {"reason": "Board asked for the list of families"}
    response = client.post(url, reason)
    assert response.streaming
    rows = _csv(response)
    assert rows[0][0].startswith("# Confidential. Exported by")  # the watermark row
    assert rows[2][2].startswith("'=HYPERLINK")
    xlsx = client.post(
        reverse("reports:drilldown_export", args=[2024, "mh_families", "xlsx"]), reason
    )
    book = openpyxl.load_workbook(io.BytesIO(_body(xlsx)), read_only=True)
    values = list(book.active.iter_rows(values_only=True))
    assert values[2][2].startswith("'=HYPERLINK")
    assert AuditEntry.objects.filter(action="reports.export.downloaded").count() == 2
    assert (
        client.get(reverse("reports:drilldown_export", args=[2024, "contacts", "pdf"])).status_code
        == 404
    )


# --- publish ---------------------------------------------------------------------------------


def test_publish_freezes_figures_and_shows_the_difference(edge_year, administrator, login):
    client = login(administrator)
    response = client.post(reverse("reports:publish", args=[2024]), {"note": "Board report"})
    assert response.status_code == 302
    snap = ReportSnapshot.objects.get(year=2024)
    assert snap.results["headline"]["mh_families"] == 3
    assert snap.definitions_version and snap.as_of and snap.published_by == administrator
    assert AuditEntry.objects.filter(action="reports.snapshot.published").exists()

    # A contact entered late for 2024 changes the live figures, not the published ones.
    c = f.case(f.family(), opened_at=ny(2023, 5, 1, 9))
    f.contact(c, at=ny(2024, 9, 9, 9), purpose="crisis_intervention")
    from reports.models import ReportRun

    ReportRun.objects.all().delete()
    html = client.get(reverse("reports:year", args=[2024])).content.decode()
    assert "Published figures" in html and "Board report" in html
    assert 'data-figure="mh_families"><a href="/reports/2024/records/mh_families/">3<' in html
    diff = html.split("Changes since publication", 1)[1].split("</table>", 1)[0]
    assert "Families given mental-health support" in diff and "+1" in diff

    live = client.get(reverse("reports:year", args=[2024]) + "?view=live").content.decode()
    assert 'data-figure="mh_families"><a href="/reports/2024/records/mh_families/">4<' in live

    # Exports follow the page: the snapshot by default, live on request.
    published = _csv(client.get(reverse("reports:export", args=[2024, "headline", "csv"])))
    assert published[1] == ["Families given mental-health support", "3"]
    current = _csv(
        client.get(reverse("reports:export", args=[2024, "headline", "csv"]) + "?view=live")
    )
    assert current[1] == ["Families given mental-health support", "4"]


def test_unpublished_year_has_no_diff(edge_year, administrator, login):
    html = login(administrator).get(reverse("reports:year", args=[2024])).content.decode()
    assert "Not published" in html and "Changes since publication" not in html


def test_publish_requires_post(administrator, login):
    assert login(administrator).get(reverse("reports:publish", args=[2024])).status_code == 405
