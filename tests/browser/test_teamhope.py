"""Journey on a phone (390x844): a Team HOPE volunteer logs a peer call (first with a
mistake), then asks for an advocate now. Every page visited is axe-core clean."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def volunteer_match(transactional_db, browser_user):
    from tests.teamhope.factories import CaseFactory, PeerMatchFactory, VolunteerFactory

    volunteer_user = browser_user("volunteer")
    advocate = browser_user("advocate")
    volunteer = VolunteerFactory(user=volunteer_user)
    case = CaseFactory(
        assigned_advocate=advocate,
        family__contact_first_name="Rosalind",
        family__safe_contact_notes="Evenings only; no voicemail",
    )
    match = PeerMatchFactory(volunteer=volunteer, case=case, created_by=browser_user("supervisor"))
    return volunteer_user, advocate, match


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_volunteer_logs_a_call_and_escalates_on_a_phone(
    page, live_server, volunteer_match, signed_in, assert_accessible
):
    from familysupport.lib.models import Notification
    from teamhope.models import Escalation, PeerCall

    volunteer_user, advocate, _match = volunteer_match
    page.set_viewport_size(PHONE)
    signed_in(volunteer_user)

    page.goto(f"{live_server.url}/teamhope/my/")
    expect(page.get_by_role("heading", name="My families")).to_be_visible()
    expect(page.get_by_text("Evenings only; no voicemail")).to_be_visible()
    assert _fits_the_phone(page)
    assert_accessible(page)

    # Log a call: a negative length is refused and what was typed is kept.
    page.get_by_role("link", name=re.compile(r"^Log a call")).first.click()
    expect(page.get_by_role("heading", name="Log a call with Rosalind")).to_be_visible()
    page.get_by_label("Minutes").fill("-5")
    page.get_by_label("The family called me").check()
    page.get_by_label("Media attention").check()
    page.get_by_label("Short note").fill("Talked about the TV interview.")
    page.get_by_role("button", name="Save call").click()
    expect(page.get_by_text("The length of the call must be at least 1 minute.")).to_be_visible()
    assert page.get_by_label("Short note").input_value() == "Talked about the TV interview."
    assert page.get_by_label("Media attention").is_checked()
    assert not PeerCall.objects.exists()
    assert _fits_the_phone(page)
    assert_accessible(page)

    page.get_by_label("Minutes").fill("25")
    page.get_by_role("button", name="Save call").click()
    page.wait_for_url(f"{live_server.url}/teamhope/my/")
    expect(page.get_by_text("Call with Rosalind saved.")).to_be_visible()
    call = PeerCall.objects.get()
    assert call.duration_minutes == 25 and call.direction == "inbound"
    assert call.topics == ["media"]

    # Needs an advocate now.
    page.get_by_role("link", name=re.compile(r"^Needs an advocate now")).first.click()
    assert_accessible(page)
    page.get_by_label("What should the advocate know? (optional)").fill(
        "Parent is overwhelmed and asked for help today."
    )
    page.get_by_role("button", name="Alert the advocate now").click()
    expect(page.get_by_role("heading", name="The advocate has been alerted")).to_be_visible()
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    assert _fits_the_phone(page)
    assert_accessible(page)

    escalation = Escalation.objects.get()
    assert escalation.advocate_notified == advocate
    alerts = Notification.objects.filter(event="teamhope.escalation.raised")
    assert [n.recipient_id for n in alerts] == [advocate.pk]
