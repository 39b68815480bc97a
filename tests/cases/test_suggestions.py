"""Duplicate-family suggestions on the new-call screen."""

from __future__ import annotations

import re

import pytest
from django.test import Client
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
    response = adv_client.post(URL, {"phone": "(555) 010-2000"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert f'value="c{case.pk}"' in body
    assert f'value="f{case.family_id}"' in body
    assert "Ann Birch" in body


def test_suggest_view_keeps_the_chosen_case_checked(adv_client):
    case = CaseFactory(family__phone="+15550102000")
    body = adv_client.post(URL, {"name": "zzzz", "attach": f"c{case.pk}"}).content.decode()
    assert f'value="c{case.pk}" id="attach-c{case.pk}" checked' in body


def test_suggest_by_get_is_refused_so_typed_names_never_reach_access_logs(adv_client):
    """A GET would carry the caller's name and phone in the URL (logged by every proxy)."""
    FamilyFactory(phone="+15550102000", contact_name="Ann Birch")
    response = adv_client.get(URL, {"name": "Ann Birch", "phone": "5550102000"})
    assert response.status_code == 405
    assert b"Ann Birch" not in response.content


def test_new_call_page_posts_only_the_caller_fields_to_suggest(adv_client):
    body = adv_client.get(reverse("cases:new_call"), follow=True).content.decode()
    assert f'hx-post="{URL}"' in body
    assert f'hx-get="{URL}"' not in body
    # Only the search fields: the enclosing form's notes are not sent on every keystroke.
    assert 'hx-params="name,phone,external_case_number,email,attach,different_family"' in body


def test_suggest_needs_the_csrf_header_htmx_sends(login, advocate):
    FamilyFactory(phone="+15550102000", contact_name="Ann Birch")
    client = login(advocate, Client(enforce_csrf_checks=True))
    page = client.get(reverse("cases:new_call"), follow=True).content.decode()
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    assert client.post(URL, {"phone": "5550102000"}).status_code == 403
    response = client.post(URL, {"phone": "5550102000"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert "Ann Birch" in response.content.decode()


@pytest.mark.parametrize("role", ["administrator", "provider", "volunteer"])
def test_suggest_refused_to_other_roles(login, make_user, role):
    FamilyFactory(phone="+15550102000")
    response = login(make_user(role)).post(URL, {"phone": "5550102000"})
    assert response.status_code == 403


def test_suggest_anonymous_goes_to_login(client):
    assert client.post(URL).status_code == 302
