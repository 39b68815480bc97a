from __future__ import annotations

import io

import pytest

from referrals import demo
from referrals.models import Agency, LegalAssistanceRequest, Referral

from .factories import ProviderFactory, consenting_case

pytestmark = pytest.mark.django_db


def test_demo_seed_gives_the_provider_user_requests_and_is_idempotent(make_user):
    users = {
        "advocate": make_user("advocate"),
        "provider": make_user("provider"),
    }
    ProviderFactory(managers=[users["provider"]])
    ProviderFactory()
    for _ in range(12):
        consenting_case(assigned_advocate=users["advocate"])
    demo.seed(scale="small", stdout=io.StringIO(), users=users)
    own = Referral.objects.filter(provider__managers=users["provider"])
    assert own.filter(status="sent").exists()
    assert own.filter(status="accepted").exists()
    assert Agency.objects.exists() and LegalAssistanceRequest.objects.exists()
    counts = (
        Referral.objects.count(),
        Agency.objects.count(),
        LegalAssistanceRequest.objects.count(),
    )
    demo.seed(scale="small", stdout=io.StringIO(), users=users)
    assert counts == (
        Referral.objects.count(),
        Agency.objects.count(),
        LegalAssistanceRequest.objects.count(),
    )
    for r in Referral.objects.exclude(status="draft"):
        assert r.sent_at is not None and r.events.filter(status="sent").exists()
