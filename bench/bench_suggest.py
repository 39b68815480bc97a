#!/usr/bin/env python
"""The new-call duplicate search: the real POST endpoint, p50/p95 per kind of typing.

    .venv/bin/python bench/bench_suggest.py [--db familysupport_bench] [--runs 40]

Four kinds, each as an advocate types it into the call form: a family's phone number in
national format, a common surname, a rare surname (one family) and a full name with a
one-letter typo. Times are in-process (Django test client, signed in with both factors):
the server's time for one suggestion request, queries included, no network (`bench/run.py`
measures the same four kinds over HTTP under load). Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GOAL_P95_MS = 60


def typed_values() -> dict[str, dict[str, str]]:
    """What is typed for each kind, picked from the bench data."""
    from django.db import connection

    from familysupport.lib.phones import display

    last = r"substring(contact_name from '(\S+)$')"
    with connection.cursor() as cur:
        cur.execute(
            "SELECT phone FROM cases_family WHERE phone <> '' ORDER BY id LIMIT 1 OFFSET 1000"
        )
        phone = cur.fetchone()[0]
        cur.execute(
            f"SELECT {last} AS s FROM cases_family GROUP BY s ORDER BY count(*) DESC LIMIT 1"  # noqa: S608
        )
        common = cur.fetchone()[0]
        cur.execute(
            f"SELECT {last} AS s FROM cases_family GROUP BY s "  # noqa: S608
            "ORDER BY count(*), s LIMIT 1"
        )
        row = cur.fetchone()
        rare = row[0] if row else common
        # The 5,000th family (or the middle one of a small data set).
        cur.execute(
            "SELECT contact_name FROM cases_family ORDER BY id LIMIT 1 "
            "OFFSET least(5000, (SELECT count(*) / 2 FROM cases_family))"
        )
        full = cur.fetchone()[0]
    # One letter changed in the middle of the surname: "Whitfield" → "Whitfeeld".
    first, _, surname = full.rpartition(" ")
    i = max(1, len(surname) // 2)
    typo = f"{first} {surname[:i]}{'e' if surname[i] != 'e' else 'a'}{surname[i + 1 :]}".strip()
    return {
        "phone": {"phone": display(phone)},
        "common surname": {"name": common},
        "rare surname": {"name": rare},
        "one-letter typo": {"name": typo},
    }


def measure(client, runs: int = 40) -> list[dict]:
    from django.urls import reverse

    url = reverse("cases:family_suggest")
    rows = []
    for kind, data in typed_values().items():
        body = {"name": "", "phone": "", "external_case_number": "", "attach": "new", **data}
        status = client.post(url, body, HTTP_HX_REQUEST="true").status_code  # warm-up
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            response = client.post(url, body, HTTP_HX_REQUEST="true")
            times.append((time.perf_counter() - t0) * 1000)
            status = response.status_code
        times.sort()
        found = response.content.decode().count('class="border rounded p-2 mb-2 suggestion')
        rows.append(
            {
                "kind": kind,
                "typed": next(iter(data.values())),
                "status": status,
                "found": found,
                "p50_ms": statistics.median(times),
                "p95_ms": times[max(0, int(len(times) * 0.95) - 1)],
            }
        )
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        f"| kind | status | suggestions | p50 ms | p95 ms | p95 ≤ {GOAL_P95_MS} ms |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        ok = "yes" if r["p95_ms"] <= GOAL_P95_MS and r["status"] == 200 else "**no**"
        lines.append(
            f"| {r['kind']} | {r['status']} | {r['found']} | {r['p50_ms']:.1f} | "
            f"{r['p95_ms']:.1f} | {ok} |"
        )
    return "\n".join(lines)


def main() -> int:
    from bench import run

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=run.DEFAULT_DB)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    if not run.database_exists(args.db):
        print(f"bench: database {args.db} does not exist; run bench/generate.py first.")
        return 2
    run.setup_django(args.db)
    users = run.bench_users(run.bench_meta())
    client = run.mfa_client(users["advocate"])
    print(f"suggestion endpoint on {args.db}, {args.runs} requests per kind (in-process):")
    load = os.getloadavg()
    print(table(measure(client, args.runs)))
    after = os.getloadavg()[0]
    print(f"load average before/after: {load[0]:.1f} / {after:.1f} (cores: {os.cpu_count()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
