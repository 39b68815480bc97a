"""Wrong second factors are limited like wrong passwords: per account and per address."""

from __future__ import annotations

import time

import pytest
import time_machine
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client
from django.urls import reverse

from familysupport.lib.models import AuditEntry
from tests.factories import TEST_PASSWORD, UserFactory

WRONG = "000000"


def code_for(user) -> str:
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    code = format_hotp_value(hotp_value(user.totp_secret, counter))
    return code


def at_second_factor(user, ip: str = "10.0.0.1") -> Client:
    client = Client(REMOTE_ADDR=ip)
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    return client


def send_code(client: Client, code: str):
    return client.post(reverse("mfa_authenticate"), {"code": code})


def signed_in(client: Client) -> bool:
    return client.get(reverse("home")).status_code == 200


def wrong_code_for(user) -> str:
    right = code_for(user)
    return WRONG if right != WRONG else "111111"


@pytest.mark.django_db
def test_sixth_code_is_refused_even_when_right_until_the_cool_off_ends():
    user = UserFactory()
    with time_machine.travel("2026-03-02 10:00:00Z", tick=False) as traveller:
        client = at_second_factor(user)
        for attempt in range(1, 5):
            response = send_code(client, wrong_code_for(user))
            assert response.status_code == 200, attempt  # the form again, with its error
        fifth = send_code(client, wrong_code_for(user))
        assert fifth.status_code == 429  # the lock is reached
        sixth = send_code(client, code_for(user))
        assert sixth.status_code == 429 and not signed_in(client)
        # The account is locked for passwords as well (the same axes lock).
        again = Client(REMOTE_ADDR="10.9.9.9").post(
            reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}
        )
        assert again.status_code == 429
        traveller.shift(15 * 60 + 1)
        client = at_second_factor(user)
        assert send_code(client, code_for(user)).status_code == 302
        assert signed_in(client)
    failed = AuditEntry.objects.filter(action="accounts.user.second_factor_failed")
    assert failed.count() == 5 and {e.object_id for e in failed} == {str(user.pk)}
    assert AuditEntry.objects.filter(
        action="accounts.user.second_factor_refused", object_id=str(user.pk)
    ).exists()


@pytest.mark.django_db
def test_wrong_recovery_codes_count_towards_the_same_lock():
    user = UserFactory()
    codes = RecoveryCodes.activate(user).get_unused_codes()
    client = at_second_factor(user)
    for _ in range(5):
        send_code(client, "not-a-recovery-code")
    refused = send_code(client, codes[0])
    assert refused.status_code == 429 and not signed_in(client)
    assert (
        codes[0]
        in RecoveryCodes(user.authenticator_set.get(type="recovery_codes")).get_unused_codes()
    )


@pytest.mark.django_db
def test_wrong_passwords_and_codes_share_one_counter():
    user = UserFactory()
    for _ in range(3):
        Client().post(reverse("account_login"), {"login": user.email, "password": "wrong one"})
    client = at_second_factor(user)
    send_code(client, wrong_code_for(user))
    assert send_code(client, wrong_code_for(user)).status_code == 429
    assert send_code(client, code_for(user)).status_code == 429


@pytest.mark.django_db
def test_one_address_trying_codes_on_several_accounts_is_locked(settings):
    assert settings.MFA_ADDRESS_FAILURE_LIMIT == 20
    attacker = "203.0.113.7"
    accounts = [UserFactory() for _ in range(6)]
    for user in accounts[:5]:  # 4 wrong codes each: no account reaches its own lock
        client = at_second_factor(user, attacker)
        for _ in range(4):  # (the 20th wrong code is answered with the lock)
            assert send_code(client, wrong_code_for(user)).status_code in (200, 429)
    last = accounts[5]
    client = at_second_factor(last, attacker)
    assert send_code(client, code_for(last)).status_code == 429  # 20 from this address
    # No account is locked: the last one's owner, elsewhere, signs in.
    owner = at_second_factor(last, "198.51.100.20")
    assert send_code(owner, code_for(last)).status_code == 302 and signed_in(owner)


