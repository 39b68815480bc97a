"""allauth's e-mails go through the outbox: a reset never touches the mail server in the
request, and answers the same for a known and an unknown address."""

from __future__ import annotations

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse

from familysupport.lib.models import OutboundEmail
from familysupport.lib.outbox import outbound_email_sweep
from tests.factories import UserFactory

RESET = reverse("account_reset_password")
SMTP_CALLS: list[int] = []


class DownSMTP(BaseEmailBackend):
    """A mail server that is down (or hangs until the timeout: the same error, later)."""

    def send_messages(self, messages):
        SMTP_CALLS.append(len(messages))
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = "tests.accounts.test_password_reset_outbox.DownSMTP"
    SMTP_CALLS.clear()
    return SMTP_CALLS


@pytest.mark.django_db
def test_reset_with_the_mail_server_down_answers_and_the_worker_sends_later(smtp_down, settings):
    user = UserFactory()
    response = Client().post(RESET, {"email": user.email})
    assert response.status_code == 302
    assert smtp_down == []  # the request never talked to the mail server
    [row] = OutboundEmail.objects.filter(to=user.email)
    assert row.status == OutboundEmail.Status.PENDING
    assert "/password/reset/key/" in row.body_text
    # The worker tries, fails, keeps the row for a retry ...
    assert outbound_email_sweep() == 0
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.PENDING and row.attempts == 1
    # ... and sends it once the server is back.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutboundEmail.objects.filter(pk=row.pk).update(next_attempt_at=row.created_at)
    assert outbound_email_sweep() == 1
    [sent] = mail.outbox
    assert sent.to == [user.email] and "/password/reset/key/" in sent.body


@pytest.mark.django_db
def test_known_and_unknown_addresses_get_the_same_answer(smtp_down):
    user = UserFactory()
    known = Client().post(RESET, {"email": user.email}, follow=True)
    unknown = Client().post(RESET, {"email": "nobody-here@example.test"}, follow=True)
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert _visible_text(known) == _visible_text(unknown)
    # Each wrote one row (the unknown address is told no account exists), so the work the
    # request does, and so its time, does not depend on the address.
    assert OutboundEmail.objects.filter(to=user.email).count() == 1
    assert OutboundEmail.objects.filter(to="nobody-here@example.test").count() == 1
    assert smtp_down == []


def _visible_text(response) -> str:
    import re

    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'name="csrf-token"\s+content="[^"]+"', "", html)
    return re.sub(r'nonce="[^"]+"', "", html)
