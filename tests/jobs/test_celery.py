"""Real Celery against the real Redis broker: end to end, broker outage, worker crash.

Each test gets its own key prefix on the broker (kombu `global_keyprefix`), so queues and
the unacked-message bookkeeping are private even when others use the same Redis.
Waiting for a worker is polling the database with a generous ceiling, not a timing claim.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.core import mail
from django.db import connection, connections
from django.urls import reverse

from accounts.models import User
from familysupport.celery import app
from familysupport.lib import dates
from familysupport.lib import outbox as account_services
from familysupport.lib import tasks as account_tasks
from familysupport.lib.models import Notification, OutboundEmail
from familysupport.lib.notify import enqueue_email
from faon import tasks as faon_jobs
from reunification.models import TravelRequest
from tests.factories import UserFactory
from tests.jobs.broker import UNREACHABLE, broker_at, reset_producer_pools
from tests.reunification.factories import TravelRequestFactory

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]


def wait_until(predicate, *, ceiling: float = 30.0, what: str = "condition", log=None) -> None:
    end = time.monotonic() + ceiling
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.1)
    tail = log.read_text()[-3000:] if log is not None and log.exists() else ""
    raise AssertionError(f"gave up waiting for: {what}\n{tail}")


@pytest.fixture
def broker_prefix():
    """A private key prefix on the real broker (settings.CELERY_BROKER_URL) for one test."""
    prefix = f"fsp-jobs-test-{uuid.uuid4().hex[:10]}:"
    before = dict(app.conf.broker_transport_options or {})
    app.conf.broker_transport_options = {**before, "global_keyprefix": prefix}
    reset_producer_pools()
    try:
        yield prefix
    finally:
        app.conf.broker_transport_options = before
        reset_producer_pools()
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


def _close_worker_thread_connections(**kwargs) -> None:
    if threading.current_thread() is not threading.main_thread():
        connections.close_all()


@pytest.fixture
def worker(broker_prefix):
    """An embedded worker thread (celery.contrib.testing) consuming from the real broker."""
    task_postrun.connect(_close_worker_thread_connections, weak=False)
    try:
        with start_worker(
            app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30
        ) as w:
            yield w
    finally:
        task_postrun.disconnect(_close_worker_thread_connections)


def _sentinel_flush() -> None:
    """Wait until the worker has worked through everything queued before this call.

    The worker is solo with prefetch 1 and the queue is FIFO: once an e-mail enqueued now
    is sent, every earlier task has finished.
    """
    marker = OutboundEmail.objects.create(
        to="sentinel@example.test", subject="sentinel", body_text=".", key=uuid.uuid4().hex
    )
    assert enqueue_email(marker.pk)
    wait_until(
        lambda: OutboundEmail.objects.filter(pk=marker.pk, status="sent").exists(),
        what="the sentinel e-mail",
    )


def _real_mails() -> list:
    return [m for m in mail.outbox if m.to != ["sentinel@example.test"]]


# --- (1) end to end on a real worker --------------------------------------------------------


def test_license_renewal_end_to_end_sends_one_email_per_due_provider(worker, member):
    today = dates.today()
    due = [member(expires_on=today + timedelta(days=30)), member(expires_on=today + timedelta(7))]
    member(expires_on=today + timedelta(days=90))  # not due yet

    faon_jobs.license_renewal_task.delay()
    wait_until(lambda: OutboundEmail.objects.filter(status="sent").count() == 2, what="2 sent")
    _sentinel_flush()
    assert sorted(m.to[0] for m in _real_mails()) == sorted(p.manager.email for p in due)

    faon_jobs.license_renewal_task.delay()  # run again: nothing new
    _sentinel_flush()
    assert len(_real_mails()) == 2
    assert OutboundEmail.objects.exclude(to="sentinel@example.test").count() == 2
    assert Notification.objects.count() == 2


# --- (2) broker outage during an advocate's save ------------------------------------------


def test_save_succeeds_fast_with_the_broker_down_and_the_sweep_delivers_once(broker_prefix, login):
    supervisor = UserFactory(role=User.Role.SUPERVISOR, totp=False)
    advocate = UserFactory(role=User.Role.ADVOCATE, supervisor=supervisor)
    draft = TravelRequestFactory(requested_by=advocate, case__assigned_advocate=advocate)
    client = login(advocate)

    with broker_at(UNREACHABLE):
        started = time.monotonic()
        response = client.post(reverse("reunification:submit", args=[draft.pk]))
        elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert elapsed < 2.0, f"the save took {elapsed:.2f}s with the broker down"
    draft.refresh_from_db()
    assert draft.status == TravelRequest.Status.SUBMITTED
    [row] = OutboundEmail.objects.filter(to=supervisor.email)
    assert row.status == OutboundEmail.Status.PENDING
    assert Notification.objects.filter(recipient=supervisor).count() == 1
    assert mail.outbox == []

    # The broker is back: the periodic sweep (beat, every minute) runs on a worker.
    task_postrun.connect(_close_worker_thread_connections, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            account_tasks.sweep_outbox.delay()
            wait_until(
                lambda: OutboundEmail.objects.filter(pk=row.pk, status="sent").exists(),
                what="the swept e-mail",
            )
            account_tasks.sweep_outbox.delay()
            _sentinel_flush()
    finally:
        task_postrun.disconnect(_close_worker_thread_connections)
    assert [m.to for m in _real_mails()] == [[supervisor.email]]
    assert account_services.outbound_email_sweep() == 0


# --- (3) the worker process is killed in the middle of a reminder --------------------------


def _spawn_worker(*, prefix: str, tmp: Path, name: str) -> tuple[subprocess.Popen, Path]:
    log = tmp / f"{name}.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.jobs.worker_settings",
        "FSP_JOBS_WORKER_DB": connection.settings_dict["NAME"],
        "FSP_JOBS_KEYPREFIX": prefix,
        "FSP_JOBS_MAIL_DIR": str(tmp / "mail"),
        "FSP_JOBS_BLOCK_FILE": str(tmp / "block"),
        "FSP_JOBS_STARTED_FILE": str(tmp / "started"),
    }
    command = [sys.executable, "-m", "celery", "-A", "familysupport", "worker", "-P", "prefork"]
    command += ["-c", "1"]  # a pool child runs the task, as in production
    command += ["-l", "info", "-n", f"{name}-{uuid.uuid4().hex[:6]}@%h"]
    command += ["--without-mingle", "--without-gossip", "--without-heartbeat"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            command,
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return proc, log


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _messages_in(folder: Path) -> list[str]:
    if not folder.exists():
        return []
    text = "".join(p.read_text() for p in sorted(folder.iterdir()))
    return [line for line in text.splitlines() if line.startswith("To: ")]


def test_a_worker_killed_mid_send_redelivers_and_the_provider_gets_one_email(
    broker_prefix, member, tmp_path
):
    provider = member(expires_on=dates.today() + timedelta(days=30))
    (tmp_path / "mail").mkdir()
    (tmp_path / "block").touch()
    first, first_log = _spawn_worker(prefix=broker_prefix, tmp=tmp_path, name="doomed")
    second = None
    try:
        faon_jobs.license_renewal_task.delay()
        wait_until(
            lambda: (tmp_path / "started").exists(),
            ceiling=60,
            what="the worker to start sending",
            log=first_log,
        )
        os.killpg(first.pid, signal.SIGKILL)  # mid-send: the SMTP stand-in is blocking
        first.wait(timeout=30)

        [row] = OutboundEmail.objects.filter(to=provider.manager.email)
        assert row.status == OutboundEmail.Status.PENDING  # the killed send never committed
        assert _messages_in(tmp_path / "mail") == []

        (tmp_path / "block").unlink()
        time.sleep(2.5)  # let the killed delivery outlive the test broker's visibility timeout
        second, second_log = _spawn_worker(prefix=broker_prefix, tmp=tmp_path, name="restarted")
        wait_until(
            lambda: OutboundEmail.objects.filter(pk=row.pk, status="sent").exists(),
            ceiling=60,
            what="the redelivered task",
            log=second_log,
        )
        # The very task that was killed ran again (same task id), not a new one.
        # (The job's one "deliver now" nudge carries the e-mail: deliver_emails.)
        [killed_id] = re.findall(r"deliver_emails\[([0-9a-f-]+)\] received", first_log.read_text())
        assert f"deliver_emails[{killed_id}] succeeded" in second_log.read_text()
        assert _messages_in(tmp_path / "mail") == [f"To: {provider.manager.email}"]
        assert OutboundEmail.objects.filter(to=provider.manager.email).count() == 1
    finally:
        _kill(first)
        if second is not None:
            _kill(second)
