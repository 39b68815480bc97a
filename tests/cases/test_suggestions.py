"""Duplicate-family suggestions on the new-call screen."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import family_search, selectors
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


# --- ranking and the typo rule (cases/family_search.py) ---------------------------------


def _names(found) -> list[str]:
    return [s.family.contact_name for s in found]


def test_names_containing_what_was_typed_come_before_similar_ones(advocate):
    FamilyFactory(contact_name="Rosa Scotto")  # contains "Rosa Scott"
    FamilyFactory(contact_name="Rosa Scot")  # a letter short: similar only
    found = selectors.family_suggest(user=advocate, name="Rosa Scott")
    assert _names(found) == ["Rosa Scotto", "Rosa Scot"]
    assert [s.reasons for s in found] == [["similar name"], ["similar name"]]


def test_similar_names_are_listed_closest_first(advocate):
    FamilyFactory(contact_name="Rosa Schmidt", display_name="A family")
    FamilyFactory(contact_name="Rosa Scott", display_name="B family")
    # Both share "Rosa Sc…" with the typo; "Scott" differs by one letter.
    assert _names(selectors.family_suggest(user=advocate, name="Rosa Scett")) == [
        "Rosa Scott",
        "Rosa Schmidt",
    ]


def test_a_shared_first_name_alone_is_not_a_similar_name(advocate):
    """Every "Rosa" at 250,000 families is thousands of rows: not a possible duplicate."""
    FamilyFactory(contact_name="Rosa Green")
    FamilyFactory(contact_name="Rosa Scott")
    assert _names(selectors.family_suggest(user=advocate, name="Rosa Zielinski")) == []
    assert _names(selectors.family_suggest(user=advocate, name="Rosa Scett")) == ["Rosa Scott"]


def test_similar_names_only_when_fewer_than_a_screenful_contain_the_name(advocate):
    for first in ["Ann", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal"]:
        FamilyFactory(contact_name=f"{first} Smith")
    FamilyFactory(contact_name="Ivy Smyth")
    found = selectors.family_suggest(user=advocate, name="Smith")
    assert len(found) == selectors.SUGGEST_LIMIT
    assert "Ivy Smyth" not in _names(found)
    assert "Ivy Smyth" in _names(selectors.family_suggest(user=advocate, name="Smyth"))


def test_word_similar_candidates_are_capped_before_ranking(advocate, monkeypatch):
    for first in ["Ann", "Bo", "Cy", "Di", "Ed"]:
        FamilyFactory(contact_name=f"{first} Garcia")
    monkeypatch.setattr(family_search, "SIMILAR_CANDIDATES", 3)
    assert len(selectors.family_suggest(user=advocate, name="Garcio")) == 3
    monkeypatch.undo()
    assert len(selectors.family_suggest(user=advocate, name="Garcio")) == 5


def test_like_wildcards_typed_are_plain_characters(advocate):
    FamilyFactory(contact_name="Ann Lee")
    assert selectors.family_suggest(user=advocate, name="___") == []
    assert selectors.family_suggest(user=advocate, name="%%%") == []


def test_phone_then_case_number_then_names(advocate):
    by_name = FamilyFactory(contact_name="Ann Birch", display_name="A family")
    by_number = CaseFactory(
        external_case_number="NCMEC-2026-0042", family__display_name="B family"
    ).family
    by_phone = FamilyFactory(phone="+15550102999", display_name="C family")
    found = selectors.family_suggest(
        user=advocate, name="Ann Birch", phone="5550102999", number="NCMEC-2026-0042"
    )
    assert [s.family for s in found] == [by_phone, by_number, by_name]


def test_a_family_found_twice_is_listed_once_with_both_reasons(advocate):
    family = FamilyFactory(contact_name="Ann Birch", phone="+15550102999")
    found = selectors.family_suggest(user=advocate, name="Ann Birch", phone="5550102999")
    assert [s.family for s in found] == [family]
    assert found[0].reasons == ["same phone", "similar name"]
    assert found[0].strong


def test_the_whole_search_is_one_query(advocate, django_assert_num_queries):
    """It runs on every pause in typing: every lookup and the open cases in one statement."""
    case = CaseFactory(family__contact_name="Ann Birch", family__phone="+15550102999")
    CaseFactory(family=case.family)
    with django_assert_num_queries(1):
        found = selectors.family_suggest(
            user=advocate, name="Ann Birhc", phone="5550102999", number="NCMEC-1"
        )
        # What the suggestion shows is loaded with it.
        shown = [
            (str(c), c.get_case_type_display(), c.get_status_display(), str(c.assigned_advocate))
            for s in found
            for c in s.open_cases
        ]
        assert [(s.family.display_name, s.family.phone) for s in found] == [
            (case.family.display_name, "+15550102999")
        ]
    assert len(shown) == 2


def test_open_cases_are_listed_newest_first_with_their_advocate(adv_client, make_user):
    helper = make_user("advocate", full_name="Ines Quintero")
    older = CaseFactory(
        family__phone="+15550102000", opened_at=timezone.now() - dt.timedelta(days=9)
    )
    newer = CaseFactory(family=older.family, assigned_advocate=helper)
    found = selectors.family_suggest(user=helper, phone="5550102000")
    assert found[0].open_cases == [newer, older]
    body = adv_client.post(URL, {"phone": "5550102000"}).content.decode()
    assert f"Continue {newer}" in body
    assert "Ines Quintero" in body
    assert body.index(f'value="c{newer.pk}"') < body.index(f'value="c{older.pk}"')


def test_a_short_name_without_three_letters_in_a_row_is_still_found(advocate):
    family = FamilyFactory(contact_name="Li Na")
    FamilyFactory(contact_name="Lina Park")
    assert [s.family for s in selectors.family_suggest(user=advocate, name="Li Na")] == [family]
