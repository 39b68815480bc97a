"""Idle and absolute session expiry; background polling does not keep a session alive."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

BACKGROUND = {"HTTP_X_BACKGROUND_POLL": "1"}


def _signed_in_at(login, user, traveller):
    client = login(user)
    assert client.get(reverse("accounts:notifications")).status_code == 200
    return client


@pytest.mark.django_db
def test_idle_session_ends_after_fifteen_minutes(login, advocate):
    with time_machine.travel("2026-05-04 14:00:00Z", tick=False) as traveller:
        client = _signed_in_at(login, advocate, traveller)
        traveller.shift(14 * 60)
        assert client.get(reverse("accounts:notifications")).status_code == 200
        traveller.shift(15 * 60 + 1)
        response = client.get(reverse("accounts:notifications"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_background_polling_does_not_extend_an_idle_session(login, advocate):
    with time_machine.travel("2026-05-04 14:00:00Z", tick=False) as traveller:
        client = _signed_in_at(login, advocate, traveller)
        for _ in range(4):  # a poll every 4 minutes for 16 minutes
            traveller.shift(4 * 60)
            client.get(reverse("session_status"), **BACKGROUND)
            client.get(reverse("accounts:notification_badge"), **BACKGROUND)
        response = client.get(reverse("accounts:notifications"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_session_status_counts_down_and_keepalive_resets(login, advocate):
    with time_machine.travel("2026-05-04 14:00:00Z", tick=False) as traveller:
        client = _signed_in_at(login, advocate, traveller)
        traveller.shift(10 * 60)
        left = client.get(reverse("session_status"), **BACKGROUND).json()["idle_seconds_left"]
        assert 295 <= left <= 300
        assert client.post(reverse("session_keepalive")).status_code == 200
        traveller.shift(10 * 60)  # 20 minutes after sign-in, 10 after "stay signed in"
        assert client.get(reverse("accounts:notifications")).status_code == 200


@pytest.mark.django_db
def test_htmx_request_after_idle_expiry_gets_a_401_not_a_login_page(login, advocate):
    with time_machine.travel("2026-05-04 14:00:00Z", tick=False) as traveller:
        client = _signed_in_at(login, advocate, traveller)
        traveller.shift(16 * 60)
        response = client.get(reverse("accounts:notification_badge"), HTTP_HX_REQUEST="true")
    assert response.status_code == 401
    assert response.json()["signed_in"] is False


@pytest.mark.django_db
def test_absolute_lifetime_is_twelve_hours_even_when_active(login, advocate):
    with time_machine.travel("2026-05-04 06:00:00Z", tick=False) as traveller:
        client = _signed_in_at(login, advocate, traveller)
        for _ in range(71):  # active every 10 minutes for 11h50m
            traveller.shift(10 * 60)
            assert client.get(reverse("accounts:notifications")).status_code == 200
        traveller.shift(11 * 60)
        response = client.get(reverse("accounts:notifications"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_new_session_key_at_login(client, advocate):
    from tests.accounts.test_login_mfa import code_for, password_step

    client.get(reverse("account_login"))
    client.session.save()
    before = client.session.session_key
    password_step(client, advocate.email)
    client.post(reverse("mfa_authenticate"), {"code": code_for(advocate)})
    assert client.session.session_key != before
    assert client.get(reverse("accounts:notifications")).status_code == 200
