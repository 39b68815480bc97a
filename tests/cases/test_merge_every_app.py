"""A merge moves every app's records of the duplicate to the kept family; un-merge moves them back.

Records in every app for two families of one household; after the merge the report's
headline, its drill-down, the provider's view and each app's records count one household;
after the un-merge both families are back exactly as before.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import holds, services
from cases.models import Family, ResourceShare
from cases.privacy_models import FamilyContactRules
from referrals.models import Referral
from reports import figures
from teamhope.models import PeerMatch
from tests.reports import factories as f
from tests.reports.factories import ny

from .factories import ResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(supervisor):
    keep = f.family(display_name="Marsh", phone="+15550100001", email="keep@example.test")
    dup = f.family(display_name="Marsch", phone="+15550100002", email="dup@example.test")
    keep_case = f.case(keep)
    dup_case = f.case(dup)
    # Both are in the mental-health figure: one by a contact, one by an accepted referral.
    f.contact(keep_case, at=ny(2024, 3, 1, 10), purpose="crisis_intervention")
    referral = f.referral(
        dup_case, status="accepted", sent_at=ny(2024, 4, 1, 9), accepted_at=ny(2024, 4, 2, 9)
    )
    keep_match = f.peer_match(keep)
    dup_match = f.peer_match(dup)
    share = ResourceShare.objects.create(
        resource=ResourceFactory(), family=dup, case=dup_case, shared_by=supervisor
    )
    FamilyContactRules.objects.create(family=dup, no_voicemail=True)
    holds.legal_hold_place(by=supervisor, reason="Subpoena 7", family=dup)
    trip = f.trip(dup_case, approved_at=ny(2024, 5, 1, 9))
    return {
        "keep": keep,
        "dup": dup,
        "referral": referral,
        "keep_match": keep_match,
        "dup_match": dup_match,
        "share": share,
        "trip": trip,
    }


def _state(h) -> dict:
    """Which family every record belongs to, and whether each match is running."""
    h["referral"].refresh_from_db()
    h["share"].refresh_from_db()
    h["trip"].refresh_from_db()
    matches = {m.pk: (m.family_id, m.ended_at is None) for m in PeerMatch.objects.all()}
    return {
        "referral": h["referral"].family_id,
        "referral_case": h["referral"].case.family_id,
        "share": h["share"].family_id,
        "trip": h["trip"].case.family_id,
        "matches": matches,
        "rules": sorted(FamilyContactRules.objects.values_list("family_id", flat=True)),
        "held": sorted(holds.active_holds().values_list("family_id", flat=True)),
        "families": {
            fam.pk: (fam.phone, fam.email, fam.merged_into_id) for fam in Family.objects.all()
        },
    }


def _headline(year: int = 2024) -> int:
    return figures.compute(year)["headline"]["mh_families"]


def _drilldown_rows(client) -> int:
    body = client.get(reverse("reports:drilldown", args=[2024, "mh_families"])).content.decode()
    return body.count("Family #")


def test_merge_moves_every_app_and_unmerge_restores(household, supervisor, administrator, login):
    keep, dup = household["keep"], household["dup"]
    admin = login(administrator)
    before = _state(household)
    assert _headline() == 2
    assert _drilldown_rows(admin) == 2

    merge = services.family_merge(
        source=dup, target=keep, by=supervisor, take_from_source=["phone"]
    )

    after = _state(household)
    assert after["referral"] == after["referral_case"] == keep.pk
    assert after["share"] == after["trip"] == keep.pk
    # One peer parent per household: the duplicate's running match is ended, and moved.
    assert after["matches"][household["dup_match"].pk] == (keep.pk, False)
    assert after["matches"][household["keep_match"].pk] == (keep.pk, True)
    assert after["rules"] == sorted([dup.pk, keep.pk])  # the duplicate's safe-contact rules apply
    assert after["held"] == sorted([dup.pk, keep.pk])  # and its legal hold
    assert after["families"][keep.pk] == ("+15550100002", "keep@example.test", None)
    assert not Referral.objects.filter(family=dup).exists()
    # The household is counted once, in the figure and its drill-down.
    assert _headline() == 1
    assert _drilldown_rows(admin) == 1
    assert merge.moved["referrals.referral"] == [household["referral"].pk]

    services.family_unmerge(merge=merge, by=supervisor)
    assert _state(household) == before
    assert _headline() == 2
    assert _drilldown_rows(admin) == 2


def test_provider_sees_the_kept_family_after_a_merge(household, supervisor):
    from referrals import selectors

    keep, dup = household["keep"], household["dup"]
    services.family_merge(source=dup, target=keep, by=supervisor)
    referral = Referral.objects.get(pk=household["referral"].pk)
    assert selectors.referral_family_for_provider(referral) == keep


def test_a_failing_handler_rolls_the_whole_merge_back(household, supervisor):
    from familysupport.lib import events

    def boom(**_):
        raise RuntimeError("handler failed")

    events.family_merged.connect(boom)
    try:
        with pytest.raises(RuntimeError):
            services.family_merge(source=household["dup"], target=household["keep"], by=supervisor)
    finally:
        events.family_merged.disconnect(boom)
    assert Family.objects.get(pk=household["dup"].pk).merged_into_id is None
    assert Referral.objects.get(pk=household["referral"].pk).family_id == household["dup"].pk


def test_merge_page_searches_compares_and_keeps_the_chosen_details(
    household, supervisor, advocate, login
):
    keep, dup = household["keep"], household["dup"]
    url = reverse("cases:family_merge", args=[dup.pk])
    client = login(supervisor)
    # Search by the kept family's phone, as typed by a person.
    page = client.get(url, {"q": "(555) 010-0001"}).content.decode()
    assert f"<td>{keep.pk}</td>" in page
    page = client.get(url, {"q": "(555) 010-0001", "target": keep.pk}).content.decode()
    assert 'id="merge-compare"' in page
    assert "keep@example.test" in page and "dup@example.test" in page
    assert f'value="{keep.pk}"' in page  # the compared family is the one proposed

    bad = client.post(url, {"target": 999999, "take_from_source": ["email"], "reason": "x"})
    assert bad.status_code == 400
    assert "No family has this number." in bad.content.decode()
    assert 'value="x"' in bad.content.decode()  # what was typed stays
    assert Family.objects.get(pk=dup.pk).merged_into_id is None

    response = client.post(url, {"target": keep.pk, "take_from_source": ["email"]})
    assert response.status_code == 302
    keep.refresh_from_db()
    assert (keep.phone, keep.email) == ("+15550100001", "dup@example.test")

    assert login(advocate).get(url).status_code == 403


def test_merge_page_anonymous_is_sent_to_login(household, client):
    response = client.get(reverse("cases:family_merge", args=[household["dup"].pk]))
    assert response.status_code == 302 and "login" in response["Location"]
