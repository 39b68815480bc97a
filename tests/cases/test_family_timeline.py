"""The family page's one timeline across its cases: contacts (first line of the note),
cases opened, status changes, reassignments and merges, with human labels, and the later
apps' referrals, Team HOPE matches and calls and travel requests."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import restricted, services
from familysupport.lib import timeline as registry
from referrals.models import Referral
from reunification.models import TravelRequest
from teamhope import services as teamhope_services
from teamhope.models import PeerMatch
from tests.referrals.factories import consenting_case, sent_referral
from tests.reunification.factories import TravelRequestFactory
from tests.teamhope.factories import VolunteerFactory, calls_logged

from .factories import CaseFactory, ContactFactory, FamilyFactory

pytestmark = pytest.mark.django_db


def test_family_timeline_spans_every_case(login, advocate, supervisor, make_user):
    first = CaseFactory(assigned_advocate=advocate)
    second = CaseFactory(family=first.family, assigned_advocate=advocate)
    ContactFactory(case=first, notes="Mother called about Kit.\nMore detail here.")
    ContactFactory(case=second, notes="School confirmed attendance.")
    services.case_change_status(case=first, by=advocate, status="closed", reason="Found safe")
    services.case_reassign(case=second, by=supervisor, advocate=make_user("advocate"))
    other = FamilyFactory()
    merge = services.family_merge(source=other, target=first.family, by=supervisor)
    body = login(advocate).get(first.family.get_absolute_url()).content.decode()
    timeline = body.split('id="family-timeline"')[1].split("</ol>")[0]
    assert "Mother called about Kit." in timeline and "More detail here" not in timeline
    assert "School confirmed attendance." in timeline
    assert f"Case closed: {first.reference}" in timeline
    assert f"Case reassigned: {second.reference}" in timeline
    assert f"Family #{merge.source_id} merged into #{merge.target_id}" in timeline
    assert "Status change" in timeline and "Case opened" in timeline
    assert "_" not in "".join(
        line for line in timeline.splitlines() if "text-body-secondary" in line
    )


# --- the later apps' entries (registered through familysupport/lib/timeline.py) --------------


def _other_apps_work(cases, *, advocate, supervisor, n: int) -> None:
    """On each case n referrals sent and n travel requests; on the last one the family's
    Team HOPE match (one at a time per family) with n calls."""
    for case in cases:
        for _ in range(n):
            sent_referral(case=case, family=case.family, created_by=advocate)
            TravelRequestFactory(case=case, requested_by=advocate)
    volunteer = VolunteerFactory()
    match = teamhope_services.match_create(
        case=cases[-1], volunteer=volunteer, why_matched="Shared experience.", by=supervisor
    )
    calls_logged(match, n)


def _family_with_two_cases(advocate):
    first = consenting_case(assigned_advocate=advocate)
    first.family.consent_team_hope_contact = True
    first.family.save()
    second = CaseFactory(family=first.family, assigned_advocate=advocate)
    return first, second


def _timeline_html(body: str) -> str:
    return body.split('id="family-timeline"')[1].split("</ol>")[0]


@pytest.mark.parametrize("role", ["advocate", "supervisor", "administrator"])
def test_referrals_peer_calls_and_travel_of_every_case_show_on_the_family_timeline(
    login, make_user, advocate, supervisor, role
):
    first, second = _family_with_two_cases(advocate)
    _other_apps_work([first, second], advocate=advocate, supervisor=supervisor, n=1)
    response = login(make_user(role)).get(first.family.get_absolute_url())
    assert response.status_code == 200
    timeline = _timeline_html(response.content.decode())
    for case in (first, second):
        referral = Referral.objects.get(case=case)
        travel = TravelRequest.objects.get(case=case)
        title = f"Referral to {referral.recipient_name}: sent, awaiting answer · {case.reference}"
        assert title in timeline
        assert referral.get_absolute_url() in timeline
        assert f"Travel request drafted ({travel.reference}, {case.reference})" in timeline
        assert travel.get_absolute_url() in timeline
    match = PeerMatch.objects.get(case=second)
    assert f"Matched with a Team HOPE volunteer · {second.reference}" in timeline
    assert f"Peer call, 25 min (volunteer called the family) · {second.reference}" in timeline
    assert reverse("teamhope:match_detail", args=[match.pk]) in timeline
    kinds = {e.kind for e in response.context["entries"]}
    assert {"referral", "peer_match", "peer_call", "travel"} <= kinds
    # Newest first across every app.
    moments = [e.at for e in response.context["entries"]]
    assert moments == sorted(moments, reverse=True)
    # The volunteer's call note stays with Team HOPE.
    assert "Private to Team HOPE." not in response.content.decode()


def test_other_apps_entries_only_for_those_who_may_open_the_family(
    advocate, supervisor, make_user, provider_user, volunteer_user
):
    first, second = _family_with_two_cases(advocate)
    _other_apps_work([first, second], advocate=advocate, supervisor=supervisor, n=1)
    restricted.case_restrict(case=first, by=supervisor, reason="A staff member's relative")
    cases = [first, second]
    # The assigned advocate and supervisors open the restricted family: they see it all.
    for user in (advocate, supervisor):
        kinds = {e.kind for e in registry.entries_for_family(cases, user)}
        assert kinds == {"referral", "peer_match", "peer_call", "travel"}, user.role
    # Other staff get the stub page, and the providers give them nothing either; providers
    # and volunteers never read a family's timeline.
    outsider = make_user("advocate")
    for user in (outsider, make_user("administrator"), provider_user, volunteer_user):
        assert registry.entries_for_family(cases, user) == [], user.role


def test_family_page_queries_do_not_grow_with_other_apps_entries(
    login, advocate, supervisor, django_assert_max_num_queries
):
    client = login(advocate)
    counts = []
    for n in (1, 5):
        first, second = _family_with_two_cases(advocate)
        _other_apps_work([first, second], advocate=advocate, supervisor=supervisor, n=n)
        url = first.family.get_absolute_url()
        client.get(url)  # steady state (see test_pages._count_queries)
        # The same limit as the page's pin in test_pages.py.
        with django_assert_max_num_queries(25) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        entries = response.context["entries"]
        assert sum(e.kind == "peer_call" for e in entries) == n
        assert sum(e.kind == "travel" for e in entries) == 2 * n
        assert sum(e.kind == "referral" for e in entries) == 2 * n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
