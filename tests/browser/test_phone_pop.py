"""The screen pop in a real browser (issue 20): an advocate taking calls, on the case list,
gets the pop of a ringing call from the phone system, starts the call, and the phone
system's "ended" fills the duration before the call is saved with its CallSid."""

from __future__ import annotations

import re
import urllib.request
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from twilio.request_validator import RequestValidator

from cases.models import Contact, PhoneCall
from cases.phone_services import TWILIO_SIGNATURE_HEADER
from tests.browser.conftest import open_nav_link, page_user_name
from tests.cases.factories import CaseFactory, FamilyFactory
from tests.cases.phone_helpers import FORM, TOKEN, call_params

pytestmark = pytest.mark.browser

CALL_URL = re.compile(r".*/cases/new-call/[0-9a-f-]{36}/$")
SID = "CA" + "7" * 32
NUMBER = "+15550104242"  # what call_params() sends as From


@pytest.fixture(autouse=True)
def _twilio(settings, live_server):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PHONE_WEBHOOK_BASE_URL = live_server.url
    settings.PHONE_TWIML_NEXT_URL = ""


def phone_event(live_server, hook: str, **params: str) -> None:
    """The phone system reports the call: a Twilio-signed POST to the portal's webhook."""
    path = reverse(f"phone:{hook}")
    form = call_params(SID, **params)
    signature = RequestValidator(TOKEN).compute_signature(live_server.url + path, form)
    request = urllib.request.Request(  # noqa: S310 - the live test server on 127.0.0.1
        live_server.url + path,
        data=urlencode(form).encode(),
        headers={TWILIO_SIGNATURE_HEADER: signature, "Content-Type": FORM},
    )
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    with direct.open(request, timeout=30) as response:
        assert response.status in (200, 204)


def _polled(page) -> None:
    """Wait until this page's pop poll has answered at least once (phone_pop.js counts)."""
    expect(page.locator("#phone-pop")).to_have_attribute("data-polls", re.compile(r"^[1-9]"))


def _take_calls(page) -> None:
    page.locator("#main-nav").get_by_role("button", name=page_user_name(page)).click()
    page.get_by_role("button", name="Take calls (screen pop)").click()
    expect(page.get_by_text("You are taking calls")).to_be_visible()
    expect(page.locator("#taking-calls-badge")).to_be_visible()


def test_pop_on_another_page_start_call_and_save_with_the_phone_duration(
    page, live_server, browser_user, signed_in, assert_accessible
):
    advocate = browser_user("advocate")
    family = FamilyFactory(display_name="Okonkwo-Lindqvist family", phone=NUMBER)
    case = CaseFactory(family=family, assigned_advocate=advocate)
    signed_in(advocate)
    _take_calls(page)
    open_nav_link(page, "Cases")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cases")
    pop = page.locator("#phone-pop-live")
    expect(pop).to_be_empty()

    phone_event(live_server, "hook_call", CallStatus="ringing")
    expect(pop.get_by_role("heading", name=re.compile("Incoming call"))).to_contain_text(
        "(555) 010-4242"
    )
    expect(pop).to_contain_text("Okonkwo-Lindqvist family")
    expect(pop).to_contain_text(case.reference)
    assert_accessible(page)  # the pop on top of the case list

    phone_event(live_server, "hook_call", CallStatus="in-progress", Agent=advocate.email)
    expect(pop.get_by_role("heading")).to_contain_text("Call answered")
    pop.get_by_role("button", name="Start call").click()
    page.wait_for_url(CALL_URL)
    expect(page.get_by_label("Phone", exact=True)).to_have_value("(555) 010-4242")
    expect(page.locator(f'input[name="attach"][value="c{case.pk}"]')).to_be_checked()
    expect(page.locator("#phone-call-banner")).to_contain_text("Phone call from (555) 010-4242")
    _polled(page)
    expect(pop).to_be_empty()  # started: it pops no more (the poll said so)
    page.get_by_label("Purpose").select_option("follow_up")
    page.get_by_label("Notes").fill("Asked about the hearing date.")

    # The phone system says the call ended after 200 s: the page shows 4 minutes, whatever
    # its own timer counted.
    phone_event(live_server, "hook_call_ended", CallStatus="completed", CallDuration="200")
    expect(page.locator("#phone-call-duration")).to_contain_text("lasted 200 seconds")
    expect(page.get_by_label("Duration (minutes)")).to_have_value("4")
    page.get_by_role("button", name="Save call").click()
    expect(page.get_by_text("The call is logged.")).to_be_visible()

    contact = Contact.objects.get()
    assert contact.case == case and contact.duration_minutes == 4
    assert PhoneCall.objects.get(call_sid=SID).contact == contact


def test_dismissed_pop_stays_away_and_keyboard_reaches_start(
    page, live_server, browser_user, signed_in
):
    advocate = browser_user("advocate")
    signed_in(advocate)
    _take_calls(page)
    phone_event(live_server, "hook_call", CallStatus="ringing", From="anonymous")
    pop = page.locator("#phone-pop-live")
    expect(pop).to_contain_text("Number withheld")
    start = pop.get_by_role("button", name="Start call")
    start.focus()
    expect(start).to_be_focused()
    page.keyboard.press("Tab")
    expect(pop.get_by_role("button", name="Dismiss")).to_be_focused()
    page.keyboard.press("Enter")
    expect(pop).to_be_empty()
    # Still dismissed after a new page load: the page's poll skips it.
    open_nav_link(page, "Cases")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cases")
    _polled(page)
    expect(pop).to_be_empty()
