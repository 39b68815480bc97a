#!/usr/bin/env python
"""Measure the portal against the bench database; print a table and write bench/RESULTS.md.

    .venv/bin/python bench/generate.py --scale full     # once (≈ 5 min): the data set
    .venv/bin/python bench/run.py                       # or: make bench

Measures, in one run on this machine:
  (a) the SQL floor of the yearly report (its aggregates written directly in SQL);
  (b) the report page cold (cache cleared) and warm, in-process and under gunicorn;
  (c) every listed page: query count and in-process latency (Django test client), then
      p50/p95 latency and throughput under gunicorn (2 sync workers, persistent DB
      connections) with 8 concurrent signed-in clients on 127.0.0.1;
  (d) two floors served the same way: a bare "ok" view (framework floor) and 50 rows of a
      100,000-row table through a plain template (server-rendered-list floor);
  (e) peak memory (VmHWM) of a web worker and of the report computation.
Every load is bounded (duration and request count) and only ever talks to 127.0.0.1.
"""

# SQL here is built from constants (years, table names), never from input:
# ruff: noqa: S608
from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DB = os.environ.get("FSP_BENCH_DB_NAME", "familysupport_bench")
SERVER_URL = os.environ.get("FSP_BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")
RESULTS = ROOT / "bench" / "RESULTS.md"
MARK = "<!-- bench:measured{tag}:{edge} -->"

# Targets (issue 9 acceptance).
P95_MS = 150
THROUGHPUT_SHARE = 0.40
MAX_QUERIES = 15
REPORT_COLD_S = 2.0
REPORT_FLOOR_FACTOR = 2.0

CONCURRENCY = 8
WORKERS = 2


def log(msg: str = "") -> None:
    print(msg, flush=True)


# --- pages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    label: str
    url_name: str
    role: str
    args: tuple[str, ...] = ()  # keys of the context (object ids) for reverse()
    query: str = ""  # str.format()-ed with the context
    form: str = ""  # a POST body (str.format()-ed, url-encoded values): sent with a CSRF token


PAGES = [
    Page("home: advocate", "home", "advocate"),
    Page("home: supervisor", "home", "supervisor"),
    Page("home: administrator", "home", "administrator"),
    Page("home: provider", "home", "provider"),
    Page("home: volunteer", "home", "volunteer"),
    Page("case list: my open cases", "cases:case_list", "advocate", (), "mine=on&status=open"),
    Page(
        "case list: supervisor, by type",
        "cases:case_list",
        "supervisor",
        (),
        "status=active&case_type=family_abduction",
    ),
    Page("case list: name search", "cases:case_list", "advocate", (), "q={family_last}"),
    Page("case page", "cases:case_detail", "advocate", ("case",)),
    Page("family page", "cases:family_detail", "advocate", ("family",)),
    # "New call" answers 302 to a call of its own (/cases/new-call/<uuid>/): measure that page.
    # Opening it creates nothing (a draft is saved only when something is typed).
    Page("new-call page", "cases:call", "advocate", ("call_id",)),
    # The duplicate-family search is POST-only (what is typed stays out of access logs):
    # sent as the page's htmx does, with the CSRF token.
    *(
        Page(f"new-call suggestions: {kind}", "cases:family_suggest", "advocate", form=form)
        for kind, form in (
            ("phone", "name=&phone={family_phone_full_q}"),
            ("common surname", "name={family_last}&phone="),
            ("rare name", "name={family_name_q}&phone="),
            ("typo", "name={family_name_typo_q}&phone="),
        )
    ),
    Page("referral match page", "referrals:match", "advocate", ("case",)),
    Page("referral list", "referrals:list", "advocate"),
    Page("provider list", "faon:provider_list", "supervisor"),
    Page("provider page", "faon:provider_detail", "supervisor", ("provider",)),
    # faon:portal redirects a provider to its own profile: measure the profile itself.
    Page("provider portal: own profile", "faon:provider_detail", "provider", ("provider",)),
    Page("provider incoming referrals", "referrals:incoming", "provider"),
    Page("volunteer: my families", "teamhope:my_families", "volunteer"),
    Page("volunteer: family card", "teamhope:my_family", "volunteer", ("match",)),
    Page("volunteer: peer-call log", "teamhope:my_calls", "volunteer"),
    Page("volunteer: log a call", "teamhope:call_log", "volunteer", ("match",)),
    Page("travel list", "reunification:list", "supervisor"),
    Page("travel request page", "reunification:detail", "advocate", ("travel",)),
    Page("report page (warm)", "reports:year", "administrator", ("year",)),
    Page("audit log", "accounts:audit_list", "administrator"),
    # The screen pop's poll (issue 20; every second per advocate taking calls): nothing
    # ringing (almost every poll), and a new pop of a known family's call (the family search
    # and its audit entry). Set up by phone_pop_context(); the unchanged pop (204) and the
    # 50-advocate load are bench/bench_phone_pop.py's.
    Page("screen pop poll: nothing ringing", "cases:phone_pop", "advocate"),
    Page("screen pop poll: new pop", "cases:phone_pop", "supervisor"),
]


def phone_pop_context(users: dict, family_phone: str) -> dict:
    """The bench advocate and supervisor take calls; a call from the bench family rings for
    the supervisor (ringing_at an hour ahead: inside the pop's window for the whole run)."""
    import datetime as dt

    from django.utils import timezone

    from accounts import services
    from cases.models import PhoneCall

    for role in ("advocate", "supervisor"):
        services.user_taking_calls_set(user=users[role], on=True, reason="bench")
    call, _ = PhoneCall.objects.update_or_create(
        call_sid="CA-bench-run-pop",
        defaults={
            "from_number": family_phone,
            "agent": users["supervisor"],
            "status": PhoneCall.Status.RINGING,
            "ringing_at": timezone.now() + dt.timedelta(hours=1),
            "started_by": None,
            "started_at": None,
            "contact": None,
        },
    )
    return {"pop_token": f"{call.call_sid}:{call.status}"}  # what a page showing it sends


# --- setup ------------------------------------------------------------------------------------


def setup_django(db: str) -> None:
    os.environ["DATABASE_URL"] = f"{SERVER_URL}/{db}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


def database_exists(db: str) -> bool:
    import psycopg

    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone()
    return row is not None


def bench_meta() -> dict:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT data FROM bench_meta")
        data = cur.fetchone()[0]
    return data if isinstance(data, dict) else json.loads(data)


def bench_users(meta: dict) -> dict:
    """The signed-in users per role, each with a TOTP authenticator (as after enrolment)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from accounts.models import User

    users = {}
    for role, email in meta["users"].items():
        user = User.objects.get(email=email)
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, generate_totp_secret())
        users[role] = user
    return users


def mfa_client(user):
    """A test client signed in with both factors, as tests/conftest.py's mfa_login does."""
    from django.test import Client

    client = Client()
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    session = client.session
    now = time.time()
    session["account_authentication_methods"] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "type": "totp"},
    ]
    session["fsp_session_started"] = now
    session["fsp_last_activity"] = now
    session.save()
    return client


