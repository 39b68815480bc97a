"""The covering indexes the yearly report and dashboards rely on at scale exist as designed.

Each lets PostgreSQL answer one report query from the index alone (checked with EXPLAIN on
the benchmark data; see the migrations): dropping or narrowing one makes the report read
millions of table rows again, which no functional test would notice.
"""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

EXPECTED = {
    "contact_purpose_started_cov": (
        "cases_contact",
        "(purpose, started_at) INCLUDE (case_id)",
    ),
    "contact_started_purpose_cov": ("cases_contact", "(started_at) INCLUDE (purpose)"),
    "contact_advocate_started": ("cases_contact", "(advocate_id, started_at)"),
    "referral_service_accepted_cov": (
        "referrals_referral",
        "(service_type, accepted_at) INCLUDE (family_id, status)",
    ),
    "peercall_called_cov": (
        "teamhope_peercall",
        "(called_at) INCLUDE (duration_minutes, escalated, match_id)",
    ),
}
REPLACED = [
    "cases_conta_purpose_48ee64_idx",
    "cases_contact_started_at_dde54bf4",
    "cases_contact_purpose_9b6072c6",
    "cases_contact_advocate_id_568498ba",
    "teamhope_pe_called__6d5705_idx",
]


def _indexes() -> dict[str, tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE tablename = ANY(%s)",
            [["cases_contact", "referrals_referral", "teamhope_peercall"]],
        )
        return {name: (table, definition) for name, table, definition in cursor.fetchall()}


def test_report_indexes_cover_the_report_queries():
    found = _indexes()
    for name, (table, columns) in EXPECTED.items():
        assert name in found, name
        assert found[name][0] == table
        assert found[name][1].endswith(f"USING btree {columns}"), found[name][1]


def test_the_indexes_they_replace_are_gone():
    assert not set(REPLACED) & set(_indexes())
