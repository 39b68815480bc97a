"""Lists that show families leave one audit read entry per request (filter, row count);
messages live in the server-side session, never in a cookie."""

from __future__ import annotations

import pytest
from django.urls import reverse

from familysupport.lib.models import AuditEntry
from tests.cases.factories import CaseFactory
from tests.factories import UserFactory
from tests.referrals.conftest import _zip_centroids  # noqa: F401  (referral factories need it)
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def _listed(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_a_case_search_writes_one_read_entry_with_its_filter_and_row_count(login, advocate):
    for _ in range(3):
        CaseFactory(assigned_advocate=advocate)
    client = login(advocate)
    response = client.get(reverse("cases:case_list"), {"q": "Whitfield", "page": "1"})
    assert response.status_code == 200
    [entry] = _listed("cases.case.listed")
    assert entry.actor == advocate
    assert entry.changes["filter"] == {"q": ["Whitfield"]}
    assert entry.changes["rows"] == entry.changes["shown"]
    client.get(reverse("cases:case_list"))
    second = _listed("cases.case.listed")[1]
    assert second.changes == {"filter": {}, "rows": 3, "shown": 3}


def test_referral_lists_write_one_read_entry_each(login, advocate):
    referral = ReferralFactory(case__assigned_advocate=advocate)
    client = login(advocate)
    assert client.get(reverse("referrals:list"), {"status": "draft"}).status_code == 200
    assert (
        client.get(reverse("referrals:case_referrals", args=[referral.case_id])).status_code == 200
    )
    entries = _listed("referrals.referral.listed")
    assert len(entries) == 2
    assert entries[0].changes == {"filter": {"status": ["draft"]}, "rows": 1, "shown": 1}
    assert entries[1].object_id == str(referral.case_id)
    assert entries[1].changes["rows"] == 1


def test_messages_are_kept_in_the_session_not_a_cookie(login, administrator):
    subject = UserFactory()
    client = login(administrator)
    response = client.post(reverse("accounts:user_deactivate", args=[subject.pk]))
    assert response.status_code == 302
    assert "messages" not in response.cookies
    page = client.get(response["Location"]).content.decode()
    assert f"{subject.email} is deactivated" in page
