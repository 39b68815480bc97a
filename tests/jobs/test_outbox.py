"""The e-mail outbox: fast-failing enqueue, bounded retries with backoff, SKIP LOCKED sweeps,
and jobs that send nothing twice when two workers run them at the same moment."""

from __future__ import annotations

import smtplib
import threading
import time
from datetime import timedelta

import psycopg
import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, connections
from django.utils import timezone

from familysupport.lib import dates, jobs
from familysupport.lib import outbox as services
from familysupport.lib.models import OutboundEmail
from familysupport.lib.notify import enqueue_email, notify
from faon import tasks as faon_jobs
from tests.factories import UserFactory
from tests.jobs.broker import UNREACHABLE, broker_at


class FlakySMTP(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RefusingSMTP(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.test": (550, b"No such user")})


def row(**kwargs) -> OutboundEmail:
    return OutboundEmail.objects.create(
        to="someone@example.test", subject="s", body_text=".", key=kwargs.pop("key", "k"), **kwargs
    )


@pytest.mark.django_db
def test_enqueue_with_the_broker_down_returns_fast_and_never_raises():
    pending = row()
    with broker_at(UNREACHABLE):
        started = time.monotonic()
        assert enqueue_email(pending.pk) is False
        assert enqueue_email(pending.pk) is False
        assert time.monotonic() - started < 2.0
    pending.refresh_from_db()
    assert pending.status == OutboundEmail.Status.PENDING


@pytest.mark.django_db
def test_notify_writes_the_bell_and_the_outbox_once_per_key(django_capture_on_commit_callbacks):
    user = UserFactory(totp=False)
    with broker_at(UNREACHABLE), django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert notify(recipients=[user], event="t.e", title="Something happened", key="x") == 1
        assert notify(recipients=[user], event="t.e", title="Something happened", key="x") == 0
    assert len(callbacks) == 1  # one enqueue, after commit
    assert user.notifications.count() == 1
    assert OutboundEmail.objects.filter(to=user.email).count() == 1


@pytest.mark.django_db
def test_smtp_errors_back_off_with_jitter_and_stop_after_max_attempts(settings):
    settings.EMAIL_BACKEND = "tests.jobs.test_outbox.FlakySMTP"
    pending = row()
    before = timezone.now()
    assert services.outbound_email_deliver(pk=pending.pk) == "failed"
    pending.refresh_from_db()
    assert pending.status == OutboundEmail.Status.PENDING
    assert pending.attempts == 1
    assert "SMTPServerDisconnected" in pending.last_error
    wait = (pending.next_attempt_at - before).total_seconds()
    assert 15 <= wait <= 31  # half of 30 s plus up to half again of jitter
    # Not due yet: neither a deliver task nor the sweep touches it.
    assert services.outbound_email_deliver(pk=pending.pk) == "skipped"
    assert services.outbound_email_sweep() == 0

    for _ in range(services.MAX_ATTEMPTS - 1):
        pending.next_attempt_at = timezone.now() - timedelta(seconds=1)
        pending.save()
        services.outbound_email_sweep()
        pending.refresh_from_db()
    assert pending.status == OutboundEmail.Status.FAILED
    assert pending.attempts == services.MAX_ATTEMPTS
    assert mail.outbox == []


def test_backoff_grows_and_is_capped():
    for attempts in range(1, 30):
        wait = services.outbox_backoff(attempts)
        ceiling = min(services.BACKOFF_CAP_SECONDS, 30 * 2 ** (attempts - 1))
        assert ceiling / 2 <= wait <= ceiling


@pytest.mark.django_db
def test_a_refused_recipient_fails_at_once(settings):
    settings.EMAIL_BACKEND = "tests.jobs.test_outbox.RefusingSMTP"
    pending = row()
    services.outbound_email_deliver(pk=pending.pk)
    pending.refresh_from_db()
    assert pending.status == OutboundEmail.Status.FAILED
    assert pending.attempts == 1


@pytest.mark.django_db
def test_a_sent_row_is_never_sent_again():
    pending = row()
    assert services.outbound_email_deliver(pk=pending.pk) == "sent"
    assert services.outbound_email_deliver(pk=pending.pk) == "skipped"
    assert services.outbound_email_sweep() == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_the_sweep_skips_rows_another_worker_holds():
    held, free = row(key="held"), row(key="free")
    params = connection.get_connection_params()
    other = psycopg.connect(
        **{k: v for k, v in params.items() if k in ("dbname", "host", "port", "user")}
    )
    try:
        with other.transaction():
            other.execute(
                "SELECT id FROM accounts_outboundemail WHERE id = %s FOR UPDATE", [held.pk]
            )
            started = time.monotonic()
            assert services.outbound_email_sweep() == 1  # does not wait for the lock
            assert services.outbound_email_deliver(pk=held.pk) == "skipped"
            assert time.monotonic() - started < 5
    finally:
        other.close()
    assert [m.to for m in mail.outbox] == [["someone@example.test"]]
    free.refresh_from_db()
    held.refresh_from_db()
    assert (free.status, held.status) == ("sent", "pending")


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_a_job_at_once_send_once(member, monkeypatch):
    provider = member(expires_on=dates.today() + timedelta(days=30))
    # Skip the read-only prefilter so both runs race for the sent-log's unique key.
    monkeypatch.setattr(jobs, "sent_periods", lambda **kwargs: {})
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(faon_jobs.license_renewal())
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert sorted(results) == [0, 1]
    assert OutboundEmail.objects.filter(to=provider.manager.email).count() == 1
    assert provider.manager.notifications.count() == 1
