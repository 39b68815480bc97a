"""Human labels instead of stored codes (familysupport/lib/labels.py), on a real page too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from familysupport.lib.labels import field_labels, tidy
from tests.faon.factories import ProviderFactory
from tests.teamhope.factories import VolunteerFactory


def test_tidy_never_shows_an_underscore():
    assert tidy("peer_call") == "Peer call"
    assert tidy("Already Nice") == "Already Nice"


@pytest.mark.django_db
def test_provider_lists_are_labels():
    provider = ProviderFactory(
        service_modes=["in_person", "telehealth"],
        fee_arrangements=["sliding_scale"],
        languages=["en", "es"],
    )
    assert field_labels(provider, "service_modes")[0] == "In person"
    assert field_labels(provider, "languages") == ["English", "Spanish"]
    assert "Sliding scale" in field_labels(provider, "fee_arrangements")[0]


@pytest.mark.django_db
def test_volunteer_languages_without_choices_get_language_names():
    volunteer = VolunteerFactory(languages=["en", "es"])
    assert field_labels(volunteer, "languages") == ["English", "Spanish"]


@pytest.mark.django_db
def test_family_language_is_named_on_the_family_page(login, advocate):
    from tests.cases.factories import CaseFactory

    case = CaseFactory(assigned_advocate=advocate, family__preferred_language="es")
    body = login(advocate).get(case.family.get_absolute_url()).content.decode()
    assert "Spanish · " in body
    assert ">es · " not in body


@pytest.mark.django_db
def test_provider_page_shows_no_raw_codes(login, supervisor):
    provider = ProviderFactory(
        service_modes=["in_person"], fee_arrangements=["sliding_scale"], languages=["en"]
    )
    body = login(supervisor).get(reverse("faon:provider_detail", args=[provider.pk])).content
    text = body.decode()
    assert "In person" in text and "English" in text
    for raw in ("in_person", "sliding_scale", ">en<"):
        assert raw not in text.split("<main", 1)[1].split("<form", 1)[0], raw


@pytest.mark.django_db
def test_audit_entries_show_old_and_new_values(login, administrator, supervisor):
    from reunification import services as travel
    from tests.reunification.factories import in_status

    tr = in_status("draft")
    travel.travel_request_submit(travel_request=tr, by=tr.requested_by)
    tr.notes = "Private detail that must not be shown"
    tr.save()
    body = login(administrator).get(reverse("accounts:audit_list")).content.decode()
    assert "status: Draft → Submitted" in body
    assert "notes: changed" in body
    assert "Private detail" not in body
