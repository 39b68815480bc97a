"""Home-page dashboards: a supervisor's team and an advocate's own work this month."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from accounts.models import User
from cases.models import Task

from . import factories as f
from .factories import ny

pytestmark = pytest.mark.django_db


def _figure(html: str, key: str) -> int:
    return int(re.search(rf'data-figure="{key}">(\d+)<', html).group(1))


@pytest.fixture
def team(make_user):
    supervisor = make_user("supervisor")
    mine = make_user("advocate", supervisor=supervisor)
    teammate = make_user("advocate", supervisor=supervisor)
    outsider = make_user("advocate")
    p = f.provider(history=[("active", ny(2024, 1, 1, 9))])
    for adv, risk in ((mine, "high"), (mine, "low"), (teammate, "critical"), (outsider, "high")):
        c = f.case(f.family(), advocate=adv, risk_level=risk)
        f.contact(c, at=ny(2025, 3, 2, 10), advocate=adv)
        f.contact(c, at=ny(2025, 2, 27, 10), advocate=adv)  # last month
        f.referral(c, to=p, by=adv, status="sent", sent_at=ny(2025, 3, 1, 9))
        Task.objects.create(case=c, owner=adv, title="Call back", due_on=date(2025, 3, 1))
        Task.objects.create(case=c, owner=adv, title="Later", due_on=date(2025, 3, 30))
    f.case(f.family(), advocate=mine, risk_level="high", status="closed")
    return {"supervisor": supervisor, "mine": mine}


@time_machine.travel(ny(2025, 3, 15, 12), tick=False)
def test_supervisor_home_shows_the_team(team, login):
    html = login(team["supervisor"]).get(reverse("home")).content.decode()
    assert "This month: your team" in html
    assert _figure(html, "contacts") == 3
    assert _figure(html, "open") == 3
    assert 'data-risk="critical">1<' in html and 'data-risk="high">1<' in html
    assert _figure(html, "referrals") == 3
    assert _figure(html, "overdue") == 3


@time_machine.travel(ny(2025, 3, 15, 12), tick=False)
def test_advocate_home_shows_their_own(team, login):
    html = login(team["mine"]).get(reverse("home")).content.decode()
    assert "My month" in html
    assert _figure(html, "contacts") == 2
    assert _figure(html, "open") == 2
    assert _figure(html, "referrals") == 2
    assert _figure(html, "overdue") == 2


@time_machine.travel(ny(2025, 3, 15, 12), tick=False)
def test_dashboard_query_count_does_not_grow(team, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.dashboards import dashboard_for

    with CaptureQueriesContext(connection) as few:
        dashboard_for(team["supervisor"])
    for _ in range(5):
        c = f.case(f.family(), advocate=team["mine"], risk_level="moderate")
        f.contact(c, at=ny(2025, 3, 3, 10), advocate=team["mine"])
    supervisor = User.objects.get(pk=team["supervisor"].pk)  # team ids are read per request
    with CaptureQueriesContext(connection) as many:
        board = dashboard_for(supervisor)
    # The team's ids, then every figure in one statement (familysupport.lib.counts).
    assert len(many.captured_queries) == len(few.captured_queries) == 2
    assert board.contacts_this_month == 8


def test_administrator_home_has_no_dashboard(administrator, login):
    html = login(administrator).get(reverse("home")).content.decode()
    assert 'data-figure="contacts"' not in html


@time_machine.travel(ny(2025, 3, 15, 12), tick=False)
def test_supervisor_dashboard_filters_by_team_ids_not_an_or_across_a_join(team, login):
    """The team is read once; each count filters `advocate_id IN (...)` (indexable)."""
    from django.db import connection
    from django.db.models import Q
    from django.test.utils import CaptureQueriesContext

    from cases.models import Contact
    from reports.dashboards import dashboard_for

    supervisor = team["supervisor"]
    # The supervisor's own work counts too.
    own = f.case(f.family(), advocate=supervisor, risk_level="low")
    f.contact(own, at=ny(2025, 3, 4, 10), advocate=supervisor)
    with CaptureQueriesContext(connection) as ctx:
        board = dashboard_for(supervisor)
    old_rule = Q(advocate__supervisor=supervisor) | Q(advocate=supervisor)
    march = Q(started_at__gte=ny(2025, 3, 1, 0), started_at__lt=ny(2025, 4, 1, 0))
    assert board.contacts_this_month == Contact.objects.filter(old_rule, march).count() == 4
    assert board.open_total == 4
    sqls = [q["sql"] for q in ctx.captured_queries]
    team_reads = [s for s in sqls if 'FROM "accounts_user"' in s and "supervisor_id" in s]
    assert len(team_reads) == 1, team_reads
    for sql in sqls:
        if 'FROM "accounts_user"' in sql:
            continue
        assert '"supervisor_id" =' not in sql, sql
        assert " OR " not in sql, sql
    assert len(sqls) <= 5
