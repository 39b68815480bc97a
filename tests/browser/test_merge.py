"""A supervisor merges a duplicate family in a real browser: search, compare side by side,
keep the duplicate's e-mail, a wrong number answered next to the field, then undo."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cases.models import Family
from referrals.models import Referral
from tests.browser.conftest import sign_in
from tests.reports import factories as f
from tests.reports.factories import ny

pytestmark = pytest.mark.browser


def test_search_compare_merge_and_undo(page, live_server, browser_user, assert_accessible):
    supervisor = browser_user("supervisor")
    keep = f.family(display_name="Okafor", phone="+15550107001", email="keep@example.test")
    dup = f.family(display_name="Okafor-Dup", phone="+15550107002", email="dup@example.test")
    referral = f.referral(f.case(dup), status="accepted", accepted_at=ny(2024, 4, 2, 9))
    sign_in(page, live_server, supervisor)

    page.goto(f"{live_server.url}/cases/families/{dup.pk}/merge/")
    assert_accessible(page)
    # A wrong family number: the answer is next to the field, the reason typed stays.
    page.get_by_label("Keep this family (its number)").fill("999999")
    page.get_by_label("Reason").fill("Same mother, two intakes")
    page.get_by_role("button", name="Merge into that family").click()
    expect(page.get_by_text("No family has this number.")).to_be_visible()
    expect(page.get_by_label("Reason")).to_have_value("Same mother, two intakes")

    # Search by the phone as a person types it, then compare.
    page.get_by_label("Find the family to keep").fill("(555) 010-7001")
    page.get_by_role("button", name="Search").click()
    row = page.locator("#merge-candidates tr", has_text="Okafor")
    row.get_by_role("link", name="Compare").click()
    compare = page.locator("#merge-compare")
    expect(compare).to_contain_text("keep@example.test")
    expect(compare).to_contain_text("dup@example.test")
    assert_accessible(page)
    expect(page.get_by_label("Keep this family (its number)")).to_have_value(str(keep.pk))
    page.get_by_label("E-mail").check()
    page.get_by_label("Reason").fill("Same mother, two intakes")
    page.get_by_role("button", name="Merge into that family").click()
    expect(page.get_by_text("The families are merged.")).to_be_visible()

    keep.refresh_from_db()
    assert keep.email == "dup@example.test" and keep.phone == "+15550107001"
    assert Referral.objects.get(pk=referral.pk).family_id == keep.pk

    page.get_by_role("button", name="Undo this merge").click()
    expect(page.get_by_text("The merge is undone.")).to_be_visible()
    keep.refresh_from_db()
    assert keep.email == "keep@example.test"
    assert Family.objects.get(pk=dup.pk).merged_into_id is None
    assert Referral.objects.get(pk=referral.pk).family_id == dup.pk
