from __future__ import annotations

import io

import pytest

from faon import compliance, demo, selectors
from faon.models import Attendance, Provider

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_mixed(make_user):
    users = {"provider": make_user("provider"), "supervisor": make_user("supervisor")}
    demo.seed(scale="full", stdout=io.StringIO(), users=users)
    assert Provider.objects.count() == 300
    counts = Attendance.objects.count()
    demo.seed(scale="full", stdout=io.StringIO(), users=users)
    assert Provider.objects.count() == 300 and Attendance.objects.count() == counts
    statuses = set(Provider.objects.values_list("status", flat=True))
    assert {"active", "applied", "suspended", "lapsed"} <= statuses
    assert all(p.latitude is not None for p in Provider.objects.all())
    own = selectors.provider_for_manager(users["provider"])
    assert compliance.compliance_for(own, compliance.current_membership_year()).met
    year = compliance.current_membership_year()
    annotated = selectors.provider_annotate_compliance(Provider.objects.all(), year=year)
    assert 0 < annotated.filter(compliant=True).count() < 300
    assert selectors.provider_list_offerable().count() > 50
