from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_advocate_signs_in_with_password_and_totp_and_reaches_home(
    page, live_server, browser_user, signed_in, assert_accessible
):
    advocate = browser_user("advocate")
    signed_in(advocate)
    assert page.url.rstrip("/") == live_server.url
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    assert_accessible(page)


def test_login_page_is_accessible_and_loads_nothing_foreign(page, live_server, assert_accessible):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_label("Password")).to_be_visible()
    assert_accessible(page)
