"""The report's figures equal hand-computed values on a fixture built for the edge cases."""

from __future__ import annotations

import pytest

from reports import figures


def _table(results, key):
    return next(t for t in results["tables"] if t["key"] == key)


def _row(t, key):
    return next(r for r in t["rows"] if r["key"] == key)


@pytest.fixture
def results(edge_year):
    return figures.compute(2024)


def test_headline_figures_equal_hand_counts(results):
    assert results["headline"] == {"mh_families": 3, "faon_participants": 2, "peer_calls": 3}


def test_mental_health_routes_count_each_family_once(results):
    t = _table(results, "mental_health")
    assert [r["cells"]["families"] for r in t["rows"]] == [2, 2, 1]  # contact, referral, both
    assert t["total"]["cells"]["families"] == 3


def test_year_boundaries_are_new_york_time(edge_year):
    # The 23:30 contacts on 31 Dec 2023 / 00:30 on 1 Jan 2025 belong to those years.
    assert figures.compute(2023)["headline"]["mh_families"] == 1
    r2025 = figures.compute(2025)
    assert r2025["headline"]["mh_families"] == 2  # F3's contact and F8's acceptance
    assert r2025["headline"]["faon_participants"] == 2  # P1 still active, P5 from 1 Jan
    assert figures.compute(2023)["headline"]["peer_calls"] == 1


def test_contacts_by_purpose_and_month(results):
    t = _table(results, "contacts")
    assert _row(t, "crisis_intervention")["cells"]["m3"] == 1
    assert _row(t, "emotional_support")["cells"]["m6"] == 1
    assert _row(t, "emotional_support")["cells"]["m12"] == 1  # 23:30 on 31 December
    assert _row(t, "follow_up")["cells"]["m7"] == 1
    assert t["total"]["cells"]["m1"] == 0  # the 2023-12-31 23:30 contact is not January
    assert t["total"]["cells"]["total"] == 4
    assert t["chart"]["values"][11] == 1


def test_new_cases_by_type(results):
    t = _table(results, "cases")
    assert _row(t, "family_abduction")["cells"]["cases"] == 1
    assert _row(t, "endangered_runaway")["cells"]["cases"] == 1
    assert _row(t, "csam")["cells"]["cases"] == 1  # opened 23:45 on 31 December
    assert t["total"]["cells"]["cases"] == 3


def test_referrals_by_service_outcome_and_median(results):
    t = _table(results, "referrals")
    mh = _row(t, "mental_health")["cells"]
    assert (mh["sent"], mh["accepted"], mh["declined"]) == (4, 3, 1)
    assert mh["median_hours"] == 15.0  # median of 2, 6, 24, 36.17
    assert _row(t, "psychiatric")["cells"]["awaiting"] == 1
    assert _row(t, "legal")["cells"]["median_hours"] == 10.0
    total = t["total"]["cells"]
    assert total["sent"] == 6
    assert total["median_hours"] == 10.0  # median of 2, 6, 10, 24, 36.17


def test_faon_membership(results):
    t = _table(results, "faon_membership")
    assert _row(t, "all")["cells"]["providers"] == 2
    assert _row(t, "active_end")["cells"]["providers"] == 1  # P2 was suspended by then
    assert _row(t, "left")["cells"]["providers"] == 1
    compliance = _table(results, "faon_compliance")
    assert _row(compliance, "compliant")["cells"]["providers"] == 0  # no training recorded


def test_peer_calls_by_month(results):
    t = _table(results, "peer_calls")
    assert [r["cells"]["calls"] for r in t["rows"]] == [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]
    assert t["total"]["cells"] == {"calls": 3, "minutes": 90, "escalated": 1}


def test_legal_and_travel(results):
    legal = _table(results, "legal")
    assert _row(legal, "family")["cells"]["received"] == 1
    assert _row(legal, "attorney")["cells"]["completed"] == 1
    assert _row(_table(results, "legal_provided"), "research")["cells"]["requests"] == 2
    travel = _table(results, "travel")
    assert _row(travel, "completed")["cells"]["requests"] == 1
    cost = _table(results, "travel_cost")
    assert _row(cost, "transport")["cells"] == {"estimated": "400.00", "actual": "380.00"}
    assert _row(cost, "committed")["cells"]["estimated"] == "580.00"  # 380 actual + 200 estimate
    assert _row(cost, "remaining")["cells"]["estimated"] == "9420.00"


def test_results_are_json(results):
    import json

    assert json.loads(json.dumps(results))["headline"]["peer_calls"] == 3


def test_mental_health_numbers_come_from_one_grouped_query(edge_year):
    """One query (the year's contacts read once) and the same numbers as the three counts
    it replaced (UNION, then DISTINCT per route)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for year in (2023, 2024, 2025):
        with CaptureQueriesContext(connection) as ctx:
            total, via_contact, via_referral = figures._mental_health_counts(year)
        assert len(ctx.captured_queries) == 1
        assert "GROUP BY" in ctx.captured_queries[0]["sql"]
        contacts = figures.mh_contact_family_ids(year)
        referrals = figures.mh_referral_family_ids(year)
        assert total == contacts.union(referrals).count()
        assert via_contact == contacts.distinct().count()
        assert via_referral == referrals.distinct().count()
    with CaptureQueriesContext(connection) as ctx:
        figures._mental_health(2024)
    assert len(ctx.captured_queries) == 1
