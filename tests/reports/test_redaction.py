"""Exports that list families or people: redacted by default, unredacted with a reason,
audited with filter and row count, marked with who exported them and when."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from familysupport.lib.models import AuditEntry
from reports import list_exports, redaction
from tests.cases.factories import CaseFactory, FamilyFactory

pytestmark = pytest.mark.django_db

NAME = "Bartholomew Featherstonehaugh"
PHONE = "+15550106543"
EMAIL = "bart@example.test"
STREET = "99 Hidden Lane"


@pytest.fixture
def case():
    family = FamilyFactory(
        contact_name=NAME,
        display_name="Featherstonehaugh family",
        phone=PHONE,
        email=EMAIL,
        address_line=STREET,
        city="Dover",
        state="DE",
    )
    return CaseFactory(family=family, external_case_number="EXT-RED-1")


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8-sig")


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_body(response))))


def test_initials():
    assert redaction.initials("Rosalind Quenby") == "R. Q."
    assert redaction.initials("Quenby family") == "Q."
    assert redaction.initials("Anne-Marie O'Neil") == "A. M. O."
    assert redaction.initials("") == "—"


@pytest.mark.parametrize("role", ["supervisor", "administrator"])
def test_case_list_export_is_redacted_by_default_marked_and_audited(case, role, make_user, login):
    user = make_user(role)
    response = login(user).get(
        reverse("reports:case_list_export", args=["csv"]), {"status": "open"}
    )
    assert response.status_code == 200
    rows = _rows(response)
    assert rows[0][0].startswith(f"# Confidential. Exported by {user.email} on ")
    assert "REDACTED" in rows[0][0] and "1 row." in rows[0][0]
    assert rows[1][:3] == ["Case", "Family", "Primary contact"]
    assert "Phone" not in rows[1] and "E-mail" not in rows[1] and "Address" not in rows[1]
    assert rows[2][:3] == ["EXT-RED-1", "F.", "B. F."]
    text = _body(response)
    for secret in (NAME, "Featherstonehaugh", PHONE, EMAIL, STREET):
        assert secret not in text
    entry = AuditEntry.objects.get(action="reports.export.downloaded")
    assert entry.actor == user
    assert entry.changes["export"] == "cases"
    assert entry.changes["filters"] == {"status": "open"}
    assert entry.changes["rows"] == 1 and entry.changes["redacted"] is True


def test_unredacted_needs_a_reason_and_says_so_in_the_file_and_the_audit(
    case, administrator, login
):
    client = login(administrator)
    url = reverse("reports:case_list_export", args=["csv"]) + "?q=EXT-RED-1"
    refused = client.post(url, {"reason": "need"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Say in a sentence why" in html and ">need</textarea>" in html
    assert not AuditEntry.objects.filter(action="reports.export.downloaded").exists()
    response = client.post(url, {"reason": "Court order 2026-17 asks for the contact list"})
    assert response.status_code == 200
    rows = _rows(response)
    assert "UNREDACTED" in rows[0][0]
    assert rows[1][3:6] == ["Phone", "E-mail", "Address"]
    # (a leading + is neutralised against formula injection like any cell)
    assert rows[2][1:6] == [
        "Featherstonehaugh family",
        NAME,
        f"'{PHONE}",
        EMAIL,
        f"{STREET}, Dover, DE",
    ]
    entry = AuditEntry.objects.get(action="reports.export.downloaded")
    assert entry.changes["redacted"] is False
    assert entry.changes["reason"] == "Court order 2026-17 asks for the contact list"
    assert entry.changes["filters"] == {"q": "EXT-RED-1"} and entry.changes["rows"] == 1


def test_advocates_volunteers_and_providers_cannot_export(case, make_user, login):
    for role in ("advocate", "provider", "volunteer"):
        client = login(make_user(role))
        url = reverse("reports:case_list_export", args=["csv"])
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": "I would like the whole list please"}).status_code == 403
    assert not AuditEntry.objects.filter(action="reports.export.downloaded").exists()


def test_xlsx_carries_the_watermark_in_its_header_and_first_row(case, supervisor, login):
    response = login(supervisor).get(reverse("reports:case_list_export", args=["xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    assert f"Exported by {supervisor.email}" in sheet.oddHeader.center.text
    assert sheet["A1"].value.startswith("Confidential. Exported by")
    assert [c.value for c in sheet[3]][:3] == ["EXT-RED-1", "F.", "B. F."]


def test_pdf_carries_the_watermark_in_every_page_footer(case, administrator, login):
    from pypdf import PdfReader

    for _ in range(60):  # enough rows for a second page
        CaseFactory()
    response = login(administrator).get(reverse("reports:case_list_export", args=["pdf"]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        text = page.extract_text()
        assert f"Exported by {administrator.email}" in text and "REDACTED" in text
    assert NAME not in "".join(p.extract_text() for p in reader.pages)


def test_a_pdf_of_too_many_rows_is_refused(case, administrator, login, monkeypatch):
    monkeypatch.setattr(redaction, "PDF_MAX_ROWS", 0)
    response = login(administrator).get(reverse("reports:case_list_export", args=["pdf"]))
    assert response.status_code == 400
    assert "too many for a PDF" in response.content.decode()
    assert not AuditEntry.objects.filter(action="reports.export.downloaded").exists()


def test_an_unknown_format_is_404(administrator, login):
    assert (
        login(administrator).get(reverse("reports:case_list_export", args=["doc"])).status_code
        == 404
    )


def test_referral_list_export_is_redacted_by_default(administrator, login):
    from tests.referrals.factories import consenting_case, sent_referral

    c = consenting_case()
    c.family.contact_name, c.family.phone = NAME, PHONE
    c.family.save()
    referral = sent_referral(case=c)
    client = login(administrator)
    response = client.get(reverse("reports:referral_list_export", args=["csv"]), {"status": "sent"})
    text = _body(response)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][:3] == ["Referral", "Case", "Family contact"]
    assert rows[2][:3] == [f"Referral #{referral.pk}", c.reference, "B. F."]
    assert NAME not in text and PHONE not in text
    full = client.post(
        reverse("reports:referral_list_export", args=["csv"]),
        {"reason": "The provider network audit needs the contacts"},
    )
    text = _body(full)
    assert NAME in text and PHONE in text
    assert (
        AuditEntry.objects.filter(
            action="reports.export.downloaded", changes__export="referrals"
        ).count()
        == 2
    )


def test_drill_down_exports_are_redacted_by_default(administrator, login):
    from tests.reports import factories as f
    from tests.reports.factories import ny

    fam = f.family(display_name="Featherstonehaugh family")
    c = f.case(fam, opened_at=ny(2024, 1, 2, 9))
    f.contact(c, at=ny(2024, 2, 1, 9), purpose="crisis_intervention")
    client = login(administrator)
    url = reverse("reports:drilldown_export", args=[2024, "mh_families", "csv"])
    text = _body(client.get(url))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[2][2] == "F." and "Featherstonehaugh" not in text
    page = client.get(reverse("reports:drilldown", args=[2024, "mh_families"])).content.decode()
    assert "Export with names and contact details" in page


def test_the_export_links_are_on_the_lists_for_exporters_only(case, make_user, login):
    sup = login(make_user("supervisor")).get(reverse("cases:case_list")).content.decode()
    assert reverse("reports:case_list_export", args=["csv"]) in sup
    adv = login(make_user("advocate")).get(reverse("cases:case_list")).content.decode()
    assert reverse("reports:case_list_export", args=["csv"]) not in adv
    ref = login(make_user("administrator")).get(reverse("referrals:list")).content.decode()
    assert reverse("reports:referral_list_export", args=["xlsx"]) in ref


def test_every_record_export_column_with_names_has_a_redacted_form():
    from reports import drilldown

    for column in [*list_exports.CASE_COLUMNS, *list_exports.REFERRAL_COLUMNS]:
        if column.label in ("Family", "Primary contact", "Family contact"):
            assert column.redacted is not None, column.label
        if column.label in ("Phone", "E-mail", "Address"):
            assert column.sensitive, column.label
    mh = drilldown.figure_get("mh_families")
    assert next(c for c in mh.columns if c.label == "Name").redacted is not None
