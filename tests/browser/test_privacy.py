"""Privacy journeys in a real browser: restrict and break the glass, legal hold and retention,
safe-contact rules and an unredacted export. Every form is filled and saved; axe on each page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cases.models import BreakGlass, CaseAccessGrant, FamilyContactRules, LegalHold
from familysupport.lib.models import AuditEntry
from tests.browser.conftest import sign_out
from tests.cases.factories import CaseFactory, FamilyFactory

pytestmark = pytest.mark.browser


def _case(advocate, **family):
    fam = FamilyFactory(
        contact_name="Isadora Wendeltrap", display_name="Wendeltrap family", **family
    )
    return CaseFactory(family=fam, assigned_advocate=advocate, external_case_number="EXT-BRW-9")


def test_restrict_add_a_person_break_the_glass_and_review(
    page, live_server, browser_user, signed_in, assert_accessible
):
    assigned = browser_user("advocate")
    outsider = browser_user("advocate")
    colleague = browser_user("administrator", full_name="Casey Colleague")
    supervisor = browser_user("supervisor")
    case = _case(assigned)

    # The supervisor restricts the case and adds a colleague.
    signed_in(supervisor)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.get_by_role("link", name="Restrict this case…").click()
    assert_accessible(page)
    form = page.get_by_role("form", name="Restrict the case")
    form.get_by_label("Reason").fill("   ")  # blank: the browser lets it through, we do not
    form.get_by_role("button", name="Restrict the case").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    form = page.get_by_role("form", name="Restrict the case")
    form.get_by_label("Reason").fill("A staff member's relative")
    form.get_by_role("button", name="Restrict the case").click()
    expect(page.get_by_text("The case and its family are restricted.")).to_be_visible()
    page.get_by_label("Add a person").select_option(label="Casey Colleague (Administrator)")
    page.get_by_role("button", name="Add to the case").click()
    expect(page.get_by_text("may now open the case")).to_be_visible()
    assert CaseAccessGrant.objects.filter(user=colleague, case=case).exists()
    assert_accessible(page)
    sign_out(page)

    # Another advocate finds only a stub, and breaks the glass.
    signed_in(outsider)
    page.goto(f"{live_server.url}/cases/?q=Wendeltrap")
    stubs = page.get_by_role("region", name="Restricted cases that match")
    expect(stubs).to_contain_text("EXT-BRW-9")
    expect(page.get_by_text("Isadora Wendeltrap")).to_have_count(0)
    assert_accessible(page)
    stubs.get_by_role("link", name=re.compile("Break the glass")).click()
    assert_accessible(page)
    page.get_by_label("The family is on the line and needs help now").check()
    page.get_by_label("Explain in your own words").fill("short")
    page.get_by_role("button", name="Break the glass and open the case").click()
    expect(page.get_by_text("Explain in a sentence why you need the case now.")).to_be_visible()
    assert page.get_by_label("Explain in your own words").input_value() == "short"
    page.get_by_label("Explain in your own words").fill(
        "The mother is on the line; her advocate is off today"
    )
    page.get_by_role("button", name="Break the glass and open the case").click()
    expect(page.get_by_text("You opened it by breaking the glass")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("EXT-BRW-9"))).to_be_visible()
    assert BreakGlass.objects.filter(user=outsider, case=case).exists()
    sign_out(page)

    # A supervisor reviews it (another one: a TOTP code is accepted only once).
    signed_in(browser_user("supervisor"))
    page.goto(f"{live_server.url}/privacy/access-review/")
    card = page.locator(f"#glass-{BreakGlass.objects.get().pk}")
    expect(card).to_contain_text("The mother is on the line")
    expect(card).to_contain_text(f"Case #{case.pk}")  # what was read
    assert_accessible(page)
    card.get_by_label("Review", exact=True).select_option("flagged")
    card.get_by_label("Note").fill("Ask why the supervisor on call was not phoned")
    card.get_by_role("button", name="Save the review").click()
    expect(page.get_by_text("The review is saved.")).to_be_visible()
    assert BreakGlass.objects.get().review == "flagged"


def test_legal_hold_placed_and_lifted_and_the_retention_dry_run(
    page, live_server, browser_user, signed_in, assert_accessible
):
    administrator = browser_user("administrator")
    case = _case(browser_user("advocate"))
    signed_in(administrator)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.get_by_role("link", name="Place a legal hold on this case…").click()
    assert_accessible(page)
    page.get_by_label("Reason").fill("   ")
    page.get_by_role("button", name="Place the legal hold").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    page.get_by_label("Reason").fill("Subpoena 2026-118 from the county court")
    page.get_by_role("button", name="Place the legal hold").click()
    expect(page.get_by_text("The legal hold is placed")).to_be_visible()
    expect(page.get_by_role("cell", name="Subpoena 2026-118 from the county court")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Lift")).click()
    assert_accessible(page)
    page.get_by_label("Reason").fill("The matter is settled")
    page.get_by_role("button", name="Lift the legal hold").click()
    expect(page.get_by_text("The legal hold is lifted.")).to_be_visible()
    hold = LegalHold.objects.get()
    assert not hold.is_active and hold.lift_reason == "The matter is settled"

    # An administrator's bar keeps the administration links under "More" (it fits 1280 px).
    page.get_by_role("button", name="More").click()
    page.get_by_role("link", name="Retention").click()
    expect(page.get_by_role("heading", name="Retention schedule")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Dry run: list what would go now").click()
    expect(page.get_by_text("nothing was deleted")).to_be_visible()
    assert_accessible(page)


def test_safe_contact_rules_recorded_shown_and_an_unredacted_export(
    page, live_server, browser_user, signed_in, assert_accessible, tmp_path
):
    advocate = browser_user("advocate")
    case = _case(advocate, phone="+15550103333")
    signed_in(advocate)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.get_by_role("link", name="Record the rules").click()
    assert_accessible(page)
    page.get_by_label("Phone call").check()
    page.get_by_label("Text message").check()
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        page.get_by_label(day).check()
    page.get_by_label("Not before (family's time)").fill("18:00")
    page.get_by_label("Not after (family's time)").fill("17:00")
    page.get_by_label("Never leave a voicemail").check()
    page.get_by_label("Alternate safe contact (name)").fill("Tobias Wendeltrap")
    page.get_by_role("button", name="Save the rules").click()
    expect(page.get_by_text("The latest time must be after the earliest time.")).to_be_visible()
    assert page.get_by_label("Alternate safe contact (name)").input_value() == "Tobias Wendeltrap"
    page.get_by_label("Not after (family's time)").fill("20:00")
    page.get_by_role("button", name="Save the rules").click()
    expect(page.get_by_text("The safe-contact rules are saved.")).to_be_visible()
    banner = page.locator("#safe-contact")
    expect(banner).to_contain_text("Contact only by phone call, text message.")
    expect(banner).to_contain_text("Never leave a voicemail.")
    expect(banner).to_contain_text("Tobias Wendeltrap")
    assert FamilyContactRules.objects.get(family=case.family).days == [0, 1, 2, 3, 4]
    assert_accessible(page)
    sign_out(page)

    signed_in(browser_user("administrator"))
    page.goto(f"{live_server.url}/cases/?q=EXT-BRW-9")
    page.get_by_text("Export with names and contact details…").click()
    page.get_by_label("Why do you need names and contact details?").fill(
        "The family's attorney asked for the contact record"
    )
    with page.expect_download() as info:
        page.get_by_role("button", name="Unredacted CSV").click()
    path = tmp_path / "cases.csv"
    info.value.save_as(path)
    text = path.read_text(encoding="utf-8-sig")
    assert text.startswith("# Confidential. Exported by") and "UNREDACTED" in text
    assert "Isadora Wendeltrap" in text
    entry = AuditEntry.objects.get(action="reports.export.downloaded")
    assert entry.changes["redacted"] is False and entry.changes["rows"] == 1