def session_cookie(user) -> str:
    from django.conf import settings

    client = mfa_client(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def context(meta: dict, users: dict) -> dict:
    """Ids of representative objects the pages open (a busy case of the bench advocate ...)."""
    from urllib.parse import quote_plus

    from django.db import connection

    ctx: dict = {"year": meta["report_year"], "call_id": str(uuid.uuid4())}
    with connection.cursor() as cur:

        def one(sql: str, params=()):
            cur.execute(sql, params)
            row = cur.fetchone()
            return row[0] if row else None

        adv = users["advocate"].pk
        ctx["case"] = one(
            """SELECT c.id FROM cases_case c WHERE c.assigned_advocate_id = %s
               AND c.status IN ('open', 'active')
               ORDER BY (SELECT count(*) FROM cases_contact ct WHERE ct.case_id = c.id) DESC,
                        c.id LIMIT 1""",
            [adv],
        )
        cur.execute(
            "SELECT f.id, f.display_name, f.contact_name, f.phone FROM cases_family f "
            "JOIN cases_case c ON c.family_id = f.id WHERE c.id = %s",
            [ctx["case"]],
        )
        fam = cur.fetchone()
        if fam:
            ctx["family"] = fam[0]
            ctx["family_last"] = quote_plus(fam[2].split()[-1])
            ctx["family_name_q"] = quote_plus(fam[2])
            ctx["family_phone_q"] = quote_plus(fam[3][:-2])
            ctx["family_phone_full_q"] = quote_plus(fam[3])
            name = fam[2]
            i = max(1, len(name) // 2)
            ctx["family_name_typo_q"] = quote_plus(
                name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]
            )
        ctx.update(phone_pop_context(users, fam[3] if fam else ""))
        ctx["provider"] = one(
            "SELECT provider_id FROM faon_provider_managers WHERE user_id = %s ORDER BY 1 LIMIT 1",
            [users["provider"].pk],
        )
        ctx["match"] = one(
            """SELECT m.id FROM teamhope_peermatch m JOIN teamhope_volunteer v
               ON v.id = m.volunteer_id WHERE v.user_id = %s
               ORDER BY m.ended_at IS NULL DESC, m.started_at DESC LIMIT 1""",
            [users["volunteer"].pk],
        )
        ctx["travel"] = one(
            "SELECT id FROM reunification_travelrequest WHERE requested_by_id = %s "
            "ORDER BY created_at DESC LIMIT 1",
            [adv],
        ) or one("SELECT max(id) FROM reunification_travelrequest")
    return ctx


def page_path(page: Page, ctx: dict) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        args = [ctx[a] for a in page.args]
        if any(a is None for a in args):
            return None
        path = reverse(page.url_name, args=args)
    except (NoReverseMatch, KeyError):
        return None
    return path + ("?" + page.query.format(**ctx) if page.query else "")


def page_body(page: Page, ctx: dict) -> str:
    return page.form.format(**ctx) if page.form else ""


def client_request(client, page: Page, path: str, ctx: dict):
    if page.form:
        return client.post(
            path, page_body(page, ctx), content_type="application/x-www-form-urlencoded"
        )
    return client.get(path)


# --- (a) SQL floor of the yearly report --------------------------------------------------------


def floor_queries(year: int, tz: str) -> list[tuple[str, str]]:
    """The report's figures written directly in SQL: what no ORM or page could beat."""
    s = f"make_timestamptz({year}, 1, 1, 0, 0, 0, '{tz}')"
    e = f"make_timestamptz({year + 1}, 1, 1, 0, 0, 0, '{tz}')"
    month = "extract(month FROM {col} AT TIME ZONE '" + tz + "')"
    return [
        (
            "headline: families given mental-health support",
            f"""SELECT count(*) FROM (
                  SELECT c.family_id FROM cases_contact ct JOIN cases_case c ON c.id = ct.case_id
                  WHERE ct.purpose IN ('crisis_intervention', 'emotional_support')
                    AND ct.started_at >= {s} AND ct.started_at < {e}
                  UNION
                  SELECT r.family_id FROM referrals_referral r
                  WHERE r.service_type IN ('mental_health', 'psychiatric')
                    AND r.status NOT IN ('draft', 'sent', 'declined', 'expired')
                    AND r.accepted_at >= {s} AND r.accepted_at < {e}) f""",
        ),
        (
            "headline: FAON participants (active any day)",
            f"""SELECT count(DISTINCT provider_id) FROM (
                  SELECT provider_id, to_status, at,
                         lead(at) OVER (PARTITION BY provider_id ORDER BY at, id) AS until
                  FROM faon_providerstatuschange) s
                WHERE to_status = 'active' AND at < {e} AND (until IS NULL OR until > {s})""",
        ),
        (
            "headline: Team HOPE peer calls",
            f"SELECT count(*) FROM teamhope_peercall WHERE called_at >= {s} AND called_at < {e}",
        ),
        (
            "contacts by purpose and month",
            f"""SELECT purpose, {month.format(col="started_at")} AS m, count(*)
                FROM cases_contact WHERE started_at >= {s} AND started_at < {e}
                GROUP BY 1, 2""",
        ),
        (
            "new cases by type",
            f"""SELECT case_type, count(*) FROM cases_case
                WHERE opened_at >= {s} AND opened_at < {e} GROUP BY 1""",
        ),
        (
            "referrals by service and outcome, median response",
            f"""SELECT service_type, count(*),
                  count(*) FILTER (WHERE accepted_at IS NOT NULL),
                  count(*) FILTER (WHERE accepted_at IS NULL AND status = 'declined'),
                  count(*) FILTER (WHERE accepted_at IS NULL AND status = 'expired'),
                  count(*) FILTER (WHERE accepted_at IS NULL AND status = 'sent'),
                  count(*) FILTER (WHERE first_appointment_on IS NOT NULL),
                  count(*) FILTER (WHERE status = 'completed'),
                  percentile_cont(0.5) WITHIN GROUP (
                    ORDER BY extract(epoch FROM responded_at - sent_at) / 3600)
                    FILTER (WHERE responded_at IS NOT NULL)
                FROM referrals_referral WHERE sent_at >= {s} AND sent_at < {e}
                GROUP BY ROLLUP (service_type)""",
        ),
        (
            "legal assistance requests",
            f"""SELECT requester_kind, count(*), count(*) FILTER (WHERE status = 'completed'),
                  count(*) FILTER (WHERE case_id IS NOT NULL),
                  count(*) FILTER (WHERE 'attorney_referral' = ANY(provided))
                FROM referrals_legalassistancerequest
                WHERE received_on >= make_date({year}, 1, 1)
                  AND received_on < make_date({year + 1}, 1, 1)
                GROUP BY ROLLUP (requester_kind)""",
        ),
        (
            "reunification trips and cost",
            f"""SELECT count(*) FILTER (WHERE t.submitted_at >= {s} AND t.submitted_at < {e}),
                  count(*) FILTER (WHERE t.approved_at >= {s} AND t.approved_at < {e}),
                  count(*) FILTER (WHERE t.status = 'completed'
                                   AND t.completed_at >= {s} AND t.completed_at < {e}),
                  (SELECT sum(g.estimated_cost) || '/' || sum(g.actual_cost)
                   FROM reunification_segment g JOIN reunification_travelrequest r
                     ON r.id = g.travel_request_id
                   WHERE r.completed_at >= {s} AND r.completed_at < {e})
                FROM reunification_travelrequest t""",
        ),
        (
            "FAON compliance of participants",
            f"""WITH p AS (
                  SELECT DISTINCT provider_id AS id FROM (
                    SELECT provider_id, to_status, at,
                           lead(at) OVER (PARTITION BY provider_id ORDER BY at, id) AS until
                    FROM faon_providerstatuschange) s
                  WHERE to_status = 'active' AND at < {e} AND (until IS NULL OR until > {s}))
                SELECT count(*),
                  count(*) FILTER (WHERE tr.events >= 1 OR tr.online >= 2),
                  count(*) FILTER (WHERE lic.ok), count(*) FILTER (WHERE ins.ok),
                  count(*) FILTER (WHERE pr.details_confirmed_at >= {e} - interval '12 months')
                FROM p JOIN faon_provider pr ON pr.id = p.id
                LEFT JOIN LATERAL (
                  SELECT count(*) FILTER (WHERE ev.kind <> 'online') AS events,
                         count(*) FILTER (WHERE ev.kind = 'online') AS online
                  FROM faon_attendance a JOIN faon_trainingevent ev ON ev.id = a.event_id
                  WHERE a.provider_id = p.id AND a.confirmed_at IS NOT NULL
                    AND a.completed_at >= {s} AND a.completed_at < {e}) tr ON TRUE
                LEFT JOIN LATERAL (
                  SELECT bool_or(l.standing = 'good' AND l.verification = 'verified'
                                 AND l.expires_on >= ({e})::date) AS ok
                  FROM faon_license l WHERE l.provider_id = p.id) lic ON TRUE
                LEFT JOIN LATERAL (
                  SELECT bool_or(i.verification = 'verified' AND i.covers_to >= ({e})::date) AS ok
                  FROM faon_insurancepolicy i WHERE i.provider_id = p.id) ins ON TRUE""",
        ),
        (
            "Team HOPE calls by month",
            f"""SELECT {month.format(col="c.called_at")} AS m, count(*),
                  count(DISTINCT m.family_id), count(*) FILTER (WHERE c.escalated)
                FROM teamhope_peercall c JOIN teamhope_peermatch m ON m.id = c.match_id
                WHERE c.called_at >= {s} AND c.called_at < {e} GROUP BY ROLLUP (1)""",
        ),
    ]


def measure_sql_floor(year: int, tz: str, repeat: int = 3, explain: bool = True) -> list[dict]:
    from django.db import connection

    out = []
    with connection.cursor() as cur:
        for label, sql in floor_queries(year, tz):
            times = []
            result = None
            for _ in range(repeat):
                t0 = time.perf_counter()
                cur.execute(sql)
                rows = cur.fetchall()
                times.append(time.perf_counter() - t0)
                result = rows[0] if len(rows) == 1 else f"{len(rows)} rows"
            plan = [{"Execution Time": None}]
            if explain:
                cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                plan = cur.fetchone()[0]
                plan = plan if isinstance(plan, list) else json.loads(plan)
            out.append(
                {
                    "label": label,
                    "first_ms": times[0] * 1000,
                    "best_ms": min(times) * 1000,
                    "explain_ms": plan[0]["Execution Time"],
                    "result": result,
                }
            )
    return out


# --- (b) the report page ---------------------------------------------------------------------


def clear_report_cache(year: int) -> None:
    from django.core.cache import cache

    try:
        from reports.models import ReportRun

        ReportRun.objects.filter(year=year).delete()
    except ImportError:
        pass
    cache.clear()


def measure_report_inprocess(user, year: int) -> dict:
    """Cold: cache cleared → page (computes inline, or hands a slow year to Celery) → the
    task's work (services.run_execute, timed here in-process) → warm page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    try:
        path = reverse("reports:year", args=[year])
        from reports import figures, services
        from reports.models import ReportRun
    except (NoReverseMatch, ImportError) as exc:
        return {"skipped": f"the report is not available ({exc})"}
    out: dict = {"path": path}
    marks: list[tuple[str, float]] = []
    t0 = time.perf_counter()
    figures.compute(year, lambda _pct, step: marks.append((step, time.perf_counter())))
    out["compute_s"] = time.perf_counter() - t0
    out["sections"] = [
        (label, end - start) for (label, start), (_, end) in itertools.pairwise(marks)
    ]
    from django.conf import settings

    client = mfa_client(user)
    # Cold three times, each right after the SQL floor (one pass of its queries): the
    # report's ratio to its floor is taken pairwise, the median kept.
    colds, floors, ratios = [], [], []
    for _ in range(3):
        floor_s = sum(f["best_ms"] for f in measure_sql_floor(year, settings.TIME_ZONE, 1, False))
        floors.append(floor_s / 1000)
        clear_report_cache(year)
        with CaptureQueriesContext(connection) as q:
            t0 = time.perf_counter()
            resp = client.get(path)
            out["cold_page_s"] = time.perf_counter() - t0
        out["cold_status"] = resp.status_code
        out["cold_queries"] = sql_statements(q.captured_queries)
        pending = ReportRun.objects.filter(year=year, status=ReportRun.Status.PENDING).first()
        out["handed_to_celery"] = pending is not None
        if pending is not None:
            t0 = time.perf_counter()
            services.run_execute(run_id=pending.pk)
            out["task_s"] = time.perf_counter() - t0
            colds.append(out["cold_page_s"] + out["task_s"])
        else:
            colds.append(out["cold_page_s"])
        ratios.append(colds[-1] / floors[-1])
    out["cold_s"] = statistics.median(colds)
    out["cold_runs"] = colds
    out["cold_floor_runs"] = floors
    out["cold_floor_ratio"] = statistics.median(ratios)
    warm = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as q:
            t0 = time.perf_counter()
            resp = client.get(path)
            warm.append(time.perf_counter() - t0)
    out["warm_status"] = resp.status_code
    out["warm_queries"] = sql_statements(q.captured_queries)
    out["warm_s"] = statistics.median(warm)
    return out


def warm_report_cache(year: int) -> None:
    """Finish a queued report run in-process (no Celery worker serves the bench database)."""
    try:
        from reports import services
        from reports.models import ReportRun
    except ImportError:
        return
    for run in ReportRun.objects.filter(year=year, status=ReportRun.Status.PENDING):
        services.run_execute(run_id=run.pk)


def report_task_memory(db: str, year: int) -> dict:
    """Peak memory of the report computation, in a fresh process (as a Celery worker runs it)."""
    proc = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(Path(__file__)), "--db", db, "--report-task", str(year)]
        + (
            ["--pg-options", os.environ["FSP_BENCH_PG_OPTIONS"]]
            if os.environ.get("FSP_BENCH_PG_OPTIONS")
            else []
        ),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            return json.loads(line)
    return {"error": (proc.stderr or proc.stdout)[-300:]}


def _vm(field_name: str, pid: int | str = "self") -> int:
    """A /proc/<pid>/status figure in KiB (VmHWM = peak resident set)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    m = re.search(rf"^{field_name}:\s+(\d+) kB", text, re.M)
    return int(m.group(1)) if m else 0


def report_task(year: int) -> None:
    from reports import figures

    before = _vm("VmRSS")
    t0 = time.perf_counter()
    figures.compute(year)
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - t0,
                "rss_before_mb": before / 1024,
                "peak_mb": _vm("VmHWM") / 1024,
            }
        )
    )


