"""Travel that cannot be booked wrong: each refusal, its override, and what it records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from familysupport.lib.access import Refused
from familysupport.lib.models import AuditEntry, Notification
from reunification import services
from reunification.models import Segment, TravelRequest
from tests.factories import UserFactory
from tests.reunification.factories import SegmentFactory, in_status

pytestmark = pytest.mark.django_db
S = TravelRequest.Status


def _international(status: str, **kwargs) -> TravelRequest:
    tr = in_status(status, is_international=True, destination_country="MX", **kwargs)
    services._ensure_checklist(tr)
    return tr


def _done(tr: TravelRequest, *, but: int = 0) -> None:
    items = list(tr.checklist.all())
    for item in items[: len(items) - but]:
        item.done_at = dt.datetime.now(dt.UTC)
        item.save()


# --- Documents ------------------------------------------------------------------------------


def test_international_booking_refused_while_documents_missing(supervisor):
    tr = _international(S.APPROVED)
    SegmentFactory(travel_request=tr)
    _done(tr, but=4)
    with pytest.raises(ValidationError) as exc:
        services.travel_request_book(travel_request=tr, by=supervisor)
    message = exc.value.message_dict["override_reason"][0]
    assert "Visas / entry permits" in message and "Consular contact" in message
    tr.refresh_from_db()
    assert tr.status == S.APPROVED


def test_complete_checklist_books_without_a_reason(supervisor):
    tr = _international(S.APPROVED)
    SegmentFactory(travel_request=tr)
    _done(tr)
    services.travel_request_book(travel_request=tr, by=supervisor)
    tr.refresh_from_db()
    assert tr.status == S.BOOKED and tr.documents_override_by is None


def test_override_with_a_reason_books_and_is_audited(supervisor):
    tr = _international(S.APPROVED)
    SegmentFactory(travel_request=tr)
    _done(tr, but=1)
    services.travel_request_book(
        travel_request=tr, by=supervisor, override_reason="Consulate confirmed by phone."
    )
    tr.refresh_from_db()
    assert tr.status == S.BOOKED
    assert tr.documents_override_by == supervisor
    assert tr.documents_override_reason == "Consulate confirmed by phone."
    entry = AuditEntry.objects.get(action="reunification.travelrequest.documents_overridden")
    assert entry.actor == supervisor
    assert entry.changes == {"missing_documents": ["Consular contact (embassy / consulate)"]}


def test_book_page_shows_missing_documents_and_asks_the_reason(login, supervisor):
    tr = _international(S.APPROVED)
    SegmentFactory(travel_request=tr)
    client = login(supervisor)
    page = client.get(reverse("reunification:book", args=[tr.pk]))
    assert page.status_code == 200
    assert "Passports for every traveller" in page.content.decode()
    refused = client.post(
        reverse("reunification:book", args=[tr.pk]), {"version": tr.version, "override_reason": ""}
    )
    assert refused.status_code == 400
    assert "give the reason to book anyway" in refused.content.decode()
    booked = client.post(
        reverse("reunification:book", args=[tr.pk]),
        {"version": tr.version, "override_reason": "Court order arrives at the airport."},
    )
    assert booked.status_code == 302
    tr.refresh_from_db()
    assert tr.status == S.BOOKED


# --- Costs above the approved amount ---------------------------------------------------------


def _over(approver) -> TravelRequest:
    tr = in_status(S.APPROVED, amount_requested=Decimal("2200.00"), approver=approver)
    SegmentFactory(travel_request=tr, estimated_cost=Decimal("1490.00"))
    SegmentFactory(travel_request=tr, estimated_cost=Decimal("1000.00"), kind=Segment.Kind.LODGING)
    return tr


def test_costs_above_the_approved_amount_block_booking(supervisor):
    tr = _over(approver=supervisor)
    with pytest.raises(ValidationError, match=r"\$2,490.00.*\$2,200.00"):
        services.travel_request_book(travel_request=tr, by=supervisor)


def test_the_approving_supervisor_cannot_reapprove(supervisor):
    tr = _over(approver=supervisor)
    with pytest.raises(Refused, match="you approved the first amount"):
        services.travel_request_reapprove(travel_request=tr, by=supervisor)


def test_the_requester_cannot_reapprove(supervisor):
    other = UserFactory(role="supervisor")
    tr = _over(approver=other)
    tr.requested_by = supervisor
    tr.save()
    with pytest.raises(Refused, match="you made this request"):
        services.travel_request_reapprove(travel_request=tr, by=supervisor)


def test_an_advocate_cannot_reapprove(advocate, supervisor):
    tr = _over(approver=supervisor)
    with pytest.raises(PermissionDenied):
        services.travel_request_reapprove(travel_request=tr, by=advocate)


def test_amount_below_the_estimate_is_refused(supervisor):
    tr = _over(approver=UserFactory(role="supervisor"))
    with pytest.raises(ValidationError) as exc:
        services.travel_request_reapprove(
            travel_request=tr, by=supervisor, amount=Decimal("2300.00")
        )
    assert "$2,490.00" in exc.value.message_dict["amount"][0]


def test_a_second_supervisor_reapproves_then_booking_works(supervisor):
    first = UserFactory(role="supervisor")
    tr = _over(approver=first)
    services.travel_request_reapprove(travel_request=tr, by=supervisor)
    tr.refresh_from_db()
    assert tr.approved_amount == Decimal("2490.00") and tr.reapproved_by == supervisor
    entry = AuditEntry.objects.get(action="reunification.travelrequest.reapproved")
    assert entry.changes == {"approved_amount": ["2200.00", "2490.00"]}
    assert Notification.objects.filter(recipient=tr.requested_by, title__contains=tr.reference)
    services.travel_request_book(travel_request=tr, by=first)
    tr.refresh_from_db()
    assert tr.status == S.BOOKED


def test_reapprove_page_refusal_says_why(login, supervisor):
    tr = _over(approver=supervisor)
    response = login(supervisor).get(reverse("reunification:reapprove", args=[tr.pk]))
    assert response.status_code == 403
    assert "Separation of duties" in response.content.decode()


def test_reapprove_page_saves_for_a_second_supervisor(login, supervisor):
    tr = _over(approver=UserFactory(role="supervisor"))
    client = login(supervisor)
    detail = client.get(tr.get_absolute_url()).content.decode()
    assert "Re-approve the new amount" in detail and "Mark booked" not in detail
    bad = client.post(
        reverse("reunification:reapprove", args=[tr.pk]), {"version": tr.version, "amount": "10"}
    )
    assert bad.status_code == 400 and "must cover the estimated costs" in bad.content.decode()
    ok = client.post(
        reverse("reunification:reapprove", args=[tr.pk]),
        {"version": tr.version, "amount": "2500.00"},
    )
    assert ok.status_code == 302
    tr.refresh_from_db()
    assert tr.approved_amount == Decimal("2500.00")


# --- Completion ----------------------------------------------------------------------------


def test_completion_before_the_return_date_is_refused(supervisor):
    tr = in_status(S.BOOKED)  # departs in two weeks
    with pytest.raises(ValidationError, match="can be marked completed from"):
        services.travel_request_complete(travel_request=tr, by=supervisor)
    tr.refresh_from_db()
    assert tr.status == S.BOOKED and not tr.case.tasks.exists()


def test_one_way_completes_from_the_departure_date(supervisor):
    today = timezone.localdate()
    tr = in_status(S.BOOKED, depart_on=today, return_on=None)
    services.travel_request_complete(travel_request=tr, by=supervisor)
    tr.refresh_from_db()
    assert tr.status == S.COMPLETED
    assert min(tr.case.tasks.values_list("due_on", flat=True)) == today + dt.timedelta(days=3)


def test_detail_page_says_from_when_it_can_be_completed(login, supervisor):
    tr = in_status(S.BOOKED)
    body = login(supervisor).get(tr.get_absolute_url()).content.decode()
    assert "Mark trip completed" not in body
    assert "can be marked completed from" in body


# --- Separation of duties ----------------------------------------------------------------


def test_own_request_decide_page_says_separation_of_duties(login, supervisor):
    tr = in_status(S.UNDER_REVIEW, requested_by=supervisor)
    response = login(supervisor).get(reverse("reunification:decide", args=[tr.pk]))
    assert response.status_code == 403
    body = response.content.decode()
    assert "Separation of duties: you made this request" in body
    assert "Your role does not allow" not in body


def test_own_request_start_review_refusal_explains(supervisor):
    tr = in_status(S.SUBMITTED, requested_by=supervisor)
    with pytest.raises(Refused, match="another supervisor decides"):
        services.travel_request_start_review(travel_request=tr, by=supervisor)


# --- Segment time zones --------------------------------------------------------------------


def test_segment_time_is_entered_and_shown_in_its_own_zone(login, supervisor):
    tr = in_status(S.APPROVED)
    client = login(supervisor)
    response = client.post(
        reverse("reunification:segment_create", args=[tr.pk]),
        {
            "kind": "flight",
            "provider": "Test Air",
            "from_place": "Guadalajara (GDL)",
            "starts_at": "2026-07-10T08:30",
            "ends_at": "2026-07-10T14:05",
            "time_zone": "America/Mexico_City",
            "estimated_cost": "300",
        },
    )
    assert response.status_code == 302
    seg = Segment.objects.get()
    # 08:30 in Guadalajara (UTC-6, no DST since 2022) is 14:30 UTC.
    assert seg.starts_at == dt.datetime(2026, 7, 10, 14, 30, tzinfo=dt.UTC)
    assert seg.time_zone == "America/Mexico_City"
    body = client.get(tr.get_absolute_url()).content.decode()
    assert "Fri 10 Jul 2026, 08:30" in body and "Mexico City time" in body
    edit = client.get(reverse("reunification:segment_edit", args=[tr.pk, seg.pk])).content
    assert b'value="2026-07-10T08:30"' in edit


def test_unknown_time_zone_is_400(login, supervisor):
    tr = in_status(S.APPROVED)
    response = login(supervisor).post(
        reverse("reunification:segment_create", args=[tr.pk]),
        {
            "kind": "flight",
            "provider": "Kept Air",
            "starts_at": "2026-07-10T08:30",
            "time_zone": "Mars/Olympus",
            "estimated_cost": "300",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Select a valid choice" in body and 'value="Kept Air"' in body
    assert not Segment.objects.exists()
