#!/usr/bin/env python
"""Screen pop delivery: a cheap poll or server-sent events, for 50 advocates taking calls,
against gunicorn sync workers (as in production) on the bench database.

    .venv/bin/python bench/bench_phone_pop.py                  # both, 50 advocates, 3 workers
    .venv/bin/python bench/bench_phone_pop.py --mode poll --advocates 50 --workers 3

For each mode, 50 simulated advocates (their own signed-in sessions, taking calls) wait for
pops; a few seconds in, one call starts ringing (routed to nobody: every advocate gets it).
Printed per mode: how many advocates got the pop, the delay from the call's row being
committed to each advocate receiving it (p50/p95/max), the poll's own latency (p50/p95),
requests per second and the web workers' CPU (share of one core) and memory.

- poll: what the portal ships (static/js/phone_pop.js): GET /cases/phone/pop/ every
  second, `shown` = what the page holds (204 when nothing changed).
- sse: a bench-only stream (bench/phone_pop_urls.py), checking the same query once a second
  inside the open response, as an SSE endpoint would without a second server type.

Bounded (duration, 127.0.0.1 only); the sessions, the call and the presence it switched on
are removed at the end. The bench database is only read apart from that.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import run as bench_run  # noqa: E402  (the same gunicorn and bench database)

POLL_PATH = "/cases/phone/pop/"
SSE_PATH = "/bench/pop-stream/"


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    data = sorted(values)
    return data[min(len(data) - 1, round(p / 100 * (len(data) - 1)))]


def sessions_for(advocates: list) -> list[str]:
    """A signed-in session (second factor passed) per advocate, as the sign-in leaves it."""
    from django.conf import settings
    from django.test import Client

    from accounts.middleware import LAST_ACTIVITY, MFA_PASSED, SESSION_STARTED

    cookies = []
    for user in advocates:
        client = Client()
        client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
        session = client.session
        now = time.time()
        session[MFA_PASSED], session[SESSION_STARTED], session[LAST_ACTIVITY] = True, now, now
        session.save()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    return cookies


def worker_cpu_and_rss(server) -> tuple[float, int]:
    """CPU seconds (user + system) and resident memory (kB) of the gunicorn workers."""
    ticks = os.sysconf("SC_CLK_TCK")
    cpu, rss = 0.0, 0
    for pid in server.worker_pids():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / ticks
            rss += bench_run._vm("VmRSS", pid)
        except (OSError, IndexError, ValueError):
            continue
    return cpu, rss


class Run:
    def __init__(self, n: int):
        self.lock = threading.Lock()
        self.rang_at: float | None = None
        self.sid = ""
        self.got: list[float | None] = [None] * n
        self.poll_latencies: list[float] = []
        self.requests = 0
        self.errors = 0
        self.connected = [False] * n


def poll_client(i: int, port: int, cookie: str, run: Run, stop: float, interval: float) -> None:
    shown = ""
    # Advocates open their pages at different moments: spread the first polls.
    time.sleep(interval * i / max(1, len(run.got)))
    while time.time() < stop:
        t0 = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request(
                "GET",
                f"{POLL_PATH}?shown={shown}",
                headers={"Host": "127.0.0.1", "Cookie": cookie, "X-Background-Poll": "1"},
            )
            resp = conn.getresponse()
            body = resp.read().decode()
            status = resp.status
        except OSError:
            status, body = 0, ""
        finally:
            conn.close()
        now = time.time()
        with run.lock:
            run.requests += 1
            run.poll_latencies.append(time.perf_counter() - t0)
            run.connected[i] = run.connected[i] or status in (200, 204)
            if status not in (200, 204):
                run.errors += 1
            if status == 200 and run.sid and run.sid in body and run.got[i] is None:
                run.got[i] = now
                shown = f"{run.sid}:ringing"
        time.sleep(max(0.0, interval - (time.perf_counter() - t0)))


def sse_client(i: int, port: int, cookie: str, run: Run, stop: float) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=max(1.0, stop - time.time()))
    try:
        conn.request(
            "GET",
            SSE_PATH,
            headers={"Host": "127.0.0.1", "Cookie": cookie, "Accept": "text/event-stream"},
        )
        resp = conn.getresponse()  # blocks while every worker holds another stream
        with run.lock:
            run.connected[i] = resp.status == 200
        while time.time() < stop:
            line = resp.fp.readline()
            if not line:
                break
            if line.startswith(b"data:") and run.sid and run.sid.encode() in line:
                with run.lock:
                    run.got[i] = run.got[i] or time.time()
    except OSError:
        pass
    finally:
        conn.close()


def measure(mode: str, *, cookies, family_phone, workers, duration, ring_after, interval):
    from cases.models import PhoneCall

    bench_run.WORKERS = workers
    settings_module = "bench.phone_pop_settings"
    run = Run(len(cookies))
    with bench_run.Server(settings_module, bench_run.DEFAULT_DB) as server:
        # Let every worker import the portal before the clock starts.
        for _ in range(workers * 2):
            bench_run.get(server.port, "/health/")
        cpu0, _ = worker_cpu_and_rss(server)
        t0 = time.time()
        stop = t0 + duration
        if mode == "poll":
            threads = [
                threading.Thread(
                    target=poll_client, args=(i, server.port, c, run, stop, interval), daemon=True
                )
                for i, c in enumerate(cookies)
            ]
        else:
            threads = [
                threading.Thread(
                    target=sse_client, args=(i, server.port, c, run, stop), daemon=True
                )
                for i, c in enumerate(cookies)
            ]
        for t in threads:
            t.start()
        time.sleep(ring_after)
        sid = f"CA-bench-{uuid.uuid4().hex[:20]}"
        PhoneCall.objects.create(call_sid=sid, from_number=family_phone, to_number="+15550100000")
        run.sid, run.rang_at = sid, time.time()  # committed (autocommit): from now it may pop
        for t in threads:
            t.join(timeout=max(0.0, stop - time.time()) + 5)
        elapsed = time.time() - t0
        cpu1, rss = worker_cpu_and_rss(server)
        PhoneCall.objects.filter(call_sid=sid).delete()
    rang = run.rang_at or 0.0
    delays = [g - rang for g in run.got if g is not None]
    return {
        "mode": mode,
        "advocates": len(cookies),
        "workers": workers,
        "connected": sum(run.connected),
        "popped": len(delays),
        "delay_p50": pct(delays, 50),
        "delay_p95": pct(delays, 95),
        "delay_max": max(delays) if delays else float("nan"),
        "poll_p50_ms": pct(run.poll_latencies, 50) * 1000,
        "poll_p95_ms": pct(run.poll_latencies, 95) * 1000,
        "rps": run.requests / elapsed if mode == "poll" else float("nan"),
        "errors": run.errors,
        "cpu_share": (cpu1 - cpu0) / elapsed,
        "rss_mb": rss / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["poll", "sse", "both"], default="both")
    parser.add_argument("--advocates", type=int, default=50)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--ring-after", type=float, default=8.0)
    parser.add_argument("--interval", type=float, default=1.0, help="poll interval (s)")
    args = parser.parse_args(argv)

    bench_run.setup_django(bench_run.DEFAULT_DB)
    from django.contrib.sessions.models import Session
    from django.db import connection

    from accounts import services
    from accounts.models import User

    advocates = list(
        User.objects.filter(role=User.Role.ADVOCATE, is_active=True).order_by("pk")[
            : args.advocates
        ]
    )
    with connection.cursor() as cur:
        cur.execute("SELECT phone FROM cases_family WHERE phone <> '' ORDER BY id LIMIT 1")
        family_phone = cur.fetchone()[0]
    switched = [u for u in advocates if not u.taking_calls]
    for user in switched:
        services.user_taking_calls_set(user=user, on=True, reason="bench")
    cookies = sessions_for(advocates)
    results = []
    try:
        for mode in ["poll", "sse"] if args.mode == "both" else [args.mode]:
            bench_run.log(f"measuring {mode} ({len(advocates)} advocates, {args.workers} workers)")
            results.append(
                measure(
                    mode,
                    cookies=cookies,
                    family_phone=family_phone,
                    workers=args.workers,
                    duration=args.duration,
                    ring_after=args.ring_after,
                    interval=args.interval,
                )
            )
    finally:
        for user in switched:
            user.refresh_from_db()
            services.user_taking_calls_set(user=user, on=False, reason="bench")
        Session.objects.filter(session_key__in=[c.split("=", 1)[1] for c in cookies]).delete()

    head = (
        "mode | advocates | workers | connected | got the pop | delay p50 / p95 / max (s) | "
        "poll p50 / p95 (ms) | req/s | worker CPU (cores) | workers' RSS (MB)"
    )
    print(head)
    print("|".join("---" for _ in head.split("|")))
    for r in results:
        print(
            f"{r['mode']} | {r['advocates']} | {r['workers']} | {r['connected']} | {r['popped']} | "
            f"{r['delay_p50']:.2f} / {r['delay_p95']:.2f} / {r['delay_max']:.2f} | "
            f"{r['poll_p50_ms']:.1f} / {r['poll_p95_ms']:.1f} | {r['rps']:.0f} | "
            f"{r['cpu_share']:.2f} | {r['rss_mb']:.0f}"
        )
    print("(delay: from the ringing call's row committed to the advocate holding the pop;")
    print(" sse: a sync worker is held per open stream, so only `workers` advocates connect)")
    if results and statistics.mean([r["errors"] for r in results]) > 0:
        print(f"errors: {[r['errors'] for r in results]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