# --- (c) pages in-process: query counts --------------------------------------------------------


TX_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def sql_statements(captured: list[dict]) -> int:
    """Queries that touch data: BEGIN/COMMIT/SAVEPOINT (ATOMIC_REQUESTS) are not counted."""
    return sum(1 for x in captured if not x["sql"].lstrip().upper().startswith(TX_CONTROL))


SIGNED_IN_PATH = "/bench/signed-in/"  # bench/urls.py: signed in, MFA-checked, audited, empty


def _wsgi_environ(path: str, cookie: str = "") -> dict:
    import io

    env = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }
    if cookie:
        env["HTTP_COOKIE"] = cookie
    return env


def measure_signed_in_floor(user, n: int = 300) -> dict:
    """The fixed cost of a signed-in request, in-process (no HTTP, no test client): the
    portal's WSGI handler serving the signed-in floor (session read, user, second-factor
    and time-out checks, CSP nonce, one audit INSERT) n times, per request the wall time
    and this process's CPU time (CPU time is what the machine's other load disturbs least),
    and the SQL round trips of one request. The bare floor (no middleware) is measured
    the same way in a subprocess (its own settings)."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    app = WSGIHandler()
    cookie = session_cookie(user)
    statuses: Counter = Counter()

    def one() -> None:
        body = app(
            _wsgi_environ(SIGNED_IN_PATH, cookie), lambda status, _h: statuses.update([status])
        )
        b"".join(body)
        body.close()

    for _ in range(3):  # steady state: the session has recorded the second factor
        one()
    with CaptureQueriesContext(connection) as q:
        one()
    statements = [x["sql"][:60] for x in q.captured_queries]
    walls, cpus = [], []
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        one()
        cpus.append(time.process_time() - c0)
        walls.append(time.perf_counter() - t0)
    bare = _bare_floor_inprocess(n)
    out = {
        "n": n,
        "statuses": dict(statuses),
        "statements": statements,
        "wall_ms": statistics.median(walls) * 1000,
        "cpu_ms": statistics.mean(cpus) * 1000,
        "bare_wall_ms": bare.get("wall_ms"),
        "bare_cpu_ms": bare.get("cpu_ms"),
    }
    if bare.get("wall_ms") is not None:
        out["fixed_wall_ms"] = out["wall_ms"] - bare["wall_ms"]
        out["fixed_cpu_ms"] = out["cpu_ms"] - bare["cpu_ms"]
    return out


def _bare_floor_inprocess(n: int) -> dict:
    code = (
        "import json, os, statistics, sys, time, django; sys.path.insert(0, os.getcwd()); "
        "django.setup(); from django.core.handlers.wsgi import WSGIHandler; "
        "from bench.run import _wsgi_environ; app = WSGIHandler(); w = []; c = []\n"
        f"for i in range({n} + 3):\n"
        "    t0, c0 = time.perf_counter(), time.process_time()\n"
        "    b = app(_wsgi_environ('/floor/ok/'), lambda s, h: None); b''.join(b); b.close()\n"
        "    c.append(time.process_time() - c0); w.append(time.perf_counter() - t0)\n"
        "print(json.dumps({'wall_ms': statistics.median(w[3:]) * 1000, "
        "'cpu_ms': statistics.mean(c[3:]) * 1000}))"
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.floor_settings", PYTHONPATH=str(ROOT))
    proc = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            return json.loads(line)
    return {"error": (proc.stderr or proc.stdout)[-300:]}


def measure_signed_in_http(port: int, floor_port: int, cookie: str, n: int = 200) -> dict:
    """The same floor under gunicorn, one request at a time, alternating with the bare
    floor (same workers, same loopback): the difference of the medians is the fixed cost
    a signed-in request adds, HTTP included on both sides."""
    signed, bare = [], []
    for _ in range(n):
        t0 = time.perf_counter()
        get(floor_port, "/floor/ok/")
        bare.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        get(port, SIGNED_IN_PATH, cookie)
        signed.append(time.perf_counter() - t0)
    out = {
        "n": n,
        "signed_ms": statistics.median(signed) * 1000,
        "bare_ms": statistics.median(bare) * 1000,
    }
    out["fixed_ms"] = out["signed_ms"] - out["bare_ms"]
    return out


def measure_queries(pages: list[Page], ctx: dict, users: dict) -> dict[str, dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clients = {role: mfa_client(u) for role, u in users.items()}
    out: dict[str, dict] = {}
    for page in pages:
        path = page_path(page, ctx)
        if path is None:
            out[page.label] = {"skipped": f"{page.url_name} not available (not built yet?)"}
            continue
        client = clients[page.role]
        client_request(client, page, path, ctx)  # first request warms template caches
        times, db_ms = [], 0.0
        for _ in range(3):
            with CaptureQueriesContext(connection) as q:
                t0 = time.perf_counter()
                resp = client_request(client, page, path, ctx)
                times.append(time.perf_counter() - t0)
            db_ms = sum(float(x["time"]) for x in q.captured_queries) * 1000
        out[page.label] = {
            "path": path,
            "body": page_body(page, ctx),
            "status": resp.status_code,
            "queries": sql_statements(q.captured_queries),
            "statements": len(q.captured_queries),
            "db_ms": db_ms,
            "solo_ms": statistics.median(times) * 1000,
            "bytes": len(resp.content),
            "slowest": sorted(
                ((float(x["time"]) * 1000, x["sql"][:300]) for x in q.captured_queries),
                reverse=True,
            )[:2],
        }
    return out


# --- (c, d) gunicorn and the load loop -----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    settings: str
    db: str
    port: int = 0
    proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.port = free_port()
        env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE=self.settings,
            DATABASE_URL=f"{SERVER_URL}/{self.db}",
            PYTHONPATH=str(ROOT),
        )
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--chdir",
            str(ROOT),
            "--log-level",
            "warning",
            "--timeout",
            "120",
            "familysupport.wsgi:application",
        ]
        self.proc = subprocess.Popen(cmd, env=env, cwd=ROOT)  # noqa: S603 - fixed command
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                status, _ = get(self.port, "/floor/ok/" if "floor" in self.settings else "/health/")
                if status < 500:
                    return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn ({self.settings}) did not start")

    def worker_pids(self) -> list[int]:
        pids = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            m = re.search(r"^PPid:\s+(\d+)", text, re.M)
            if m and self.proc and int(m.group(1)) == self.proc.pid:
                pids.append(int(status.parent.name))
        return pids

    def __exit__(self, *exc) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


# A CSRF secret of our own, sent as the cookie and as the X-CSRFToken header (Django accepts
# the unmasked 32-character secret): POSTs pass the CSRF check as the page's htmx's do.
CSRF_SECRET = "benchbenchbenchbenchbenchbench12"  # noqa: S105 - a test token


def get(port: int, path: str, cookie: str = "", body: str = "") -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        headers = {"Host": "127.0.0.1"}
        if cookie:
            headers["Cookie"] = cookie
        if body:
            from django.conf import settings

            headers["Cookie"] = f"{cookie}; {settings.CSRF_COOKIE_NAME}={CSRF_SECRET}".lstrip("; ")
            headers["X-CSRFToken"] = CSRF_SECRET
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["HX-Request"] = "true"
        conn.request("POST" if body else "GET", path, body=body or None, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, len(body)
    finally:
        conn.close()


@dataclass
class LoadResult:
    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        data = sorted(self.latencies)
        return data[min(len(data) - 1, round(p / 100 * (len(data) - 1)))] * 1000


def load(
    port: int,
    path: str,
    cookies: list[str],
    *,
    duration: float,
    max_requests: int,
    concurrency: int = CONCURRENCY,
    body: str = "",
    warm: bool = True,
) -> LoadResult:
    """`concurrency` clients, each sending its next request as soon as the last one answered
    (each client with its own session cookie)."""
    for i in range(concurrency if warm else 0):  # warm-up: every worker rendered the page once
        get(port, path, cookies[i % len(cookies)], body)
    result = LoadResult()
    lock = threading.Lock()
    issued = 0
    deadline = time.perf_counter() + duration

    def client(i: int) -> None:
        nonlocal issued
        cookie = cookies[i % len(cookies)]
        while True:
            with lock:
                if issued >= max_requests or time.perf_counter() >= deadline:
                    return
                issued += 1
            t0 = time.perf_counter()
            try:
                status, _ = get(port, path, cookie, body)
            except OSError:
                status = 0
            elapsed = time.perf_counter() - t0
            with lock:
                result.latencies.append(elapsed)
                result.statuses[status] += 1
                result.requests += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - t0
    return result


def interleaved(
    port: int,
    floor_port: int,
    path: str,
    cookies: list[str],
    *,
    body: str,
    rounds: int,
    window: float,
    max_requests: int,
) -> dict:
    """floor, page, floor, page … in short windows: each page window is compared with the
    list-floor window just before it, so a machine that gets busier or quieter during the
    run moves both. The page's share of the floor is the median of the paired ratios."""
    ratios, floors, pages = [], [], []
    latencies: list[float] = []
    statuses: Counter = Counter()
    for i in range(rounds):
        f = load(floor_port, "/floor/list/", [""], duration=window, max_requests=max_requests)
        r = load(
            port,
            path,
            cookies,
            duration=window,
            max_requests=max_requests,
            body=body,
            warm=i == 0,
        )
        floors.append(f.rps)
        pages.append(r.rps)
        ratios.append(r.rps / f.rps if f.rps else 0.0)
        latencies += r.latencies
        statuses.update(r.statuses)
    both = LoadResult(latencies=latencies)
    return {
        "p50": both.pct(50),
        "p95": both.pct(95),
        "rps": statistics.mean(pages),
        "floor_rps": statistics.mean(floors),
        "ratio": statistics.median(ratios),
        "ratio_lo": min(ratios),
        "ratio_hi": max(ratios),
        "ratios": ratios,
        "http": dict(statuses),
    }


