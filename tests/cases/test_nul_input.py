"""NUL bytes (PostgreSQL refuses them in text) on the case pages: a message or a 400, never
a 500 (forms: Django's CharField; query strings: lib/badinput.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .factories import FamilyFactory

pytestmark = pytest.mark.django_db


def test_case_list_search_with_nul(adv_client):
    FamilyFactory(contact_name="Dana Whitfield")
    response = adv_client.get(reverse("cases:case_list"), {"q": "Dana\x00"})
    assert response.status_code in (200, 400)


def test_family_edit_with_nul_is_a_message(adv_client, case):
    url = reverse("cases:family_edit", args=[case.family_id])
    response = adv_client.post(url, {"display_name": "X\x00", "contact_name": "Y"})
    assert response.status_code in (200, 400)
    assert "Null characters are not allowed." in response.content.decode()


def test_merge_search_with_nul(sup_client, case):
    url = reverse("cases:family_merge", args=[case.family_id])
    assert sup_client.get(url, {"q": "Da\x00na"}).status_code in (200, 400)


def test_autosave_with_nul_keeps_the_rest(adv_client, advocate):
    from cases.models import ContactDraft

    key = "6f1c2a52-3f0e-4c8e-9d55-0a4a5f0e7b11"
    response = adv_client.post(reverse("cases:draft_save", args=[key]), {"notes": "a\x00b"})
    assert response.status_code == 200
    assert ContactDraft.objects.get(author=advocate).data["notes"] == "ab"
