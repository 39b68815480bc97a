from __future__ import annotations

import io

import pytest

from reunification import demo
from reunification.models import TravelBudget, TravelRequest
from tests.reunification.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _users(make_user):
    return {
        "advocate": make_user("advocate"),
        "advocate2@demo.example": make_user("advocate"),
        "supervisor": make_user("supervisor"),
        "administrator": make_user("administrator"),
    }


def test_seed_spreads_statuses_and_is_idempotent(make_user):
    users = _users(make_user)
    for _ in range(5):
        case = CaseFactory()
        PersonFactory(family=case.family)
    demo.seed(scale="small", stdout=io.StringIO(), users=users)
    count = TravelRequest.objects.count()
    assert count == demo.TARGET["small"]
    assert len(set(TravelRequest.objects.values_list("status", flat=True))) >= 6
    assert TravelBudget.objects.count() == 2
    demo.seed(scale="small", stdout=io.StringIO(), users=users)
    assert TravelRequest.objects.count() == count


def test_seed_without_cases_creates_no_requests(make_user):
    out = io.StringIO()
    demo.seed(scale="small", stdout=out, users=_users(make_user))
    assert not TravelRequest.objects.exists()
    assert "no demo cases" in out.getvalue()
