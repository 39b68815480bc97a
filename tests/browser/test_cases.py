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
    # A typed duration stops the call timer; running, it would change the duration (and so
    # the form) when the call crosses a minute, depending on the second the page loaded.
    page.get_by_label("Duration (minutes)").fill("5")
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


# --- the browser's local copy of a draft does not outlive the sign-in ------------------

DRAFT_KEYS_JS = (
    "() => Object.keys(window.localStorage).filter(k => k.startsWith('fsp-draft:')).sort()"
)


def _local_drafts(page) -> list[str]:
    return page.evaluate(DRAFT_KEYS_JS)


def _new_call_with_unsaved_notes(page, live_server, user) -> None:
    """The new-call screen with notes the server has not confirmed (autosave failing)."""
    page.route("**/cases/drafts/**", lambda route: route.abort())
    page.clock.install()
    page.goto(f"{live_server.url}/cases/new-call/")
    page.get_by_label("Caller's name").fill("Dana Caller")
    page.get_by_label("Notes").fill("Son missing since Friday")
    page.clock.run_for(5_000)  # the autosave is tried and fails: the local copy stays
    expect(page.locator("#draft-status")).to_have_text(re.compile("kept in this browser"))
    assert _local_drafts(page) == [f"fsp-draft:{user.pk}:new-call"]


def test_signing_out_removes_every_local_draft(page, live_server, browser_user, signed_in):
    from tests.browser.conftest import sign_out

    advocate = browser_user("advocate")
    signed_in(advocate)
    _new_call_with_unsaved_notes(page, live_server, advocate)
    page.evaluate(
        f"""() => localStorage.setItem("fsp-draft:{advocate.pk}:case-9",
            JSON.stringify({{savedAt: Date.now(), data: {{notes: "another call"}}}}))"""
    )
    sign_out(page)
    page.wait_for_url(re.compile(r".*/accounts/(logout|login)/.*"))
    assert _local_drafts(page) == []


def test_an_idle_time_out_removes_every_local_draft(page, live_server, browser_user, signed_in):
    from django.contrib.sessions.models import Session

    advocate = browser_user("advocate")
    signed_in(advocate)
    _new_call_with_unsaved_notes(page, live_server, advocate)
    Session.objects.all().delete()  # the server ended the session (idle time-out)
    page.clock.run_for(31_000)  # portal.js checks the session, finds it gone, signs out
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    assert _local_drafts(page) == []


def test_stale_and_other_users_local_drafts_are_dropped_on_load(
    page, live_server, browser_user, signed_in
):
    advocate = browser_user("advocate")
    signed_in(advocate)
    hour = 3600 * 1000
    page.evaluate(
        f"""() => {{
          const put = (key, age, notes) => localStorage.setItem(key,
            JSON.stringify({{savedAt: Date.now() - age, data: {{notes: notes}}}}));
          put("fsp-draft:{advocate.pk}:new-call", 13 * {hour}, "from yesterday");
          put("fsp-draft:{advocate.pk}:case-9", 1 * {hour}, "an hour ago");
          put("fsp-draft:{advocate.pk + 1000}:new-call", 1 * {hour}, "someone else's");
          localStorage.setItem("fsp-draft:{advocate.pk}:case-10", "not json");
        }}"""
    )
    page.goto(f"{live_server.url}/cases/new-call/")
    expect(page.get_by_label("Notes")).to_have_value("")
    expect(page.locator("#local-restored")).to_be_hidden()
    assert _local_drafts(page) == [f"fsp-draft:{advocate.pk}:case-9"]


def test_discarding_the_draft_drops_the_local_copy_too(page, live_server, browser_user, signed_in):
    advocate = browser_user("advocate")
    signed_in(advocate)
    page.clock.install()
    page.goto(f"{live_server.url}/cases/new-call/")
    notes = page.get_by_label("Notes")
    notes.fill("Mother called about her son")
    page.clock.run_for(5_000)
    expect(page.locator("#draft-status")).to_have_text(re.compile(r"Draft saved \d"))
    # Typed after the last autosave: the local copy is newer than the server's draft.
    page.route("**/cases/drafts/**", lambda route: route.abort())
    notes.press_sequentially(" at noon")
    page.unroute("**/cases/drafts/**")
    page.reload()
    expect(page.locator("#draft-restored")).to_be_visible()
    expect(notes).to_have_value("Mother called about her son at noon")  # the local copy

    page.get_by_role("button", name="Discard the draft and start over").click()
    expect(page.get_by_text("The draft was discarded.")).to_be_visible()
    expect(notes).to_have_value("")
    expect(page.locator("#local-restored")).to_be_hidden()
    assert _local_drafts(page) == []
