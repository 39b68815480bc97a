"""Demo data, case timeline entries and navigation for Team HOPE."""

from __future__ import annotations

import io

import pytest
from django.test import RequestFactory
from django.urls import reverse

from familysupport.lib import timeline
from teamhope import demo, nav
from teamhope.models import Escalation, PeerCall, PeerMatch, Volunteer
from teamhope.timeline import case_entries

from .factories import CaseFactory, EscalationFactory, PeerCallFactory, PeerMatchFactory

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_matches_the_demo_volunteer(
    supervisor, volunteer_user, advocate
):
    CaseFactory.create_batch(6, assigned_advocate=advocate)
    CaseFactory(family__consent_team_hope_contact=False)
    users = {"supervisor": supervisor, "volunteer": volunteer_user, "advocate": advocate}
    demo.seed(scale="small", stdout=io.StringIO(), users=users)
    assert Volunteer.objects.count() == demo.VOLUNTEERS
    assert PeerMatch.objects.filter(volunteer__user=volunteer_user).exists()
    assert not PeerMatch.objects.filter(family__consent_team_hope_contact=False).exists()
    assert PeerCall.objects.count() == demo.CALLS["small"]
    assert all(c.called_at >= c.match.started_at for c in PeerCall.objects.select_related("match"))
    counts = (Volunteer.objects.count(), PeerMatch.objects.count(), PeerCall.objects.count())
    demo.seed(scale="small", stdout=io.StringIO(), users=users)
    assert counts == (
        Volunteer.objects.count(),
        PeerMatch.objects.count(),
        PeerCall.objects.count(),
    )
    assert Escalation.objects.count() == 1


def test_demo_seed_without_families_creates_no_matches(supervisor, volunteer_user):
    users = {"supervisor": supervisor, "volunteer": volunteer_user}
    demo.seed(scale="small", stdout=io.StringIO(), users=users)
    assert Volunteer.objects.count() == demo.VOLUNTEERS
    assert not PeerMatch.objects.exists() and not PeerCall.objects.exists()


def test_timeline_shows_matches_and_calls_without_the_private_note(
    advocate, volunteer_user, django_assert_max_num_queries
):
    match = PeerMatchFactory()
    PeerCallFactory(match=match, note="PRIVATE-PEER-NOTE", topics=["media"])
    EscalationFactory(match=match, reason="Needs help today")
    with django_assert_max_num_queries(3):
        entries = case_entries(match.case, advocate)
    kinds = sorted(e.kind for e in entries)
    assert kinds == ["peer_call", "peer_escalation", "peer_match"]
    text = " ".join(f"{e.title} {e.summary}" for e in entries)
    assert "PRIVATE-PEER-NOTE" not in text
    assert "Media attention" in text and "Needs help today" in text
    PeerCallFactory.create_batch(15, match=match)
    with django_assert_max_num_queries(3):
        assert len(case_entries(match.case, advocate)) == 18
    assert case_entries(match.case, volunteer_user) == []
    assert case_entries in timeline._providers


def test_volunteer_menu_and_home_panel(volunteer, match):
    labels = [i.label for i in nav.menu(volunteer.user)]
    assert labels == ["My families", "My calls"]
    request = RequestFactory().get("/")
    request.user = volunteer.user
    (panel,) = nav.home_panels(request)
    assert panel.context["cards"][0].match_id == match.pk


def test_supervisor_home_panels(login, supervisor, volunteer, match):
    EscalationFactory(match=match)
    CaseFactory()  # a family waiting
    html = login(supervisor).get(reverse("home")).content.decode()
    assert "Team HOPE escalations open" in html and "1 open escalation" in html
    assert "Families waiting for a Team HOPE match" in html
    assert [i.label for i in nav.menu(supervisor)] == ["Team HOPE"]


def test_advocate_panel_lists_only_their_escalations(login, advocate, make_user, match):
    EscalationFactory(match=match)  # match's case belongs to `advocate`
    other = make_user("advocate")
    assert "1 open escalation" in login(advocate).get(reverse("home")).content.decode()
    assert "No open escalations" in login(other).get(reverse("home")).content.decode()


def test_provider_sees_no_team_hope(provider_user):
    assert nav.menu(provider_user) == []
    request = RequestFactory().get("/")
    request.user = provider_user
    assert nav.home_panels(request) == []