def purge_broker() -> int:
    """Drop what the bench queued (the cold report's run) from its own broker database:
    no worker serves it, and nothing of the bench may linger in Redis."""
    try:
        from familysupport.celery import app

        return app.control.purge() or 0
    except Exception:  # best effort: the figures are already measured
        return 0


# --- report -------------------------------------------------------------------------------------


def template_loaders() -> str:
    """What renders templates in these (production) settings: the cached loader or not."""
    from django.template import engines

    engine = engines["django"].engine  # type: ignore[attr-defined]
    return ", ".join(
        type(loader).__module__.rsplit(".", 1)[-1]
        + "."
        + type(loader).__name__
        + (
            f" ({', '.join(type(x).__name__ for x in loader.loaders)})"
            if hasattr(loader, "loaders")
            else ""
        )
        for loader in engine.template_loaders
    )


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = _meminfo_gb()
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        pg = cur.fetchone()[0].split(" on ")[0]
        settings = {}
        for name in ("shared_buffers", "work_mem", "effective_cache_size", "jit"):
            cur.execute(f"SHOW {name}")
            settings[name] = cur.fetchone()[0]
        cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cur.fetchone()[0]
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "mem_gb": mem_gb,
        "python": platform.python_version(),
        "postgres": pg,
        "pg_settings": settings,
        "db_size": size,
    }


