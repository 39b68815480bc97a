"""Merging duplicate families and undoing it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases import services
from cases.models import Family
from familysupport.lib.models import AuditEntry

from .factories import CaseFactory, FamilyFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def duplicates():
    keep = CaseFactory(family__contact_name="Lena Marsh").family
    dup = CaseFactory(family__contact_name="Lena Marsch").family
    PersonFactory(family=dup, first_name="Theo")
    return keep, dup


def test_merge_moves_cases_and_members_and_leaves_a_redirect(supervisor, duplicates):
    keep, dup = duplicates
    merge = services.family_merge(source=dup, target=keep, by=supervisor, reason="same mother")
    dup.refresh_from_db()
    assert dup.merged_into == keep
    assert keep.cases.count() == 2
    assert keep.members.filter(first_name="Theo").exists()
    assert merge.moved_case_ids and merge.moved_person_ids
    assert AuditEntry.objects.filter(action="cases.family.merged", object_id=str(dup.pk)).exists()


def test_unmerge_puts_everything_back(supervisor, duplicates):
    keep, dup = duplicates
    original = keep.cases.get()
    merge = services.family_merge(source=dup, target=keep, by=supervisor)
    later_case = CaseFactory(family=keep)  # added after the merge: stays where it is
    services.family_unmerge(merge=merge, by=supervisor)
    dup.refresh_from_db()
    assert dup.merged_into is None
    assert dup.cases.count() == 1
    assert dup.members.filter(first_name="Theo").exists()
    assert set(keep.cases.all()) == {original, later_case}
    assert AuditEntry.objects.filter(action="cases.family.unmerged").exists()
    with pytest.raises(ValidationError):
        services.family_unmerge(merge=merge, by=supervisor)


def test_cannot_merge_into_itself_or_a_merged_family(supervisor, duplicates):
    keep, dup = duplicates
    with pytest.raises(ValidationError):
        services.family_merge(source=keep, target=keep, by=supervisor)
    services.family_merge(source=dup, target=keep, by=supervisor)
    with pytest.raises(ValidationError):
        services.family_merge(source=FamilyFactory(), target=dup, by=supervisor)


def test_advocate_cannot_merge(advocate, duplicates):
    keep, dup = duplicates
    with pytest.raises(PermissionDenied):
        services.family_merge(source=dup, target=keep, by=advocate)


def test_merge_view_for_supervisor(sup_client, duplicates):
    keep, dup = duplicates
    page = sup_client.get(reverse("cases:family_merge", args=[dup.pk]))
    assert page.status_code == 200
    assert f"<td>{keep.pk}</td>" in page.content.decode()  # offered as a likely duplicate
    response = sup_client.post(
        reverse("cases:family_merge", args=[dup.pk]), {"target": keep.pk, "reason": "dup"}
    )
    assert response.status_code == 302
    assert Family.objects.get(pk=dup.pk).merged_into_id == keep.pk
    # The merged-away family's page points to the one kept.
    body = sup_client.get(reverse("cases:family_detail", args=[dup.pk])).content.decode()
    assert "was merged into" in body


def test_merge_view_bad_target_is_400(sup_client, duplicates):
    _keep, dup = duplicates
    response = sup_client.post(reverse("cases:family_merge", args=[dup.pk]), {"target": dup.pk})
    assert response.status_code == 400
    assert "target" in response.context["form"].errors
    response = sup_client.post(reverse("cases:family_merge", args=[dup.pk]), {"target": 999999})
    assert response.status_code == 400


def test_unmerge_view(sup_client, supervisor, duplicates):
    keep, dup = duplicates
    merge = services.family_merge(source=dup, target=keep, by=supervisor)
    response = sup_client.post(reverse("cases:family_unmerge", args=[merge.pk]))
    assert response.status_code == 302
    dup.refresh_from_db()
    assert dup.merged_into is None


@pytest.mark.parametrize("role", ["advocate", "administrator"])
def test_merge_views_403_for_non_supervisors(login, make_user, supervisor, duplicates, role):
    keep, dup = duplicates
    client = login(make_user(role))
    assert client.get(reverse("cases:family_merge", args=[dup.pk])).status_code == 403
    merge = services.family_merge(source=dup, target=keep, by=supervisor)
    assert client.post(reverse("cases:family_unmerge", args=[merge.pk])).status_code == 403
