"""The member CSV export is for administrators only (DESIGN.md: exports are for
administrators) and its audit entry says what was exported."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import User
from familysupport.lib.models import AuditEntry

from .factories import ProviderFactory

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("role", [User.Role.SUPERVISOR, User.Role.ADVOCATE, User.Role.PROVIDER])
def test_only_administrators_export(role, make_user, login):
    ProviderFactory()
    response = login(make_user(role)).get(reverse("faon:provider_export"))
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="faon.provider.exported").exists()


def test_administrator_export_is_audited_with_filters_and_row_count(administrator, login):
    ProviderFactory(name="Avery Kept", state="VA")
    ProviderFactory(name="Blake Kept", state="VA")
    ProviderFactory(name="Casey Elsewhere", state="MD")
    response = login(administrator).get(reverse("faon:provider_export"), {"state": "VA", "q": ""})
    assert response.status_code == 200
    rows = _rows(response)
    assert [r[1] for r in rows[1:]] == ["Avery Kept", "Blake Kept"]
    entry = AuditEntry.objects.get(action="faon.provider.exported")
    assert entry.actor == administrator
    assert entry.changes == {"filters": {"state": "VA", "q": ""}, "rows": 2}


def test_export_button_shows_to_administrators_only(administrator, supervisor, login):
    url = reverse("faon:provider_list")
    export = reverse("faon:provider_export").encode()
    assert export in login(administrator).get(url).content
    assert export not in login(supervisor).get(url).content
