#!/usr/bin/env python
"""The phone system's webhooks (issue 20): p50/p95 per kind of request, over HTTP.

    .venv/bin/python bench/bench_phone.py [--db familysupport_bench] [--runs 200]

Starts gunicorn (sync workers, production settings: bench/settings.py) on the bench
database and sends signed requests as Twilio or a PBX would, one at a time: a ringing call
from a known family's number and from an unknown one, answered, ended, a replay of a
ringing event, a wrongly signed request (refused and audited), and an HMAC-signed ringing
call. Goal: p95 < 100 ms. The calls it makes are deleted at the end (refusals stay in the
append-only audit trail). Prints figures, asserts nothing. `bench/run.py` calls `measure`.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GOAL_P95_MS = 100
TOKEN = "bench-twilio-token"  # noqa: S105 (a bench-only token, never a real account)
PUBLIC_URL = "https://portal.bench.example"
PREFIX = "CAbench"
KINDS = (
    "ringing, known family",
    "ringing, unknown number",
    "answered",
    "ended",
    "replayed ringing",
    "bad signature (403)",
    "HMAC ringing",
    # The same server's cheapest answer through the same middleware (SELECT 1), sent in the
    # same loop: on a busy machine the webhook rows are read against it.
    "floor: GET /health/",
)


def _pct(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _post(
    port: int, path: str, body: bytes | None, headers: dict[str, str], method: str = "POST"
) -> tuple[int, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        started = time.perf_counter()
        conn.request(
            method,
            path,
            body=body,
            headers={
                "Host": "127.0.0.1",
                "Content-Type": "application/x-www-form-urlencoded",
                **headers,
            },
        )
        response = conn.getresponse()
        response.read()
        return response.status, (time.perf_counter() - started) * 1000
    finally:
        conn.close()


def _known_numbers(count: int) -> list[str]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT phone FROM cases_family WHERE phone <> '' ORDER BY id LIMIT %s OFFSET 1000",
            [count],
        )
        return [row[0] for row in cur.fetchall()] or ["+15550100001"]


def measure(port: int, base_url: str, runs: int) -> dict[str, dict]:
    """Send `runs` requests of each kind to a portal on 127.0.0.1:`port` started with
    PHONE_WEBHOOK_BASE_URL=`base_url` and TWILIO_AUTH_TOKEN=TOKEN (see `main`)."""
    from django.urls import reverse
    from twilio.request_validator import RequestValidator

    from accounts.models import User
    from cases import phone_services
    from cases.phone_models import PhoneCall, PhoneCallEvent, PhoneIntegration

    validator = RequestValidator(TOKEN)
    hook, ended_hook = reverse("phone:hook_call"), reverse("phone:hook_call_ended")
    numbers = _known_numbers(runs)
    admin = User.objects.filter(role="administrator", is_active=True).order_by("pk").first()
    integration, secret = phone_services.phone_integration_create(
        name=f"bench {uuid.uuid4().hex[:8]}", by=admin
    )

    def twilio(path: str, params: dict[str, str], token_ok: bool = True) -> tuple[int, float]:
        signature = validator.compute_signature(base_url + path, params)
        if not token_ok:
            signature = signature[::-1]
        return _post(port, path, urlencode(params).encode(), {"X-Twilio-Signature": signature})

    def hmac_signed(path: str, params: dict[str, str]) -> tuple[int, float]:
        body = urlencode(params).encode()
        stamp = str(int(time.time()))
        headers = {
            phone_services.HMAC_INTEGRATION_HEADER: str(integration.public_id),
            phone_services.HMAC_TIMESTAMP_HEADER: stamp,
            phone_services.HMAC_SIGNATURE_HEADER: phone_services.hmac_signature(
                secret=secret, timestamp=stamp, full_path=path, body=body
            ),
        }
        return _post(port, path, body, headers)

    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    statuses: dict[str, set[int]] = {kind: set() for kind in KINDS}

    def record(kind: str, result: tuple[int, float]) -> None:
        statuses[kind].add(result[0])
        times[kind].append(result[1])

    try:
        for i in range(runs):
            sid = f"{PREFIX}{uuid.uuid4().hex[:27]}"
            params = {
                "CallSid": sid,
                "From": numbers[i % len(numbers)],
                "To": "+15550100000",
                "CallStatus": "ringing",
                "Direction": "inbound",
            }
            record("ringing, known family", twilio(hook, params))
            record("answered", twilio(hook, {**params, "CallStatus": "in-progress"}))
            record(
                "ended",
                twilio(ended_hook, {**params, "CallStatus": "completed", "CallDuration": "75"}),
            )
            record("replayed ringing", twilio(hook, params))
            unknown = {**params, "CallSid": sid[:-1] + "u", "From": f"+1555019{i % 10000:04d}"}
            record("ringing, unknown number", twilio(hook, unknown))
            record("bad signature (403)", twilio(hook, params, token_ok=False))
            record("HMAC ringing", hmac_signed(hook, {**params, "CallSid": sid[:-1] + "h"}))
            record("floor: GET /health/", _post(port, "/health/", None, {}, method="GET"))
    finally:
        PhoneCall.objects.filter(call_sid__startswith=PREFIX).delete()
        PhoneCallEvent.objects.filter(call_sid__startswith=PREFIX).delete()
        PhoneIntegration.objects.filter(pk=integration.pk).delete()
    return {
        kind: {
            "runs": len(values),
            "p50": statistics.median(values),
            "p95": _pct(values, 95),
            "max": max(values),
            "statuses": sorted(statuses[kind]),
        }
        for kind, values in times.items()
    }


def print_rows(rows: dict[str, dict]) -> None:
    print(f"{'phone webhook':<28} {'runs':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  HTTP")
    for kind, row in rows.items():
        print(
            f"{kind:<28} {row['runs']:>5} {row['p50']:>8.1f} {row['p95']:>8.1f} "
            f"{row['max']:>8.1f}  {row['statuses']}"
        )
    worst = max(row["p95"] for kind, row in rows.items() if not kind.startswith("floor"))
    verdict = "meets" if worst < GOAL_P95_MS else "misses"
    print(f"worst p95 {worst:.1f} ms: {verdict} the goal of < {GOAL_P95_MS} ms")


def run_server(db: str, *, runs: int) -> dict[str, dict] | None:
    """Start gunicorn on `db` (Django set up on it already) and measure; None without the
    phone tables."""
    from django.db import connection

    from bench import run as bench

    if "cases_phonecall" not in connection.introspection.table_names():
        print(f"bench: {db} lacks the phone tables; run `manage.py migrate` on it first.")
        return None
    # The server (a child process) and this one must agree on the token and on the URL
    # Twilio would call (a proxy in front): the server rebuilds it from the setting,
    # whatever port it listens on.
    os.environ["TWILIO_AUTH_TOKEN"] = TOKEN
    os.environ["PHONE_WEBHOOK_BASE_URL"] = PUBLIC_URL
    print(f"bench: phone webhooks on {db}, {runs} requests per kind, one at a time")
    with bench.Server("bench.settings", db) as web:
        return measure(web.port, PUBLIC_URL, runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=os.environ.get("FSP_BENCH_DB_NAME", "familysupport_bench"))
    parser.add_argument("--runs", type=int, default=200, help="requests per kind (≤ 2000)")
    args = parser.parse_args()
    if not 1 <= args.runs <= 2000:
        parser.error("keep the load bounded: 1 ≤ --runs ≤ 2000")

    from bench import run as bench

    if not bench.database_exists(args.db):
        print(f"bench: database {args.db} does not exist; run bench/generate.py first.")
        return 2
    bench.setup_django(args.db)
    rows = run_server(args.db, runs=args.runs)
    if rows is None:
        return 2
    print_rows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
