"""Matching: suggestions with reasons; consent, capacity and stale-check gates; ending."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases.models import Case
from familysupport.lib.models import Notification
from teamhope import selectors, services
from teamhope.models import PeerMatch, Volunteer

from .factories import CaseFactory, PeerMatchFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)


def _create(case, volunteer, by):
    return services.match_create(case=case, volunteer=volunteer, why_matched="Fits.", by=by)


def test_match_created_and_volunteer_told(advocate):
    case = CaseFactory(assigned_advocate=advocate)
    volunteer = VolunteerFactory()
    match = _create(case, volunteer, advocate)
    assert match.family == case.family and match.created_by == advocate
    assert Notification.objects.filter(
        recipient=volunteer.user, event="teamhope.match.created"
    ).exists()


def test_consent_gate(supervisor):
    case = CaseFactory(family__consent_team_hope_contact=False)
    with pytest.raises(ValidationError, match="not consented"):
        _create(case, VolunteerFactory(), supervisor)
    assert not PeerMatch.objects.exists()


def test_consent_gate_through_the_page(login, supervisor):
    case = CaseFactory(family__consent_team_hope_contact=False)
    volunteer = VolunteerFactory()
    client = login(supervisor)
    page = client.get(reverse("teamhope:match_suggest", args=[case.pk]))
    assert "has not consented" in page.content.decode()
    response = client.post(
        reverse("teamhope:match_create", args=[case.pk]),
        {"volunteer": volunteer.pk, "why_matched": "Typed reason kept"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "not consented" in html and "Typed reason kept" in html
    assert not PeerMatch.objects.exists()


def test_capacity_gate(supervisor):
    volunteer = VolunteerFactory(capacity=2)
    PeerMatchFactory.create_batch(2, volunteer=volunteer)
    with pytest.raises(ValidationError, match="At capacity"):
        _create(CaseFactory(), volunteer, supervisor)
    assert PeerMatch.objects.filter(volunteer=volunteer).count() == 2


def test_ended_matches_free_capacity(supervisor):
    volunteer = VolunteerFactory(capacity=1)
    old = PeerMatchFactory(volunteer=volunteer)
    services.match_end(match=old, reason="goals_met", by=supervisor)
    assert _create(CaseFactory(), volunteer, supervisor).volunteer == volunteer


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"training_completed_on": dt.date(2024, 3, 9)}, "training is more than 2 years old"),
        ({"background_check_on": dt.date(2023, 1, 1)}, "Background check is more than 2 years"),
        ({"training_completed_on": None}, "training not recorded"),
        ({"background_check_on": None}, "Background check not recorded"),
        ({"status": Volunteer.Status.PAUSED}, "Status is paused"),
    ],
)
def test_stale_or_missing_checks_block_matching(supervisor, fields, reason):
    volunteer = VolunteerFactory(**fields)
    with pytest.raises(ValidationError, match=reason):
        _create(CaseFactory(), volunteer, supervisor)
    assert not PeerMatch.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_check_exactly_at_the_limit_still_counts(supervisor):
    volunteer = VolunteerFactory(
        training_completed_on=dt.date(2024, 3, 10), background_check_on=dt.date(2024, 3, 10)
    )
    assert _create(CaseFactory(), volunteer, supervisor)


@time_machine.travel(TODAY, tick=False)
def test_stale_period_is_configurable(settings, supervisor):
    settings.TEAMHOPE_CHECK_VALID_YEARS = 1
    volunteer = VolunteerFactory(training_completed_on=dt.date(2025, 1, 1))
    with pytest.raises(ValidationError, match="more than 1 years old"):
        _create(CaseFactory(), volunteer, supervisor)


def test_one_active_match_per_family(supervisor):
    first = PeerMatchFactory()
    with pytest.raises(ValidationError, match="already has a Team HOPE volunteer"):
        _create(first.case, VolunteerFactory(), supervisor)


def test_closed_case_cannot_be_matched(supervisor):
    with pytest.raises(ValidationError, match="closed"):
        _create(CaseFactory(status=Case.Status.CLOSED), VolunteerFactory(), supervisor)


def test_volunteer_and_provider_cannot_match(volunteer_user, provider_user):
    for user in (volunteer_user, provider_user):
        with pytest.raises(PermissionDenied):
            _create(CaseFactory(), VolunteerFactory(), user)
    match = PeerMatchFactory()
    with pytest.raises(PermissionDenied):
        services.match_end(match=match, reason="other", by=volunteer_user)


def test_administrator_creates_and_ends_a_match_through_the_pages(login, administrator):
    """DESIGN.md: administrators have RW on "Team HOPE roster & matches" (they read cases)."""
    case = CaseFactory()
    volunteer = VolunteerFactory()
    client = login(administrator)
    page = client.get(reverse("teamhope:match_suggest", args=[case.pk]))
    assert page.status_code == 200 and "Create match" in page.content.decode()
    created = client.post(
        reverse("teamhope:match_create", args=[case.pk]),
        {"volunteer": volunteer.pk, "why_matched": "Same language and experience."},
    )
    match = PeerMatch.objects.get()
    assert created.status_code == 302 and created["Location"] == match.get_absolute_url()
    assert match.created_by == administrator and match.case == case
    detail = client.get(match.get_absolute_url()).content.decode()
    assert "End this match" in detail
    ended = client.post(reverse("teamhope:match_end", args=[match.pk]), {"end_reason": "goals_met"})
    assert ended.status_code == 302
    match.refresh_from_db()
    assert match.ended_at and match.ended_by == administrator
    # The administrator still only reads the case itself.
    assert case.status == Case.Status.ACTIVE
    assert client.post(reverse("cases:case_status", args=[case.pk]), {}).status_code == 403


def test_suggestions_rank_experience_language_time_zone_and_capacity(supervisor):
    case = CaseFactory(
        case_type=Case.Type.FAMILY_ABDUCTION,
        family__preferred_language="es",
        family__time_zone="America/Chicago",
    )
    best = VolunteerFactory(
        experience_types=[Case.Type.FAMILY_ABDUCTION],
        languages=["en", "es"],
        time_zone="America/Chicago",
        experience_outcome="missing",
    )
    related = VolunteerFactory(
        experience_types=[Case.Type.NONFAMILY_ABDUCTION],
        languages=["es"],
        time_zone="America/Los_Angeles",
    )
    other = VolunteerFactory(
        experience_types=[Case.Type.CSAM], languages=["en"], time_zone="Pacific/Honolulu"
    )
    busy = VolunteerFactory(training_completed_on=None)
    VolunteerFactory(status=Volunteer.Status.RETIRED)
    ready, blocked = selectors.match_suggestions(user=supervisor, case=case)
    assert [s.volunteer for s in ready] == [best, related, other]
    reasons = " ".join(ready[0].reasons)
    assert "Same experience" in reasons and "Speaks Spanish" in reasons
    assert "Same time zone" in reasons and "3 of 3 places free" in reasons
    assert "Related experience" in " ".join(ready[1].reasons)
    assert "2 h time difference" in " ".join(ready[1].reasons)
    assert "Does not list Spanish" in " ".join(ready[2].reasons)
    assert [s.volunteer for s in blocked] == [busy]
    assert "training not recorded" in " ".join(blocked[0].blockers)


def test_free_capacity_breaks_ties(supervisor):
    case = CaseFactory()
    fuller = VolunteerFactory(capacity=3)
    PeerMatchFactory.create_batch(2, volunteer=fuller)
    emptier = VolunteerFactory(capacity=3)
    ready, _ = selectors.match_suggestions(user=supervisor, case=case)
    assert [s.volunteer for s in ready] == [emptier, fuller]


def test_suggest_page_shows_reasons_and_blockers(login, advocate, django_assert_max_num_queries):
    case = CaseFactory(assigned_advocate=advocate)
    VolunteerFactory(user__full_name="Ready Volunteer")
    VolunteerFactory(user__full_name="Stale Volunteer", background_check_on=None)
    client = login(advocate)
    client.get(reverse("home"))  # steady state: the first request records the second factor
    with django_assert_max_num_queries(10):
        response = client.get(reverse("teamhope:match_suggest", args=[case.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ready Volunteer" in html and "Same experience" in html
    assert "Stale Volunteer" in html and "Background check not recorded" in html
    VolunteerFactory.create_batch(10)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("teamhope:match_suggest", args=[case.pk])).status_code == 200


def test_create_match_through_the_page(login, advocate):
    case = CaseFactory(assigned_advocate=advocate)
    volunteer = VolunteerFactory()
    response = login(advocate).post(
        reverse("teamhope:match_create", args=[case.pk]),
        {"volunteer": volunteer.pk, "why_matched": "Both lived a family abduction."},
    )
    match = PeerMatch.objects.get()
    assert response.status_code == 302 and response["Location"] == match.get_absolute_url()
    assert match.why_matched == "Both lived a family abduction."


def test_create_match_requires_a_note(login, advocate):
    case = CaseFactory()
    volunteer = VolunteerFactory()
    response = login(advocate).post(
        reverse("teamhope:match_create", args=[case.pk]), {"volunteer": volunteer.pk}
    )
    assert response.status_code == 400
    assert "why_matched" in response.context["form"].errors
    assert not PeerMatch.objects.exists()


def test_capacity_gate_through_the_page_shows_why(login, supervisor):
    volunteer = VolunteerFactory(capacity=1)
    PeerMatchFactory(volunteer=volunteer)
    case = CaseFactory()
    response = login(supervisor).post(
        reverse("teamhope:match_create", args=[case.pk]),
        {"volunteer": volunteer.pk, "why_matched": "note"},
    )
    assert response.status_code == 400
    assert "At capacity (1 of 1 families)" in response.content.decode()


def test_end_match_records_why(login, supervisor):
    match = PeerMatchFactory()
    client = login(supervisor)
    bad = client.post(reverse("teamhope:match_end", args=[match.pk]), {"end_note": "typed"})
    assert bad.status_code == 400 and "typed" in bad.content.decode()
    match.refresh_from_db()
    assert match.ended_at is None
    ok = client.post(
        reverse("teamhope:match_end", args=[match.pk]),
        {"end_reason": "family_declined", "end_note": "Prefers a group."},
    )
    assert ok.status_code == 302
    match.refresh_from_db()
    assert match.ended_at and match.end_reason == "family_declined" and match.ended_by == supervisor
    with pytest.raises(ValidationError, match="already ended"):
        services.match_end(match=match, reason="other", by=supervisor)