@pytest.mark.django_db
def test_a_colleague_behind_the_same_address_is_not_locked_by_one_persons_typos():
    typist, colleague = UserFactory(), UserFactory()
    office = "192.0.2.10"
    client = at_second_factor(typist, office)
    for _ in range(5):
        send_code(client, wrong_code_for(typist))
    other = at_second_factor(colleague, office)
    assert send_code(other, code_for(colleague)).status_code == 302 and signed_in(other)


@pytest.mark.django_db
def test_a_right_code_resets_the_count():
    user = UserFactory()
    client = at_second_factor(user)
    for _ in range(2):
        send_code(client, wrong_code_for(user))
    assert send_code(client, code_for(user)).status_code == 302
    client.post(reverse("account_logout"))
    # Axes forgets the account's failures on success; three more are not a lock.
    later = at_second_factor(user, "10.0.0.2")
    for _ in range(2):
        assert send_code(later, wrong_code_for(user)).status_code == 200


@pytest.mark.django_db
def test_webauthn_failures_are_counted(client):
    user = UserFactory()
    client = at_second_factor(user)
    for _ in range(5):
        response = client.post(
            reverse("mfa_authenticate"), {"credential": '{"id": "forged", "response": {}}'}
        )
        assert response.status_code in (200, 429)
    assert (
        AuditEntry.objects.filter(
            action="accounts.user.second_factor_failed", changes__kind="webauthn"
        ).count()
        == 5
    )
    assert send_code(client, code_for(user)).status_code == 429


@pytest.mark.django_db
def test_reauthentication_codes_are_limited_too(login):
    user = UserFactory()
    client = login(user)
    for _ in range(5):
        client.post(reverse("mfa_reauthenticate"), {"code": wrong_code_for(user)})
    assert (
        AuditEntry.objects.filter(
            action="accounts.user.second_factor_failed", object_id=str(user.pk)
        ).count()
        == 5
    )
    assert client.post(reverse("mfa_reauthenticate"), {"code": code_for(user)}).status_code == 429


# --- administrators see and lift the lock -------------------------------------------------


def _lock(user) -> None:
    client = at_second_factor(user)
    for _ in range(5):
        send_code(client, wrong_code_for(user))


@pytest.mark.django_db
def test_administrator_sees_the_lock_and_unlocks(login, administrator):
    user = UserFactory()
    _lock(user)
    admin = login(administrator)
    listing = admin.get(reverse("accounts:user_list"), {"q": user.email}).content.decode()
    assert "Locked" in listing
    detail = admin.get(reverse("accounts:user_detail", args=[user.pk])).content.decode()
    assert "after 5 failed attempts" in detail and "Unlock sign-in" in detail
    response = admin.post(reverse("accounts:user_unlock", args=[user.pk]))
    assert response.status_code == 302
    assert AuditEntry.objects.filter(
        action="accounts.user.unlocked", object_id=str(user.pk), actor=administrator
    ).exists()
    detail = admin.get(reverse("accounts:user_detail", args=[user.pk])).content.decode()
    assert "Not locked" in detail and "Unlock sign-in" not in detail
    client = at_second_factor(user, "10.0.0.3")
    assert send_code(client, code_for(user)).status_code == 302 and signed_in(client)


@pytest.mark.django_db
def test_only_administrators_unlock(login, supervisor):
    user = UserFactory()
    _lock(user)
    assert (
        login(supervisor).post(reverse("accounts:user_unlock", args=[user.pk])).status_code == 403
    )
    assert Client().post(reverse("accounts:user_unlock", args=[user.pk])).status_code == 302
    assert not AuditEntry.objects.filter(action="accounts.user.unlocked").exists()
    assert (
        Client(REMOTE_ADDR="10.0.0.4")
        .post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
        .status_code
        == 429
    )
