"""An advocate's crisis calls in a real browser: every contact path saves, nothing typed is
lost (reload, abandoned call, lost session), no silent duplicate family, keyboard only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case, Contact, ContactDraft, Family
from familysupport.lib.models import AuditEntry
from tests.browser.conftest import sign_in
from tests.cases.factories import CaseFactory, FamilyFactory

pytestmark = pytest.mark.browser

CALL_URL = re.compile(r".*/cases/new-call/[0-9a-f-]{36}/(\?case=\d+)?$")


def _allow_the_same_totp_code_again() -> None:
    """allauth refuses a TOTP code used once in its period (replay); a person signing in
    again within 30 s would wait for the next code, the test forgets the used one."""
    from django.core.cache import cache

    cache.clear()


def _open_new_call(page):
    page.get_by_role("link", name="New call").first.click()
    page.wait_for_url(CALL_URL)
    expect(page.get_by_label("Caller's name")).to_be_focused()


def _save_and_read_timeline(page, note: str) -> None:
    page.get_by_role("button", name="Save call").click()
    expect(page.get_by_text("The call is logged.")).to_be_visible()
    # The case timeline shows the first line of the note.
    expect(page.locator(".timeline .timeline-excerpt").filter(has_text=note)).to_have_count(1)


def test_new_family_then_repeat_call_continues_the_case_with_draft_restored(
    page, live_server, browser_user, signed_in, assert_accessible
):
    advocate = browser_user("advocate")
    signed_in(advocate)

    # Path 1: a new family and a new case, from the navigation's "New call".
    _open_new_call(page)
    assert_accessible(page)
    page.get_by_label("Caller's name").fill("Morgan Ellery")
    page.get_by_label("Phone", exact=True).fill("(555) 010-2000")
    page.get_by_label("ZIP code").fill("78701")
    page.get_by_label("Case type").select_option("endangered_runaway")
    page.get_by_label("Purpose").select_option("crisis_intervention")
    page.get_by_label("Notes").fill("Son did not come home from school.\nPolice report filed.")
    _save_and_read_timeline(page, "Son did not come home from school.")
    case = Case.objects.get()
    assert case.family.phone == "+15550102000" and case.family.zip_code == "78701"
    assert Contact.objects.get().duration_minutes >= 1  # filled by the call timer
    expect(page.locator(".case-header")).to_contain_text("(555) 010-2000")
    assert_accessible(page)

    # Path 3: continue the case; the family is found by its phone typed another way.
    _open_new_call(page)
    page.get_by_label("Phone", exact=True).fill("+1 555 010 2000")
    continue_case = page.get_by_label(re.compile(rf"Continue {case}"))
    continue_case.check()
    expect(page.locator("#case-fields")).to_be_hidden()  # the unused branch is out of the way
    page.get_by_label("Purpose").select_option("follow_up")
    page.get_by_label("Notes").fill("Mother reports a sighting near the bus station")
    expect(page.get_by_text(re.compile(r"Draft saved \d"))).to_be_visible(timeout=20_000)

    # Reload mid-note: the draft comes back, still attached to the same case.
    page.reload()
    expect(page.locator("#draft-restored")).to_be_visible()
    expect(page.get_by_label("Notes")).to_have_value(
        "Mother reports a sighting near the bus station"
    )
    expect(page.get_by_label(re.compile(rf"Continue {case}"))).to_be_checked()
    page.get_by_label("Notes").press("Control+End")
    page.get_by_label("Notes").press_sequentially(", advised to call police.")
    _save_and_read_timeline(
        page, "Mother reports a sighting near the bus station, advised to call police."
    )
    assert Case.objects.count() == 1
    assert case.contacts.count() == 2
    assert not ContactDraft.objects.exists()


def test_existing_family_new_case_path_saves(page, live_server, browser_user, signed_in):
    advocate = browser_user("advocate")
    family = FamilyFactory(contact_name="Avery Quinn", display_name="Quinn family")
    signed_in(advocate)
    _open_new_call(page)
    page.get_by_label("Caller's name").fill("Avery Quin")  # a typo: a similar-name match
    suggestion = page.locator(f'.suggestion[data-family="{family.pk}"]')
    suggestion.get_by_label("Open a new case for this family").check()
    page.get_by_label("Case type").select_option("endangered_runaway")
    page.get_by_label("Purpose").select_option("crisis_intervention")
    page.get_by_label("Notes").fill("Second child missing, a new case.")
    _save_and_read_timeline(page, "Second child missing, a new case.")
    assert Family.objects.count() == 1
    assert Case.objects.get().family == family


def test_log_a_contact_on_the_case_page_saves(page, live_server, browser_user, signed_in):
    advocate = browser_user("advocate")
    case = CaseFactory(assigned_advocate=advocate)
    signed_in(advocate)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.get_by_role("link", name="Log a contact").click()
    page.wait_for_url(CALL_URL)
    expect(page.get_by_label("Purpose")).to_be_focused()
    page.get_by_label("Purpose").select_option("follow_up")
    page.get_by_label("Notes").fill("Called back: the school confirmed attendance.")
    page.get_by_label("Safety concern").check()
    page.get_by_label("Safety note").fill("Caller afraid of the ex-partner.")
    _save_and_read_timeline(page, "Called back: the school confirmed attendance.")
    contact = Contact.objects.get()
    assert contact.case == case and contact.safety_concern


def test_same_phone_blocks_a_silent_new_family(page, live_server, browser_user, signed_in):
    advocate = browser_user("advocate")
    known = FamilyFactory(phone="+15550107788", contact_name="Jordan Reyes")
    signed_in(advocate)
    _open_new_call(page)
    page.get_by_label("Caller's name").fill("Sam Okafor")
    page.get_by_label("Phone", exact=True).fill("555-010-7788")
    expect(page.locator(f'.suggestion[data-family="{known.pk}"]')).to_contain_text("same phone")
    expect(page.locator(".suggestion").first).to_contain_text("(555) 010-7788")
    page.get_by_label("Case type").select_option("endangered_runaway")
    page.get_by_label("Purpose").select_option("crisis_intervention")
    page.get_by_label("Notes").fill("Different caller sharing a phone.")
    page.get_by_role("button", name="Save call").click()
    expect(page.locator("#form-errors")).to_contain_text("This is a different family")
    assert Family.objects.count() == 1
    expect(page.get_by_label("Notes")).to_have_value("Different caller sharing a phone.")

    page.get_by_label("This is a different family").check()
    _save_and_read_timeline(page, "Different caller sharing a phone.")
    assert Family.objects.count() == 2
    assert AuditEntry.objects.filter(
        action="cases.family.declared_distinct", actor=advocate
    ).exists()


def test_abandoned_call_does_not_carry_over_and_is_listed_on_my_work(
    page, live_server, browser_user, signed_in
):
    signed_in(browser_user("advocate"))
    _open_new_call(page)
    page.get_by_label("Caller's name").fill("Robin Ames")
    page.get_by_label("Notes").fill("Hung up mid-sentence")
    expect(page.get_by_text(re.compile(r"Draft saved \d"))).to_be_visible(timeout=20_000)
    abandoned = page.url

    _open_new_call(page)  # the next caller
    expect(page.get_by_label("Caller's name")).to_have_value("")
    expect(page.get_by_label("Notes")).to_have_value("")
    expect(page.locator("#draft-restored")).to_be_hidden()
    expect(page.locator("#local-restored")).to_be_hidden()
    expect(page.locator("#call-timer")).to_have_text(re.compile(r"^00:0\d$"))

    page.goto(f"{live_server.url}/")
    item = page.locator(".unsaved-call", has_text="Robin Ames")
    expect(item).to_contain_text("Unsaved call, started")
    item.get_by_role("link", name=re.compile("Resume")).click()
    page.wait_for_url(abandoned)
    expect(page.get_by_label("Notes")).to_have_value("Hung up mid-sentence")
    page.goto(f"{live_server.url}/")
    page.locator(".unsaved-call", has_text="Robin Ames").get_by_role(
        "button", name=re.compile("Discard")
    ).click()
    expect(page.get_by_text("The unsaved call was discarded.")).to_be_visible()
    assert not ContactDraft.objects.exists()
    assert _local_drafts(page) == []


def test_session_lost_mid_note_keeps_every_character(
    page, live_server, browser_user, signed_in, context
):
    """The session cookie goes mid-note; more is typed; signing in again brings it all back."""
    advocate = browser_user("advocate")
    signed_in(advocate)
    _open_new_call(page)
    page.get_by_label("Caller's name").fill("Dana Caller")
    page.get_by_label("Case type").select_option("endangered_runaway")
    page.get_by_label("Purpose").select_option("crisis_intervention")
    notes = page.get_by_label("Notes")
    notes.fill("Son missing since Friday")
    expect(page.get_by_text(re.compile(r"Draft saved \d"))).to_be_visible(timeout=20_000)

    session_cookie = [c for c in context.cookies() if c["name"] == "sessionid"]
    context.clear_cookies(name="sessionid")
    notes.press_sequentially("; last seen at the mall with a friend")
    banner = page.locator("#signed-out-banner")
    expect(banner).to_be_visible(timeout=20_000)
    expect(banner).to_contain_text("You are signed out — your notes are kept in this browser")
    expect(notes).to_have_value("Son missing since Friday; last seen at the mall with a friend")
    expect(page.locator("input[type=email]")).to_have_count(1)  # no login page swapped in
    notes.press_sequentially(" (red jacket)")
    assert session_cookie

    # Sign in again in the same tab: the call page comes back with every character.
    page.get_by_role("link", name="Sign in again").evaluate("a => a.removeAttribute('target')")
    page.get_by_role("link", name="Sign in again").click()
    from tests.browser.conftest import totp_now
    from tests.factories import TEST_PASSWORD

    _allow_the_same_totp_code_again()
    page.get_by_label("Email").fill(advocate.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_label("Code").fill(totp_now(advocate.totp_secret))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(CALL_URL)
    full = "Son missing since Friday; last seen at the mall with a friend (red jacket)"
    expect(notes).to_have_value(full)
    expect(page.locator("#local-restored")).to_be_visible()
    page.get_by_role("button", name="Save call").click()
    expect(page.get_by_text("The call is logged.")).to_be_visible()
    assert Contact.objects.get().notes == full
    assert _local_drafts(page) == []


def test_session_lost_then_signed_in_in_another_tab_saves_from_this_one(
    page, live_server, browser_user, signed_in, context
):
    advocate = browser_user("advocate")
    signed_in(advocate)
    _open_new_call(page)
    page.get_by_label("Caller's name").fill("Lee Carter")
    page.get_by_label("Case type").select_option("endangered_runaway")
    page.get_by_label("Purpose").select_option("crisis_intervention")
    notes = page.get_by_label("Notes")
    notes.fill("First words")
    expect(page.get_by_text(re.compile(r"Draft saved \d"))).to_be_visible(timeout=20_000)
    context.clear_cookies(name="sessionid")
    notes.press_sequentially(" and the rest typed while signed out")
    expect(page.locator("#signed-out-banner")).to_be_visible(timeout=20_000)

    other = context.new_page()
    _allow_the_same_totp_code_again()
    sign_in(other, live_server, advocate)  # a new tab: new session, new CSRF token
    other.close()
    notes.press_sequentially(".")
    expect(page.locator("#signed-out-banner")).to_be_hidden(timeout=20_000)
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text("The call is logged.")).to_be_visible()
    assert Contact.objects.get().notes == "First words and the rest typed while signed out."


def test_keyboard_only_new_family_call_with_ctrl_enter(page, live_server, browser_user, signed_in):
    """Alt+Shift+N from any page, Enter never submits, Ctrl+Enter saves; Tabs are counted."""
    signed_in(browser_user("advocate"))
    expect(page.get_by_role("link", name="New call").first).to_have_attribute(
        "title", "New call (Alt+Shift+N)"
    )
    page.keyboard.press("Alt+Shift+N")
    page.wait_for_url(CALL_URL)
    tabs = 0

    def tab_to(label: str, exact: bool = False) -> None:
        nonlocal tabs
        target = page.get_by_label(label, exact=exact)
        for _ in range(40):
            if target.evaluate("el => el === document.activeElement"):
                return
            page.keyboard.press("Tab")
            tabs += 1
        raise AssertionError(f"{label} not reached by Tab")

    expect(page.get_by_label("Caller's name")).to_be_focused()
    page.keyboard.type("Casey Morgan")
    page.keyboard.press("Enter")  # never submits a half call
    tab_to("Phone", exact=True)
    page.keyboard.type("5550104321")
    page.keyboard.press("Enter")
    tab_to("Case type")
    page.keyboard.press("ArrowDown")  # first case type
    tab_to("Purpose")
    page.keyboard.press("ArrowDown")
    tab_to("Notes")
    page.keyboard.type("Daughter missing since this morning.")
    assert not Contact.objects.exists()
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text("The call is logged.")).to_be_visible()
    contact = Contact.objects.get()
    assert contact.case.family.contact_name == "Casey Morgan"
    assert contact.notes == "Daughter missing since this morning."
    print(f"\nTab presses for a new-family crisis call: {tabs}")
    assert tabs <= 12


# --- the browser's local copy of a call ----------------------------------------------

DRAFT_KEYS_JS = (
    "() => Object.keys(window.localStorage).filter(k => k.startsWith('fsp-draft:')).sort()"
)


def _local_drafts(page) -> list[str]:
    return page.evaluate(DRAFT_KEYS_JS)


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
    page.get_by_label("Duration (minutes)").fill("5")  # stops the timer (no minute changes)
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
    assert "notes=Mother+called+about+her+son+at+noon" in sent.value.post_data
    assert "x-background-poll" not in sent.value.all_headers()
    assert len(saves) == 2


def _call_with_unsaved_notes(page, live_server) -> str:
    """The call screen with notes the server has not confirmed (autosave failing)."""
    page.route("**/cases/drafts/**", lambda route: route.abort())
    page.clock.install()
    page.goto(f"{live_server.url}/cases/new-call/")
    page.wait_for_url(CALL_URL)
    page.get_by_label("Caller's name").fill("Dana Caller")
    page.get_by_label("Notes").fill("Son missing since Friday")
    page.clock.run_for(5_000)  # the autosave is tried and fails: the local copy stays
    expect(page.locator("#draft-status")).to_have_text(re.compile("kept in this browser"))
    return re.search(r"/new-call/([0-9a-f-]{36})/", page.url).group(1)


def test_signing_out_removes_every_local_copy(page, live_server, browser_user, signed_in):
    from tests.browser.conftest import sign_out

    advocate = browser_user("advocate")
    signed_in(advocate)
    key = _call_with_unsaved_notes(page, live_server)
    assert _local_drafts(page) == [f"fsp-draft:{advocate.pk}:{key}"]
    sign_out(page)
    page.wait_for_url(re.compile(r".*/accounts/(logout|login)/.*"))
    assert _local_drafts(page) == []


def test_an_idle_time_out_keeps_the_call_and_says_so(page, live_server, browser_user, signed_in):
    from django.contrib.sessions.models import Session

    advocate = browser_user("advocate")
    signed_in(advocate)
    key = _call_with_unsaved_notes(page, live_server)
    Session.objects.all().delete()  # the server ended the session (idle time-out)
    page.clock.run_for(31_000)  # portal.js checks the session and finds it gone
    expect(page.locator("#signed-out-banner")).to_be_visible()
    expect(page.get_by_label("Notes")).to_have_value("Son missing since Friday")
    assert _local_drafts(page) == [f"fsp-draft:{advocate.pk}:{key}"]


def test_stale_and_other_users_local_copies_are_dropped_on_load(
    page, live_server, browser_user, signed_in
):
    advocate = browser_user("advocate")
    signed_in(advocate)
    hour = 3600 * 1000
    page.evaluate(
        f"""() => {{
          const put = (key, age, notes) => localStorage.setItem(key,
            JSON.stringify({{savedAt: Date.now() - age, data: {{notes: notes}}}}));
          put("fsp-draft:{advocate.pk}:old", 13 * {hour}, "from yesterday");
          put("fsp-draft:{advocate.pk}:recent", 1 * {hour}, "an hour ago");
          put("fsp-draft:{advocate.pk + 1000}:theirs", 1 * {hour}, "someone else's");
          localStorage.setItem("fsp-draft:{advocate.pk}:bad", "not json");
        }}"""
    )
    page.goto(f"{live_server.url}/cases/")
    assert _local_drafts(page) == [f"fsp-draft:{advocate.pk}:recent"]
