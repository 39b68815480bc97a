"""The referral list and the "awaiting an answer" panels are served by their own indexes.

At 100,000 referrals the list sorted every row (no index on created_at DESC, id DESC) and
the panel walked the respond_by index over all referrals to find the ~2% still sent
(bench/RESULTS.md, items 5 and 8). Which plan PostgreSQL picks depends on the data size, so
the plans are checked with sequential scans and sorts priced out: the index must be able
to answer the page's exact query (same filter, same ORDER BY) on its own.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from referrals import selectors
from referrals.models import Referral

from .factories import ProviderFactory, consenting_case, sent_referral

pytestmark = pytest.mark.django_db


def _indexdefs() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'referrals_referral'"
        )
        return dict(cursor.fetchall())


def test_indexes_exist_as_designed():
    found = _indexdefs()
    assert found["referral_created_desc"].endswith("USING btree (created_at DESC, id DESC)")
    assert found["referral_sent_respond_by"].endswith(
        "USING btree (respond_by, id) WHERE ((status)::text = 'sent'::text)"
    )


def _plan(qs) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        plan = qs.explain()
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET enable_sort")
        cursor.execute("RESET enable_bitmapscan")
    return plan


@pytest.fixture
def referrals(advocate):
    provider = ProviderFactory()
    for _ in range(3):
        sent_referral(case=consenting_case(assigned_advocate=advocate), provider=provider)


def test_referral_list_page_reads_the_newest_first_index(supervisor, referrals):
    # The list view's queryset (referrals.views.referral_list), first page.
    qs = selectors.referral_list_visible_to(user=supervisor).order_by("-created_at", "-pk")
    plan = _plan(qs[:25])
    assert "referral_created_desc" in plan, plan
    assert "Sort" not in plan, plan


@pytest.mark.parametrize("role", ["advocate", "supervisor"])
def test_awaiting_answer_panel_reads_the_partial_index(role, advocate, supervisor, referrals):
    user = {"advocate": advocate, "supervisor": supervisor}[role]
    qs = selectors.referral_list_awaiting_answer(user=user)
    assert qs.count() == 3
    assert set(qs.values_list("status", flat=True)) == {Referral.Status.SENT}
    plan = _plan(qs[:5])
    assert "referral_sent_respond_by" in plan, plan