def _meminfo_gb() -> float:
    try:
        text = Path("/proc/meminfo").read_text()
        return round(int(re.search(r"MemTotal:\s+(\d+)", text).group(1)) / 1024 / 1024, 1)
    except (OSError, AttributeError):
        return 0.0


def row_counts() -> list[tuple[str, int]]:
    from django.db import connection

    tables = [
        ("families", "cases_family"),
        ("cases", "cases_case"),
        ("advocate contacts", "cases_contact"),
        ("tasks", "cases_task"),
        ("FAON providers", "faon_provider"),
        ("Team HOPE peer calls", "teamhope_peercall"),
        ("peer matches", "teamhope_peermatch"),
        ("referrals", "referrals_referral"),
        ("travel requests", "reunification_travelrequest"),
        ("audit entries", "accounts_auditentry"),
    ]
    out = []
    with connection.cursor() as cur:
        for label, table in tables:
            cur.execute(f"SELECT count(*) FROM {table}")
            out.append((label, cur.fetchone()[0]))
    return out


def fmt(v, digits: int = 0) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [
        f"Measured {results['when']} against `{results['db']}` "
        f"(scale `{results['meta']['scale']['name']}`, generated {results['meta']['generated_at']},"
        f" report year {results['year']}).",
        "",
        f"Machine: {m['cpus']} CPUs ({m['cpu']}), {m['mem_gb']} GB RAM, Python {m['python']}, "
        f"{m['postgres']} (shared_buffers {m['pg_settings']['shared_buffers']}, work_mem "
        f"{m['pg_settings']['work_mem']}, jit {m['pg_settings']['jit']}); "
        f"bench database {m['db_size']}"
        + (f"; connection options `{results['pg_options']}`" if results.get("pg_options") else "")
        + f". Server: gunicorn, {WORKERS} sync workers, persistent "
        f"DB connections (CONN_MAX_AGE 600); load: {CONCURRENCY} concurrent clients on 127.0.0.1, "
        f"{results['duration']:.0f} s per page (at most {results['max_requests']} requests). "
        f"Load average (1/5/15 min) before the run: "
        f"{' / '.join(f'{x:.1f}' for x in results['loadavg_before'])}, after: "
        f"{' / '.join(f'{x:.1f}' for x in results.get('loadavg_after', ()))} "
        "(other work on the machine shares its 2 CPUs and skews the figures).",
        "",
        "| data | rows |",
        "|---|---:|",
    ]
    lines += [f"| {label} | {n:,} |" for label, n in results["rows"]]

    floor = results.get("sql_floor", [])
    if floor:
        lines += [
            "",
            "### (a) SQL floor of the yearly report",
            "",
            "| query | first ms | best ms | EXPLAIN ANALYZE ms | result |",
            "|---|---:|---:|---:|---|",
        ]
        for f in floor:
            lines.append(
                f"| {f['label']} | {f['first_ms']:.0f} | {f['best_ms']:.0f} | "
                f"{f['explain_ms']:.0f} | {str(f['result'])[:40]} |"
            )
        lines.append(
            f"| **all figures** | {results['floor_first_s'] * 1000:.0f} | "
            f"**{results['floor_s'] * 1000:.0f}** | | |"
        )

    rep = results.get("report", {})
    lines += ["", "### (b) Yearly report page", ""]
    if "skipped" in rep:
        lines.append(f"Skipped: {rep['skipped']}.")
    else:
        fl = results["floor_s"]
        cold = rep.get("cold_s")
        met = cold is not None and cold <= min(REPORT_COLD_S, REPORT_FLOOR_FACTOR * fl)
        handed = rep.get("handed_to_celery")
        lines += [
            "| measure | seconds | queries | vs SQL floor | target |",
            "|---|---:|---:|---:|---|",
            f"| **cold: cache cleared → figures ready** | **{fmt(cold, 2)}** | | "
            f"{_ratio(cold, fl)} | ≤ 2x floor and ≤ 2 s: {_ok(met)} |",
            f"| … cold page response ({'progress page, run queued' if handed else 'inline'}) "
            f"| {fmt(rep.get('cold_page_s'), 2)} | {fmt(rep.get('cold_queries'))} | | |",
        ]
        if handed:
            lines.append(
                f"| … the Celery task's work (services.run_execute) | {fmt(rep.get('task_s'), 2)} "
                "| | | |"
            )
        lines += [
            f"| cold runs (each right after one pass of the SQL floor) | "
            f"{', '.join(f'{x:.2f}' for x in rep.get('cold_runs', []))} | | "
            f"median ratio {fmt(rep.get('cold_floor_ratio'), 2)}x (floors "
            f"{', '.join(f'{x:.2f}' for x in rep.get('cold_floor_runs', []))} s) | |",
            f"| figures.compute() alone | {fmt(rep.get('compute_s'), 2)} | | "
            f"{_ratio(rep.get('compute_s'), fl)} | |",
            f"| page cold under gunicorn (response only) | {fmt(rep.get('cold_http_s'), 2)} "
            "| | | |",
            f"| page warm, in-process (median of 5) | {fmt(rep.get('warm_s'), 3)} | "
            f"{fmt(rep.get('warm_queries'))} | | |",
            "",
            "Report sections (figures.compute, in order):",
            "",
            "| section | seconds |",
            "|---|---:|",
        ]
        lines += [f"| {label} | {sec:.2f} |" for label, sec in rep.get("sections", [])]

    pages = results.get("pages", [])
    floors = results.get("floors", {})
    list_rps = floors.get("list", {}).get("rps")
    lines += [
        "",
        "### (c, d) Pages under gunicorn, with the floors",
        "",
        "Queries = SQL statements per page view (BEGIN/COMMIT of ATOMIC_REQUESTS not counted); "
        "DB ms = their time and solo ms = one request alone (test client, in-process); "
        "p50/p95/req/s under gunicorn with 8 concurrent clients.",
        "",
        "Paired ratio = the page's req/s over the list floor's req/s in the window just "
        "before it (floor, page, floor, page …), median of the rounds (min-max in brackets). "
        "Growth = solo ms at full scale ÷ solo ms on the 1/100 data set (target ≤ 1.5x).",
        "",
        "| page | role | status | queries | DB ms | solo ms | growth | p50 ms | p95 ms | req/s | "
        "paired ratio (spread) | verdict |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    label = {"ok": "framework floor (bare 'ok')", "list": "list floor (50 of 100k rows)"}
    for f in results.get("floor_runs", []):
        lines.append(
            f"| *{label[f['name']]}, {f['when']}* | — | 200 | 1 | | | | {f['p50']:.0f} | "
            f"{f['p95']:.0f} | {f['rps']:.0f} | | |"
        )
    for name in ("ok", "list"):
        f = floors.get(name)
        if f and list_rps:
            lines.append(
                f"| ***{label[name]}: mean*** | — | 200 | 1 | | | | {f['p50']:.0f} | "
                f"{f['p95']:.0f} | **{f['rps']:.0f}** | {f['rps'] / list_rps:.2f} | |"
            )
    for p in pages:
        if "skipped" in p:
            lines.append(
                f"| {p['label']} | {p['role']} | — | | | | | | | | | skipped: {p['skipped']} |"
            )
            continue
        ratio = (
            f"{p['ratio']:.2f} ({p['ratio_lo']:.2f}-{p['ratio_hi']:.2f})" if "ratio" in p else "—"
        )
        growth = f"{p['growth']:.1f}x" if "growth" in p else "—"
        lines.append(
            f"| {p['label']} | {p['role']} | {p['status']} | {p['queries']} | {p['db_ms']:.0f} | "
            f"{p['solo_ms']:.0f} | {growth} | {fmt(p.get('p50'))} | {fmt(p.get('p95'))} | "
            f"{fmt(p.get('rps'))} | {ratio} | {verdict(p, list_rps)} |"
        )
    mem = results.get("memory", {})
    lines += [
        "",
        "### (c0) The signed-in request floor",
        "",
        signed_in_markdown(results),
        "",
        "### (e) Peak memory",
        "",
        f"- web worker (VmHWM after the load, max of {WORKERS}): "
        f"{fmt(mem.get('worker_peak_mb'))} MB",
        f"- report computation in a fresh process: {fmt(mem.get('report', {}).get('peak_mb'))} MB "
        f"peak ({fmt(mem.get('report', {}).get('rss_before_mb'))} MB after start-up; "
        f"{fmt(mem.get('report', {}).get('seconds'), 2)} s)",
    ]
    return "\n".join(lines)


def signed_in_markdown(results: dict) -> str:
    sf = results.get("signed_in", {})
    if not sf:
        return "Not measured."
    lines = [
        f"An empty page behind the whole stack (`{SIGNED_IN_PATH}`, bench/urls.py): session read, "
        "user, second-factor and time-out checks, CSP nonce, one audit INSERT "
        f"({len(sf.get('statements', []))} statements: "
        f"{', '.join(x.split()[0] for x in sf.get('statements', []))}). In-process (the WSGI "
        f"handler, no HTTP), {sf.get('n')} requests: wall {fmt(sf.get('wall_ms'), 2)} ms median, "
        f"CPU {fmt(sf.get('cpu_ms'), 2)} ms mean; the bare floor "
        f"{fmt(sf.get('bare_wall_ms'), 3)} / {fmt(sf.get('bare_cpu_ms'), 3)} ms: "
        "**fixed cost per signed-in request "
        f"{fmt(sf.get('fixed_wall_ms'), 2)} ms wall, {fmt(sf.get('fixed_cpu_ms'), 2)} ms CPU**.",
    ]
    sh = results.get("signed_in_http")
    if sh:
        lines.append(
            f"Under gunicorn, one request at a time alternating with the bare floor: "
            f"{sh['signed_ms']:.2f} ms vs {sh['bare_ms']:.2f} ms (medians of {sh['n']}): "
            f"**{sh['fixed_ms']:.2f} ms**."
        )
    lines.append(f"Template loaders (production settings): {results.get('template_loaders', '—')}.")
    return " ".join(lines)


def _ratio(v, floor_s) -> str:
    return "—" if v is None or not floor_s else f"{v / floor_s:.1f}x"


def _ok(b: bool) -> str:
    return "met" if b else "**missed**"


def verdict(p: dict, list_rps: float | None) -> str:
    misses = []
    if p.get("status") != 200:
        misses.append(f"status {p.get('status')}")
    if p.get("queries", 0) > MAX_QUERIES:
        misses.append(f"{p['queries']} queries > {MAX_QUERIES}")
    if p.get("p95") is not None and p["p95"] > P95_MS:
        misses.append(f"p95 > {P95_MS} ms")
    if "ratio" in p:
        if p["ratio"] < THROUGHPUT_SHARE:
            misses.append(f"ratio < {THROUGHPUT_SHARE:.2f}")
    elif list_rps and p.get("rps") is not None and p["rps"] < THROUGHPUT_SHARE * list_rps:
        misses.append(f"< {THROUGHPUT_SHARE:.0%} of floor")
    if p.get("growth", 0) > 1.5:
        misses.append("growth > 1.5x")
    return "ok" if not misses else "**" + "; ".join(misses) + "**"


def write_results(md: str, results: dict, tag: str = "") -> None:
    """Rewrite the measured block (per --tag) of RESULTS.md; keep the notes around it."""
    start = MARK.format(tag=f":{tag}" if tag else "", edge="start")
    end = MARK.format(tag=f":{tag}" if tag else "", edge="end")
    head = (
        "# Benchmark results\n\nThe measured blocks between the markers are rewritten by "
        "`bench/run.py`; the notes around them are kept.\n\n"
    )
    text = RESULTS.read_text() if RESULTS.exists() else head
    if start not in text:
        text += f"\n{start}\n{end}\n"
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    RESULTS.write_text(f"{before}{start}\n{md}\n{end}{after}")
    name = f"results-{tag}.json" if tag else "results.json"
    (ROOT / "bench" / name).write_text(json.dumps(results, indent=1, default=str))


def print_table(results: dict) -> None:
    list_rps = results.get("floors", {}).get("list", {}).get("rps")
    log("")
    log(
        f"{'page':<34} {'st':>4} {'q':>3} {'db ms':>6} {'solo':>6} {'p50':>6} {'p95':>6} "
        f"{'req/s':>6} {'ratio':>5}  verdict"
    )
    for name, f in results.get("floors", {}).items():
        log(
            f"{'floor: ' + name:<34} {200:>4} {'':>3} {'':>6} {'':>6} {f['p50']:>6.0f} "
            f"{f['p95']:>6.0f} {f['rps']:>6.0f}"
        )
    for p in results.get("pages", []):
        if "skipped" in p:
            log(f"{p['label']:<34} skipped: {p['skipped']}")
            continue
        share = f"{p['ratio']:.2f}" if "ratio" in p else "—"
        log(
            f"{p['label']:<34} {p['status']:>4} {p['queries']:>3} {p['db_ms']:>6.0f} "
            f"{p['solo_ms']:>6.0f} {fmt(p.get('p50')):>6} {fmt(p.get('p95')):>6} "
            f"{fmt(p.get('rps')):>6} {share:>5}  {verdict(p, list_rps)}"
        )


# --- main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--duration", type=float, default=6.0, help="seconds of load per page")
    parser.add_argument("--max-requests", type=int, default=3000, help="per page")
    parser.add_argument(
        "--rounds", type=int, default=3, help="floor/page window pairs per page (paired ratios)"
    )
    parser.add_argument("--window", type=float, default=2.0, help="seconds per window")
    parser.add_argument(
        "--solo-baseline",
        default=str(ROOT / "bench" / "results-small.json"),
        help="results of a run on the 1/100 data set (--db familysupport_bench_small --no-load "
        "--tag small): the solo growth per page is computed against it",
    )
    parser.add_argument("--only", default="", help="measure only pages whose label contains this")
    parser.add_argument("--no-load", action="store_true", help="skip gunicorn and the load loop")
    parser.add_argument("--no-write", action="store_true", help="do not rewrite RESULTS.md")
    parser.add_argument("--tag", default="", help="write to the RESULTS.md block of this name")
    parser.add_argument(
        "--pg-options",
        default="",
        help='libpq options for every connection, e.g. "-c jit=off" (compare a setting)',
    )
    parser.add_argument(
        "--generate",
        choices=["small", "full"],
        # In CI (FSP_CI_BENCH=1) a missing bench database is generated at 1/100 scale.
        default="small" if os.environ.get("CI") else None,
        help="generate the bench database at this scale if it does not exist",
    )
    parser.add_argument("--report-task", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    # A terminated run still stops the gunicorn servers it started (context managers).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if os.environ.get("CI") and os.environ.get("FSP_CI_BENCH") != "1":
        log("bench: skipped in CI (set FSP_CI_BENCH=1 to run it).")
        return 0
    if args.duration > 60 or args.max_requests > 20_000:
        parser.error("keep the load bounded: --duration ≤ 60 and --max-requests ≤ 20000")
    if args.pg_options:
        os.environ["FSP_BENCH_PG_OPTIONS"] = args.pg_options  # inherited by gunicorn too
    if not database_exists(args.db) and args.generate:
        subprocess.run(  # noqa: S603 - our own interpreter and script
            [
                sys.executable,
                str(ROOT / "bench" / "generate.py"),
                "--scale",
                args.generate,
                "--db",
                args.db,
            ],
            check=True,
        )
    if not database_exists(args.db):
        log(f"bench: database {args.db} does not exist; run bench/generate.py first.")
        return 2
    setup_django(args.db)
    if not args.report_task:
        # The data set outlives the code: columns added since it was generated (a new
        # migration on main) would fail every page. Applying them never touches the rows.
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
    if args.report_task:
        report_task(args.report_task)
        return 0

    from django.conf import settings

    meta = bench_meta()
    year = meta["report_year"]
    users = bench_users(meta)
    ctx = context(meta, users)
    pages = [p for p in PAGES if args.only.lower() in p.label.lower()]
    results: dict = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "db": args.db,
        "meta": meta,
        "year": year,
        "duration": args.duration,
        "max_requests": args.max_requests,
        "pg_options": args.pg_options,
        "machine": machine(),
        "loadavg_before": os.getloadavg(),
        "rows": row_counts(),
    }
    log(f"bench: {args.db} (scale {meta['scale']['name']}), report year {year}")

    log("(a) SQL floor of the yearly report ...")
    results["sql_floor"] = measure_sql_floor(year, settings.TIME_ZONE)
    results["floor_s"] = sum(f["best_ms"] for f in results["sql_floor"]) / 1000
    results["floor_first_s"] = sum(f["first_ms"] for f in results["sql_floor"]) / 1000
    for f in results["sql_floor"]:
        log(f"  {f['label']:<52} {f['best_ms']:8.0f} ms  {f['result']}")
    log(f"  {'all figures':<52} {results['floor_s'] * 1000:8.0f} ms")

    log("(b) report page in-process, cold and warm ...")
    results["report"] = measure_report_inprocess(users["administrator"], year)
    log("  " + json.dumps({k: v for k, v in results["report"].items() if k != "path"}, default=str))

    log("(c0) signed-in request floor in-process ...")
    results["signed_in"] = measure_signed_in_floor(users["advocate"])
    sf = results["signed_in"]
    kinds = ", ".join(x.split()[0] for x in sf["statements"])
    log(
        f"  signed-in floor: wall {sf['wall_ms']:.2f} ms, CPU {sf['cpu_ms']:.2f} ms per request "
        f"({len(sf['statements'])} statements: {kinds})"
    )
    log(
        f"  bare floor: wall {fmt(sf.get('bare_wall_ms'), 3)} ms, "
        f"CPU {fmt(sf.get('bare_cpu_ms'), 3)} ms → fixed cost "
        f"{fmt(sf.get('fixed_wall_ms'), 2)} ms wall, {fmt(sf.get('fixed_cpu_ms'), 2)} ms CPU"
    )
    log(f"  template loaders (production settings): {template_loaders()}")
    results["template_loaders"] = template_loaders()

    log("(c) query counts in-process ...")
    measured = measure_queries(pages, ctx, users)
    rows: list[dict] = []
    for page in pages:
        rows.append({"label": page.label, "role": page.role, **measured[page.label]})
    results["pages"] = rows

    mem: dict = {}
    if not args.no_load:
        log("(c, d) gunicorn load: floors ...")
        results["floors"] = {}
        with (
            Server("bench.floor_settings", args.db) as floor,
            Server("bench.settings", args.db) as web,
        ):

            def measure_floors(when: str) -> None:
                for name, path in (("ok", "/floor/ok/"), ("list", "/floor/list/")):
                    r = load(
                        floor.port,
                        path,
                        [""],
                        duration=args.duration,
                        max_requests=args.max_requests,
                    )
                    results["floor_runs"].append(
                        {
                            "when": when,
                            "name": name,
                            "p50": r.pct(50),
                            "p95": r.pct(95),
                            "rps": r.rps,
                            "statuses": dict(r.statuses),
                        }
                    )
                    log(f"  floor {name} ({when}): {r.rps:.0f} req/s, p95 {r.pct(95):.0f} ms")

            results["floor_runs"] = []
            measure_floors("before the pages")
            results["signed_in_http"] = measure_signed_in_http(
                web.port, floor.port, session_cookie(users["advocate"])
            )
            sh = results["signed_in_http"]
            log(
                f"  signed-in floor under gunicorn, one at a time: {sh['signed_ms']:.2f} ms "
                f"vs bare {sh['bare_ms']:.2f} ms → fixed cost {sh['fixed_ms']:.2f} ms "
                f"(median of {sh['n']})"
            )
            cookies = {
                role: [session_cookie(u) for _ in range(CONCURRENCY)] for role, u in users.items()
            }
            if "reports:year" in {p.url_name for p in pages}:
                clear_report_cache(year)
                path = page_path(Page("", "reports:year", "administrator", ("year",)), ctx)
                if path:
                    t0 = time.perf_counter()
                    get(web.port, path, cookies["administrator"][0])
                    results["report"]["cold_http_s"] = time.perf_counter() - t0
                    warm_report_cache(year)  # what the Celery task would do; then pages run warm
            for row in rows:
                if "skipped" in row:
                    continue
                row.update(
                    interleaved(
                        web.port,
                        floor.port,
                        row["path"],
                        cookies[row["role"]],
                        body=row.get("body", ""),
                        rounds=args.rounds,
                        window=args.window,
                        max_requests=args.max_requests,
                    )
                )
                log(
                    f"  {row['label']:<34} {row['rps']:6.1f} req/s  p50 {row['p50']:6.0f}  "
                    f"p95 {row['p95']:6.0f} ms  ratio {row['ratio']:.2f} "
                    f"({row['ratio_lo']:.2f}-{row['ratio_hi']:.2f})  {row['http']}"
                )
            mem["worker_peak_mb"] = max((_vm("VmHWM", p) for p in web.worker_pids()), default=0)
            mem["worker_peak_mb"] /= 1024
            measure_floors("after the pages")
        # The floors the pages are compared with: the mean of the runs before and after.
        results["floors"] = {}
        for name in ("ok", "list"):
            runs = [f for f in results["floor_runs"] if f["name"] == name]
            results["floors"][name] = {
                k: statistics.mean(f[k] for f in runs) for k in ("p50", "p95", "rps")
            }
    log("(e) report computation memory ...")
    mem["report"] = report_task_memory(args.db, year)
    results["memory"] = mem
    results["loadavg_after"] = os.getloadavg()
    results["purged_messages"] = purge_broker()
    baseline = Path(args.solo_baseline)
    if baseline.exists() and baseline.resolve() != (ROOT / "bench" / f"results-{args.tag}.json"):
        small = {p["label"]: p for p in json.loads(baseline.read_text()).get("pages", [])}
        for row in rows:
            base = small.get(row["label"], {}).get("solo_ms")
            if base and row.get("solo_ms"):
                row["solo_small_ms"] = base
                row["growth"] = row["solo_ms"] / base

    if not args.no_load and args.only.lower() in "phone webhook":
        # The phone system's webhooks (issue 20): signed POSTs, measured by bench_phone.py.
        from bench import bench_phone

        results["phone_webhook"] = bench_phone.run_server(args.db, runs=100)
        if results["phone_webhook"]:
            bench_phone.print_rows(results["phone_webhook"])

    print_table(results)
    md = markdown(results)
    if not args.no_write:
        write_results(md, results, args.tag)
        log(f"\nwrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
