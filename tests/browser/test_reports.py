"""An administrator opens the yearly report, drills into a figure and downloads the XLSX."""

from __future__ import annotations

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_nav_link
from tests.reports import factories as f
from tests.reports.factories import ny

pytestmark = pytest.mark.browser


def _year_2024() -> None:
    advocate = f.UserFactory(role="advocate", totp=False)
    fam = f.family(display_name="Browser family")
    c1 = f.case(fam, opened_at=ny(2024, 2, 1, 9), advocate=advocate)
    c2 = f.case(fam, opened_at=ny(2024, 3, 1, 9), advocate=advocate, case_type="csam")
    f.contact(c1, at=ny(2024, 3, 10, 14), purpose="crisis_intervention")
    f.contact(c2, at=ny(2024, 12, 31, 23, 30), purpose="emotional_support")
    other = f.case(f.family(display_name="Second family"), opened_at=ny(2024, 5, 1, 9))
    f.contact(other, at=ny(2024, 5, 2, 9), purpose="emotional_support")
    f.provider(history=[("active", ny(2023, 1, 1, 9))])
    f.peer_call(at=ny(2024, 6, 1, 12))


def test_administrator_reads_drills_down_and_downloads(
    page, live_server, browser_user, signed_in, assert_accessible, tmp_path
):
    _year_2024()
    signed_in(browser_user("administrator"))
    open_nav_link(page, "Reports")
    page.get_by_label("Year", exact=True).select_option("2024")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/reports/2024/")
    expect(page.get_by_role("heading", name="By the Numbers 2024")).to_be_visible()
    figure = page.locator('[data-figure="mh_families"]')
    assert figure.inner_text().strip() == "2"
    assert_accessible(page)

    figure.get_by_role("link").click()
    page.wait_for_url("**/records/mh_families/")
    assert page.locator("#record-count").inner_text() == "2"
    expect(page.get_by_role("cell", name="Browser family")).to_be_visible()
    assert_accessible(page)
    page.go_back()

    with page.expect_download() as info:
        page.get_by_role("link", name="XLSX workbook").click()
    path = tmp_path / "report.xlsx"
    info.value.save_as(path)
    book = openpyxl.load_workbook(path, read_only=True)
    headline = {r[0]: r[1] for r in book[book.sheetnames[0]].iter_rows(min_row=2, values_only=True)}
    assert headline == {
        "Families given mental-health support": 2,
        "FAON participants": 1,
        "Team HOPE peer-support calls": 1,
    }
    contacts = {r[0]: r for r in book["Contacts by purpose & month"].iter_rows(values_only=True)}
    page_total = page.locator('[data-table="contacts"] tfoot td').last.inner_text().strip()
    assert str(contacts["All purposes"][-1]) == page_total == "3"


def test_publish_late_entry_recompute_and_pdf(
    page, live_server, browser_user, signed_in, assert_accessible, tmp_path
):
    """Live means live: after publishing, a late contact shows at once in the changes
    table (suppressed on the public page); Recompute now; the PDF downloads."""
    import io

    from pypdf import PdfReader

    _year_2024()
    signed_in(browser_user("administrator"))
    page.goto(f"{live_server.url}/reports/2024/")
    page.get_by_label("Note (optional)").fill("Board pack")
    page.get_by_role("button", name="Publish 2024").click()
    expect(page.get_by_text("The 2024 figures are published.")).to_be_visible()
    expect(
        page.get_by_text("Today's live figures are the same as the published ones")
    ).to_be_visible()

    late = f.case(f.family(display_name="Late family"), opened_at=ny(2024, 8, 1, 9))
    f.contact(late, at=ny(2024, 8, 2, 9), purpose="crisis_intervention")
    page.reload()
    diff = page.locator(
        "section", has=page.get_by_role("heading", name="Changes since publication")
    )
    headline_change = diff.get_by_role("row").filter(has_text="Headline figures")
    expect(headline_change).to_contain_text("Families given mental-health support")
    expect(headline_change).to_contain_text("+1")

    page.get_by_role("link", name="Preview the public-release version").click()
    public_diff = page.locator(
        "section", has=page.get_by_role("heading", name="Changes since publication")
    )
    expect(public_diff).to_contain_text("<10")
    expect(public_diff).not_to_contain_text("+1")
    assert_accessible(page)
    page.get_by_role("link", name="Show the internal version").click()

    page.get_by_role("button", name="Recompute now").click()
    expect(
        page.get_by_text("The figures are recomputed from the data as it is now.")
    ).to_be_visible()

    with page.expect_download() as info:
        page.get_by_role("link", name="PDF", exact=True).first.click()
    path = tmp_path / "report.pdf"
    info.value.save_as(path)
    text = " ".join(PdfReader(io.BytesIO(path.read_bytes())).pages[0].extract_text().split())
    assert "By the Numbers 2024" in text and "Published" in text
    assert "Families given mental-health support: 2" in text
