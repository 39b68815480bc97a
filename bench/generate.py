#!/usr/bin/env python
"""Load ten years at ten times today's volume into a separate PostgreSQL database.

    .venv/bin/python bench/generate.py --scale full     # ~250k families, 5M peer calls ...
    .venv/bin/python bench/generate.py --scale small    # 1/100 of that, for a quick run

Drops and recreates the bench database (default `familysupport_bench` on 127.0.0.1:5432),
migrates it, then fills it with INSERT … SELECT generate_series statements built from the
Django models (bench/sqlgen.py), so PostgreSQL generates the rows itself. Fake data only.
While loading, foreign-key triggers are off (session_replication_role = replica: the rows
are consistent by construction) and secondary indexes are dropped and rebuilt at the end.
"""

# Every statement here is built from constants and model metadata, never from input:
# ruff: noqa: S608
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DB = os.environ.get("FSP_BENCH_DB_NAME", "familysupport_bench")
SERVER_URL = os.environ.get("FSP_BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")
DIVISION_TZ = ZoneInfo("America/New_York")
BENCH_DOMAIN = "bench.example"

FIRST = [
    "Alex",
    "Maria",
    "Jose",
    "Sam",
    "Jordan",
    "Taylor",
    "Chris",
    "Pat",
    "Robin",
    "Dana",
    "Lee",
    "Morgan",
    "Casey",
    "Jamie",
    "Avery",
    "Riley",
    "Quinn",
    "Drew",
    "Jesse",
    "Kim",
    "Ana",
    "Luis",
    "Carmen",
    "Rosa",
    "Miguel",
    "Sofia",
    "Emma",
    "Liam",
    "Noah",
    "Olivia",
    "Ava",
    "Ethan",
    "Mia",
    "Lucas",
    "Amir",
    "Fatima",
    "Wei",
    "Mei",
    "Hana",
    "Yuki",
    "Ivan",
    "Olga",
    "Kofi",
    "Ama",
    "Tariq",
    "Leila",
    "Omar",
    "Nia",
    "Grace",
    "Henry",
]
LAST = [
    "Garcia",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Moore",
    "Jackson",
    "Martin",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Kowalski",
    "Okafor",
    "Haddad",
    "Tanaka",
    "Petrov",
    "Schmidt",
    "Novak",
    "Rossi",
    "Silva",
    "Costa",
    "Dubois",
    "Jansen",
    "Larsen",
    "Murphy",
    "Kelly",
    "Byrne",
    "Walsh",
    "Chen",
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Singh",
    "Patel",
    "Khan",
    "Ali",
    "Ahmed",
    "Cohen",
    "Levi",
    "Friedman",
    "Bauer",
]


@dataclass(frozen=True)
class Scale:
    name: str
    families: int
    contacts: int
    peer_calls: int
    providers: int
    referrals: int
    travel: int
    legal: int
    agencies: int
    events_per_year: int
    administrators: int
    supervisors: int
    advocates: int
    volunteers: int
    notifications: int
    audit_entries: int
    floor_rows: int = 100_000


SCALES = {
    # Ten years at ten times today's volume (DESIGN.md "Scale").
    "full": Scale(
        name="full",
        families=250_000,
        contacts=3_000_000,
        peer_calls=5_000_000,
        providers=3_000,
        referrals=100_000,
        travel=10_000,
        legal=20_000,
        agencies=500,
        events_per_year=40,
        administrators=10,
        supervisors=25,
        advocates=250,
        volunteers=1_000,
        notifications=300_000,
        audit_entries=6_000_000,
    ),
    "small": Scale(
        name="small",
        families=2_500,
        contacts=30_000,
        peer_calls=50_000,
        providers=60,
        referrals=1_000,
        travel=100,
        legal=200,
        agencies=20,
        events_per_year=8,
        administrators=3,
        supervisors=3,
        advocates=12,
        volunteers=30,
        notifications=3_000,
        audit_entries=60_000,
    ),
}

YEARS = 10


def log(msg: str) -> None:
    print(msg, flush=True)


class Timer:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float, int | None]] = []

    def step(self, label: str, fn, *args, **kwargs):
        t0 = time.perf_counter()
        n = fn(*args, **kwargs)
        secs = time.perf_counter() - t0
        self.rows.append((label, secs, n))
        count = f"{n:>12,} rows" if isinstance(n, int) else " " * 17
        log(f"  {label:<34} {count}  {secs:7.1f} s")
        return n


def recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def migrate(url: str) -> None:
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="bench.settings")
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
        check=True,
        cwd=ROOT,
        env=env,
    )


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


