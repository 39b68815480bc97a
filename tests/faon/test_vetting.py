"""Membership status transitions, approval rules, invitations and audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from familysupport.lib.models import AuditEntry, OutboundEmail
from faon import services
from faon.models import License, Provider, ProviderStatusChange, Verification

from .factories import ApplicationFactory, InsuranceFactory, LicenseFactory

pytestmark = pytest.mark.django_db
S = Provider.Status

ALLOWED = {
    (S.APPLIED, "review"): S.UNDER_REVIEW,
    (S.APPLIED, "approve"): S.ACTIVE,
    (S.UNDER_REVIEW, "approve"): S.ACTIVE,
    (S.APPLIED, "reject"): S.REJECTED,
    (S.UNDER_REVIEW, "reject"): S.REJECTED,
    (S.ACTIVE, "suspend"): S.SUSPENDED,
    (S.SUSPENDED, "reinstate"): S.ACTIVE,
    (S.LAPSED, "reinstate"): S.ACTIVE,
    (S.ACTIVE, "lapse"): S.LAPSED,
    (S.APPLIED, "withdraw"): S.WITHDRAWN,
    (S.UNDER_REVIEW, "withdraw"): S.WITHDRAWN,
    (S.ACTIVE, "withdraw"): S.WITHDRAWN,
    (S.SUSPENDED, "withdraw"): S.WITHDRAWN,
    (S.LAPSED, "withdraw"): S.WITHDRAWN,
}


def _ready(status):
    """A provider whose credentials are verified, so approval is possible."""
    app = ApplicationFactory(provider__status=status)
    LicenseFactory(provider=app.provider)
    InsuranceFactory(provider=app.provider)
    return app.provider


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("action", list(services.TRANSITIONS))
def test_every_transition(status, action, supervisor):
    provider = _ready(status)
    want = ALLOWED.get((status, action))
    if want is None:
        with pytest.raises(ValidationError):
            services.provider_transition(provider=provider, action=action, by=supervisor, note="x")
        provider.refresh_from_db()
        assert provider.status == status
        assert not ProviderStatusChange.objects.filter(provider=provider, by=supervisor).exists()
        return
    services.provider_transition(provider=provider, action=action, by=supervisor, note="reason")
    provider.refresh_from_db()
    assert provider.status == want
    change = ProviderStatusChange.objects.get(provider=provider, by=supervisor)
    assert (change.from_status, change.to_status) == (status, want)
    assert AuditEntry.objects.filter(action=f"faon.provider.{action}", actor=supervisor).exists()
    stamp = services._STAMP[want]
    assert getattr(provider, stamp) is not None


@pytest.mark.parametrize("action", ["reject", "suspend"])
def test_reject_and_suspend_need_a_reason(action, supervisor):
    provider = _ready(S.APPLIED if action == "reject" else S.ACTIVE)
    before = provider.status
    with pytest.raises(ValidationError) as exc:
        services.provider_transition(provider=provider, action=action, by=supervisor, note=" ")
    assert "note" in exc.value.message_dict
    provider.refresh_from_db()
    assert provider.status == before


def test_approve_invites_the_applicant_as_provider_user(supervisor):
    provider = _ready(S.UNDER_REVIEW)
    email = provider.application.applicant_email
    services.provider_transition(provider=provider, action="approve", by=supervisor)
    user = User.objects.get(email=email)
    assert user.role == User.Role.PROVIDER and not user.has_usable_password()
    assert list(provider.managers.all()) == [user]
    assert OutboundEmail.objects.filter(to=email, subject__icontains="invited").exists()
    provider.application.refresh_from_db()
    assert provider.application.decided_by == supervisor


def test_approve_needs_verified_license_and_insurance(supervisor):
    app = ApplicationFactory()
    LicenseFactory(provider=app.provider, verification=Verification.PENDING)
    with pytest.raises(ValidationError) as exc:
        services.provider_transition(provider=app.provider, action="approve", by=supervisor)
    text = " ".join(exc.value.messages)
    assert "license" in text and "insurance" in text
    app.provider.refresh_from_db()
    assert app.provider.status == S.APPLIED
    assert not User.objects.filter(email=app.applicant_email).exists()


def test_disciplinary_action_cannot_be_approved_without_a_note(supervisor):
    provider = _ready(S.UNDER_REVIEW)
    LicenseFactory(provider=provider, standing=License.Standing.DISCIPLINARY, state="MD")
    with pytest.raises(ValidationError) as exc:
        services.provider_transition(provider=provider, action="approve", by=supervisor)
    assert "note" in exc.value.message_dict
    services.provider_transition(
        provider=provider, action="approve", by=supervisor, note="Resolved in 2019; board letter."
    )
    provider.refresh_from_db()
    assert provider.status == S.ACTIVE and "board letter" in provider.status_reason


def test_unconfirmed_application_cannot_be_approved(supervisor):
    provider = _ready(S.APPLIED)
    provider.application.email_confirmed_at = None
    provider.application.save()
    with pytest.raises(ValidationError):
        services.provider_transition(provider=provider, action="approve", by=supervisor)


def test_status_view_approves_and_bad_input_is_400(supervisor, login):
    provider = _ready(S.APPLIED)
    client = login(supervisor)
    url = reverse("faon:provider_status", args=[provider.pk])
    response = client.post(url, {"action": "reject", "note": ""})
    assert response.status_code == 400
    assert "Give a reason" in response.content.decode()
    provider.refresh_from_db()
    assert provider.status == S.APPLIED
    response = client.post(url, {"action": "approve", "note": "all checked"})
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.status == S.ACTIVE


def test_advocate_reads_but_cannot_decide(advocate, login):
    provider = _ready(S.APPLIED)
    client = login(advocate)
    assert client.get(reverse("faon:provider_detail", args=[provider.pk])).status_code == 200
    response = client.post(
        reverse("faon:provider_status", args=[provider.pk]), {"action": "approve"}
    )
    assert response.status_code == 403
    provider.refresh_from_db()
    assert provider.status == S.APPLIED


def test_license_verification_view(supervisor, login):
    lic = LicenseFactory(verification=Verification.PENDING, verified_at=None)
    client = login(supervisor)
    url = reverse("faon:license_verify", args=[lic.pk])
    response = client.post(
        url, {"verification": "verified", "source": "state_board", "standing": "disciplinary"}
    )
    assert response.status_code == 400
    assert "Describe the disciplinary action" in response.content.decode()
    lic.refresh_from_db()
    assert lic.verification == Verification.PENDING
    response = client.post(
        url, {"verification": "verified", "source": "state_board", "standing": "good"}
    )
    assert response.status_code == 302
    lic.refresh_from_db()
    assert lic.verification == Verification.VERIFIED and lic.verified_by == supervisor
    assert AuditEntry.objects.filter(action="faon.license.verified", actor=supervisor).exists()


def test_insurance_rejection_needs_a_note(supervisor, login):
    pol = InsuranceFactory(verification=Verification.PENDING)
    client = login(supervisor)
    url = reverse("faon:insurance_verify", args=[pol.pk])
    response = client.post(url, {"verification": "rejected", "note": ""})
    assert response.status_code == 400
    pol.refresh_from_db()
    assert pol.verification == Verification.PENDING


def test_vetting_queue_lists_only_confirmed_undecided(
    advocate, login, django_assert_max_num_queries
):
    confirmed = ApplicationFactory()
    ApplicationFactory(email_confirmed_at=None)
    ApplicationFactory(provider__status=S.ACTIVE)
    client = login(advocate)
    url = reverse("faon:application_list")
    client.get(url)  # steady state: the session's first request records the second factor
    # Measured 7 + 2 headroom for shared middleware.
    with django_assert_max_num_queries(9):
        response = client.get(url)
    assert list(response.context["page"]) == [confirmed]
    for _ in range(10):
        ApplicationFactory()
    with django_assert_max_num_queries(9):
        assert client.get(url).status_code == 200
