"""Second factor for every role, lockout, password reset and TOTP rules, via the real flow."""

from __future__ import annotations

import time

import pytest
import time_machine
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from familysupport.lib.outbox import outbound_email_sweep
from tests.factories import TEST_PASSWORD, UserFactory

ROLES = [r.value for r in User.Role]


def code_for(user, offset: int = 0) -> str:
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD + offset
    return format_hotp_value(hotp_value(user.totp_secret, counter))


def password_step(client: Client, email: str, password: str = TEST_PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_page_is_reachable_on_password_alone(role):
    user = UserFactory(role=role)
    client = Client()
    response = password_step(client, user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    for url in (reverse("home"), reverse("accounts:notifications"), reverse("mfa_index")):
        got = client.get(url)
        assert got.status_code == 302 and "/accounts/login/" in got["Location"], url


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_password_and_totp_reach_home(role):
    user = UserFactory(role=role)
    client = Client()
    password_step(client, user.email)
    response = client.post(reverse("mfa_authenticate"), {"code": code_for(user)})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_user_without_authenticator_must_enrol_before_any_page(role):
    user = UserFactory(role=role, totp=False)
    client = Client()
    response = password_step(client, user.email)
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 302 and home["Location"] == reverse("mfa_activate_totp")
    # allauth asks for the password again before adding an authenticator; that page is open.
    setup = client.get(reverse("mfa_activate_totp"), follow=True)
    assert setup.status_code == 200


@pytest.mark.django_db
def test_enrolling_totp_opens_the_portal(django_capture_on_commit_callbacks):
    user = UserFactory(totp=False)
    client = Client()
    password_step(client, user.email)
    response = client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    assert response.status_code == 302
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    with django_capture_on_commit_callbacks(execute=True):  # allauth signals on commit
        response = client.post(
            reverse("mfa_activate_totp"), {"code": format_hotp_value(hotp_value(secret, counter))}
        )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_totp_code_cannot_be_replayed():
    user = UserFactory()
    code = code_for(user)
    first = Client()
    password_step(first, user.email)
    assert first.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    second = Client()
    password_step(second, user.email)
    replay = second.post(reverse("mfa_authenticate"), {"code": code})
    assert replay.status_code == 200  # form re-shown with an error
    assert second.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_recovery_codes_work_once():
    user = UserFactory()
    codes = RecoveryCodes.activate(user).get_unused_codes()
    first = Client()
    password_step(first, user.email)
    assert first.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 302
    assert first.get(reverse("home")).status_code == 200
    second = Client()
    password_step(second, user.email)
    assert second.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 200
    assert second.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_password_reset_lands_on_the_mfa_step():
    user = UserFactory()
    client = Client()
    client.post(reverse("account_reset_password"), {"email": user.email})
    assert mail.outbox == []  # the request only wrote an outbox row
    assert outbound_email_sweep() == 1
    assert len(mail.outbox) == 1
    link = next(w for w in mail.outbox[0].body.split() if "/password/reset/key/" in w)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else "/" + path
    new_password = "a new long passphrase for testing"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("home")).status_code == 302  # not in before the second factor


@pytest.mark.django_db
def test_lockout_after_five_failures_for_that_username_only():
    victim = UserFactory()
    bystander = UserFactory()
    client = Client()
    for _ in range(5):
        password_step(client, victim.email, "wrong password entirely")
    # The right password no longer works for the locked username...
    locked = password_step(Client(), victim.email)
    assert locked.status_code == 429
    # ...while a colleague behind the same address signs in normally.
    other = password_step(Client(), bystander.email)
    assert other.status_code == 302 and other["Location"] == reverse("mfa_authenticate")


@pytest.mark.django_db
def test_lockout_ends_after_fifteen_minutes():
    victim = UserFactory()
    with time_machine.travel("2026-03-02 10:00:00Z", tick=False) as traveller:
        for _ in range(5):
            password_step(Client(), victim.email, "wrong password entirely")
        assert password_step(Client(), victim.email).status_code == 429
        # Counted from the last attempt (a locked attempt restarts the clock).
        traveller.shift(15 * 60 + 1)
        response = password_step(Client(), victim.email)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")


@pytest.mark.django_db
def test_login_flow_needs_no_redis():
    from tests.jobs.broker import UNREACHABLE, broker_at

    user = UserFactory()
    client = Client()
    # A dead broker address: nothing in sign-in may touch Redis.
    with broker_at(UNREACHABLE):
        password_step(client, user.email)
        started = time.monotonic()
        assert client.post(reverse("mfa_authenticate"), {"code": code_for(user)}).status_code == 302
        assert client.get(reverse("home")).status_code == 200
        assert time.monotonic() - started < 30  # generous: only guards against a hang


@pytest.mark.django_db
def test_background_requests_during_enrolment_get_401_and_keep_the_secret():
    user = UserFactory(totp=False)
    client = Client()
    password_step(client, user.email)
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    badge = client.get(reverse("accounts:notification_badge"), HTTP_HX_REQUEST="true")
    assert badge.status_code == 401
    assert client.session["mfa.totp.secret"] == secret
