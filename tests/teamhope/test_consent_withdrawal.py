"""A family that withdraws Team HOPE consent, or is merged into another, disappears from
the volunteer at once; the consent-withdrawal service ends its matches and tells the advocate."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import services as case_services
from familysupport.lib.models import Notification, OutboundEmail
from teamhope import services
from teamhope.models import PeerCall, PeerMatch

from .factories import FamilyFactory, PeerCallFactory

pytestmark = pytest.mark.django_db

VOLUNTEER_FAMILY_PAGES = ("teamhope:my_family", "teamhope:call_log", "teamhope:escalate")


def _withdraw_consent_only(match) -> None:
    # The flag alone (as a data fix or any path that does not end the match would leave
    # it): the volunteer's selectors must hide the family by themselves.
    family = match.family
    family.consent_team_hope_contact = False
    family.save()


def _merge_away(match, supervisor) -> None:
    target = FamilyFactory(display_name="Target household")
    case_services.family_merge(source=match.family, target=target, by=supervisor, reason="dup")


def _assert_family_hidden(client, match) -> None:
    family = match.family
    for name in VOLUNTEER_FAMILY_PAGES:
        url = reverse(name, args=[match.pk])
        assert client.get(url).status_code == 404, name
    post = {"called_on": "2026-03-01", "duration_minutes": "15", "direction": "outbound"}
    assert client.post(reverse("teamhope:call_log", args=[match.pk]), post).status_code == 404
    assert not PeerCall.objects.filter(match=match, duration_minutes=15).exists()
    for url in (reverse("teamhope:my_families"), reverse("home")):
        html = client.get(url).content.decode()
        assert family.phone not in html, url
        assert family.contact_first_name not in html, url
    calls = client.get(reverse("teamhope:my_calls")).content.decode()
    assert "kept in my history" in calls
    assert family.contact_first_name not in calls


@pytest.fixture
def named_match(match):
    family = match.family
    family.contact_first_name = "Philippa"
    family.phone = "+12025550177"
    family.save()
    PeerCallFactory(match=match, note="kept in my history")
    return match


def test_volunteer_sees_the_family_while_it_consents(login, volunteer, named_match):
    client = login(volunteer.user)
    for name in VOLUNTEER_FAMILY_PAGES:
        assert client.get(reverse(name, args=[named_match.pk])).status_code == 200
    assert "+12025550177" in client.get(reverse("teamhope:my_families")).content.decode()
    assert "Philippa" in client.get(reverse("teamhope:my_calls")).content.decode()


def test_withdrawn_consent_hides_the_family_even_before_the_match_ends(
    login, volunteer, named_match
):
    client = login(volunteer.user)
    assert client.get(reverse("teamhope:my_family", args=[named_match.pk])).status_code == 200
    _withdraw_consent_only(named_match)
    named_match.refresh_from_db()
    assert named_match.ended_at is None
    named_match.family.refresh_from_db()
    _assert_family_hidden(client, named_match)


def test_withdrawal_through_the_family_form_ends_the_match(login, volunteer, named_match, advocate):
    """cases.services.family_update calls teamhope's service when consent turns off."""
    client = login(volunteer.user)
    case_services.family_update(
        family=named_match.family, by=advocate, consent_team_hope_contact=False
    )
    named_match.refresh_from_db()
    assert named_match.end_reason == PeerMatch.EndReason.CONSENT_WITHDRAWN
    assert Notification.objects.filter(
        event="teamhope.match.consent_withdrawn", recipient=advocate
    ).exists()
    _assert_family_hidden(client, named_match)


def test_a_merge_moves_the_match_to_the_kept_family_under_its_consent(
    login, volunteer, named_match, supervisor
):
    """The household keeps its peer parent; the volunteer now sees the kept family (only
    while that family consents), never the merged-away record."""
    client = login(volunteer.user)
    assert client.get(reverse("teamhope:call_log", args=[named_match.pk])).status_code == 200
    merged_away = named_match.family
    _merge_away(named_match, supervisor)
    named_match.refresh_from_db()
    assert named_match.ended_at is None  # a merge alone does not end the match
    merged_away.refresh_from_db()
    assert named_match.family_id == merged_away.merged_into_id
    kept = named_match.family
    html = client.get(reverse("teamhope:my_families")).content.decode()
    assert merged_away.phone not in html
    assert (kept.phone in html) == kept.consent_team_hope_contact
    _withdraw_consent_only(named_match)
    named_match.family.refresh_from_db()
    for name in VOLUNTEER_FAMILY_PAGES:
        assert client.get(reverse(name, args=[named_match.pk])).status_code == 404, name


# --- the service cases calls when consent is withdrawn ---------------------------------


def test_withdrawal_ends_active_matches_and_tells_the_advocate(
    login, volunteer, named_match, advocate
):
    family = named_match.family
    family.consent_team_hope_contact = False
    family.save()
    ended = services.matches_end_for_withdrawn_consent(family, advocate)
    assert [m.pk for m in ended] == [named_match.pk]
    named_match.refresh_from_db()
    assert named_match.ended_at is not None
    assert named_match.end_reason == PeerMatch.EndReason.CONSENT_WITHDRAWN
    assert named_match.ended_by == advocate
    alert = Notification.objects.get(event="teamhope.match.consent_withdrawn")
    assert alert.recipient == advocate
    assert alert.url == reverse("teamhope:match_detail", args=[named_match.pk])
    told_volunteer = Notification.objects.get(recipient=volunteer.user)
    sent = [alert.title, told_volunteer.title]
    sent += list(OutboundEmail.objects.values_list("subject", flat=True))
    sent += list(OutboundEmail.objects.values_list("body_text", flat=True))
    for text in sent:
        for detail in (
            "Philippa",
            "+12025550177",
            family.display_name,
            family.contact_name,
            named_match.case.reference,
        ):
            assert detail not in text
    # The volunteer's pages no longer show the family.
    _assert_family_hidden(login(volunteer.user), named_match)


def test_withdrawal_service_is_idempotent(named_match, advocate):
    family = named_match.family
    family.consent_team_hope_contact = False
    family.save()
    services.matches_end_for_withdrawn_consent(family=family, by=advocate)
    assert services.matches_end_for_withdrawn_consent(family=family, by=advocate) == []
    assert Notification.objects.filter(event="teamhope.match.consent_withdrawn").count() == 1


def test_withdrawal_service_refuses_a_family_that_still_consents(named_match, advocate):
    with pytest.raises(ValidationError):
        services.matches_end_for_withdrawn_consent(named_match.family, advocate)
    named_match.refresh_from_db()
    assert named_match.ended_at is None


def test_withdrawal_without_an_advocate_tells_the_supervisors(named_match, supervisor):
    case = named_match.case
    case.assigned_advocate = None
    case.save()
    family = named_match.family
    family.consent_team_hope_contact = False
    family.save()
    services.matches_end_for_withdrawn_consent(family, supervisor)
    alert = Notification.objects.get(event="teamhope.match.consent_withdrawn")
    assert alert.recipient == supervisor
