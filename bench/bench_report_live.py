"""What "live means live" costs: the yearly report cold and warm, and a write's trigger.

On the bench database (`bench/generate.py --scale full`, migrated so the data-version
triggers exist), for the bench report year:

- cold: the year's cached runs deleted, then figures.compute as the Celery task runs it
  (services.run_execute), and the page that queued it;
- warm: the page with a current run (median of --runs), with its SQL statement count;
- after one committed write to a counted table (a contact inserted, then deleted): the
  run is no longer current, the next page queues a recomputation;
- the write's own cost: one-row INSERT+DELETE transactions on cases_contact with the
  data-version trigger enabled and disabled (median of --writes each).

A plain script: it prints figures, it asserts nothing. It leaves the data as it found it
(the contact it adds is deleted; the version counter moves on).

    .venv/bin/python bench/bench_report_live.py [--db familysupport_bench] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=os.environ.get("FSP_BENCH_DB_NAME", "familysupport_bench"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--writes", type=int, default=200)
    args = parser.parse_args()

    from bench import run as bench

    bench.setup_django(args.db)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from reports import services
    from reports.models import ReportRun

    meta = bench.bench_meta()
    year = meta["report_year"]
    user = bench.bench_users(meta)["administrator"]
    client = bench.mfa_client(user)
    path = reverse("reports:year", args=[year])

    def page() -> tuple[float, int]:
        with CaptureQueriesContext(connection) as q:
            t0 = time.perf_counter()
            assert client.get(path).status_code == 200
            return time.perf_counter() - t0, bench.sql_statements(q.captured_queries)

    def finish_queued() -> float:
        t0 = time.perf_counter()
        for run in ReportRun.objects.filter(year=year, status=ReportRun.Status.PENDING):
            services.run_execute(run_id=run.pk)
        return time.perf_counter() - t0

    print(f"database {args.db}, report year {year}, data version {services.data_version()}")
    ReportRun.objects.filter(year=year).delete()
    cold_page, cold_q = page()
    task = finish_queued()
    print(f"cold: page {cold_page:.3f} s ({cold_q} statements) + computation {task:.3f} s")
    warm = [page() for _ in range(args.runs)]
    print(
        f"warm: median {statistics.median(w[0] for w in warm) * 1000:.1f} ms,"
        f" {warm[-1][1]} statements"
    )

    with connection.cursor() as cur:
        cur.execute("SELECT case_id, advocate_id FROM cases_contact ORDER BY id DESC LIMIT 1")
        case_id, advocate_id = cur.fetchone()
    insert = (
        # A copy of the newest contact, moved to now: every NOT NULL column filled as stored.
        "INSERT INTO cases_contact (case_id, advocate_id, started_at, duration_minutes, needs,"
        " created_at, updated_at, safety_concern, self_harm_risk, direction, channel,"
        " participants, purpose, safety_note, notes)"
        " SELECT case_id, advocate_id, now(), duration_minutes, needs, now(), now(),"
        " safety_concern, self_harm_risk, direction, channel, participants, purpose,"
        " safety_note, '' FROM cases_contact WHERE case_id = %s AND advocate_id = %s"
        " ORDER BY id DESC LIMIT 1 RETURNING id"
    )

    def write_once() -> float:
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute(insert, [case_id, advocate_id])
            new_id = cur.fetchone()[0]
            cur.execute("DELETE FROM cases_contact WHERE id = %s", [new_id])
            cur.execute("COMMIT")
        return time.perf_counter() - t0

    before = services.data_version()
    write_once()
    stale_page, _ = page()
    pending = ReportRun.objects.filter(year=year, status=ReportRun.Status.PENDING).exists()
    recompute = finish_queued()
    print(
        f"after one committed write: version {before} -> {services.data_version()},"
        f" page {stale_page:.3f} s (recomputation queued: {pending}),"
        f" recomputation {recompute:.3f} s"
    )

    with_trigger = statistics.median(write_once() for _ in range(args.writes))
    with connection.cursor() as cur:
        cur.execute("ALTER TABLE cases_contact DISABLE TRIGGER reports_data_version")
    try:
        without = statistics.median(write_once() for _ in range(args.writes))
    finally:
        with connection.cursor() as cur:
            cur.execute("ALTER TABLE cases_contact ENABLE TRIGGER reports_data_version")
    print(
        f"one-row write transaction on cases_contact: {with_trigger * 1000:.2f} ms with the"
        f" trigger, {without * 1000:.2f} ms without (median of {args.writes})"
    )


if __name__ == "__main__":
    main()
