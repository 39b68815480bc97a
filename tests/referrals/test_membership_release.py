"""A provider sees the family's contact of an accepted referral only while its FAON
membership is active: suspended, lapsed or withdrawn members get a notice instead."""

from __future__ import annotations

import pytest
from django.urls import reverse

from faon.models import Provider
from referrals import selectors, services
from referrals.models import Referral

from .factories import ProviderFactory, consenting_case, sent_referral

pytestmark = pytest.mark.django_db
S = Referral.Status

SECRETS = ("Rosalind Quenby", "+15550109999", "Weekday evenings only", "afternoon calls")


@pytest.fixture
def provider_a(make_user):
    return make_user("provider")


@pytest.fixture
def accepted(provider_a, advocate):
    case = consenting_case(assigned_advocate=advocate)
    fam = case.family
    fam.contact_name, fam.phone = "Rosalind Quenby", "+15550109999"
    fam.save()
    referral = sent_referral(case=case, provider=ProviderFactory(managers=[provider_a]))
    return services.referral_accept(referral=referral, by=provider_a)


def _set_membership(provider: Provider, status: str) -> None:
    provider.status = status
    provider.save()


def _detail(client, referral) -> str:
    response = client.get(reverse("referrals:incoming_detail", args=[referral.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_active_member_sees_the_contact(login, provider_a, accepted):
    body = _detail(login(provider_a), accepted)
    for secret in SECRETS:
        assert secret in body
    assert "membership-notice" not in body


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (Provider.Status.SUSPENDED, "suspended"),
        (Provider.Status.WITHDRAWN, "withdrawn"),
        (Provider.Status.LAPSED, "lapsed"),
    ],
)
def test_inactive_member_loses_the_contact_and_sees_a_notice(
    login, provider_a, accepted, status, label
):
    _set_membership(accepted.provider, status)
    body = _detail(login(provider_a), accepted)
    for secret in SECRETS:
        assert secret not in body, secret
    assert "membership-notice" in body
    assert f"Your FAON membership is {label}" in body
    # Progress can still be recorded (no family detail needed for that).
    assert reverse("referrals:first_appointment", args=[accepted.pk]) in body


@pytest.mark.parametrize("status", [S.FIRST_APPOINTMENT, S.COMPLETED])
def test_later_stages_are_withheld_too(login, provider_a, accepted, status):
    accepted.status = status
    accepted.save()
    _set_membership(accepted.provider, Provider.Status.SUSPENDED)
    body = _detail(login(provider_a), accepted)
    for secret in SECRETS:
        assert secret not in body


def test_reinstated_member_sees_the_contact_again(login, provider_a, accepted):
    _set_membership(accepted.provider, Provider.Status.SUSPENDED)
    client = login(provider_a)
    assert "+15550109999" not in _detail(client, accepted)
    _set_membership(accepted.provider, Provider.Status.ACTIVE)
    assert "+15550109999" in _detail(client, accepted)


def test_release_rules_on_the_model_and_selector(provider_a, accepted):
    referral = selectors.referral_get_for_provider(user=provider_a, pk=accepted.pk)
    assert referral.contact_released
    assert selectors.referral_family_for_provider(referral) == accepted.family
    _set_membership(accepted.provider, Provider.Status.WITHDRAWN)
    referral = selectors.referral_get_for_provider(user=provider_a, pk=accepted.pk)
    assert not referral.contact_released
    assert referral.contact_withheld_for_membership
    assert selectors.referral_family_for_provider(referral) is None


def test_suspended_member_cannot_accept_and_is_not_shown_the_contact(login, provider_a, advocate):
    provider = ProviderFactory(managers=[provider_a])
    referral = sent_referral(case=consenting_case(assigned_advocate=advocate), provider=provider)
    _set_membership(provider, Provider.Status.SUSPENDED)
    client = login(provider_a)
    response = client.post(reverse("referrals:accept", args=[referral.pk]), follow=True)
    body = response.content.decode()
    assert "membership is not active" in body
    assert "contact is below" not in body
    assert referral.family.phone not in body
    referral.refresh_from_db()
    assert referral.status == referral.Status.SENT and referral.accepted_at is None


def test_incoming_detail_query_count(login, provider_a, accepted, django_assert_max_num_queries):
    client = login(provider_a)
    url = reverse("referrals:incoming_detail", args=[accepted.pk])
    client.get(url)  # steady state: the session's first request records the second factor
    # Session, user, referral (with its provider), the family once released, audit INSERT
    # (+ savepoint), + 2 headroom.
    with django_assert_max_num_queries(9) as released:
        assert "+15550109999" in client.get(url).content.decode()
    _set_membership(accepted.provider, Provider.Status.SUSPENDED)
    with django_assert_max_num_queries(9) as withheld:
        assert "+15550109999" not in client.get(url).content.decode()
    # Withheld: the family is not even read.
    assert len(withheld.captured_queries) == len(released.captured_queries) - 1
    assert not any('"cases_family"' in q["sql"] for q in withheld.captured_queries)
