"""The members list pages plain provider ids and computes compliance for its page only.

At 3,000 providers the list computed the compliance rule (attendance GROUP BY, licence and
insurance EXISTS) for every provider, for the page and again for the paginator's COUNT
(bench/RESULTS.md item 3). The rows and the filters must stay exactly what they were.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from faon import compliance, selectors
from faon.models import Provider

from .factories import (
    AttendanceFactory,
    InsuranceFactory,
    LicenseFactory,
    ProviderFactory,
)

pytestmark = pytest.mark.django_db

STATES = ["", "met", "not_met", "training", "license", "insurance", "details"]


@pytest.fixture
def members():
    """60 providers (more than a page of 50) with every kind of compliance gap."""
    stale = timezone.now() - timedelta(days=800)
    for i in range(60):
        kind = i % 5
        p = ProviderFactory(
            name=f"Member {i:02d}",
            state="VA" if i % 2 else "MD",
            details_confirmed_at=stale if kind == 4 else timezone.now(),
        )
        if kind != 1:
            LicenseFactory(provider=p)
        if kind != 2:
            InsuranceFactory(provider=p)
        if kind != 3:
            AttendanceFactory(provider=p)


def _expected(params: dict) -> list[int]:
    """The rows as the list computed them before: every provider annotated, then filtered."""
    year = compliance.current_membership_year()
    qs = selectors.provider_annotate_compliance(Provider.objects.all(), year=year)
    if params.get("state"):
        qs = qs.filter(state=params["state"])
    state = params.get("compliance")
    if state == "met":
        qs = qs.filter(compliant=True)
    elif state == "not_met":
        qs = qs.filter(compliant=False)
    elif state:
        qs = qs.filter(**{f"{state}_ok": False})
    return list(qs.order_by("name", "pk").values_list("pk", flat=True))


def _shown(client, params: dict) -> tuple[list[Provider], int]:
    rows, page, count = [], 1, None
    while True:
        response = client.get(reverse("faon:provider_list"), {**params, "page": page})
        assert response.status_code == 200
        current = response.context["page"]
        count = current.paginator.count
        rows += list(current)
        if not current.has_next():
            return rows, count
        page += 1


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("region", ["", "VA"])
def test_rows_and_counts_are_unchanged(login, supervisor, members, state, region):
    params = {k: v for k, v in (("compliance", state), ("state", region)) if v}
    expected = _expected(params)
    assert expected  # every filter finds someone in the fixture
    rows, count = _shown(login(supervisor), params)
    assert [p.pk for p in rows] == expected
    assert count == len(expected)
    year = compliance.current_membership_year()
    truth = {
        p.pk: p for p in selectors.provider_annotate_compliance(Provider.objects.all(), year=year)
    }
    for p in rows:
        for field in ("compliant", "training_ok", "license_ok", "insurance_ok", "details_ok"):
            assert getattr(p, field) == getattr(truth[p.pk], field), (p.pk, field)
        assert (p.events_done, p.online_done) == (truth[p.pk].events_done, truth[p.pk].online_done)


def _page_queries(client, params: dict) -> list[str]:
    client.get(reverse("faon:provider_list"), params)  # steady state (session, caches)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("faon:provider_list"), params).status_code == 200
    return [q["sql"] for q in ctx.captured_queries if "faon_provider" in q["sql"]]


def test_count_and_page_do_not_compute_compliance_for_every_member(login, supervisor, members):
    queries = _page_queries(login(supervisor), {})
    counts = [sql for sql in queries if "COUNT(" in sql.upper() and "faon_attendance" not in sql]
    assert counts, "the paginator's COUNT must not join attendances"
    annotated = [sql for sql in queries if "faon_attendance" in sql]
    assert len(annotated) == 1, annotated
    # The compliance rule runs for the page's ids only (a LIMIT subquery of ids).
    assert "LIMIT 50" in annotated[0]


def test_compliance_filter_evaluates_the_rule_once(login, supervisor, members):
    queries = _page_queries(login(supervisor), {"compliance": "license"})
    # The matching ids are read once (the rule in a subquery); no COUNT that evaluates the
    # rule a second time; the page's rows are annotated for the page's ids only.
    assert not [sql for sql in queries if sql.upper().startswith("SELECT COUNT(")], queries
    assert len(queries) == 2, queries
    ids, rows = queries
    assert ids.startswith('SELECT "faon_provider"."id" AS "pk" FROM') and "IN (SELECT" in ids
    assert "faon_attendance" in rows and "IN (SELECT" not in rows


def test_export_still_has_every_matching_member(login, administrator, members):
    response = login(administrator).get(reverse("faon:provider_export"), {"compliance": "met"})
    lines = response.content.decode().strip().splitlines()
    assert len(lines) - 1 == len(_expected({"compliance": "met"}))
