"""Journey: an advocate submits a travel request, a supervisor approves and books it,
the advocate prints the family's itinerary. Every page visited is axe-core clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def family_case(transactional_db, browser_user):
    from tests.reunification.factories import CaseFactory, PersonFactory

    advocate = browser_user("advocate")
    case = CaseFactory(assigned_advocate=advocate)
    PersonFactory(family=case.family, first_name="Morgan", role="parent")
    return advocate, case


def test_request_approve_book_and_print_itinerary(
    page, live_server, browser, browser_user, family_case, signed_in, assert_accessible
):
    from reunification.models import TravelRequest

    advocate, case = family_case
    supervisor = browser_user("supervisor")

    # The advocate drafts and submits.
    signed_in(advocate)
    page.goto(f"{live_server.url}/reunification/new/")
    page.get_by_label("Case reference").fill(case.reference)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="New travel request")).to_be_visible()
    page.get_by_label("Morgan").check()
    page.get_by_label("City where the child is").fill("Albuquerque")
    page.get_by_label("State / region").fill("NM")
    page.get_by_label("Requested departure").fill("2026-09-14")
    page.get_by_label("Requested return").fill("2026-09-12")  # before departure: refused
    page.get_by_label("Household size").fill("3")
    page.get_by_label("Yearly household income").fill("31000")
    page.get_by_label("Assistance asked").fill("1350.00")
    page.get_by_label("Notes", exact=True).fill("Mother and aunt travel together.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("The return date cannot be before the departure date.")).to_be_visible()
    assert (
        page.get_by_label("Notes", exact=True).input_value() == "Mother and aunt travel together."
    )
    assert_accessible(page)
    page.get_by_label("Requested return").fill("2026-09-18")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Need assessment (a recommendation, not a decision)")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_text("Request submitted.")).to_be_visible()
    tr = TravelRequest.objects.get()
    detail_url = f"{live_server.url}{tr.get_absolute_url()}"

    # A supervisor, in another browser session, reviews, approves and books.
    context = browser.new_context()
    sup = context.new_page()
    sup.set_default_timeout(15_000)
    sign_in(sup, live_server, supervisor)
    sup.goto(f"{live_server.url}/")
    sup.get_by_role("link", name=tr.reference, exact=False).first.click()
    sup.get_by_role("button", name="Start review").click()
    sup.get_by_role("link", name="Approve or deny").click()
    assert_accessible(sup)
    sup.get_by_role("radio", name="Approve").check()
    sup.get_by_role("button", name="Record decision").click()
    expect(sup.get_by_text("Request approved.")).to_be_visible()
    sup.get_by_role("link", name="Add segment").first.click()
    sup.get_by_label("Kind").select_option("flight")
    sup.get_by_label("Carrier / provider").fill("Demo Air")
    sup.get_by_label("From", exact=True).fill("Columbus (CMH)")
    sup.get_by_label("To / address").fill("Albuquerque (ABQ)")
    sup.get_by_label("Departs / check-in").fill("2026-09-14T08:30")
    sup.get_by_label("Confirmation code").fill("QX7P2K")
    sup.get_by_label("Estimated cost").fill("-5")
    sup.get_by_role("button", name="Save segment").click()
    # The browser itself refuses a negative cost (min=0); the server's 400 is tested apart.
    assert sup.get_by_label("Estimated cost").evaluate("el => el.validity.rangeUnderflow")
    assert sup.get_by_label("Confirmation code").input_value() == "QX7P2K"
    sup.get_by_label("Estimated cost").fill("412.60")
    sup.get_by_role("button", name="Save segment").click()
    sup.get_by_role("button", name="Mark booked").click()
    expect(sup.get_by_text("The trip is booked.")).to_be_visible()
    assert_accessible(sup)
    context.close()

    # The advocate opens and prints the itinerary.
    page.goto(detail_url)
    page.get_by_role("link", name="Itinerary").click()
    expect(page.get_by_role("heading", name="Your travel itinerary")).to_be_visible()
    expect(page.get_by_text("QX7P2K")).to_be_visible()
    assert_accessible(page)
    page.emulate_media(media="print")
    assert page.locator("header").is_hidden()
    assert page.get_by_role("button", name="Print").is_hidden()
    expect(page.get_by_text("QX7P2K")).to_be_visible()
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename == f"itinerary-{tr.reference}.pdf"
    tr.refresh_from_db()
    assert tr.status == TravelRequest.Status.BOOKED
