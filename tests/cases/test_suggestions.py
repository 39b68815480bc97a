"""Duplicate-family suggestions on the new-call screen."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import selectors
from cases.models import Case

from .factories import CaseFactory, FamilyFactory

pytestmark = pytest.mark.django_db
URL = reverse("cases:family_suggest")


@pytest.mark.parametrize("typed", ["(555) 010-2000", "+1 555 010 2000", "555.010.2000"])
def test_phone_variants_match_the_stored_e164_number(advocate, typed):
    family = FamilyFactory(phone="+15550102000")
    FamilyFactory(phone="+15550102001")
    found = selectors.family_suggest(user=advocate, phone=typed)
    assert [s.family for s in found] == [family]
    assert found[0].reasons == ["same phone"]


def test_alternate_phone_matches(advocate):
    family = FamilyFactory(phone="+15550100000", phone_alt="+15550102000")
    assert [s.family for s in selectors.family_suggest(user=advocate, phone="5550102000")] == [
        family
    ]


def test_one_letter_typo_in_a_name_matches(advocate):
    family = FamilyFactory(contact_name="Margaret Okonkwo", display_name="Okonkwo family")
    FamilyFactory(contact_name="Pat Lee", display_name="Lee family")
    found = selectors.family_suggest(user=advocate, name="Margaret Okonkow")
    assert [s.family for s in found] == [family]
    found = selectors.family_suggest(user=advocate, name="Okonkwa")
    assert [s.family for s in found] == [family]


def test_external_case_number_matches_case_insensitively(advocate):
    case = CaseFactory(external_case_number="NCMEC-2026-0042")
    found = selectors.family_suggest(user=advocate, number="ncmec-2026-0042")
    assert [s.family for s in found] == [case.family]
    assert found[0].open_cases == [case]


def test_suggestion_lists_only_open_cases(advocate):
    open_case = CaseFactory(family__phone="+15550102000")
    CaseFactory(family=open_case.family, status=Case.Status.CLOSED)
    found = selectors.family_suggest(user=advocate, phone="5550102000")
    assert found[0].open_cases == [open_case]


def test_merged_away_families_are_not_suggested(advocate):
    target = FamilyFactory()
    FamilyFactory(phone="+15550102000", merged_into=target)
    assert selectors.family_suggest(user=advocate, phone="5550102000") == []


def test_nothing_typed_suggests_nothing(advocate):
    FamilyFactory()
    assert selectors.family_suggest(user=advocate, name="", phone="", number="") == []
    assert selectors.family_suggest(user=advocate, name="ab") == []


def test_suggest_view_renders_radio_choices(adv_client):
    case = CaseFactory(family__phone="+15550102000", family__contact_name="Ann Birch")
    response = adv_client.get(URL, {"phone": "(555) 010-2000"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert f'value="c{case.pk}"' in body
    assert f'value="f{case.family_id}"' in body
    assert "Ann Birch" in body


def test_suggest_view_keeps_the_chosen_case_checked(adv_client):
    case = CaseFactory(family__phone="+15550102000")
    body = adv_client.get(URL, {"name": "zzzz", "attach": f"c{case.pk}"}).content.decode()
    assert f'value="c{case.pk}" id="attach-c{case.pk}" checked' in body


@pytest.mark.parametrize("role", ["administrator", "provider", "volunteer"])
def test_suggest_refused_to_other_roles(login, make_user, role):
    FamilyFactory(phone="+15550102000")
    response = login(make_user(role)).get(URL, {"phone": "5550102000"})
    assert response.status_code == 403


def test_suggest_anonymous_goes_to_login(client):
    assert client.get(URL).status_code == 302
