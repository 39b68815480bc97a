"""Services that reach across apps: deactivation clears drafts, consent withdrawal ends matches."""

from __future__ import annotations

import pytest

from accounts import services as account_services
from cases import services as case_services
from cases.models import ContactDraft
from tests.teamhope.factories import PeerMatchFactory


@pytest.mark.django_db
def test_deactivating_a_user_deletes_their_unsaved_call_notes(administrator, advocate):
    ContactDraft.objects.create(author=advocate, key="new-call", data={"notes": "draft"})
    account_services.user_deactivate(user=advocate, by=administrator)
    assert not ContactDraft.objects.filter(author=advocate).exists()


@pytest.mark.django_db
def test_withdrawing_team_hope_consent_ends_the_familys_matches(advocate):
    match = PeerMatchFactory()
    family = match.family
    assert family.consent_team_hope_contact and match.ended_at is None
    case_services.family_update(family=family, by=advocate, consent_team_hope_contact=False)
    match.refresh_from_db()
    assert match.ended_at is not None


@pytest.mark.django_db
def test_other_family_changes_leave_matches_alone(advocate):
    match = PeerMatchFactory()
    case_services.family_update(family=match.family, by=advocate, preferred_language="es")
    match.refresh_from_db()
    assert match.ended_at is None
