"""The demo data shows one restricted case and one legal hold (and some contact rules)."""

from __future__ import annotations

import io

import pytest

from cases import privacy_demo, restricted
from cases.models import CaseRestriction, FamilyContactRules, LegalHold

from .factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_demo_privacy_records_are_made_once(make_user):
    users = {
        "supervisor": make_user("supervisor"),
        "administrator": make_user("administrator"),
        "advocate": make_user("advocate"),
        "advocate2@demo.example": make_user("advocate"),
    }
    CaseFactory(assigned_advocate=users["advocate2@demo.example"])
    CaseFactory(assigned_advocate=users["advocate"], status="closed")
    out = io.StringIO()
    privacy_demo.seed(stdout=out, users=users)
    privacy_demo.seed(stdout=io.StringIO(), users=users)
    restriction = CaseRestriction.objects.get()
    assert restriction.case.assigned_advocate == users["advocate2@demo.example"]
    assert LegalHold.objects.filter(lifted_at__isnull=True).count() == 1
    assert FamilyContactRules.objects.filter(family=restriction.case.family).exists()
    # The first demo advocate is the one who sees the stub.
    assert not restricted.may_open_family(users["advocate"], restriction.case.family_id)
    assert "is restricted" in out.getvalue() and "legal hold on case" in out.getvalue()
