"""Wrong codes lock the account; an administrator sees the lock and lifts it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in, totp_now
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_wrong_codes_lock_and_an_administrator_unlocks(
    page, live_server, browser_user, browser, assert_accessible
):
    victim = browser_user("advocate")
    admin = browser_user("administrator")

    # The victim's browser: password, then five wrong codes.
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(victim.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    for _ in range(5):
        page.get_by_label("Code").fill(_wrong(totp_now(victim.totp_secret)))
        page.get_by_role("button", name="Sign In").click()
        if page.get_by_role("heading", name="Too many failed sign-in attempts").count():
            break
    expect(page.get_by_role("heading", name="Too many failed sign-in attempts")).to_be_visible()

    # The administrator, in a browser of their own, sees the lock and lifts it.
    context = browser.new_context()
    try:
        admin_page = context.new_page()
        sign_in(admin_page, live_server, admin)
        admin_page.goto(f"{live_server.url}/people/users/?q={victim.email}")
        row = admin_page.get_by_role("row").filter(has_text=victim.email)
        expect(row.get_by_text("Locked")).to_be_visible()
        row.get_by_role("link").first.click()
        expect(admin_page.locator("#sign-in-lock")).to_contain_text("after 5 failed attempts")
        assert_accessible(admin_page)
        admin_page.get_by_role("button", name="Unlock sign-in").click()
        expect(admin_page.locator("#sign-in-lock")).to_have_text("Not locked")
        expect(admin_page.get_by_text("The account is unlocked")).to_be_visible()
    finally:
        context.close()

    # The victim, starting again, signs in with the right code now.
    again = browser.new_context()
    try:
        sign_in(again.new_page(), live_server, victim)
    finally:
        again.close()
