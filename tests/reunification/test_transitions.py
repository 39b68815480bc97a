"""Every transition of a travel request, the illegal ones, and separation of duties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases.models import Task
from familysupport.lib.models import AuditEntry, Notification
from reunification import services
from reunification.models import AssistancePolicy, TravelRequest
from tests.reunification.factories import SegmentFactory, in_status

pytestmark = pytest.mark.django_db
S = TravelRequest.Status

ACTIONS = {
    "submit": lambda tr, by: services.travel_request_submit(travel_request=tr, by=by),
    "start_review": lambda tr, by: services.travel_request_start_review(travel_request=tr, by=by),
    "approve": lambda tr, by: services.travel_request_approve(travel_request=tr, by=by),
    "deny": lambda tr, by: services.travel_request_deny(travel_request=tr, by=by, reason="x"),
    "book": lambda tr, by: services.travel_request_book(travel_request=tr, by=by),
    "complete": lambda tr, by: services.travel_request_complete(travel_request=tr, by=by),
    "cancel": lambda tr, by: services.travel_request_cancel(travel_request=tr, by=by, reason="x"),
}
RESULT = {
    "submit": S.SUBMITTED,
    "start_review": S.UNDER_REVIEW,
    "approve": S.APPROVED,
    "deny": S.DENIED,
    "book": S.BOOKED,
    "complete": S.COMPLETED,
    "cancel": S.CANCELLED,
}


def _actor(action, tr, supervisor):
    # Submitting is the requester's act; the rest are a (different) supervisor's.
    return tr.requested_by if action == "submit" else supervisor


@pytest.mark.parametrize(
    ("action", "start"),
    [(a, s) for a, starts in services.TRANSITIONS.items() for s in starts],
)
def test_every_legal_transition(action, start, supervisor):
    # A trip is completed once it is over: the completable one travelled last week.
    past = (
        {"depart_on": timezone.localdate() - dt.timedelta(days=9)} if action == "complete" else {}
    )
    tr = in_status(start, **past)
    if action == "book":
        SegmentFactory(travel_request=tr)
    before = tr.version
    done = ACTIONS[action](tr, _actor(action, tr, supervisor))
    done.refresh_from_db()
    assert done.status == RESULT[action]
    assert done.version == before + 1
    assert AuditEntry.objects.filter(
        object_id=str(tr.pk), action__startswith="reunification.travelrequest."
    ).exists()


@pytest.mark.parametrize(
    ("action", "start"),
    [(a, s) for a in services.TRANSITIONS for s in S.values if s not in services.TRANSITIONS[a]],
)
def test_every_illegal_transition_is_refused_and_changes_nothing(action, start, supervisor):
    tr = in_status(start)
    SegmentFactory(travel_request=tr)
    with pytest.raises((ValidationError, PermissionDenied)):
        ACTIONS[action](tr, _actor(action, tr, supervisor))
    tr.refresh_from_db()
    assert tr.status == start


def test_illegal_transition_message_names_the_state(supervisor):
    tr = in_status(S.DENIED)
    with pytest.raises(ValidationError, match="denied cannot be approved"):
        services.travel_request_approve(travel_request=tr, by=supervisor)


def test_requester_cannot_approve_own_request(supervisor, case):
    tr = in_status(S.UNDER_REVIEW, case=case, requested_by=supervisor)
    with pytest.raises(PermissionDenied):
        services.travel_request_approve(travel_request=tr, by=supervisor)
    with pytest.raises(PermissionDenied):
        services.travel_request_deny(travel_request=tr, by=supervisor, reason="no")
    with pytest.raises(PermissionDenied):
        services.travel_request_start_review(
            travel_request=in_status(S.SUBMITTED, requested_by=supervisor), by=supervisor
        )
    tr.refresh_from_db()
    assert tr.status == S.UNDER_REVIEW


def test_advocate_cannot_decide(advocate, make_user):
    tr = in_status(S.UNDER_REVIEW, requested_by=make_user("advocate"))
    with pytest.raises(PermissionDenied):
        services.travel_request_approve(travel_request=tr, by=advocate)


def test_advocate_cannot_submit_someone_elses_draft(advocate, draft, make_user):
    with pytest.raises(PermissionDenied):
        services.travel_request_submit(travel_request=draft, by=make_user("advocate"))


def test_approve_records_approver_amount_and_notifies_requester(supervisor):
    tr = in_status(S.UNDER_REVIEW)
    services.travel_request_approve(travel_request=tr, by=supervisor, amount=Decimal("999.50"))
    tr.refresh_from_db()
    assert (tr.approver, tr.approved_amount) == (supervisor, Decimal("999.50"))
    assert tr.decided_at and tr.approved_at
    note = Notification.objects.get(recipient=tr.requested_by)
    assert note.title == f"Travel request {tr.reference} was approved"
    assert tr.case.family.display_name not in note.title
    assert note.url == tr.get_absolute_url()


def test_deny_requires_a_reason(supervisor):
    tr = in_status(S.UNDER_REVIEW)
    with pytest.raises(ValidationError) as exc:
        services.travel_request_deny(travel_request=tr, by=supervisor, reason="  ")
    assert "reason" in exc.value.message_dict
    tr.refresh_from_db()
    assert tr.status == S.UNDER_REVIEW


def test_cancel_requires_a_reason(supervisor):
    tr = in_status(S.APPROVED)
    with pytest.raises(ValidationError):
        services.travel_request_cancel(travel_request=tr, by=supervisor, reason="")


def test_requester_may_withdraw_only_before_review(advocate):
    tr = in_status(S.SUBMITTED, requested_by=advocate)
    services.travel_request_cancel(travel_request=tr, by=advocate, reason="Family found a ride")
    tr2 = in_status(S.APPROVED, requested_by=advocate)
    with pytest.raises(PermissionDenied):
        services.travel_request_cancel(travel_request=tr2, by=advocate, reason="x")


def test_book_needs_a_segment(supervisor):
    tr = in_status(S.APPROVED)
    with pytest.raises(ValidationError, match="segment"):
        services.travel_request_book(travel_request=tr, by=supervisor)


def test_stale_version_is_refused(supervisor):
    tr = in_status(S.SUBMITTED)
    with pytest.raises(ValidationError, match="changed since"):
        services.travel_request_start_review(
            travel_request=tr, by=supervisor, expected_version=tr.version - 1
        )


@time_machine.travel(dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC), tick=False)
def test_complete_creates_follow_up_tasks_on_the_case(supervisor):
    # Follow-ups count from the return date (10 March), not from the click.
    tr = in_status(S.BOOKED, depart_on=dt.date(2026, 3, 2), return_on=dt.date(2026, 3, 10))
    services.travel_request_complete(travel_request=tr, by=supervisor)
    tasks = list(Task.objects.filter(case=tr.case).order_by("due_on"))
    assert [t.due_on for t in tasks] == [
        dt.date(2026, 3, 13),
        dt.date(2026, 4, 9),
        dt.date(2026, 6, 8),
    ]
    assert all(t.owner == tr.case.assigned_advocate for t in tasks)
    assert "3 days" in tasks[0].title


@time_machine.travel(dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC), tick=False)
def test_follow_up_schedule_is_configurable(supervisor, administrator):
    services.assistance_policy_update(
        by=administrator, recommend_up_to_percent=Decimal("150"), follow_up_days=[7, 1]
    )
    tr = in_status(S.BOOKED, depart_on=dt.date(2026, 3, 1), return_on=dt.date(2026, 3, 10))
    services.travel_request_complete(travel_request=tr, by=supervisor)
    assert sorted(Task.objects.filter(case=tr.case).values_list("due_on", flat=True)) == [
        dt.date(2026, 3, 11),
        dt.date(2026, 3, 17),
    ]
    assert AssistancePolicy.objects.count() == 1


def test_create_draft_with_travellers_from_the_family(advocate, case, parent):
    tr = services.travel_request_create(
        case=case,
        by=advocate,
        travellers=[parent],
        destination_city="Lyon",
        destination_country="FR",
        is_international=True,
        depart_on=dt.date(2026, 5, 1),
        return_on=dt.date(2026, 5, 8),
        household_size=2,
        yearly_income=Decimal("21000"),
        amount_requested=Decimal("3200.00"),
    )
    assert tr.status == S.DRAFT
    assert list(tr.travellers.all()) == [parent]
    assert tr.checklist.count() == 5  # passports, visas, custody, court orders, consular


def test_travellers_must_belong_to_the_case_family(advocate, case):
    from tests.reunification.factories import PersonFactory

    stranger = PersonFactory()
    with pytest.raises(ValidationError):
        services.travel_request_create(
            case=case,
            by=advocate,
            travellers=[stranger],
            destination_city="Austin",
            depart_on=dt.date(2026, 5, 1),
            household_size=2,
            yearly_income=Decimal("1"),
            amount_requested=Decimal("1"),
        )
    assert not TravelRequest.objects.exists()


def test_return_before_departure_is_refused(advocate, case):
    with pytest.raises(ValidationError) as exc:
        services.travel_request_create(
            case=case,
            by=advocate,
            destination_city="Austin",
            depart_on=dt.date(2026, 5, 10),
            return_on=dt.date(2026, 5, 1),
            household_size=2,
            yearly_income=Decimal("1"),
            amount_requested=Decimal("1"),
        )
    assert "return_on" in exc.value.message_dict
    assert not TravelRequest.objects.exists()


def test_advocate_edits_only_own_draft(advocate, draft, make_user):
    services.travel_request_update(travel_request=draft, by=advocate, notes="Updated")
    with pytest.raises(PermissionDenied):
        services.travel_request_update(travel_request=draft, by=make_user("advocate"), notes="x")
    submitted = in_status(S.SUBMITTED, requested_by=advocate)
    with pytest.raises(PermissionDenied):
        services.travel_request_update(travel_request=submitted, by=advocate, notes="x")


def test_negative_segment_cost_is_refused(supervisor):
    tr = in_status(S.APPROVED)
    with pytest.raises(ValidationError) as exc:
        services.segment_add(
            travel_request=tr,
            by=supervisor,
            kind="flight",
            starts_at=dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC),
            estimated_cost=Decimal("-1.00"),
        )
    assert "estimated_cost" in exc.value.message_dict
    assert not tr.segments.exists()


def test_costs_are_decimal(supervisor):
    tr = in_status(S.APPROVED)
    seg = services.segment_add(
        travel_request=tr,
        by=supervisor,
        kind="lodging",
        starts_at=dt.datetime(2026, 5, 1, 15, tzinfo=dt.UTC),
        estimated_cost=Decimal("0.10"),
        actual_cost=Decimal("0.20"),
    )
    seg.refresh_from_db()
    tr.refresh_from_db()
    assert isinstance(seg.estimated_cost, Decimal)
    assert isinstance(seg.actual_cost, Decimal)
    assert isinstance(tr.yearly_income, Decimal)
    assert isinstance(tr.amount_requested, Decimal)
    assert seg.estimated_cost + seg.actual_cost == Decimal("0.30")  # exact, unlike floats


def test_follow_ups_go_to_an_active_owner(supervisor):
    tr = in_status(S.BOOKED, depart_on=timezone.localdate() - dt.timedelta(days=9))
    tr.case.assigned_advocate.is_active = False
    tr.case.assigned_advocate.save()
    services.travel_request_complete(travel_request=tr, by=supervisor)
    assert set(Task.objects.filter(case=tr.case).values_list("owner", flat=True)) == {
        tr.requested_by_id
    }
