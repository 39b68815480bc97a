"""The case page links to the other apps' work on the case, and shows that work on its timeline."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from referrals.models import Referral
from reunification.models import TravelRequest
from teamhope import services as teamhope_services
from tests.referrals.factories import consenting_case, sent_referral
from tests.reunification.factories import TravelRequestFactory
from tests.teamhope.factories import VolunteerFactory, calls_logged

pytestmark = pytest.mark.django_db

LINKS = {
    "Find a provider": "referrals:match",
    "Referrals": "referrals:case_referrals",
    "Find a Team HOPE volunteer": "teamhope:match_suggest",
    "New travel request": "reunification:create",
}


def _actions(body: str) -> dict[str, str]:
    """{label: href} of the links in the page's "Case actions" navigation."""
    nav = re.search(r'<nav aria-label="Case actions".*?</nav>', body, re.S)
    assert nav, "no case actions on the page"
    return {
        label.strip(): href
        for href, label in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>([^<]+)</a>', nav.group(0))
    }


def _expected(case, labels) -> dict[str, str]:
    return {label: reverse(LINKS[label], args=[case.pk]) for label in labels}


@pytest.mark.parametrize("role", ["advocate", "supervisor"])
def test_caseworkers_get_every_action_and_each_link_opens(login, make_user, role):
    user = make_user(role)
    case = consenting_case()
    client = login(user)
    actions = _actions(client.get(case.get_absolute_url()).content.decode())
    assert actions == _expected(case, LINKS)
    assert actions["New travel request"] == reverse(
        "reunification:create", kwargs={"case_pk": case.pk}
    )
    for label, url in actions.items():
        assert client.get(url).status_code == 200, label


def test_administrator_reads_referrals_and_may_match_but_not_refer_or_request_travel(
    login, administrator
):
    case = consenting_case()
    client = login(administrator)
    actions = _actions(client.get(case.get_absolute_url()).content.decode())
    assert actions == _expected(case, ["Referrals", "Find a Team HOPE volunteer"])
    for url in actions.values():
        assert client.get(url).status_code == 200
    # What is hidden is also refused.
    assert client.get(reverse("referrals:match", args=[case.pk])).status_code == 403
    assert client.get(reverse("reunification:create", args=[case.pk])).status_code == 403


@pytest.mark.parametrize("role", ["advocate", "supervisor", "administrator"])
def test_closed_case_offers_only_its_referral_history(login, make_user, role):
    case = consenting_case(status=Case.Status.CLOSED, closed_at=timezone.now())
    body = login(make_user(role)).get(case.get_absolute_url()).content.decode()
    assert _actions(body) == _expected(case, ["Referrals"])


# --- the other apps' records on the timeline ------------------------------------------------


def _with_other_apps_work(case, *, advocate, supervisor, n: int) -> None:
    """n referrals, n peer calls on a Team HOPE match and n travel requests, made as the apps do."""
    for _ in range(n):
        sent_referral(case=case, family=case.family, created_by=advocate)
    volunteer = VolunteerFactory()
    match = teamhope_services.match_create(
        case=case, volunteer=volunteer, why_matched="Shared experience.", by=supervisor
    )
    calls_logged(match, n)
    for _ in range(n):
        TravelRequestFactory(case=case, requested_by=advocate, destination_city="Springfield")


def _case_for_timeline(advocate):
    case = consenting_case(assigned_advocate=advocate)
    case.family.consent_team_hope_contact = True
    case.family.save()
    return case


@pytest.mark.parametrize("role", ["advocate", "supervisor"])
def test_referral_match_peer_call_and_travel_show_on_the_case_timeline(
    login, make_user, advocate, supervisor, role
):
    case = _case_for_timeline(advocate)
    _with_other_apps_work(case, advocate=advocate, supervisor=supervisor, n=1)
    response = login(make_user(role)).get(case.get_absolute_url())
    assert response.status_code == 200
    kinds = {e.kind for e in response.context["entries"]}
    assert {"referral", "peer_match", "peer_call", "travel"} <= kinds
    body = response.content.decode()
    referral = Referral.objects.get(case=case)
    travel = TravelRequest.objects.get(case=case)
    assert f"Referral to {referral.recipient_name}: sent" in body
    assert referral.get_absolute_url() in body
    assert "Matched with a Team HOPE volunteer" in body
    assert "Peer call, 25 min (volunteer called the family)" in body
    assert f"Travel request drafted ({travel.reference})" in body
    assert travel.get_absolute_url() in body
    # The volunteer's call note stays with Team HOPE.
    assert "Private to Team HOPE." not in body


def test_case_page_queries_do_not_grow_with_other_apps_entries(
    login, advocate, supervisor, django_assert_max_num_queries
):
    client = login(advocate)
    counts = []
    for n in (1, 6):
        case = _case_for_timeline(advocate)
        _with_other_apps_work(case, advocate=advocate, supervisor=supervisor, n=n)
        client.get(case.get_absolute_url())  # steady state (see test_pages._count_queries)
        # The same limit as the page's pin in test_pages.py.
        with django_assert_max_num_queries(30) as ctx:
            response = client.get(case.get_absolute_url())
        assert response.status_code == 200
        assert sum(e.kind == "peer_call" for e in response.context["entries"]) == n
        assert sum(e.kind == "travel" for e in response.context["entries"]) == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
