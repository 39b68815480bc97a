"""Every page that shows a family's details records who read it (one entry per page view)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from familysupport.lib.models import AuditEntry

from .factories import CaseFactory

pytestmark = pytest.mark.django_db


def _reads(action: str, pk: int, actor) -> int:
    return AuditEntry.objects.filter(action=action, object_id=str(pk), actor=actor).count()


@pytest.mark.parametrize("name", ["cases:family_edit", "cases:person_add"])
def test_family_forms_record_a_read_of_the_family(adv_client, advocate, case, name):
    case.family.safe_contact_notes = "Only call after 6 pm"
    case.family.save()
    response = adv_client.get(reverse(name, args=[case.family_id]))
    assert response.status_code == 200
    assert _reads("cases.family.viewed", case.family_id, advocate) == 1
    entry = AuditEntry.objects.get(action="cases.family.viewed")
    assert entry.object_label == f"Family #{case.family_id}"  # no names in the log


def test_family_edit_post_records_the_change_not_a_read(adv_client, advocate, case):
    url = reverse("cases:family_edit", args=[case.family_id])
    data = {
        "display_name": "Renamed family",
        "contact_name": "Pat Renamed",
        "country": "US",
        "preferred_language": "en",
        "time_zone": "America/Chicago",
    }
    assert adv_client.post(url, data).status_code == 302
    assert _reads("cases.family.viewed", case.family_id, advocate) == 0
    assert AuditEntry.objects.filter(action="cases.family.updated").exists()


def test_merge_page_records_a_read_of_the_family(sup_client, supervisor):
    family = CaseFactory(family__contact_name="Lena Marsh").family
    CaseFactory(family__contact_name="Lena Marsch")  # a candidate, listed on the page
    response = sup_client.get(reverse("cases:family_merge", args=[family.pk]))
    assert response.status_code == 200
    assert len(response.context["candidates"]) == 1
    assert _reads("cases.family.viewed", family.pk, supervisor) == 1


def test_merge_page_refused_to_an_advocate_records_nothing(adv_client, case):
    response = adv_client.get(reverse("cases:family_merge", args=[case.family_id]))
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="cases.family.viewed").exists()


def test_new_call_on_a_case_records_a_read_of_the_case(adv_client, advocate, case):
    response = adv_client.get(reverse("cases:new_call"), {"case": case.pk}, follow=True)
    assert response.status_code == 200
    assert response.context["preset_case"] == case
    assert _reads("cases.case.viewed", case.pk, advocate) == 1


def test_new_call_without_a_case_records_no_read(adv_client):
    assert adv_client.get(reverse("cases:new_call"), follow=True).status_code == 200
    assert not AuditEntry.objects.filter(action__endswith=".viewed").exists()
