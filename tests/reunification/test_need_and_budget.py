"""Poverty-guideline computation on known values, and the yearly budget."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from reunification import selectors, services
from reunification.models import PovertyGuideline, TravelRequest
from tests.reunification.factories import SegmentFactory, in_status

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.mark.parametrize(
    ("year", "size", "amount"),
    [
        (2025, 1, "15650"),
        (2025, 4, "32150"),  # HHS 2025 table: 4 people $32,150
        (2025, 8, "54150"),
        (2026, 1, "15960"),
        (2026, 4, "33000"),  # HHS 2026 table: 4 people $33,000
        (2026, 9, "61400"),  # 8 people $55,720 + $5,680
    ],
)
def test_seeded_guidelines_match_the_hhs_tables(year, size, amount):
    guideline = PovertyGuideline.objects.get(year=year, region="contiguous")
    assert guideline.amount_for(size) == D(amount)


@pytest.mark.parametrize(
    ("size", "income", "percent", "recommended"),
    [
        (4, "32150", "100.0", True),
        (4, "64300", "200.0", True),  # exactly at the 200% rule: recommended
        (4, "64301", "200.0", False),  # rounds to 200.0 for display, yet is above the rule
        (1, "7825", "50.0", True),
        (3, "53301", "200.0", False),
        (2, "0", "0.0", True),
    ],
)
def test_income_as_percent_of_guideline(size, income, percent, recommended):
    a = selectors.need_assessment(household_size=size, yearly_income=D(income), year=2025)
    assert a.guideline_amount == PovertyGuideline.objects.get(
        year=2025, region="contiguous"
    ).amount_for(size)
    assert a.percent_of_guideline == D(percent)
    assert a.recommended is recommended


def test_recommendation_compares_the_exact_value_not_the_rounded_one():
    # 64301 / 64300 = 200.0016%: above the rule although it displays as 200.0
    a = selectors.need_assessment(household_size=4, yearly_income=D("64301"), year=2025)
    assert a.recommended is False


def test_later_year_without_table_uses_latest_earlier_year():
    a = selectors.need_assessment(household_size=1, yearly_income=D("15960"), year=2031)
    assert a.guideline.year == 2026
    assert a.percent_of_guideline == D("100.0")


def test_no_guideline_gives_no_recommendation():
    a = selectors.need_assessment(household_size=1, yearly_income=D("100"), year=1999)
    assert a.recommended is None and "by hand" in a.summary


def test_alaska_and_hawaii_use_their_own_tables():
    assert selectors.region_for_state("AK") == "alaska"
    a = selectors.need_assessment(
        household_size=1, yearly_income=D("19950"), year=2026, region="alaska"
    )
    assert a.percent_of_guideline == D("100.0")


def test_threshold_is_configurable(administrator):
    services.assistance_policy_update(
        by=administrator, recommend_up_to_percent=D("150"), follow_up_days=[3, 30, 90]
    )
    a = selectors.need_assessment(household_size=4, yearly_income=D("64300"), year=2025)
    assert a.recommended is False


def test_guidelines_are_edited_by_administrators_only(administrator, supervisor):
    services.poverty_guideline_save(
        year=2027,
        region="contiguous",
        base_amount=D("16300"),
        per_extra_person=D("5800"),
        by=administrator,
    )
    assert PovertyGuideline.objects.get(year=2027).amount_for(2) == D("22100")
    with pytest.raises(PermissionDenied):
        services.poverty_guideline_save(
            year=2027,
            region="contiguous",
            base_amount=D("1"),
            per_extra_person=D("1"),
            by=supervisor,
        )


@time_machine.travel(dt.datetime(2026, 6, 1, 15, tzinfo=dt.UTC), tick=False)
def test_budget_sums_approved_booked_and_spent(administrator, supervisor):
    services.travel_budget_set(year=2026, amount=D("5000.00"), by=administrator)
    approved = in_status(TravelRequest.Status.APPROVED)  # approved amount 1200.00
    booked = in_status(TravelRequest.Status.BOOKED)
    SegmentFactory(travel_request=booked, estimated_cost=D("400.00"))
    SegmentFactory(travel_request=booked, estimated_cost=D("100.00"), actual_cost=D("90.10"))
    denied = in_status(TravelRequest.Status.DENIED)
    SegmentFactory(travel_request=denied, estimated_cost=D("999.00"))
    status = selectors.budget_status(year=2026)
    assert status.approved == D("1200.00")
    assert status.booked == D("500.00")
    assert status.spent == D("90.10")
    assert status.committed == D("1690.10")  # 1200 + 400 (estimate) + 90.10 (actual)
    assert status.remaining == D("3309.90")
    assert all(isinstance(v, Decimal) for v in (status.approved, status.booked, status.spent))
    assert approved.pk


@time_machine.travel(dt.datetime(2026, 6, 1, 15, tzinfo=dt.UTC), tick=False)
def test_approval_over_budget_warns_then_goes_through_when_confirmed(administrator, supervisor):
    services.travel_budget_set(year=2026, amount=D("1000.00"), by=administrator)
    tr = in_status(TravelRequest.Status.UNDER_REVIEW)  # asks 1200.00
    with pytest.raises(services.BudgetExceeded, match="exceed the 2026 travel budget"):
        services.travel_request_approve(travel_request=tr, by=supervisor)
    tr.refresh_from_db()
    assert tr.status == TravelRequest.Status.UNDER_REVIEW
    services.travel_request_approve(travel_request=tr, by=supervisor, over_budget_ok=True)
    tr.refresh_from_db()
    assert tr.status == TravelRequest.Status.APPROVED


@time_machine.travel(dt.datetime(2026, 6, 1, 15, tzinfo=dt.UTC), tick=False)
def test_approval_within_budget_needs_no_confirmation(administrator, supervisor):
    services.travel_budget_set(year=2026, amount=D("1200.00"), by=administrator)
    tr = in_status(TravelRequest.Status.UNDER_REVIEW)
    services.travel_request_approve(travel_request=tr, by=supervisor)  # exactly at the budget


def test_budget_is_set_by_administrators_only(supervisor):
    with pytest.raises(PermissionDenied):
        services.travel_budget_set(year=2026, amount=D("1"), by=supervisor)