class Loader:
    """Writes one table after the other with INSERT … SELECT; ids are explicit."""

    def __init__(self, scale: Scale, cursor) -> None:
        from bench import sqlgen

        self.s = scale
        self.cur = cursor
        self.sql = sqlgen
        self.now = dt.datetime.now(tz=dt.UTC).replace(microsecond=0)
        start = dt.datetime(self.now.year - YEARS + 1, 1, 1, tzinfo=DIVISION_TZ)
        if (self.now - start).days > YEARS * 366:
            start = dt.datetime(self.now.year - YEARS + 2, 1, 1, tzinfo=DIVISION_TZ)
        self.start = start
        self.t0 = start.timestamp()
        self.span = self.now.timestamp() - self.t0 - 86400
        s = scale
        self.A = s.administrators
        self.SUP_BASE = s.administrators
        self.ADV_BASE = self.SUP_BASE + s.supervisors
        self.VOL_BASE = self.ADV_BASE + s.advocates
        self.PROV_BASE = self.VOL_BASE + s.volunteers
        self.USERS = self.PROV_BASE + s.providers
        self.F = s.families
        self.C = s.families + s.families // 5

    # helpers ---------------------------------------------------------------------------
    def run(self, statement: str, params=None) -> int:
        self.cur.execute(statement, params)
        return self.cur.rowcount

    def insert(self, model, exprs: dict[str, str], source: str) -> int:
        return self.run(self.sql.insert_select(model, exprs, source, warn=log))

    def ts(self, frac: str) -> str:
        """A timestamp at fraction `frac` (0..1) of the ten-year window."""
        return f"to_timestamp({self.t0} + ({frac}) * {self.span})"

    @staticmethod
    def rnd(n: int, ref: str) -> str:
        """`n` random columns r1..rn for a subquery over rows `ref` (volatile: one per row)."""
        return ", ".join(f"random() + 0 * {ref} AS r{i}" for i in range(1, n + 1))

    def first_name(self, r: str) -> str:
        return self.sql.choose(FIRST, r)

    def last_name(self, r: str) -> str:
        return self.sql.choose(LAST, r)

    # steps -----------------------------------------------------------------------------
    def zips(self) -> int:
        self.run("DROP TABLE IF EXISTS bench_zip")
        return self.run(
            """CREATE TABLE bench_zip AS
               SELECT row_number() OVER (ORDER BY zip_code)::int AS n, zip_code, latitude,
                      longitude, city, state
               FROM referrals_zipcentroid WHERE city <> '' AND state <> ''
                 AND abs(hashtext(zip_code)) % 8 = 0"""
        )

    def users(self) -> int:
        from accounts.models import User

        s = self
        role = (
            f"CASE WHEN i <= {s.A} THEN 'administrator' WHEN i <= {s.ADV_BASE} THEN 'supervisor' "
            f"WHEN i <= {s.VOL_BASE} THEN 'advocate' WHEN i <= {s.PROV_BASE} THEN 'volunteer' "
            "ELSE 'provider' END"
        )
        firsts = ", ".join(str(x + 1) for x in (0, s.SUP_BASE, s.ADV_BASE, s.VOL_BASE, s.PROV_BASE))
        email = (
            f"CASE WHEN i IN ({firsts}) THEN 'bench-' || {role} || '@{BENCH_DOMAIN}' "
            f"ELSE {role} || i || '@{BENCH_DOMAIN}' END"
        )
        sup = (
            f"CASE WHEN i > {s.ADV_BASE} AND i <= {s.VOL_BASE} "
            f"THEN {s.SUP_BASE} + 1 + (i - {s.ADV_BASE} - 1) % {self.s.supervisors} END"
        )
        return self.insert(
            User,
            {
                "id": "i",
                "email": email,
                "full_name": f"{self.first_name('r1')} || ' ' || {self.last_name('r2')}",
                "role": role,
                "supervisor": sup,
                "password": "'!bench-unusable'",
                "is_active": "TRUE",
                "date_joined": self.ts("r3 * 0.5"),
            },
            f"(SELECT i, {self.rnd(3, 'i')} FROM generate_series(1, {s.USERS}) i) s",
        )

    def families(self) -> int:
        from cases.models import Family

        langs = {"en": 84, "es": 12, "vi": 1, "zh": 1, "fr": 1, "ar": 1}
        return self.insert(
            Family,
            {
                "id": "i",
                "display_name": "ln || ' family'",
                "contact_name": "fn || ' ' || ln",
                "contact_first_name": "fn",
                "phone": "'+1' || (2012000000 + floor(r1 * 7000000000))::bigint",
                "phone_alt": "CASE WHEN r2 < 0.3 THEN '+1' || "
                "(2012000000 + floor(r2 * 20000000000))::bigint ELSE '' END",
                "email": "lower(fn) || '.' || lower(ln) || i || '@example.net'",
                "address_line": "(100 + i % 9000) || ' Maple Street'",
                "city": "z.city",
                "state": "z.state",
                "zip_code": "z.zip_code",
                "country": "'US'",
                "preferred_language": self.sql.pick(langs, "r3"),
                "time_zone": "'America/New_York'",
                "consent_share_with_providers": "r4 < 0.8",
                "consent_team_hope_contact": "r5 < 0.3",
                "consent_mail": "r4 < 0.6",
                "created_at": self.ts(f"(i - 1 + r6) / {self.F}"),
                "updated_at": self.ts(f"(i - 1 + r6) / {self.F}"),
            },
            f"""(SELECT i, {self.rnd(6, "i")}, {self.first_name("random() + 0 * i")} AS fn,
                       {self.last_name("random() + 0 * i")} AS ln,
                       1 + floor(random() * (SELECT count(*) FROM bench_zip))::int AS zn
                FROM generate_series(1, {self.F}) i) s
               JOIN bench_zip z ON z.n = s.zn""",
        )

    def persons(self) -> int:
        from cases.models import Person

        F = self.F
        base = {
            "family": "f.id",
            "last_name": "split_part(f.contact_name, ' ', 2)",
        }
        n = self.insert(
            Person,
            base | {"id": "f.id", "role": "'parent'", "first_name": "f.contact_first_name"},
            "cases_family f",
        )
        n += self.insert(
            Person,
            base
            | {
                "id": f"{F} + f.id",
                "role": "'child'",
                "first_name": self.first_name("s.r1"),
                "date_of_birth": "(f.created_at - (interval '1 day' * (1800 + s.r2 * 4500)))::date",
                "is_child_of_concern": "TRUE",
            },
            f"cases_family f JOIN (SELECT i, {self.rnd(2, 'i')} FROM generate_series(1, {F}) i)"
            " s ON s.i = f.id",
        )
        n += self.insert(
            Person,
            base
            | {
                "id": f"{2 * F} + f.id",
                "role": "'sibling'",
                "first_name": self.first_name("s.r1"),
                "date_of_birth": "(f.created_at - (interval '1 day' * (1000 + s.r2 * 5000)))::date",
            },
            f"cases_family f JOIN (SELECT i, {self.rnd(2, 'i')} FROM generate_series(1, {F}) i)"
            " s ON s.i = f.id WHERE f.id % 3 = 0",
        )
        return n

    def cases(self) -> int:
        from cases.models import Case

        types = {
            "endangered_runaway": 45,
            "family_abduction": 15,
            "nonfamily_abduction": 2,
            "lost_injured": 5,
            "csam": 10,
            "online_enticement": 12,
            "sex_trafficking": 6,
            "recovered_follow_up": 5,
        }
        risks = {"low": 45, "moderate": 35, "high": 15, "critical": 5}
        needs = {
            '["mental_health"]': 40,
            '["mental_health", "peer_support"]': 20,
            '["legal"]': 10,
            '["travel", "financial"]': 5,
            "[]": 25,
        }
        status = (
            "CASE WHEN age_days > 730 THEN (CASE WHEN r1 < 0.97 THEN 'closed' ELSE 'on_hold' END) "
            "WHEN age_days > 365 THEN (CASE WHEN r1 < 0.7 THEN 'closed' WHEN r1 < 0.9 "
            "THEN 'active' ELSE 'on_hold' END) "
            "ELSE (CASE WHEN r1 < 0.3 THEN 'open' WHEN r1 < 0.8 THEN 'active' "
            "WHEN r1 < 0.85 THEN 'on_hold' ELSE 'closed' END) END"
        )
        src = f"""(SELECT b.*, {self.rnd(6, "b.cid")},
                          extract(epoch FROM now() - b.opened) / 86400 AS age_days FROM (
                    SELECT f.id AS cid, f.id AS fid, f.created_at AS opened FROM cases_family f
                    UNION ALL
                    SELECT {self.F} + f.id / 5, f.id,
                           least(f.created_at + interval '1 day' * (30 + (f.id % 97) * 7),
                                 now() - interval '1 day')
                    FROM cases_family f WHERE f.id % 5 = 0) b) s"""
        src = f"(SELECT s.*, {status} AS st FROM {src}) c"
        closed_at = "opened + interval '1 day' * (1 + r2 * least(age_days - 1, 720))"
        return self.insert(
            Case,
            {
                "id": "cid",
                "family": "fid",
                "case_type": self.sql.pick(types, "r3", Case.Type.values),
                "status": "st",
                "status_reason": "CASE WHEN st = 'closed' THEN 'Goals met' ELSE '' END",
                "assigned_advocate": f"{self.ADV_BASE} + 1 + floor(r4 * {self.s.advocates})::int",
                "risk_level": self.sql.pick(risks, "r5", Case.Risk.values),
                "external_case_number": "CASE WHEN r6 < 0.4 "
                "THEN 'NC' || lpad(cid::text, 8, '0') END",
                "needs": self.sql.pick(needs, "r2") + "::jsonb",
                "opened_at": "opened",
                "closed_at": f"CASE WHEN st = 'closed' THEN {closed_at} END",
                "created_at": "opened",
                "updated_at": "opened",
            },
            src,
        )

    def case_children(self) -> int:
        from cases.models import Case

        table, case_col, person_col = self.sql.m2m_table(Case, "children")
        return self.run(
            f"INSERT INTO {table} ({case_col}, {person_col}) "
            f"SELECT c.id, {self.F} + c.family_id FROM cases_case c"
        )

    def contacts(self) -> int:
        from cases.models import Contact

        purposes = {
            "crisis_intervention": 15,
            "emotional_support": 30,
            "prevention_planning": 8,
            "follow_up": 32,
            "reunification_planning": 5,
            "other": 10,
        }
        channels = {"phone": 70, "video": 8, "email": 12, "text": 8, "in_person": 2}
        needs = {'["mental_health"]': 30, '["peer_support"]': 10, '["legal"]': 5, "[]": 55}
        risky = "(r4 < 0.03 OR r5 < 0.01)"
        end = "least(coalesce(c.closed_at, now()), now())"
        at = f"c.opened_at + r1 * greatest({end} - c.opened_at, interval '1 hour')"
        return self.insert(
            Contact,
            {
                "case": "c.id",
                "advocate": "c.assigned_advocate_id",
                "started_at": at,
                "duration_minutes": "5 + floor(r2 * 85)::int",
                "direction": "CASE WHEN r3 < 0.6 THEN 'inbound' ELSE 'outbound' END",
                "channel": self.sql.pick(channels, "r6", Contact.Channel.values),
                "participants": "'Parent'",
                "purpose": self.sql.pick(purposes, "r7", Contact.Purpose.values),
                "safety_concern": "r4 < 0.03",
                "self_harm_risk": "r5 < 0.01",
                "safety_note": f"CASE WHEN {risky} THEN 'Safety plan reviewed with the caller.' "
                "ELSE '' END",
                "needs": self.sql.pick(needs, "r8") + "::jsonb",
                "notes": "substr(repeat(md5(k::text) || ' ', 8), 1, floor(r2 * 300)::int)",
                "created_at": at,
                "updated_at": "now()",
            },
            f"""(SELECT k, 1 + floor(random() * {self.C})::int AS cid, {self.rnd(8, "k")}
                 FROM generate_series(1, {self.s.contacts}) k) s
               JOIN cases_case c ON c.id = s.cid
               ORDER BY {at}""",
        )

    def tasks(self) -> int:
        from cases.models import Task

        titles = ["Call back the family", "Check on the referral", "Send resources", "Follow up"]
        due = "(c.opened_at + interval '1 day' * (n * 7 + r1 * 30))::date"
        done = (
            f"CASE WHEN {due} < current_date - 14 THEN (CASE WHEN r2 < 0.995 "
            f"THEN {due} + interval '1 day' END) "
            f"WHEN r2 < 0.4 THEN least(now(), {due} + interval '1 day') END"
        )
        return self.insert(
            Task,
            {
                "case": "c.id",
                "owner": "c.assigned_advocate_id",
                "title": self.sql.choose(titles, "r3"),
                "due_on": due,
                "done_at": done,
                "created_at": "c.opened_at",
            },
            f"""(SELECT c.*, n, {self.rnd(3, "c.id * n")} FROM cases_case c,
                 generate_series(1, 2) n) c""",
        )

    def alerts(self) -> int:
        from cases.models import CaseAlert

        recent = "ct.started_at > now() - interval '7 days'"
        return self.insert(
            CaseAlert,
            {
                "case": "ct.case_id",
                "contact": "ct.id",
                "kinds": "CASE WHEN ct.self_harm_risk THEN '[\"self_harm\"]'::jsonb "
                "ELSE '[\"safety_concern\"]'::jsonb END",
                "raised_by": "ct.advocate_id",
                "raised_at": "ct.started_at",
                "resolved_by": f"CASE WHEN NOT {recent} THEN u.supervisor_id END",
                "resolved_at": f"CASE WHEN NOT {recent} THEN ct.started_at + interval '1 day' END",
                "resolution_note": f"CASE WHEN NOT {recent} THEN 'Reviewed with the advocate.' "
                "ELSE '' END",
            },
            """cases_contact ct JOIN accounts_user u ON u.id = ct.advocate_id
               WHERE ct.safety_concern OR ct.self_harm_risk""",
        )

    # FAON ------------------------------------------------------------------------------
    def providers(self) -> int:
        from faon.models import Provider

        statuses = {
            "active": 70,
            "lapsed": 10,
            "suspended": 3,
            "applied": 3,
            "under_review": 4,
            "withdrawn": 6,
            "rejected": 4,
        }
        disc = ["therapist", "psychologist", "psychiatrist", "social_worker", "attorney"]
        specs = ["trauma", "child_sexual_abuse", "exploitation", "grief", "family_therapy"]
        specs += ["child_adolescent", "reunification", "anxiety_depression", "custody_law"]
        status = f"CASE WHEN p <= 5 THEN 'active' ELSE {self.sql.pick(statuses, 'r1')} END"
        applied = self.ts("r2 * 0.97")
        src = f"""(SELECT p, {self.rnd(10, "p")}, {self.first_name("random() + 0 * p")} AS fn,
                      {self.last_name("random() + 0 * p")} AS ln,
                      1 + floor(random() * (SELECT count(*) FROM bench_zip))::int AS zn
                   FROM generate_series(1, {self.s.providers}) p) s"""
        src = f"(SELECT s.*, {status} AS st, {applied} AS applied FROM {src}) s "
        src += "JOIN bench_zip z ON z.n = s.zn"
        indiv = "r3 < 0.8"
        activated = "applied + interval '30 days'"
        return self.insert(
            Provider,
            {
                "id": "p",
                "kind": f"CASE WHEN {indiv} THEN 'individual' ELSE 'organisation' END",
                "name": f"CASE WHEN {indiv} THEN fn || ' ' || ln "
                "ELSE ln || ' Family Counseling Center' END",
                "credentials": f"CASE WHEN {indiv} THEN 'LCSW' ELSE '' END",
                "contact_name": "fn || ' ' || ln",
                "description": "'Counselling for families of missing and exploited children.'",
                "disciplines": f"CASE WHEN {indiv} THEN ARRAY[{self.sql.choose(disc, 'r4')}] "
                "ELSE ARRAY['support_organisation', 'therapist'] END",
                "specialties": f"ARRAY[{self.sql.choose(specs, 'r5')}, "
                f"{self.sql.choose(specs, 'r6')}]",
                "languages": "CASE WHEN r7 < 0.25 THEN ARRAY['en', 'es'] ELSE ARRAY['en'] END",
                "service_modes": "CASE WHEN r8 < 0.3 THEN ARRAY['in_person'] "
                "WHEN r8 < 0.5 THEN ARRAY['telehealth'] ELSE ARRAY['in_person', 'telehealth'] END",
                "telehealth_states": "CASE WHEN r8 >= 0.3 THEN ARRAY[z.state] "
                "ELSE ARRAY[]::varchar[] END",
                "fee_arrangements": "CASE WHEN r9 < 0.2 THEN ARRAY['pro_bono'] "
                "WHEN r9 < 0.6 THEN ARRAY['sliding_scale', 'insurance'] "
                "ELSE ARRAY['insurance'] END",
                "insurance_plans": "ARRAY['Medicaid', 'Blue Cross']",
                "age_min": "0",
                "age_max": "CASE WHEN r10 < 0.3 THEN 18 ELSE 99 END",
                "address_line": "(10 + p % 900) || ' Oak Avenue'",
                "city": "z.city",
                "state": "z.state",
                "zip_code": "z.zip_code",
                "latitude": "z.latitude",
                "longitude": "z.longitude",
                "service_radius_miles": "CASE WHEN r10 < 0.5 THEN 25 ELSE 50 END",
                "capacity": "floor(r6 * 6)::int",
                "accepting_referrals": "p <= 5 OR r7 < 0.85",
                "email": f"'provider' || p || '@{BENCH_DOMAIN}'",
                "phone": "'+1' || (2012000000 + p)",
                "details_confirmed_at": "now() - interval '1 day' * r9 * 420",
                "status": "st",
                "status_changed_at": f"CASE WHEN st IN ('applied') THEN applied "
                f"WHEN st IN ('under_review', 'rejected') THEN applied + interval '10 days' "
                f"ELSE {activated} END",
                "applied_at": "applied",
                "review_started_at": "CASE WHEN st <> 'applied' "
                "THEN applied + interval '10 days' END",
                "activated_at": "CASE WHEN st IN ('active', 'lapsed', 'suspended', 'withdrawn') "
                f"THEN {activated} END",
                "lapsed_at": f"CASE WHEN st = 'lapsed' THEN {activated} + "
                "(now() - applied - interval '30 days') * r5 END",
                "suspended_at": f"CASE WHEN st = 'suspended' THEN {activated} + "
                "(now() - applied - interval '30 days') * r5 END",
                "withdrawn_at": f"CASE WHEN st = 'withdrawn' THEN {activated} + "
                "(now() - applied - interval '30 days') * r5 END",
                "rejected_at": "CASE WHEN st = 'rejected' THEN applied + interval '20 days' END",
                "created_at": "applied",
                "updated_at": "applied",
            },
            src,
        )

    def provider_history(self) -> int:
        from faon.models import Provider, ProviderStatusChange

        table, prov_col, user_col = self.sql.m2m_table(Provider, "managers")
        n = self.run(
            f"INSERT INTO {table} ({prov_col}, {user_col}) "
            f"SELECT p.id, {self.PROV_BASE} + p.id FROM faon_provider p"
        )
        steps = [
            ("''", "'applied'", "p.applied_at", "TRUE"),
            (
                "'applied'",
                "'under_review'",
                "p.review_started_at",
                "p.review_started_at IS NOT NULL",
            ),
            ("'under_review'", "'active'", "p.activated_at", "p.activated_at IS NOT NULL"),
            ("'under_review'", "'rejected'", "p.rejected_at", "p.rejected_at IS NOT NULL"),
            ("'active'", "'lapsed'", "p.lapsed_at", "p.lapsed_at IS NOT NULL"),
            ("'active'", "'suspended'", "p.suspended_at", "p.suspended_at IS NOT NULL"),
            ("'active'", "'withdrawn'", "p.withdrawn_at", "p.withdrawn_at IS NOT NULL"),
        ]
        for frm, to, at, cond in steps:
            n += self.insert(
                ProviderStatusChange,
                {"provider": "p.id", "from_status": frm, "to_status": to, "at": at, "note": "''"},
                f"faon_provider p WHERE {cond}",
            )
        return n

    def credentials(self) -> int:
        from faon.models import InsurancePolicy, License

        licensed = (
            "p.disciplines && ARRAY['therapist','psychologist','psychiatrist',"
            "'social_worker','attorney']::varchar[]"
        )
        n = self.insert(
            License,
            {
                "provider": "p.id",
                "license_type": "CASE WHEN 'attorney' = ANY(p.disciplines) THEN 'Bar' "
                "ELSE 'LCSW' END",
                "state": "p.state",
                "number": "'L' || lpad(p.id::text, 7, '0')",
                "expires_on": "current_date + (CASE WHEN p.id <= 5 THEN 400 "
                "ELSE floor(-60 + random() * 760)::int END)",
                "standing": "CASE WHEN random() < 0.98 THEN 'good' ELSE 'disciplinary' END",
                "verification": "'verified'",
                "verification_source": "'state_board'",
                "verified_by": f"{self.SUP_BASE} + 1",
                "verified_at": "p.applied_at + interval '12 days'",
                "created_at": "p.applied_at",
            },
            f"faon_provider p WHERE p.kind = 'individual' AND {licensed}",
        )
        n += self.insert(
            InsurancePolicy,
            {
                "provider": "p.id",
                "carrier": "'Mutual Liability Co.'",
                "policy_number": "'P' || lpad(p.id::text, 8, '0')",
                "covers_from": "current_date - 300",
                "covers_to": "current_date + (CASE WHEN p.id <= 5 THEN 300 "
                "ELSE floor(-30 + random() * 400)::int END)",
                "verification": "'verified'",
                "verified_by": f"{self.SUP_BASE} + 1",
                "verified_at": "p.applied_at + interval '12 days'",
                "created_at": "p.applied_at",
            },
            f"faon_provider p WHERE {licensed}",
        )
        return n

    def trainings(self) -> int:
        from faon.models import Attendance, ComplianceSnapshot, TrainingEvent

        kinds = {"online": 60, "training": 25, "networking": 13, "multi_day": 2}
        n_events = self.s.events_per_year * YEARS
        n = self.insert(
            TrainingEvent,
            {
                "id": "e",
                "kind": self.sql.pick(kinds, "r1"),
                "title": "'FAON training #' || e",
                "starts_at": self.ts(f"(e - 0.5) / {n_events}"),
                "ends_at": self.ts(f"(e - 0.5) / {n_events}") + " + interval '2 hours'",
                "ce_credits": "1.5",
                "created_by": "1",
            },
            f"(SELECT e, {self.rnd(1, 'e')} FROM generate_series(1, {n_events}) e) s",
        )
        prob = 3.0 / self.s.events_per_year
        n += self.insert(
            Attendance,
            {
                "provider": "p.id",
                "event": "e.id",
                "registered_at": "e.starts_at - interval '10 days'",
                "completed_at": "CASE WHEN e.starts_at < now() THEN e.starts_at "
                "+ interval '2 hours' END",
                "confirmed_by": f"CASE WHEN e.starts_at < now() THEN {self.SUP_BASE} + 1 END",
                "confirmed_at": "CASE WHEN e.starts_at < now() THEN e.starts_at "
                "+ interval '1 day' END",
            },
            f"""faon_provider p JOIN faon_trainingevent e ON e.starts_at > p.activated_at
                AND e.starts_at < coalesce(p.lapsed_at, p.suspended_at, p.withdrawn_at,
                                           now() + interval '60 days')
                WHERE random() < {prob}""",
        )
        n += self.insert(
            ComplianceSnapshot,
            {
                "provider": "p.id",
                "membership_year": "y",
                "met": "random() < 0.8",
                "details": "'{}'::jsonb",
                "taken_at": "make_timestamptz(y, 12, 31, 23, 0, 0, 'America/New_York')",
            },
            f"""faon_provider p, generate_series({self.start.year}, {self.now.year - 1}) y
                WHERE p.activated_at IS NOT NULL
                  AND extract(year FROM p.activated_at) <= y""",
        )
        return n

    def certificates(self) -> int:
        from faon.models import Certificate

        return self.insert(
            Certificate,
            {
                "provider": "c.provider_id",
                "year": "c.membership_year",
                "code": "'FAON-' || c.membership_year || '-' || lpad(c.provider_id::text, 6, '0')",
                "name_on_certificate": "p.name",
                "issued_at": "c.taken_at + interval '1 day'",
                "issued_by": "1",
            },
            "faon_compliancesnapshot c JOIN faon_provider p ON p.id = c.provider_id WHERE c.met",
        )

    # Team HOPE -------------------------------------------------------------------------
    def volunteers(self) -> int:
        from teamhope.models import Volunteer

        types = ["endangered_runaway", "family_abduction", "sex_trafficking", "online_enticement"]
        return self.insert(
            Volunteer,
            {
                "id": "v",
                "user": f"{self.VOL_BASE} + v",
                "experience_types": f"ARRAY[{self.sql.choose(types, 'r1')}]",
                "experience_outcome": "CASE WHEN r2 < 0.8 THEN 'recovered' ELSE 'missing' END",
                "languages": "CASE WHEN r3 < 0.2 THEN ARRAY['en', 'es'] ELSE ARRAY['en'] END",
                "time_zone": "'America/New_York'",
                "capacity": "3 + floor(r4 * 3)::int",
                "training_completed_on": "current_date - 400",
                "background_check_on": "current_date - 410",
                "status": "CASE WHEN v = 1 OR r5 < 0.85 THEN 'active' ELSE 'paused' END",
                "created_at": self.ts("r6 * 0.3"),
            },
            f"(SELECT v, {self.rnd(6, 'v')} FROM generate_series(1, {self.s.volunteers}) v) s",
        )

    def matches(self) -> int:
        from teamhope.models import PeerMatch

        started = "least(f.created_at + interval '1 day' * (7 + r1 * 60), now() - interval '1 day')"
        ended = f"{started} + interval '1 day' * (60 + r2 * 500)"
        return self.insert(
            PeerMatch,
            {
                "id": "f.rn",
                "volunteer": f"1 + floor(r3 * {self.s.volunteers})::int",
                "family": "f.id",
                "case": "f.id",
                "why_matched": "'Same kind of case and language; lives in the same time zone.'",
                "started_at": started,
                "ended_at": f"CASE WHEN {ended} < now() THEN {ended} END",
                "end_reason": f"CASE WHEN {ended} < now() THEN 'goals_met' ELSE '' END",
                "created_by": "c.assigned_advocate_id",
                "created_at": started,
                "updated_at": started,
            },
            f"""(SELECT f.*, row_number() OVER (ORDER BY f.id) AS rn, {self.rnd(3, "f.id")}
                 FROM cases_family f WHERE f.consent_team_hope_contact) f
               JOIN cases_case c ON c.id = f.id""",
        )

    def peer_calls(self) -> int:
        from teamhope.models import PeerCall

        topics = ["emotional_support", "coping", "search", "media", "siblings", "anniversary"]
        self.cur.execute("SELECT count(*) FROM teamhope_peermatch")
        matches = self.cur.fetchone()[0]
        at = "m.started_at + r1 * (coalesce(m.ended_at, now()) - m.started_at)"
        return self.insert(
            PeerCall,
            {
                "match": "m.id",
                "called_at": at,
                "duration_minutes": "5 + floor(r2 * 85)::int",
                "direction": "CASE WHEN r3 < 0.7 THEN 'outbound' ELSE 'inbound' END",
                "topics": f"ARRAY[{self.sql.choose(topics, 'r4')}]",
                "note": "CASE WHEN r5 < 0.5 THEN 'Talked through the week; will call Friday.' "
                "ELSE '' END",
                "escalated": "r6 < 0.004",
                "created_at": at,
            },
            f"""(SELECT k, 1 + floor(random() * {matches})::int AS mid, {self.rnd(6, "k")}
                 FROM generate_series(1, {self.s.peer_calls}) k) s
               JOIN teamhope_peermatch m ON m.id = s.mid
               ORDER BY {at}""",
        )

    def escalations(self) -> int:
        from teamhope.models import Escalation

        return self.insert(
            Escalation,
            {
                "match": "pc.match_id",
                "call": "pc.id",
                "raised_by": f"{self.VOL_BASE} + m.volunteer_id",
                "raised_at": "pc.called_at",
                "reason": "'The parent asked to speak to the advocate today.'",
                "advocate_notified": "m.created_by_id",
                "notified_at": "pc.called_at",
                "acknowledged_by": "m.created_by_id",
                "acknowledged_at": "pc.called_at + interval '1 hour'",
                "resolved_by": "m.created_by_id",
                "resolved_at": "pc.called_at + interval '1 day'",
                "resolution_note": "'Advocate called the family.'",
            },
            "teamhope_peercall pc JOIN teamhope_peermatch m ON m.id = pc.match_id "
            "WHERE pc.escalated",
        )

    # Referrals -------------------------------------------------------------------------
    def agencies(self) -> int:
        from referrals.models import Agency

        return self.insert(
            Agency,
            {
                "id": "a",
                "kind": "CASE WHEN r1 < 0.3 THEN 'attorney' ELSE 'agency' END",
                "name": f"{self.last_name('r2')} || ' Community Services'",
                "services": "CASE WHEN r1 < 0.3 THEN ARRAY['legal'] "
                "ELSE ARRAY['support', 'mental_health'] END",
                "languages": "ARRAY['en']",
                "city": "z.city",
                "state": "z.state",
                "zip_code": "z.zip_code",
                "latitude": "z.latitude",
                "longitude": "z.longitude",
                "remote_states": "ARRAY[z.state]",
                "is_active": "TRUE",
            },
            f"""(SELECT a, {self.rnd(2, "a")},
                        1 + floor(random() * (SELECT count(*) FROM bench_zip))::int AS zn
                 FROM generate_series(1, {self.s.agencies}) a) s
               JOIN bench_zip z ON z.n = s.zn""",
        )

    def referrals(self) -> int:
        from referrals.models import Referral

        self.run("DROP TABLE IF EXISTS bench_active_provider")
        self.run(
            """CREATE TABLE bench_active_provider AS
               SELECT row_number() OVER (ORDER BY id)::int AS n, id FROM faon_provider
               WHERE status = 'active'"""
        )
        self.cur.execute("SELECT count(*) FROM bench_active_provider")
        n_active = self.cur.fetchone()[0]
        services = {"mental_health": 50, "psychiatric": 10, "legal": 20, "support": 15, "other": 5}
        outcomes = {
            "accepted": 12,
            "declined": 15,
            "expired": 8,
            "first_appointment": 15,
            "completed": 40,
            "closed": 10,
        }
        created = "least(c.opened_at + interval '1 day' * r2 * 60, now() - interval '1 hour')"
        status = (
            "CASE WHEN r3 < 0.02 THEN 'draft' "
            "WHEN created > now() - interval '7 days' AND r4 < 0.6 THEN 'sent' "
            f"ELSE {self.sql.pick(outcomes, 'r4')} END"
        )
        inner = f"""(SELECT k, 1 + floor(random() * {self.C})::int AS cid,
                            1 + floor(random() * {n_active})::int AS pn,
                            1 + floor(random() * {self.s.agencies})::int AS an,
                            {self.rnd(8, "k")}
                     FROM generate_series(1, {self.s.referrals}) k) s
                    JOIN cases_case c ON c.id = s.cid"""
        cols = f"s.*, c.family_id, c.assigned_advocate_id, {created} AS created"
        inner = f"(SELECT {cols} FROM {inner}) s"
        src = f"""(SELECT s.*, {status} AS st,
                          s.created + interval '1 hour' AS sent,
                          s.created + interval '1 hour' + interval '1 hour' * (2 + r5 * 100)
                              AS answered
                   FROM {inner}) s
                  JOIN cases_family f ON f.id = s.family_id
                  LEFT JOIN bench_active_provider ap ON ap.n = s.pn
                  ORDER BY s.created"""
        answered = "('accepted', 'declined', 'first_appointment', 'completed')"
        accepted = "('accepted', 'first_appointment', 'completed')"
        return self.insert(
            Referral,
            {
                "case": "s.cid",
                "family": "s.family_id",
                "service_type": self.sql.pick(services, "r6"),
                "provider": "CASE WHEN r1 < 0.8 THEN ap.id END",
                "agency": "CASE WHEN r1 >= 0.8 THEN s.an END",
                "status": "st",
                "area_label": "f.city || ', ' || f.state",
                "language": "f.preferred_language",
                "child_age_range": "'10-14'",
                "fee_need": "''",
                "match_reason": "'Within 12 miles; specialty trauma; speaks the family language.'",
                "distance_miles": "round((r7 * 40)::numeric, 1)",
                "created_by": "s.assigned_advocate_id",
                "created_at": "s.created",
                "sent_at": "CASE WHEN st <> 'draft' THEN sent END",
                "sent_by": "CASE WHEN st <> 'draft' THEN s.assigned_advocate_id END",
                "respond_by": "CASE WHEN st <> 'draft' THEN sent + interval '7 days' END",
                "responded_at": f"CASE WHEN st IN {answered} THEN least(answered, now()) END",
                "accepted_at": f"CASE WHEN st IN {accepted} THEN least(answered, now()) END",
                "declined_at": "CASE WHEN st = 'declined' THEN least(answered, now()) END",
                "decline_reason": "CASE WHEN st = 'declined' THEN 'full' ELSE '' END",
                "expired_at": "CASE WHEN st = 'expired' THEN sent + interval '7 days' END",
                "first_appointment_on": "CASE WHEN st IN ('first_appointment', 'completed') "
                "THEN (answered + interval '10 days')::date END",
                "completed_at": "CASE WHEN st = 'completed' "
                "THEN least(answered + interval '90 days', now()) END",
                "closed_at": "CASE WHEN st = 'closed' THEN sent + interval '20 days' END",
                "outcome": "CASE WHEN st = 'completed' THEN 'Family attended sessions.' "
                "ELSE '' END",
                "updated_at": "s.created",
            },
            src,
        )

    def referral_events(self) -> int:
        from referrals.models import ReferralEvent

        steps = [
            ("''", "'draft'", "r.created_at", "TRUE"),
            ("'draft'", "'sent'", "r.sent_at", "r.sent_at IS NOT NULL"),
            ("'sent'", "'accepted'", "r.accepted_at", "r.accepted_at IS NOT NULL"),
            ("'sent'", "'declined'", "r.declined_at", "r.declined_at IS NOT NULL"),
            ("'sent'", "'expired'", "r.expired_at", "r.expired_at IS NOT NULL"),
            (
                "'accepted'",
                "'first_appointment'",
                "r.first_appointment_on::timestamptz",
                "r.first_appointment_on IS NOT NULL",
            ),
            ("'first_appointment'", "'completed'", "r.completed_at", "r.completed_at IS NOT NULL"),
            ("'sent'", "'closed'", "r.closed_at", "r.closed_at IS NOT NULL"),
        ]
        n = 0
        for frm, to, at, cond in steps:
            n += self.insert(
                ReferralEvent,
                {
                    "referral": "r.id",
                    "from_status": frm,
                    "status": to,
                    "at": at,
                    "by": "r.created_by_id",
                },
                f"referrals_referral r WHERE {cond}",
            )
        return n

    def legal(self) -> int:
        from referrals.models import LegalAssistanceRequest

        kinds = {"family": 60, "attorney": 30, "legislator": 5, "other": 5}
        topics = {"custody": 40, "hague": 15, "victims_rights": 25, "exploitation": 15, "other": 5}
        received = self.ts("r3")
        return self.insert(
            LegalAssistanceRequest,
            {
                "requester_kind": self.sql.pick(kinds, "r1"),
                "case": f"CASE WHEN r2 < 0.5 THEN 1 + floor(r2 * 2 * {self.C})::int END",
                "topic": self.sql.pick(topics, "r4"),
                "jurisdiction": "'US'",
                "question": "'Which court handles an interstate custody order?'",
                "status": f"CASE WHEN {received} > now() - interval '30 days' THEN 'open' "
                "WHEN r5 < 0.85 THEN 'completed' ELSE 'closed' END",
                "provided": "CASE WHEN r5 < 0.85 THEN ARRAY['attorney_referral'] "
                "ELSE ARRAY[]::varchar[] END",
                "time_spent_minutes": "floor(r5 * 240)::int",
                "received_on": f"({received} AT TIME ZONE 'America/New_York')::date",
                "completed_on": f"CASE WHEN r5 < 0.85 AND {received} < now() - interval '30 days' "
                f"THEN ({received} + interval '20 days')::date END",
                "handled_by": f"{self.ADV_BASE} + 1 + floor(r1 * {self.s.advocates})::int",
                "created_by": f"{self.ADV_BASE} + 1 + floor(r1 * {self.s.advocates})::int",
                "created_at": received,
                "updated_at": received,
            },
            f"(SELECT k, {self.rnd(5, 'k')} FROM generate_series(1, {self.s.legal}) k) s",
        )

    # Reunification ---------------------------------------------------------------------
    def travel(self) -> int:
        from reunification.models import TravelRequest

        depart = "least((c.opened_at + interval '1 day' * (3 + r1 * 60))::date, current_date + 20)"
        age = f"(current_date - {depart})"
        status = (
            f"CASE WHEN {age} > 30 THEN (CASE WHEN r2 < 0.75 THEN 'completed' WHEN r2 < 0.87 "
            "THEN 'denied' ELSE 'cancelled' END) "
            "ELSE (CASE WHEN r2 < 0.2 THEN 'draft' WHEN r2 < 0.4 THEN 'submitted' "
            "WHEN r2 < 0.55 THEN 'under_review' WHEN r2 < 0.7 THEN 'approved' "
            "WHEN r2 < 0.85 THEN 'booked' ELSE 'completed' END) END"
        )
        src = f"""(SELECT s.*, c.assigned_advocate_id AS adv, u.supervisor_id AS sup,
                          {depart} AS depart, {status} AS st
                   FROM (SELECT k, 1 + floor(random() * {self.C})::int AS cid, {self.rnd(6, "k")}
                         FROM generate_series(1, {self.s.travel}) k) s
                   JOIN cases_case c ON c.id = s.cid
                   JOIN accounts_user u ON u.id = c.assigned_advocate_id) t"""
        decided = "('approved', 'denied', 'booked', 'completed')"
        approved = "('approved', 'booked', 'completed')"
        created = "(depart - 14)::timestamptz"
        return self.insert(
            TravelRequest,
            {
                "id": "k",
                "case": "cid",
                "destination_city": "'Springfield'",
                "destination_state": "'IL'",
                "destination_country": "CASE WHEN r3 < 0.1 THEN 'MX' ELSE 'US' END",
                "is_international": "r3 < 0.1",
                "depart_on": "depart",
                "return_on": "depart + 3",
                "purpose": "CASE WHEN r4 < 0.7 THEN 'initial' ELSE 'follow_up' END",
                "household_size": "1 + floor(r5 * 5)::int",
                "yearly_income": "round((15000 + r5 * 60000)::numeric, 2)",
                "amount_requested": "round((400 + r6 * 2500)::numeric, 2)",
                "status": "st",
                "denial_reason": "CASE WHEN st = 'denied' THEN 'Other assistance covers it.' "
                "ELSE '' END",
                "cancel_reason": "CASE WHEN st = 'cancelled' THEN 'Plans changed.' ELSE '' END",
                "approved_amount": f"CASE WHEN st IN {approved} "
                "THEN round((400 + r6 * 2500)::numeric, 2) END",
                "requested_by": "adv",
                "reviewer": f"CASE WHEN st IN {decided} OR st = 'under_review' THEN sup END",
                "approver": f"CASE WHEN st IN {decided} THEN sup END",
                "submitted_at": f"CASE WHEN st <> 'draft' THEN {created} + interval '1 hour' END",
                "review_started_at": f"CASE WHEN st NOT IN ('draft', 'submitted') "
                f"THEN {created} + interval '1 day' END",
                "decided_at": f"CASE WHEN st IN {decided} THEN {created} + interval '2 days' END",
                "approved_at": f"CASE WHEN st IN {approved} THEN {created} + interval '2 days' END",
                "booked_at": f"CASE WHEN st IN ('booked', 'completed') "
                f"THEN {created} + interval '3 days' END",
                "completed_at": "CASE WHEN st = 'completed' "
                "THEN least(now(), (depart + 3)::timestamptz) END",
                "cancelled_at": f"CASE WHEN st = 'cancelled' "
                f"THEN {created} + interval '5 days' END",
                "created_at": created,
                "updated_at": created,
            },
            src,
        )

    def travel_details(self) -> int:
        from reunification.models import ChecklistItem, Segment, TravelBudget

        legs = [
            ("'flight'", "t.depart_on::timestamptz + interval '8 hours'", "350"),
            ("'lodging'", "t.depart_on::timestamptz + interval '15 hours'", "480"),
            ("'flight'", "(t.depart_on + 3)::timestamptz + interval '9 hours'", "350"),
        ]
        n = 0
        for kind, at, cost in legs:
            n += self.insert(
                Segment,
                {
                    "travel_request": "t.id",
                    "kind": kind,
                    "provider": "'Bench Air'",
                    "from_place": "'Home'",
                    "to_place": "t.destination_city",
                    "starts_at": at,
                    "estimated_cost": cost,
                    "actual_cost": f"CASE WHEN t.status = 'completed' THEN {cost} * 0.95 END",
                },
                "reunification_travelrequest t WHERE t.status NOT IN ('draft', 'submitted')",
            )
        for kind in ("passport", "visa", "custody", "court", "consular"):
            n += self.insert(
                ChecklistItem,
                {
                    "travel_request": "t.id",
                    "kind": f"'{kind}'",
                    "done_at": "CASE WHEN t.status = 'completed' THEN t.booked_at END",
                },
                "reunification_travelrequest t WHERE t.is_international",
            )
        n += self.run(
            self.sql.insert_select(
                TravelBudget,
                {"year": "y", "amount": f"{250_000 * self.s.travel // 10_000}.00", "set_by": "1"},
                f"generate_series({self.start.year}, {self.now.year + 1}) y",
            )
            + " ON CONFLICT DO NOTHING"
        )
        return n

    # Accounts --------------------------------------------------------------------------
    def notifications(self) -> int:
        from familysupport.lib.models import Notification

        at = self.ts("r2")
        return self.insert(
            Notification,
            {
                "recipient": f"{self.ADV_BASE} + 1 + floor(r1 * {self.s.advocates})::int",
                "event": "'referrals.referral.answered'",
                "title": "'A referral on a case you follow was answered'",
                "url": "'/cases/' || (1 + k % 1000) || '/'",
                "created_at": at,
                "read_at": f"CASE WHEN {at} < now() - interval '3 days' OR r3 < 0.5 "
                f"THEN {at} + interval '1 hour' END",
                "key": "'bench-' || k",
            },
            f"(SELECT k, {self.rnd(3, 'k')} FROM generate_series(1, {self.s.notifications}) k) s",
        )

    def audit(self) -> int:
        from django.contrib.contenttypes.models import ContentType

        from cases.models import Case, Contact, Family
        from familysupport.lib.models import AuditEntry
        from referrals.models import Referral
        from teamhope.models import PeerCall

        ct = {m: ContentType.objects.get_for_model(m).pk for m in (Case, Contact, Family)}
        ct |= {m: ContentType.objects.get_for_model(m).pk for m in (Referral, PeerCall)}
        kinds = [
            ("cases.contact.created", ct[Contact], "Contact", self.s.contacts, 0.25),
            ("cases.case.viewed", ct[Case], "Case", self.C, 0.30),
            ("cases.family.viewed", ct[Family], "Family", self.F, 0.10),
            ("teamhope.peercall.created", ct[PeerCall], "Peer call", self.s.peer_calls, 0.30),
            ("referrals.referral.updated", ct[Referral], "Referral", self.s.referrals, 0.05),
        ]
        action = (
            "CASE "
            + " ".join(
                f"WHEN r1 < {sum(k[4] for k in kinds[: i + 1]):.2f} THEN {i}"
                for i in range(len(kinds) - 1)
            )
            + f" ELSE {len(kinds) - 1} END"
        )

        def arr(idx: int) -> str:
            items = [
                self.sql.quote(k[idx]) if isinstance(k[idx], str) else str(k[idx]) for k in kinds
            ]
            return "ARRAY[" + ",".join(items) + "]"

        staff = self.s.administrators + self.s.supervisors + self.s.advocates
        return self.insert(
            AuditEntry,
            {
                "at": self.ts("(k - 1 + r2) / " + str(self.s.audit_entries)),
                "actor": f"1 + floor(r3 * {staff})::int",
                "actor_label": f"'staff' || (1 + floor(r3 * {staff})::int) || '@{BENCH_DOMAIN}'",
                "action": f"({arr(0)})[a + 1]",
                "content_type": f"({arr(1)})[a + 1]",
                "object_id": f"(1 + floor(r4 * ({arr(3)})[a + 1]))::bigint::text",
                "object_label": f"({arr(2)})[a + 1] || ' #' || "
                f"(1 + floor(r4 * ({arr(3)})[a + 1]))::bigint",
                "changed_fields": "'[]'::jsonb",
                "changes": "'{}'::jsonb",
                "ip": "('10.1.0.' || (1 + floor(r3 * 200))::int)::inet",
                "user_agent": "'Mozilla/5.0 (X11; Linux x86_64) bench'",
                "path": "'/cases/' || (1 + floor(r4 * 1000))::int || '/'",
            },
            f"""(SELECT x.*, {action} AS a FROM
                   (SELECT k, {self.rnd(4, "k")}
                    FROM generate_series(1, {self.s.audit_entries}) k) x) s""",
        )

    def floor_table(self) -> int:
        """The server-rendered-list floor's table: 100,000 plain rows, no relations."""
        self.run("DROP TABLE IF EXISTS bench_floor_item")
        self.run(
            """CREATE TABLE bench_floor_item (
                 id bigserial PRIMARY KEY, name varchar(150) NOT NULL, city varchar(100) NOT NULL,
                 state varchar(2) NOT NULL, amount numeric(10, 2) NOT NULL,
                 created_at timestamptz NOT NULL)"""
        )
        return self.run(
            f"""INSERT INTO bench_floor_item (name, city, state, amount, created_at)
                SELECT {self.first_name("random() + 0 * i")} || ' ' ||
                       {self.last_name("random() + 0 * i")}, 'Springfield', 'IL',
                       round((random() * 1000)::numeric, 2), {self.ts("random()")}
                FROM generate_series(1, {self.s.floor_rows}) i"""
        )


