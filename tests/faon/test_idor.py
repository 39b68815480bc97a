"""Provider A can neither read nor change anything of provider B: always 404."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.models import User
from faon.models import Provider

from .factories import (
    AttendanceFactory,
    CertificateFactory,
    EventFactory,
    InsuranceFactory,
    LicenseFactory,
    ProviderFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(make_user):
    a_user, b_user = make_user(User.Role.PROVIDER), make_user(User.Role.PROVIDER)
    a = ProviderFactory(managers=[a_user])
    b = ProviderFactory(managers=[b_user], capacity=4)
    lic = LicenseFactory(provider=b)
    lic.document.save("l.pdf", ContentFile(b"%PDF-1.4 b"), save=True)
    pol = InsuranceFactory(provider=b)
    pol.document.save("i.pdf", ContentFile(b"%PDF-1.4 b"), save=True)
    cert = CertificateFactory(provider=b)
    att = AttendanceFactory(
        provider=b, event=EventFactory(kind="online"), completed_at=None, confirmed_at=None
    )
    return {"a_user": a_user, "a": a, "b": b, "lic": lic, "pol": pol, "cert": cert, "att": att}


def test_reads_of_another_providers_records_are_404(two, login):
    client = login(two["a_user"])
    b = two["b"]
    for name, pk in [
        ("faon:provider_detail", b.pk),
        ("faon:provider_edit", b.pk),
        ("faon:license_add", b.pk),
        ("faon:insurance_add", b.pk),
        ("faon:provider_calendar", b.pk),
        ("faon:license_document", two["lic"].pk),
        ("faon:insurance_document", two["pol"].pk),
        ("faon:certificate_pdf", two["cert"].pk),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    # Its own record works.
    assert client.get(reverse("faon:provider_detail", args=[two["a"].pk])).status_code == 200


def test_writes_to_another_provider_are_404_and_change_nothing(two, login):
    client = login(two["a_user"])
    b = two["b"]
    before = Provider.objects.get(pk=b.pk)
    posts = [
        ("faon:provider_edit", b.pk, {"name": "Hijacked", "capacity": 0}),
        ("faon:provider_confirm_details", b.pk, {}),
        ("faon:license_add", b.pk, {"license_type": "X", "state": "VA", "number": "1"}),
        ("faon:insurance_add", b.pk, {"carrier": "X"}),
        ("faon:attendance_complete", two["att"].pk, {"completed_on": "2020-01-01"}),
        ("faon:provider_status", b.pk, {"action": "withdraw"}),
        ("faon:license_verify", two["lic"].pk, {"verification": "verified"}),
    ]
    for name, pk, data in posts:
        status = client.post(reverse(name, args=[pk]), data).status_code
        assert status in (403, 404), (name, status)
        if name not in ("faon:provider_status", "faon:license_verify"):  # role → 403 first
            assert status == 404, name
    after = Provider.objects.get(pk=b.pk)
    assert (after.name, after.capacity, after.details_confirmed_at, after.status) == (
        before.name,
        before.capacity,
        before.details_confirmed_at,
        before.status,
    )
    assert b.licenses.count() == 1 and b.insurance_policies.count() == 1
    two["att"].refresh_from_db()
    assert two["att"].completed_at is None


def test_portal_redirects_to_own_record(two, login):
    response = login(two["a_user"]).get(reverse("faon:portal"))
    assert response.status_code == 302
    assert response["Location"] == reverse("faon:provider_detail", args=[two["a"].pk])
