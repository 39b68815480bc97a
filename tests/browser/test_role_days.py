"""Each role's main path, from its home page through the real pages to a saved result, on a
laptop (1280 px) and a phone (390 px). axe-core checks every page on the way (the `page`
fixture); here every page must also fit the width (no sideways scrolling) and every control
a person taps must be inside the screen.

Deeper journeys (mistakes, privacy, printing) live in the other browser tests at 1280 px;
these are the everyday paths, one sign-in each.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import open_nav_link

pytestmark = pytest.mark.browser

WIDTHS = {1280: 800, 390: 844}


@pytest.fixture(params=list(WIDTHS), ids=lambda w: f"{w}px")
def width(request, page) -> int:
    page.set_viewport_size({"width": request.param, "height": WIDTHS[request.param]})
    return request.param


def fits(page) -> None:
    """The page does not scroll sideways: everything is reachable by scrolling down."""
    wide = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert wide[0] <= wide[1], f"{page.url} is {wide[0]} px wide in a {wide[1]} px window"


def tap(page, locator) -> None:
    """Click as a person would: the control is on the screen once scrolled to, not cut off."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box, f"{locator} has no box"
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"] + 0.5, (
        f"{locator} is off screen at {box}"
    )
    locator.click()


def test_advocate_logs_a_call_and_adds_a_task(page, width, live_server, browser_user, signed_in):
    from cases.models import Contact, Task
    from tests.cases.factories import CaseFactory

    advocate = browser_user("advocate")
    case = CaseFactory(assigned_advocate=advocate)
    signed_in(advocate)
    fits(page)

    tap(page, page.get_by_role("link", name=case.reference))
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    fits(page)
    tap(page, page.get_by_role("link", name="Log a contact"))
    expect(page.get_by_label("Purpose")).to_be_focused()
    fits(page)
    page.get_by_label("Purpose").select_option("follow_up")
    page.get_by_label("Notes").fill("Mother called: the school confirmed attendance.")
    tap(page, page.get_by_role("button", name="Save call"))
    expect(page.get_by_text("The call is logged.")).to_be_visible()
    fits(page)

    due = timezone.localdate() + dt.timedelta(days=2)
    page.get_by_role("textbox", name="Task").fill("Call the school counsellor")
    page.get_by_label("Due").fill(due.isoformat())
    tap(page, page.get_by_role("button", name="Add task"))
    tasks = page.locator("section[aria-labelledby=tasks-heading]")
    expect(tasks.locator("li").filter(has_text="Call the school counsellor")).to_be_visible()
    fits(page)

    open_nav_link(page, "My work")
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    expect(page.get_by_role("link", name="Call the school counsellor")).to_be_visible()
    contact = Contact.objects.get()
    assert (contact.case, contact.purpose) == (case, "follow_up")
    task = Task.objects.get()
    assert (task.case, task.owner, task.due_on) == (case, advocate, due)


def test_supervisor_acknowledges_an_alert_and_approves_travel(
    page, width, live_server, browser_user, signed_in
):
    from cases.models import CaseAlert
    from reunification.models import TravelRequest
    from tests.cases.factories import CaseAlertFactory
    from tests.reunification.factories import in_status

    supervisor = browser_user("supervisor")
    alert = CaseAlertFactory()
    request = in_status("submitted", destination_city="Albuquerque")
    signed_in(supervisor)
    fits(page)

    # The risk alert, from the home page's panel.
    alerts = page.locator("section").filter(
        has=page.get_by_role("heading", name="Open risk alerts")
    )
    tap(page, alerts.get_by_role("link", name=alert.case.reference))
    page.get_by_label("Note").fill("Spoke with the advocate; safety plan in place.")
    fits(page)
    tap(page, page.get_by_role("button", name="Acknowledge"))
    expect(page.get_by_text("The alert is acknowledged.")).to_be_visible()
    expect(page.get_by_role("button", name="Acknowledge")).to_have_count(0)
    alert.refresh_from_db()
    assert alert.resolved_by == supervisor

    # The travel request waiting for a decision.
    open_nav_link(page, "My work")
    tap(page, page.get_by_role("link", name=re.compile(re.escape(request.reference))))
    tap(page, page.get_by_role("button", name="Start review"))
    tap(page, page.get_by_role("link", name="Approve or deny"))
    fits(page)
    page.get_by_role("radio", name="Approve").check()
    tap(page, page.get_by_role("button", name="Record decision"))
    expect(page.get_by_text("Request approved.")).to_be_visible()
    fits(page)
    request.refresh_from_db()
    assert request.status == TravelRequest.Status.APPROVED
    assert not CaseAlert.objects.filter(resolved_at__isnull=True).exists()


