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


def test_safeguards_reapproval_time_zone_and_documents_override(
    page, live_server, browser, browser_user, signed_in, assert_accessible
):
    """A Guadalajara flight above the approved amount: the approver is refused with the
    reason, a second supervisor re-approves, then books with a documents override."""
    from decimal import Decimal

    from reunification.models import Segment, TravelRequest
    from reunification.services import _ensure_checklist
    from tests.reunification.factories import in_status

    approver = browser_user("supervisor")
    second = browser_user("supervisor")
    tr = in_status(
        "approved",
        approver=approver,
        amount_requested=Decimal("2200.00"),
        is_international=True,
        destination_country="MX",
        destination_city="Guadalajara",
    )
    _ensure_checklist(tr)
    detail = f"{live_server.url}{tr.get_absolute_url()}"

    signed_in(approver)
    page.goto(detail)
    page.get_by_role("link", name="Add segment").first.click()
    page.get_by_label("Kind").select_option("flight")
    page.get_by_label("Carrier / provider").fill("Demo Air")
    page.get_by_label("From", exact=True).fill("Guadalajara (GDL)")
    page.get_by_label("Departs / check-in").fill("2026-09-14T08:30")
    page.get_by_label("Time zone of the times").select_option("America/Mexico_City")
    page.get_by_label("Estimated cost").fill("2490.00")
    assert_accessible(page)
    page.get_by_role("button", name="Save segment").click()
    expect(page.locator("#reapproval-needed")).to_contain_text("$2,490.00")
    expect(page.get_by_text("Mon 14 Sep 2026, 08:30 (Mexico City time)")).to_be_visible()
    expect(page.get_by_role("button", name="Mark booked")).to_have_count(0)
    assert_accessible(page)
    page.goto(f"{live_server.url}/reunification/{tr.pk}/reapprove/")
    expect(page.locator("#refusal-reason")).to_contain_text("you approved the first amount")
    assert Segment.objects.get().starts_at.isoformat() == "2026-09-14T14:30:00+00:00"

    context = browser.new_context()
    sup = context.new_page()
    sup.set_default_timeout(15_000)
    sign_in(sup, live_server, second)
    sup.goto(detail)
    sup.get_by_role("link", name="Re-approve the new amount").click()
    sup.get_by_label("New approved amount").fill("2000")
    sup.get_by_role("button", name="Re-approve the new amount").click()
    expect(sup.get_by_text("The new amount must cover the estimated costs")).to_be_visible()
    assert_accessible(sup)
    sup.get_by_label("New approved amount").fill("2490.00")
    sup.get_by_role("button", name="Re-approve the new amount").click()
    expect(sup.get_by_text("The new amount is approved.")).to_be_visible()
    sup.get_by_role("button", name="Mark booked").click()
    expect(sup.get_by_text("International travel needs every document first")).to_be_visible()
    assert_accessible(sup)
    sup.get_by_label("Reason to book without every document").fill(
        "Consulate confirmed the visas by phone."
    )
    sup.get_by_role("button", name="Mark booked").click()
    expect(sup.get_by_text("The trip is booked.")).to_be_visible()
    expect(sup.get_by_text("Without every document, decided by")).to_be_visible()
    assert_accessible(sup)
    context.close()
    tr.refresh_from_db()
    assert tr.status == TravelRequest.Status.BOOKED
    assert tr.approved_amount == Decimal("2490.00") and tr.reapproved_by == second
