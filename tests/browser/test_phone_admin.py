"""The phone system's pages in a real browser: an administrator creates an integration from
the menu, copies its secret, rotates and deactivates it; a supervisor opens Missed calls.
axe-core checks every page."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.phone_models import PhoneCall, PhoneIntegration
from tests.browser.conftest import open_nav_link, sign_out
from tests.cases.factories import CaseFactory

pytestmark = pytest.mark.browser


def test_administrator_manages_an_integration_and_supervisor_sees_missed_calls(
    page, live_server, browser_user, signed_in, assert_accessible
):
    administrator = browser_user("administrator")
    supervisor = browser_user("supervisor")
    case = CaseFactory(family__phone="+15550104242", family__display_name="Quillfeather family")
    PhoneCall.objects.create(
        call_sid="CA" + "7" * 32,
        from_number="+15550104242",
        status=PhoneCall.Status.MISSED,
        ringing_at=timezone.now(),
    )

    signed_in(administrator)
    open_nav_link(page, "Phone system")
    expect(page.get_by_role("heading", name="Phone system", level=1)).to_be_visible()
    page.get_by_label("Name").fill("Office PBX")
    page.get_by_role("button", name="Create the integration").click()
    secret = page.get_by_test_id("phone-secret")
    expect(secret).to_be_visible()
    first = secret.inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Back to the phone system").click()
    expect(page.get_by_role("cell", name="Office PBX", exact=True)).to_be_visible()
    expect(page.get_by_text(first)).to_have_count(0)  # shown once only
    page.get_by_role("button", name="Rotate the secret of Office PBX").click()
    expect(page.get_by_test_id("phone-secret")).not_to_have_text(first)
    page.get_by_role("link", name="Back to the phone system").click()
    page.get_by_role("button", name="Deactivate Office PBX").click()
    expect(page.get_by_text("is deactivated: its requests are refused")).to_be_visible()
    assert_accessible(page)
    integration = PhoneIntegration.objects.get()
    assert not integration.active and integration.rotated_at is not None
    sign_out(page)

    signed_in(supervisor)
    open_nav_link(page, "Missed calls")
    row = page.get_by_role("row").filter(has_text="(555) 010-4242")
    expect(row).to_be_visible()
    row.get_by_role("link", name="Quillfeather family").click()
    expect(page).to_have_url(f"{live_server.url}{case.family.get_absolute_url()}")
