"""Factories for reunification tests. Fake data only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from cases.models import Case, Family, Person
from reunification.models import Segment, TravelRequest
from tests.factories import UserFactory


class FamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Family

    display_name = factory.Sequence(lambda n: f"Test family {n}")
    contact_name = factory.Faker("name")
    state = "OH"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    family = factory.SubFactory(FamilyFactory)
    role = Person.Role.PARENT
    first_name = factory.Faker("first_name")
    last_name = "Testperson"


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    family = factory.SubFactory(FamilyFactory)
    case_type = Case.Type.RECOVERED_FOLLOW_UP
    assigned_advocate = factory.SubFactory(UserFactory, role="advocate")


class TravelRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TravelRequest

    case = factory.SubFactory(CaseFactory)
    requested_by = factory.SubFactory(UserFactory, role="advocate")
    destination_city = "Springfield"
    destination_state = "IL"
    destination_country = "US"
    depart_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=14))
    return_on = factory.LazyAttribute(lambda o: o.depart_on + dt.timedelta(days=3))
    purpose = TravelRequest.Purpose.INITIAL
    household_size = 3
    yearly_income = Decimal("30000.00")
    amount_requested = Decimal("1200.00")


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment

    travel_request = factory.SubFactory(TravelRequestFactory)
    kind = Segment.Kind.FLIGHT
    provider = "Test Air"
    from_place = "CMH"
    to_place = "ORD"
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))
    confirmation_code = "ABC123"
    estimated_cost = Decimal("450.00")


def in_status(status: str, **kwargs) -> TravelRequest:
    """A request moved to `status` with the timestamps a real one would have."""
    now = timezone.now()
    tr = TravelRequestFactory(**kwargs)
    order = ["draft", "submitted", "under_review", "approved", "booked", "completed"]
    stamps = {
        "submitted": "submitted_at",
        "under_review": "review_started_at",
        "approved": "approved_at",
        "booked": "booked_at",
        "completed": "completed_at",
    }
    if status in order:
        for step in order[1 : order.index(status) + 1]:
            setattr(tr, stamps[step], now)
        if order.index(status) >= order.index("approved"):
            tr.decided_at, tr.approved_amount = now, tr.amount_requested
    elif status == "denied":
        tr.submitted_at = tr.review_started_at = tr.decided_at = now
        tr.denial_reason = "Test reason"
    elif status == "cancelled":
        tr.cancelled_at, tr.cancel_reason = now, "Test reason"
    tr.status = status
    tr.save()
    return tr
