"""Journey: an advocate finds a provider for a case and sends the referral; the provider
sees the request without family details, accepts, then sees the family's contact."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def world(browser_user):
    from referrals.models import ZipCentroid
    from tests.referrals.factories import (
        ORIGIN_LAT,
        ORIGIN_LNG,
        ORIGIN_ZIP,
        ProviderFactory,
        consenting_case,
    )

    ZipCentroid.objects.get_or_create(
        zip_code=ORIGIN_ZIP,
        defaults={
            "latitude": ORIGIN_LAT,
            "longitude": ORIGIN_LNG,
            "city": "New York",
            "state": "NY",
        },
    )
    advocate = browser_user("advocate")
    provider_user = browser_user("provider")
    provider = ProviderFactory(managers=[provider_user], name="Dr. Willow Hartmann")
    case = consenting_case(assigned_advocate=advocate)
    family = case.family
    family.contact_name, family.display_name = "Imogen Vasquez-Thorne", "Vasquez-Thorne family"
    family.phone = "+15550123456"
    family.save()
    return {
        "advocate": advocate,
        "provider_user": provider_user,
        "provider": provider,
        "case": case,
    }


def test_advocate_refers_and_provider_accepts(
    page, live_server, signed_in, assert_accessible, world
):
    case = world["case"]
    signed_in(world["advocate"])
    page.goto(f"{live_server.url}/referrals/case/{case.pk}/find/")
    expect(page.get_by_role("heading", name=re.compile("Find a provider"))).to_be_visible()
    expect(page.get_by_role("heading", name="Dr. Willow Hartmann")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Refer to Dr. Willow Hartmann").click()
    page.get_by_label("Note for the provider").fill("Please call in the afternoon.")
    assert_accessible(page)
    page.get_by_role("button", name="Create referral").click()
    page.wait_for_url(re.compile(r"/referrals/\d+/$"))
    expect(page.get_by_text("Sent, awaiting answer").first).to_be_visible()
    assert_accessible(page)

    page.context.clear_cookies()
    signed_in(world["provider_user"])
    page.goto(f"{live_server.url}/referrals/incoming/")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"Request #\d+")).first.click()
    body = page.content()
    for secret in ("Vasquez-Thorne", "Imogen", "+15550123456", "Please call in the afternoon"):
        assert secret not in body
    expect(page.get_by_text("New York, NY")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Accept the referral").click()
    page.wait_for_load_state()
    expect(page.get_by_text("+15550123456")).to_be_visible()
    expect(page.get_by_text("Imogen Vasquez-Thorne")).to_be_visible()
    expect(page.get_by_text("Please call in the afternoon.")).to_be_visible()
    assert_accessible(page)
