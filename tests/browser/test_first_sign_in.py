"""A new user signs in with their password and goes straight to setting up the
authenticator app: no second password prompt in between."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_new_user_reaches_mfa_setup_without_a_second_password_prompt(
    page, live_server, browser_user, assert_accessible
):
    from tests.factories import TEST_PASSWORD

    user = browser_user("advocate", totp=False)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text("Set up an authenticator app")).to_be_visible()
    expect(page.get_by_label("Authenticator code")).to_be_visible()
    assert page.get_by_label("Password").count() == 0
    assert "/reauthenticate/" not in page.url
    assert_accessible(page)
