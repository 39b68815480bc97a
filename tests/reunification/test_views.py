"""Pages: forms with bad input, decisions, booking, itinerary, budget, query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from familysupport.lib.models import AuditEntry
from reunification.models import PovertyGuideline, Segment, TravelBudget, TravelRequest
from tests.reunification.factories import (
    PersonFactory,
    SegmentFactory,
    TravelRequestFactory,
    in_status,
)

pytestmark = pytest.mark.django_db
S = TravelRequest.Status


def _form_data(**over):
    data = {
        "purpose": "initial",
        "escorts": "One staff escort",
        "destination_city": "Tucson",
        "destination_state": "AZ",
        "destination_country": "US",
        "depart_on": "2026-07-10",
        "return_on": "2026-07-14",
        "household_size": "3",
        "yearly_income": "28000.50",
        "other_assistance": "Church fund",
        "amount_requested": "1450.00",
        "notes": "Grandmother travels with the mother; keep this typed note",
    }
    data.update(over)
    return data


# --- Create / edit -----------------------------------------------------------------------


def test_advocate_creates_a_draft(login, advocate, case, parent):
    client = login(advocate)
    url = reverse("reunification:create", args=[case.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _form_data(travellers=[parent.pk]))
    tr = TravelRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == tr.get_absolute_url()
    assert tr.status == S.DRAFT and tr.requested_by == advocate
    assert tr.yearly_income == Decimal("28000.50")
    assert list(tr.travellers.all()) == [parent]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("return_on", "2026-07-01", "The return date cannot be before the departure date."),
        ("yearly_income", "-5", "Amounts cannot be negative."),
        ("amount_requested", "-0.01", "Amounts cannot be negative."),
        ("household_size", "0", ""),
        ("depart_on", "not a date", "Enter a valid date."),
    ],
)
def test_create_with_bad_input_keeps_typed_text_and_saves_nothing(
    login, advocate, case, field, value, message
):
    response = login(advocate).post(
        reverse("reunification:create", args=[case.pk]), _form_data(**{field: value})
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "keep this typed note" in body and 'value="Tucson"' in body
    assert not TravelRequest.objects.exists()


def test_start_page_finds_the_case_by_reference(login, advocate, case):
    client = login(advocate)
    response = client.get(reverse("reunification:start"), {"case": case.reference})
    assert response["Location"] == reverse("reunification:create", args=[case.pk])
    bad = client.get(reverse("reunification:start"), {"case": "FS-999999"})
    assert bad.status_code == 400 and "No case with this reference" in bad.content.decode()


def test_owner_edits_draft_and_stale_form_is_refused(login, advocate, draft):
    client = login(advocate)
    url = reverse("reunification:edit", args=[draft.pk])
    assert client.get(url).status_code == 200
    ok = client.post(url, _form_data(version=draft.version, notes="Second version"))
    assert ok.status_code == 302
    draft.refresh_from_db()
    assert draft.notes == "Second version" and draft.version == 2
    stale = client.post(url, _form_data(version=1, notes="Overwrite attempt"))
    assert stale.status_code == 400 and "changed since you opened it" in stale.content.decode()
    draft.refresh_from_db()
    assert draft.notes == "Second version"


def test_other_advocate_cannot_edit_or_submit_a_draft(login, make_user, draft):
    client = login(make_user("advocate"))
    assert client.get(reverse("reunification:edit", args=[draft.pk])).status_code == 403
    assert client.post(reverse("reunification:submit", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


@pytest.mark.parametrize("fixture", ["provider_user", "volunteer_user"])
def test_providers_and_volunteers_see_nothing(request, login, fixture, draft):
    client = login(request.getfixturevalue(fixture))
    assert client.get(reverse("reunification:list")).status_code == 403
    assert client.get(draft.get_absolute_url()).status_code == 403


def test_administrator_reads_but_cannot_create(login, administrator, draft, case):
    client = login(administrator)
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert client.get(reverse("reunification:create", args=[case.pk])).status_code == 403


# --- Submit, review, decide ----------------------------------------------------------------


def test_submit_review_and_approve_through_the_pages(login, advocate, supervisor, draft):
    login(advocate).post(
        reverse("reunification:submit", args=[draft.pk]), {"version": draft.version}
    )
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED
    sup = login(supervisor)
    sup.post(reverse("reunification:start_review", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == S.UNDER_REVIEW
    decide = reverse("reunification:decide", args=[draft.pk])
    page = sup.get(decide)
    assert page.status_code == 200 and "Need assessment" in page.content.decode()
    response = sup.post(decide, {"decision": "approve", "version": draft.version})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == S.APPROVED and draft.approver == supervisor


def test_deny_without_reason_is_400_and_nothing_changes(login, supervisor):
    tr = in_status(S.UNDER_REVIEW)
    response = login(supervisor).post(
        reverse("reunification:decide", args=[tr.pk]),
        {"decision": "deny", "reason": "", "amount": "777.77", "version": tr.version},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give the reason for the denial." in body
    assert 'value="777.77"' in body
    tr.refresh_from_db()
    assert tr.status == S.UNDER_REVIEW and tr.denial_reason == ""


def test_deny_with_reason(login, supervisor):
    tr = in_status(S.UNDER_REVIEW)
    login(supervisor).post(
        reverse("reunification:decide", args=[tr.pk]),
        {"decision": "deny", "reason": "Other funding covers it", "version": tr.version},
    )
    tr.refresh_from_db()
    assert tr.status == S.DENIED and tr.denial_reason == "Other funding covers it"


def test_requester_supervisor_cannot_open_the_decision_page(login, supervisor):
    tr = in_status(S.UNDER_REVIEW, requested_by=supervisor)
    assert login(supervisor).get(reverse("reunification:decide", args=[tr.pk])).status_code == 403


@time_machine.travel(dt.datetime(2026, 6, 1, 15, tzinfo=dt.UTC), tick=False)
def test_decision_page_warns_when_over_budget(login, supervisor, administrator):
    TravelBudget(year=2026, amount=Decimal("500.00")).save()
    tr = in_status(S.UNDER_REVIEW)
    client = login(supervisor)
    url = reverse("reunification:decide", args=[tr.pk])
    page = client.get(url).content.decode()
    assert "would exceed the 2026 travel budget" in page
    refused = client.post(url, {"decision": "approve", "version": tr.version})
    assert refused.status_code == 400
    assert "Confirm to approve anyway" in refused.content.decode()
    tr.refresh_from_db()
    assert tr.status == S.UNDER_REVIEW
    client.post(url, {"decision": "approve", "version": tr.version, "over_budget_ok": "on"})
    tr.refresh_from_db()
    assert tr.status == S.APPROVED
    assert AuditEntry.objects.filter(
        action="reunification.travelrequest.approved_over_budget", object_id=str(tr.pk)
    ).exists()


def test_illegal_transition_through_a_page_shows_a_message(login, supervisor):
    tr = in_status(S.DENIED)
    client = login(supervisor)
    response = client.post(reverse("reunification:book", args=[tr.pk]), follow=True)
    assert "A request that is denied cannot be booked." in response.content.decode()


# --- Segments, booking, completion ---------------------------------------------------------


def test_segment_with_negative_cost_is_400_and_keeps_typed_text(login, supervisor):
    tr = in_status(S.APPROVED)
    response = login(supervisor).post(
        reverse("reunification:segment_create", args=[tr.pk]),
        {
            "kind": "flight",
            "provider": "Typed Airline",
            "starts_at": "2026-07-10T08:30",
            "estimated_cost": "-20",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Amounts cannot be negative." in body and 'value="Typed Airline"' in body
    assert not Segment.objects.exists()


def test_segment_ending_before_it_starts_is_400(login, supervisor):
    tr = in_status(S.APPROVED)
    response = login(supervisor).post(
        reverse("reunification:segment_create", args=[tr.pk]),
        {
            "kind": "lodging",
            "starts_at": "2026-07-10T15:00",
            "ends_at": "2026-07-09T11:00",
            "estimated_cost": "300",
        },
    )
    assert response.status_code == 400
    assert "The end cannot be before the start." in response.content.decode()
    assert not Segment.objects.exists()


def test_book_complete_and_costs(login, supervisor):
    tr = in_status(S.APPROVED, depart_on=timezone.localdate() - dt.timedelta(days=5))
    client = login(supervisor)
    add = client.post(
        reverse("reunification:segment_create", args=[tr.pk]),
        {
            "kind": "train",
            "provider": "Rail Co",
            "from_place": "Chicago",
            "to_place": "St. Louis",
            "starts_at": "2026-07-10T08:30",
            "confirmation_code": "RAIL42",
            "estimated_cost": "120.40",
        },
    )
    assert add.status_code == 302
    seg = Segment.objects.get()
    assert seg.estimated_cost == Decimal("120.40")
    client.post(reverse("reunification:book", args=[tr.pk]))
    tr.refresh_from_db()
    assert tr.status == S.BOOKED
    client.post(
        reverse("reunification:segment_edit", args=[tr.pk, seg.pk]),
        {
            "kind": "train",
            "starts_at": "2026-07-10T08:30",
            "estimated_cost": "120.40",
            "actual_cost": "118.00",
        },
    )
    seg.refresh_from_db()
    assert seg.actual_cost == Decimal("118.00")
    client.post(reverse("reunification:complete", args=[tr.pk]))
    tr.refresh_from_db()
    assert tr.status == S.COMPLETED
    assert tr.case.tasks.count() == 3


def test_segment_delete(login, supervisor):
    seg = SegmentFactory(travel_request=in_status(S.APPROVED))
    client = login(supervisor)
    client.post(reverse("reunification:segment_delete", args=[seg.travel_request_id, seg.pk]))
    assert not Segment.objects.exists()


def test_segment_of_another_request_is_404(login, supervisor):
    seg = SegmentFactory(travel_request=in_status(S.APPROVED))
    other = in_status(S.APPROVED)
    url = reverse("reunification:segment_edit", args=[other.pk, seg.pk])
    assert login(supervisor).get(url).status_code == 404


def test_cancel_needs_a_reason(login, supervisor):
    tr = in_status(S.BOOKED)
    client = login(supervisor)
    url = reverse("reunification:cancel", args=[tr.pk])
    bad = client.post(url, {"reason": "", "version": tr.version})
    assert bad.status_code == 400
    tr.refresh_from_db()
    assert tr.status == S.BOOKED
    client.post(url, {"reason": "Child moved", "version": tr.version})
    tr.refresh_from_db()
    assert tr.status == S.CANCELLED and tr.cancel_reason == "Child moved"


# --- Itinerary & checklist -----------------------------------------------------------------


def test_itinerary_page_and_pdf(login, advocate):
    tr = in_status(S.BOOKED)
    tr.travellers.add(PersonFactory(family=tr.case.family, first_name="Avery"))
    SegmentFactory(travel_request=tr, confirmation_code="ZX9Q7")
    client = login(advocate)
    page = client.get(reverse("reunification:itinerary", args=[tr.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "ZX9Q7" in body and "Avery" in body
    assert "reunification/itinerary.css" in body and "data-print" in body
    pdf = client.get(reverse("reunification:itinerary_pdf", args=[tr.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]
    assert AuditEntry.objects.filter(
        action="reunification.travelrequest.itinerary_downloaded"
    ).exists()


def test_itinerary_pdf_prints_names_outside_latin_1(login, advocate):
    """The embedded font (familysupport/lib/pdf.py): extracted text equals the names."""
    import io

    from pypdf import PdfReader

    tr = in_status(S.BOOKED)
    names = ["Ζωή Παπαδοπούλου", "Ольга Шевченко", "Nguyễn Thị Ánh", "Łukasz Żółć"]
    for name in names:
        first, last = name.split(" ", 1)
        tr.travellers.add(PersonFactory(family=tr.case.family, first_name=first, last_name=last))
    SegmentFactory(travel_request=tr, provider="Αεροπορία Ωμέγα")
    response = login(advocate).get(reverse("reunification:itinerary_pdf", args=[tr.pk]))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for name in [*names, "Αεροπορία Ωμέγα"]:
        assert name in " ".join(text.split()), name


def test_no_itinerary_before_approval(login, advocate):
    tr = in_status(S.SUBMITTED)
    assert login(advocate).get(reverse("reunification:itinerary", args=[tr.pk])).status_code == 404


def test_international_checklist(login, advocate, case):
    from reunification import services

    tr = services.travel_request_create(
        case=case,
        by=advocate,
        destination_city="Monterrey",
        destination_country="MX",
        is_international=True,
        depart_on=dt.date(2026, 8, 1),
        household_size=2,
        yearly_income=Decimal("20000"),
        amount_requested=Decimal("900"),
    )
    client = login(advocate)
    page = client.get(reverse("reunification:checklist", args=[tr.pk])).content.decode()
    for label in ("Passports", "Visas", "Custody order", "Court orders", "Consular contact"):
        assert label in page
    item = tr.checklist.get(kind="passport")
    client.post(
        reverse("reunification:checklist_toggle", args=[tr.pk, item.pk]),
        {"done": "1", "note": "Both passports valid to 2030"},
    )
    item.refresh_from_db()
    assert item.is_done and item.done_by == advocate and item.note.startswith("Both")


# --- Budget, guidelines, need preview -----------------------------------------------------


def test_administrator_sets_budget_and_bad_input_is_400(login, administrator, supervisor):
    client = login(administrator)
    url = reverse("reunification:budget")
    bad = client.post(url, {"year": "2026", "amount": "-10"})
    assert bad.status_code == 400 and "Amounts cannot be negative." in bad.content.decode()
    assert not TravelBudget.objects.exists()
    client.post(url, {"year": "2026", "amount": "25000.00"})
    assert TravelBudget.objects.get(year=2026).amount == Decimal("25000.00")
    sup = login(supervisor)
    assert sup.get(url + "?year=2026").status_code == 200
    assert sup.post(url, {"year": "2026", "amount": "1"}).status_code == 403


def test_administrator_edits_guidelines(login, administrator, advocate):
    client = login(administrator)
    url = reverse("reunification:guidelines")
    response = client.post(
        url,
        {
            "form": "guideline",
            "year": "2027",
            "region": "contiguous",
            "base_amount": "0",
            "per_extra_person": "5900",
        },
    )
    assert response.status_code == 400
    assert "must be positive" in response.content.decode()
    client.post(
        url,
        {
            "form": "guideline",
            "year": "2027",
            "region": "contiguous",
            "base_amount": "16400",
            "per_extra_person": "5900",
        },
    )
    assert PovertyGuideline.objects.get(year=2027).base_amount == Decimal("16400")
    assert login(advocate).post(url, {"form": "guideline"}).status_code == 403


def test_need_preview_fragment(login, advocate):
    response = login(advocate).get(
        reverse("reunification:need_preview"), {"household_size": "4", "yearly_income": "32150"}
    )
    assert "<strong>" in response.content.decode()
    assert "% of the" in response.content.decode()


# --- Lists, timeline, nav, query counts ------------------------------------------------


def test_list_filters(login, advocate):
    mine = in_status(S.SUBMITTED, requested_by=advocate)
    other = in_status(S.APPROVED)
    client = login(advocate)
    body = client.get(reverse("reunification:list"), {"status": "approved"}).content.decode()
    assert other.reference in body and mine.reference not in body
    body = client.get(reverse("reunification:list"), {"mine": "on"}).content.decode()
    assert mine.reference in body and other.reference not in body


def test_list_pages_in_a_stable_order_without_warning(login, advocate):
    """Newest first, id as tie-breaker, across pages; no UnorderedObjectListWarning."""
    import warnings

    from django.core.paginator import UnorderedObjectListWarning

    same_moment = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    made = [TravelRequestFactory(created_at=same_moment) for _ in range(27)]
    made += [TravelRequestFactory(created_at=same_moment + dt.timedelta(days=1))]
    for tr in made[:3]:
        SegmentFactory(travel_request=tr)
    client = login(advocate)
    seen = []
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnorderedObjectListWarning)
        for page in (1, 2):
            response = client.get(reverse("reunification:list"), {"page": page})
            assert response.status_code == 200
            seen += [tr.pk for tr in response.context["page"]]
    newest, *rest = made[::-1]
    assert seen == [newest.pk, *sorted((tr.pk for tr in rest), reverse=True)]


# Query pins, steady state (after the session's first request, which also records the
# passed second factor): measured + 2 headroom for shared middleware.
LIST_QUERIES = 9
DETAIL_QUERIES = 13


def _list_queries(client, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as ctx:
        assert client.get(reverse("reunification:list")).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow(login, advocate, django_assert_max_num_queries):
    client = login(advocate)
    client.get(reverse("home"))  # steady state: the first request records the second factor
    TravelRequestFactory()
    few = _list_queries(client, django_assert_max_num_queries, LIST_QUERIES)
    for _ in range(15):
        SegmentFactory(travel_request=in_status(S.BOOKED))
    assert _list_queries(client, django_assert_max_num_queries, LIST_QUERIES) == few


def test_detail_query_count_does_not_grow(login, supervisor, django_assert_max_num_queries):
    tr = in_status(S.BOOKED, is_international=True)
    client = login(supervisor)
    url = tr.get_absolute_url()
    client.get(reverse("home"))  # steady state: the first request records the second factor
    SegmentFactory(travel_request=tr)
    with django_assert_max_num_queries(DETAIL_QUERIES) as few:
        assert client.get(url).status_code == 200
    for _ in range(10):
        SegmentFactory(travel_request=tr)
        tr.travellers.add(PersonFactory(family=tr.case.family))
    with django_assert_max_num_queries(DETAIL_QUERIES) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_timeline_entries_with_bounded_queries(advocate, django_assert_max_num_queries):
    from familysupport.lib import timeline

    tr = in_status(S.COMPLETED)
    for _ in range(5):
        in_status(S.DENIED, case=tr.case)
    from reunification.timeline import case_entries

    with django_assert_max_num_queries(1):
        case_entries(tr.case, advocate)
    entries = [e for e in timeline.entries_for_case(tr.case, advocate) if e.kind == "travel"]
    titles = {e.title.split(" (")[0] for e in entries}
    assert {"Travel request approved", "Reunification trip completed"} <= titles
    assert "Travel request denied" in titles


def test_home_panels_and_menu(login, advocate, supervisor, provider_user):
    from reunification import nav

    waiting = in_status(S.SUBMITTED, requested_by=advocate)
    sup_home = login(supervisor).get(reverse("home")).content.decode()
    assert "Travel requests awaiting a decision" in sup_home and waiting.reference in sup_home
    adv_home = login(advocate).get(reverse("home")).content.decode()
    assert "My travel requests" in adv_home and waiting.reference in adv_home
    assert [m.label for m in nav.menu(supervisor)] == ["Travel", "Travel budget"]
    assert nav.menu(provider_user) == []
