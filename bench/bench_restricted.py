"""What the restricted-case filter costs the case list, on the bench database.

Takes the SQL Django generates for the case list of an advocate — page 1 (25 newest) and
the counts — with and without `cases.restricted.exclude_hidden`, and times both on the
bench data set (`bench/generate.py --scale full`: 300,000 cases). The bench database has
no privacy tables; they are created as session-local TEMP tables (50 restricted cases
picked at random, no grants, no break-glass), so the bench data itself is only read.
A plain script: it prints figures, it asserts nothing.

    .venv/bin/python bench/bench_restricted.py [--db familysupport_bench] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familysupport.settings.test")

import django

django.setup()

import psycopg  # noqa: E402

from accounts.models import User  # noqa: E402
from cases import selectors  # noqa: E402

TEMP_TABLES = [
    "CREATE TEMP TABLE cases_caserestriction (id bigserial primary key, case_id bigint not null,"
    " reason text default '', placed_by_id bigint, placed_at timestamptz default now(),"
    " lifted_by_id bigint, lifted_at timestamptz, lift_reason text default '')",
    "CREATE UNIQUE INDEX ON cases_caserestriction (case_id) WHERE lifted_at IS NULL",
    "CREATE TEMP TABLE cases_caseaccessgrant (id bigserial primary key, case_id bigint,"
    " user_id bigint, removed_at timestamptz)",
    "CREATE INDEX ON cases_caseaccessgrant (user_id, case_id)",
    "CREATE TEMP TABLE cases_breakglass (id bigserial primary key, case_id bigint,"
    " user_id bigint, expires_at timestamptz)",
    "CREATE INDEX ON cases_breakglass (user_id, expires_at)",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=os.environ.get("FSP_BENCH_DB_NAME", "familysupport_bench"))
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--restricted", type=int, default=50)
    args = parser.parse_args()

    conn = psycopg.connect(f"{args.server}/{args.db}", autocommit=True)
    cur = conn.cursor()
    cur.execute("SET jit = off")
    cur.execute(
        "SELECT assigned_advocate_id FROM cases_case WHERE assigned_advocate_id IS NOT NULL "
        "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    )
    advocate = User(pk=cur.fetchone()[0], role=User.Role.ADVOCATE, is_active=True)
    for statement in TEMP_TABLES:
        cur.execute(statement)
    cur.execute(
        "INSERT INTO cases_caserestriction (case_id) SELECT id FROM cases_case "
        "ORDER BY random() LIMIT %s",
        [args.restricted],
    )
    cur.execute("ANALYZE cases_caserestriction; ANALYZE cases_caseaccessgrant;")
    cur.execute("ANALYZE cases_breakglass")

    every = selectors.case_list_visible_to(user=advocate, with_restricted=True)
    scoped = selectors.case_list_visible_to(user=advocate)
    shapes = {
        "page 1 (25 newest)": lambda qs: qs.order_by("-opened_at")[:25],
        "count, all cases": lambda qs: qs.order_by().values("pk"),
        "count, open and active": lambda qs: (
            qs.filter(status__in=["open", "active"]).order_by().values("pk")
        ),
    }

    def timed(qs, count: bool) -> float:
        sql, params = qs.query.sql_with_params()
        # The SQL is Django's own for the queryset; parameters stay parameters.
        text = f"SELECT count(*) FROM ({sql}) s" if count else sql  # noqa: S608
        start = time.perf_counter()
        cur.execute(text, params)
        cur.fetchall()
        return (time.perf_counter() - start) * 1000

    print(f"{args.restricted} restricted cases; advocate #{advocate.pk}; median of {args.runs}")
    for name, shape in shapes.items():
        base = shape(every.filter(family__merged_into__isnull=True))
        filtered = shape(scoped.filter(family__merged_into__isnull=True))
        count = name.startswith("count")
        b = statistics.median(timed(base, count) for _ in range(args.runs))
        f = statistics.median(timed(filtered, count) for _ in range(args.runs))
        print(f"  {name:24} without {b:8.1f} ms   with the restriction filter {f:8.1f} ms")


if __name__ == "__main__":
    main()
