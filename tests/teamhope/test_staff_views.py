"""Staff overviews: calls per volunteer per month, families waiting, near capacity."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cases.models import Case
from teamhope import selectors

from .factories import CaseFactory, PeerCallFactory, PeerMatchFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


def _at(year, month, day=15):
    return dt.datetime(year, month, day, 12, tzinfo=dt.UTC)


def test_calls_per_volunteer_per_month(login, administrator, django_assert_max_num_queries):
    a = PeerMatchFactory(volunteer__user__full_name="Ann Peer")
    b = PeerMatchFactory(volunteer__user__full_name="Bo Peer")
    PeerCallFactory(match=a, called_at=_at(2025, 1))
    PeerCallFactory(match=a, called_at=_at(2025, 1, 20))
    PeerCallFactory(match=a, called_at=_at(2025, 3))
    PeerCallFactory(match=b, called_at=_at(2025, 12))
    PeerCallFactory(match=b, called_at=_at(2024, 12))  # another year
    _months, rows = selectors.calls_per_volunteer_month(user=administrator, year=2025)
    by_name = {str(r.volunteer): r for r in rows}
    assert by_name["Ann Peer"].counts[:3] == [2, 0, 1] and by_name["Ann Peer"].total == 3
    assert by_name["Bo Peer"].counts[11] == 1 and by_name["Bo Peer"].total == 1
    client = login(administrator)
    client.get(reverse("home"))  # steady state: the first request records the second factor
    with django_assert_max_num_queries(8):
        response = client.get(reverse("teamhope:calls_by_month"), {"year": "2025"})
    assert "4 peer calls logged in 2025" in response.content.decode()
    for _ in range(5):
        PeerCallFactory.create_batch(3, called_at=_at(2025, 6))
    with django_assert_max_num_queries(8):
        assert client.get(reverse("teamhope:calls_by_month"), {"year": "x"}).status_code == 200


def test_families_waiting_for_a_match(login, supervisor, django_assert_max_num_queries):
    waiting = CaseFactory()
    CaseFactory(family__consent_team_hope_contact=False)  # no consent
    CaseFactory(status=Case.Status.CLOSED)  # closed
    matched = PeerMatchFactory().case  # has a volunteer
    ended = PeerMatchFactory(ended_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC), end_reason="other")
    qs = selectors.cases_waiting_for_match(user=supervisor)
    assert set(qs) == {waiting, ended.case}
    assert matched not in qs
    client = login(supervisor)
    client.get(reverse("home"))  # steady state: the first request records the second factor
    with django_assert_max_num_queries(8):
        html = client.get(reverse("teamhope:waiting_list")).content.decode()
    assert waiting.reference in html
    assert reverse("teamhope:match_suggest", args=[waiting.pk]) in html
    CaseFactory.create_batch(8)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("teamhope:waiting_list")).status_code == 200


def test_families_waiting_is_an_anti_join_not_a_not_in(supervisor):
    """NOT EXISTS (an anti-join on the active-match index), not NOT IN (subquery)."""
    sql = str(selectors.cases_waiting_for_match(user=supervisor).query).upper()
    assert "NOT EXISTS" in sql
    assert " IN (SELECT" not in sql


def test_volunteers_near_capacity(login, advocate, django_assert_max_num_queries):
    full = VolunteerFactory(user__full_name="Full Peer", capacity=2)
    PeerMatchFactory.create_batch(2, volunteer=full)
    near = VolunteerFactory(user__full_name="Near Peer", capacity=3)
    PeerMatchFactory.create_batch(2, volunteer=near)
    VolunteerFactory(user__full_name="Roomy Peer", capacity=5)
    paused = VolunteerFactory(user__full_name="Paused Peer", capacity=1, status="paused")
    PeerMatchFactory(volunteer=paused)
    assert selectors.volunteers_near_capacity(user=advocate) == [full, near]
    client = login(advocate)
    client.get(reverse("home"))  # steady state: the first request records the second factor
    with django_assert_max_num_queries(7):
        html = client.get(reverse("teamhope:capacity_list")).content.decode()
    assert "Full Peer" in html and "Near Peer" in html and "Roomy Peer" not in html


def test_match_detail_hides_call_notes_from_advocates(login, advocate, supervisor):
    call = PeerCallFactory(note="PRIVATE-PEER-NOTE")
    url = reverse("teamhope:match_detail", args=[call.match.pk])
    assert "PRIVATE-PEER-NOTE" not in login(advocate).get(url).content.decode()
    assert "PRIVATE-PEER-NOTE" in login(supervisor).get(url).content.decode()


def test_match_detail_query_count(login, supervisor, django_assert_max_num_queries):
    match = PeerMatchFactory()
    PeerCallFactory(match=match)
    client = login(supervisor)
    url = reverse("teamhope:match_detail", args=[match.pk])
    client.get(reverse("home"))  # steady state: the first request records the second factor
    with django_assert_max_num_queries(11):
        assert client.get(url).status_code == 200
    PeerCallFactory.create_batch(20, match=match)
    with django_assert_max_num_queries(11):
        assert client.get(url).status_code == 200


def test_staff_pages_are_not_for_volunteers_or_providers(login, volunteer_user, provider_user):
    for user in (volunteer_user, provider_user):
        client = login(user)
        for name in ("volunteer_list", "waiting_list", "capacity_list", "calls_by_month"):
            assert client.get(reverse(f"teamhope:{name}")).status_code == 403
