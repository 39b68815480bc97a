"""An advocate's crisis-call journey in a real browser: new family, repeat call, draft restore."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case, Contact

pytestmark = pytest.mark.browser


def test_crisis_call_then_repeat_call_found_by_phone_with_draft_restored(
    page, live_server, browser_user, signed_in, assert_accessible
):
    advocate = browser_user("advocate")
    signed_in(advocate)

    # First call: a new family, from the home page's "New call" link.
    page.get_by_role("link", name="New call").first.click()
    page.wait_for_url(re.compile(r".*/cases/new-call/$"))
    assert_accessible(page)
    page.get_by_label("Caller's name").fill("Morgan Ellery")
    page.get_by_label("Phone", exact=True).fill("(555) 010-2000")
    page.get_by_label("Case type").select_option("endangered_runaway")
    page.get_by_label("Purpose").select_option("crisis_intervention")
    page.get_by_label("Notes").fill("Son did not come home from school; police report filed.")
    page.get_by_role("button", name="Save call").click()
    page.get_by_text("The call is logged.").wait_for()
    case = Case.objects.get()
    assert case.family.phone == "+15550102000"
    assert Contact.objects.get().duration_minutes >= 1  # filled by the call timer
    assert_accessible(page)

    # Second call: the family is found by its phone number typed another way.
    page.get_by_role("link", name="New call").first.click()
    page.get_by_label("Phone", exact=True).fill("+1 555 010 2000")
    continue_case = page.get_by_label(re.compile(rf"Continue {case}"))
    continue_case.wait_for()
    continue_case.check()
    page.get_by_label("Purpose").select_option("follow_up")
    page.get_by_label("Notes").fill("Mother reports a sighting near the bus station")
    page.get_by_text(re.compile(r"Draft saved \d")).wait_for(timeout=20_000)

    # Reload mid-note: the draft comes back, still attached to the same case.
    page.reload()
    page.get_by_text("Your unsaved notes from").wait_for()
    assert page.get_by_label("Notes").input_value() == (
        "Mother reports a sighting near the bus station"
    )
    assert page.get_by_label(re.compile(rf"Continue {case}")).is_checked()
    page.get_by_label("Notes").press_sequentially(", advised to call police.")
    page.get_by_role("button", name="Save call").click()
    page.get_by_text("The call is logged.").wait_for()
    assert Case.objects.count() == 1
    assert case.contacts.count() == 2
    assert "advised to call police" in case.contacts.get(purpose="follow_up").notes
    expect(page.get_by_role("link", name="Follow-up")).to_be_visible()  # on the timeline


def test_autosave_sends_only_changed_notes_and_as_activity(
    page, live_server, browser_user, signed_in
):
    """A changed note is autosaved as activity (no background header); unchanged, nothing.

    The page's clock is Playwright's fake one: `run_for` fires the autosave timer on demand.
    """
    signed_in(browser_user("advocate"))
    saves = []
    page.on(
        "request",
        lambda r: saves.append(r) if r.method == "POST" and "/cases/drafts/" in r.url else None,
    )
    page.clock.install()
    page.goto(f"{live_server.url}/cases/new-call/")
    notes = page.get_by_label("Notes")

    page.clock.run_for(10_000)  # nothing typed: nothing sent
    notes.fill("Mother called about her son")
    with page.expect_request(lambda r: r.method == "POST" and "/cases/drafts/" in r.url) as sent:
        page.clock.run_for(5_000)
    assert "x-background-poll" not in sent.value.all_headers()
    expect(page.locator("#draft-status")).to_have_text(re.compile(r"Draft saved \d"))

    # Typed and undone: the content is what the server has, so nothing is sent...
    notes.press("End")
    notes.press("x")
    notes.press("Backspace")
    page.clock.run_for(10_000)
    # ...and the next real change is the very next request.
    notes.press_sequentially(" at noon")
    with page.expect_request(lambda r: r.method == "POST" and "/cases/drafts/" in r.url) as sent:
        page.clock.run_for(5_000)
    assert "notes=Mother%20called%20about%20her%20son%20at%20noon" in sent.value.post_data
    assert "x-background-poll" not in sent.value.all_headers()
    assert len(saves) == 2