def drop_secondary_indexes(cur, tables: list[str]) -> list[str]:
    """Drop indexes that back no constraint (rebuilt after loading); return their DDL."""
    cur.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
           FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
           WHERE t.relname = ANY(%s) AND NOT i.indisprimary
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
        [tables],
    )
    rows = cur.fetchall()
    for name, _ in rows:
        cur.execute(f"DROP INDEX {name}")
    return [ddl for _, ddl in rows]


def fix_sequences(cur) -> int:
    from django.apps import apps
    from django.db import models

    n = 0
    for model in apps.get_models(include_auto_created=True):
        pk = model._meta.pk
        if not isinstance(pk, models.AutoField):
            continue
        table = model._meta.db_table
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), "
            f"coalesce((SELECT max({pk.column}) FROM {table}), 0) + 1, false)",
            [table, pk.column],
        )
        n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--db", default=DEFAULT_DB, help="bench database name (dropped!)")
    args = parser.parse_args(argv)
    if "bench" not in args.db:
        parser.error("refusing to drop a database whose name does not contain 'bench'")
    scale = SCALES[args.scale]
    url = f"{SERVER_URL}/{args.db}"
    timer = Timer()
    started = time.perf_counter()
    log(f"Generating the '{scale.name}' data set into {url}")
    timer.step("drop and create database", recreate_database, args.db)
    timer.step("migrate", migrate, url)
    setup_django(url)

    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # no FK triggers while loading
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET work_mem = '256MB'")
        cur.execute("SET maintenance_work_mem = '1GB'")
        cur.execute("SELECT setseed(0.42)")
        cur.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename NOT LIKE 'django_%%' AND tablename <> 'referrals_zipcentroid'"
        )
        tables = [r[0] for r in cur.fetchall()]
        index_ddl = timer.step(
            "drop secondary indexes", lambda: drop_secondary_indexes(cur, tables)
        )
        load = Loader(scale, cur)
        for label, step in [
            ("ZIP sample", load.zips),
            ("users", load.users),
            ("families", load.families),
            ("persons", load.persons),
            ("cases", load.cases),
            ("case children", load.case_children),
            ("contacts", load.contacts),
            ("tasks", load.tasks),
            ("case alerts", load.alerts),
            ("FAON providers", load.providers),
            ("provider managers + history", load.provider_history),
            ("licenses + insurance", load.credentials),
            ("trainings, attendance, compliance", load.trainings),
            ("certificates", load.certificates),
            ("Team HOPE volunteers", load.volunteers),
            ("peer matches", load.matches),
            ("peer calls", load.peer_calls),
            ("escalations", load.escalations),
            ("agencies", load.agencies),
            ("referrals", load.referrals),
            ("referral events", load.referral_events),
            ("legal assistance requests", load.legal),
            ("travel requests", load.travel),
            ("segments, checklists, budgets", load.travel_details),
            ("notifications", load.notifications),
            ("audit entries", load.audit),
            ("list-floor table (100k rows)", load.floor_table),
        ]:
            timer.step(label, step)

        def rebuild() -> int:
            for ddl in index_ddl:
                cur.execute(ddl)
            return len(index_ddl)

        timer.step("rebuild indexes", rebuild)
        timer.step("fix sequences", fix_sequences, cur)
        cur.execute("SET session_replication_role = DEFAULT")
        meta = {
            "scale": asdict(scale),
            "generated_at": load.now.isoformat(),
            "window_start": load.start.isoformat(),
            "report_year": load.now.year - 1,
            "users": {
                role: f"bench-{role}@{BENCH_DOMAIN}"
                for role in ("administrator", "supervisor", "advocate", "volunteer", "provider")
            },
        }
        cur.execute("DROP TABLE IF EXISTS bench_meta")
        cur.execute("CREATE TABLE bench_meta (data jsonb NOT NULL)")
        cur.execute("INSERT INTO bench_meta VALUES (%s::jsonb)", [json.dumps(meta)])
        timer.step("VACUUM ANALYZE", lambda: cur.execute("VACUUM (ANALYZE)"))
        cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cur.fetchone()[0]
    total = time.perf_counter() - started
    log(f"Done in {total:.0f} s ({total / 60:.1f} min); database size {size}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
