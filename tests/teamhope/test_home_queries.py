"""The home pages people open all day: a bounded number of statements whatever the volume,
and the panels' totals (one statement per list, capped where an exact count is costly).

(+1 statement since the "Unsaved calls" list of cases, one query whatever the number; +1 since
the "taking calls" presence panel: the supervisor home is at 15 statements of data, the
issue's budget, pinned for every bench page by tests/test_page_budget.py; the 17 below also
count the request's SAVEPOINT and RELEASE.)"""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Case
from familysupport.lib.counts import Capped, capped_count, count_many, head_and_total
from teamhope import nav

from .factories import CaseFactory, EscalationFactory, PeerMatchFactory

pytestmark = pytest.mark.django_db


def _grow(supervisor, make_user):
    """More of everything the supervisor's panels count: team, cases, alerts, escalations."""
    advocate = make_user("advocate", supervisor=supervisor)
    for _ in range(3):
        case = CaseFactory(assigned_advocate=advocate)
        EscalationFactory(match=PeerMatchFactory(case=case, family=case.family))
        CaseFactory(assigned_advocate=advocate, risk_level="high")  # waiting for a match


def test_supervisor_home_stays_within_17_statements(
    login, supervisor, make_user, django_assert_max_num_queries
):
    make_user("advocate", supervisor=supervisor)
    client = login(supervisor)
    client.get(reverse("home"))  # steady state: the first request records the second factor
    with django_assert_max_num_queries(17) as few:
        assert client.get(reverse("home")).status_code == 200
    _grow(supervisor, make_user)
    with django_assert_max_num_queries(17) as many:
        html = client.get(reverse("home")).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "3 open escalations" in html
    assert "3 families are waiting" in html


def test_advocate_home_stays_within_11_statements(
    login, advocate, make_user, django_assert_max_num_queries
):
    client = login(advocate)
    client.get(reverse("home"))
    with django_assert_max_num_queries(11) as few:
        client.get(reverse("home"))
    for _ in range(3):
        case = CaseFactory(assigned_advocate=advocate)
        EscalationFactory(match=PeerMatchFactory(case=case, family=case.family))
    with django_assert_max_num_queries(11) as many:
        html = client.get(reverse("home")).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "3 open escalations" in html


def test_waiting_panel_caps_its_count(login, supervisor, monkeypatch):
    monkeypatch.setattr(nav, "WAITING_CAP", 2)
    CaseFactory.create_batch(2)
    html = login(supervisor).get(reverse("home")).content.decode()
    assert "2 families are waiting" in html
    CaseFactory()
    html = login(supervisor).get(reverse("home")).content.decode()
    assert "2+ families are waiting" in html


def test_count_helpers_agree_with_count(django_assert_num_queries):
    CaseFactory.create_batch(3)
    CaseFactory(status=Case.Status.CLOSED)
    open_cases = Case.objects.exclude(status=Case.Status.CLOSED).order_by("opened_at", "pk")
    with django_assert_num_queries(1):
        assert count_many(open=open_cases, all=Case.objects.all(), none=Case.objects.none()) == {
            "open": 3,
            "all": 4,
            "none": 0,
        }
    with django_assert_num_queries(1):
        rows, total = head_and_total(open_cases, 2)
    assert total == 3 and rows == list(open_cases[:2])
    assert head_and_total(Case.objects.filter(pk=-1), 2) == ([], 0)
    assert str(capped_count(open_cases, 3)) == "3" and capped_count(open_cases, 3).exact
    capped = capped_count(open_cases, 2)
    assert (str(capped), int(capped), capped.exact) == ("2+", 2, False)
    assert str(Capped(1234, 5000)) == "1,234" and not Capped(0, 10)
