"""The yearly report as a PDF: figures, tables, stamp, public variant; who may download it."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from reports import definitions

pytestmark = pytest.mark.django_db

URL = reverse("reports:export", args=[2024, "all", "pdf"])


def _text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_live_pdf_has_every_figure_table_and_a_live_stamp(edge_year, administrator, login):
    client = login(administrator)
    text = _text(client.get(URL))
    assert "By the Numbers 2024" in text
    assert "Families given mental-health support: 3" in text
    assert "FAON participants: 2" in text
    assert "Team HOPE peer-support calls: 3" in text
    from reports import services

    run, _ = services.report_live(year=2024, user=administrator)
    for t in run.results["tables"]:
        if t["key"] != "headline":
            assert " ".join(t["title"].split()) in text, t["title"]
        if t.get("note"):
            assert t["note"] in text
    assert "Advocate contacts per month" in text  # a chart's title (the chart is drawn)
    assert "Live figures, not published — computed" in text
    assert f"Definitions (version {definitions.DEFINITIONS_VERSION})" in text
    assert "1 families had at least one peer-support call." in text


def test_published_pdf_is_stamped_with_the_date_and_prints_any_script(
    edge_year, administrator, login
):
    client = login(administrator)
    client.post(reverse("reports:publish", args=[2024]), {"note": "Συμβούλιο — Правление"})
    text = _text(client.get(URL))
    assert "Published 20" in text and "Συμβούλιο — Правление" in text
    assert "Families given mental-health support: 3" in text


def test_public_pdf_suppresses_small_counts(edge_year, administrator, login):
    text = _text(login(administrator).get(URL, {"public": "1"}))
    assert "public release" in text
    assert "Families given mental-health support: <10" in text
    assert "Families given mental-health support: 3" not in text
    assert "<10 families had at least one peer-support call." in text
    assert "1 families had" not in text


def test_pdf_only_for_administrators_and_the_whole_report(
    edge_year, administrator, supervisor, login, client
):
    assert login(supervisor).get(URL).status_code == 403
    assert client.get(URL).status_code == 302
    one_table = reverse("reports:export", args=[2024, "contacts", "pdf"])
    assert login(administrator).get(one_table).status_code == 404
