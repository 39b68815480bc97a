#!/usr/bin/env python
"""The new-call duplicate search: the real POST endpoint, p50/p95 per kind of typing.

    .venv/bin/python bench/bench_suggest.py [--db familysupport_bench] [--runs 40] [--plans]

Five kinds, each as an advocate types it into the call form: a family's phone number in
national format, a common surname, the rarest surname of the data, a full name with a
one-letter typo, and a new caller (a known first name, a surname no family has: what most
calls are, and the typo search's worst case, as it finds nothing). Times are in-process
(Django test client, signed in with both factors): the server's time for one suggestion
request, queries included, no network (`bench/run.py` measures the same four kinds over
HTTP under load). Then the search's SQL statement under EXPLAIN (ANALYZE, BUFFERS), 10
times per kind: PostgreSQL's planning and execution time, apart from Python and from
waiting for a CPU (`--plans` prints one plan per kind). Prints figures, asserts nothing;
the load average goes with them (2 CPUs shared by several people: a busy machine doubles
the p95).
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
        cur.execute(
            "SELECT count(*) FROM cases_family WHERE contact_name LIKE %s", ["% Quenneville"]
        )
        assert cur.fetchone()[0] == 0, "the new caller's surname is in the data"
    # One letter changed in the middle of the surname: "Whitfield" → "Whitfeeld".
    first, _, surname = full.rpartition(" ")
    i = max(1, len(surname) // 2)
    typo = f"{first} {surname[:i]}{'e' if surname[i] != 'e' else 'a'}{surname[i + 1 :]}".strip()
    return {
        "phone": {"phone": display(phone)},
        "common surname": {"name": common},
        "rare surname": {"name": rare},
        "one-letter typo": {"name": typo},
        "new caller": {"name": f"{first.split()[0]} Quenneville"},
    }


def measure(client, runs: int = 40) -> list[dict]:
    from django.urls import reverse

    url = reverse("cases:family_suggest")
    rows = []
    for kind, data in typed_values().items():
        body = {"name": "", "phone": "", "external_case_number": "", "attach": "new", **data}
        status = client.post(url, body, HTTP_HX_REQUEST="true").status_code  # warm-up
        times, cpu = [], []
        for _ in range(runs):
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.post(url, body, HTTP_HX_REQUEST="true")
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            status = response.status_code
        times.sort()
        cpu.sort()
        found = response.content.decode().count('class="border rounded p-2 mb-2 suggestion')
        rows.append(
            {
                "kind": kind,
                "typed": next(iter(data.values())),
                "status": status,
                "found": found,
                "p50_ms": statistics.median(times),
                "p95_ms": times[max(0, int(len(times) * 0.95) - 1)],
                # This process's CPU time (Python; PostgreSQL's is in the EXPLAIN table): what
                # the request costs, apart from waiting for a CPU on a busy machine.
                "cpu_p50_ms": statistics.median(cpu),
                "cpu_p95_ms": cpu[max(0, int(len(cpu) * 0.95) - 1)],
            }
        )
    return rows


def explain(user, runs: int = 10) -> list[dict]:
    """Planning and execution time of the search's statement, as PostgreSQL reports them."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from cases import selectors

    rows = []
    for kind, data in typed_values().items():
        with CaptureQueriesContext(connection) as captured:
            selectors.family_suggest(user=user, **data)
        # The statement as sent (values inlined), after the `set_config` that precedes it.
        setting, _, search = captured.captured_queries[-1]["sql"].partition(";")
        planning, execution = [], []
        for _ in range(runs):
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(setting)
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + search)
                plan = [line for (line,) in cur.fetchall()]
            times = {
                ln.split(":")[0].strip(): float(ln.split()[-2]) for ln in plan if " Time: " in ln
            }
            planning.append(times["Planning Time"])
            execution.append(times["Execution Time"])
        rows.append(
            {
                "kind": kind,
                "plan": plan,
                "planning_ms": statistics.median(planning),
                "execution_ms": statistics.median(execution),
                "execution_min_ms": min(execution),
            }
        )
    return rows


def explain_table(rows: list[dict]) -> str:
    lines = [
        "| kind | planning ms (median) | execution ms (median) | execution ms (min) |",
        "|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['kind']} | {r['planning_ms']:.2f} | {r['execution_ms']:.2f} | "
            f"{r['execution_min_ms']:.2f} |"
        )
    return "\n".join(lines)


def table(rows: list[dict]) -> str:
    lines = [
        f"| kind | status | suggestions | p50 ms | p95 ms | p95 ≤ {GOAL_P95_MS} ms "
        "| Python CPU p50 / p95 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ok = "yes" if r["p95_ms"] <= GOAL_P95_MS and r["status"] == 200 else "**no**"
        lines.append(
            f"| {r['kind']} | {r['status']} | {r['found']} | {r['p50_ms']:.1f} | "
            f"{r['p95_ms']:.1f} | {ok} | {r['cpu_p50_ms']:.1f} / {r['cpu_p95_ms']:.1f} |"
        )
    return "\n".join(lines)


def main() -> int:
    from bench import run

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=run.DEFAULT_DB)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--plans", action="store_true", help="print one plan per kind")
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
    print("\nthe search's SQL statement, EXPLAIN (ANALYZE, BUFFERS) x 10:")
    plans = explain(users["advocate"])
    print(explain_table(plans))
    if args.plans:
        for r in plans:
            print(f"\n--- {r['kind']}\n" + "\n".join(r["plan"]))
    print(f"load average: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