def test_administrator_invites_a_user(page, width, live_server, browser_user, signed_in):
    from accounts.models import User

    administrator = browser_user("administrator")
    supervisor = browser_user("supervisor", full_name="Rowan Ashdown")
    signed_in(administrator)

    open_nav_link(page, "Users")
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    fits(page)
    tap(page, page.get_by_role("link", name="Invite a user"))
    page.get_by_label("Full name").fill("Linden Marsh")
    page.get_by_label("E-mail address").fill("linden.marsh@example.test")
    page.get_by_label("Role").select_option(label="Advocate")
    page.get_by_label("Supervisor").select_option(label=str(supervisor))
    fits(page)
    tap(page, page.get_by_role("button", name="Send invitation"))
    expect(page.get_by_text("Invitation sent to linden.marsh@example.test.")).to_be_visible()
    fits(page)

    open_nav_link(page, "Users")
    row = page.get_by_role("row").filter(has_text="linden.marsh@example.test")
    expect(row).to_contain_text("Advocate")
    expect(row).to_contain_text("Invited")
    fits(page)
    if width == 390:  # the users table is wider than a phone: it scrolls in a focusable box
        box = page.locator(".table-responsive").filter(has=row)
        expect(box).to_have_attribute("tabindex", "0")
        assert box.evaluate("el => el.scrollWidth > el.clientWidth")
    invited = User.objects.get(email="linden.marsh@example.test")
    assert (invited.role, invited.supervisor) == ("advocate", supervisor)


def test_provider_accepts_a_referral(page, width, live_server, browser_user, signed_in):
    from referrals.models import Referral
    from tests.referrals.factories import ProviderFactory, sent_referral

    provider_user = browser_user("provider")
    provider = ProviderFactory(managers=[provider_user])
    referral = sent_referral(provider=provider)
    family = referral.family
    signed_in(provider_user)
    fits(page)

    tap(page, page.get_by_role("link", name=re.compile(rf"^Request #{referral.pk}\b")))
    expect(page.get_by_text(family.contact_name)).to_have_count(0)
    fits(page)
    tap(page, page.get_by_role("button", name="Accept the referral"))
    expect(page.get_by_text(family.contact_name).first).to_be_visible()
    fits(page)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED


def test_volunteer_logs_a_peer_call(page, width, live_server, browser_user, signed_in):
    from teamhope.models import PeerCall
    from tests.teamhope.factories import CaseFactory, PeerMatchFactory, VolunteerFactory

    volunteer_user = browser_user("volunteer")
    case = CaseFactory(family__contact_first_name="Rosalind")
    PeerMatchFactory(
        volunteer=VolunteerFactory(user=volunteer_user),
        case=case,
        created_by=browser_user("supervisor"),
    )
    signed_in(volunteer_user)
    fits(page)

    tap(page, page.get_by_role("link", name="Log a call with Rosalind"))
    expect(page.get_by_role("heading", name="Log a call with Rosalind")).to_be_visible()
    page.get_by_label("Minutes").fill("20")
    page.get_by_label("The family called me").check()
    page.get_by_label("Short note").fill("Talked through the first week back at school.")
    fits(page)
    tap(page, page.get_by_role("button", name="Save call"))
    expect(page.get_by_text("Call with Rosalind saved.")).to_be_visible()
    fits(page)

    open_nav_link(page, "My calls")
    expect(page.get_by_text("Talked through the first week back at school.")).to_be_visible()
    fits(page)
    call = PeerCall.objects.get()
    assert (call.duration_minutes, call.direction) == (20, "inbound")
