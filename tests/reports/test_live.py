"""Live figures are live: every committed change, whatever wrote it, is in the next page.

These tests commit for real (transaction=True): the data version is bumped by PostgreSQL
triggers when a transaction commits, as in production. No cached run is deleted by hand.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import figures, services
from reports.models import ReportRun

from . import factories as f
from .factories import ny

pytestmark = pytest.mark.django_db(transaction=True)

MIGRATION = "reports.migrations.0002_data_version"


def _headline(html: str, key: str) -> str:
    m = re.search(rf'data-figure="{key}">(?:<a href="([^"]*)">)?([^<]+)', html)
    assert m, key
    return m.group(2).strip()


def _page(client, **query) -> str:
    url = reverse("reports:year", args=[2024])
    return client.get(url, query).content.decode()


def _live_csv_headline(client) -> list[str]:
    url = reverse("reports:export", args=[2024, "headline", "csv"])
    response = client.get(url, {"view": "live"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    return rows[1]


def test_publish_then_a_late_entry_changes_the_live_figures_at_once(
    transactional_db, edge_year, administrator, login
):
    client = login(administrator)
    assert _headline(_page(client), "mh_families") == "3"
    client.post(reverse("reports:publish", args=[2024]), {"note": "Board"})
    published = _page(client)
    assert "Today's live figures are the same as the published ones" in published

    # A contact entered late for 2024, by the service path's model save (committed).
    late = f.case(f.family(), opened_at=ny(2023, 5, 1, 9))
    contact = f.contact(late, at=ny(2024, 9, 9, 9), purpose="crisis_intervention")

    html = _page(client)
    assert _headline(html, "mh_families") == "3"  # the published figure stays
    assert "the same as the published ones" not in html
    diff = html.split("Changes since publication", 1)[1].split("</table>", 1)[0]
    assert "Families given mental-health support" in diff and "+1" in diff
    assert _headline(_page(client, view="live"), "mh_families") == "4"
    assert _live_csv_headline(client) == ["Families given mental-health support", "4"]

    # Raw SQL, bypassing Django entirely, is seen too.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_contact SET purpose = 'follow_up' WHERE id = %s", [contact.pk])
    assert _headline(_page(client, view="live"), "mh_families") == "3"
    # The late contact still counts as a contact (a follow-up now), not as MH support.
    diff = _page(client).split("Changes since publication", 1)[1].split("</table>", 1)[0]
    assert "Families given mental-health support" not in diff and "Follow-up" in diff


def test_an_unchanged_database_reuses_the_computed_run(transactional_db, edge_year):
    first, _ = services.report_live(year=2024, user=None)
    again, _ = services.report_live(year=2024, user=None)
    assert again.pk == first.pk
    assert ReportRun.objects.filter(year=2024).count() == 1


def test_a_rolled_back_write_does_not_change_the_version(transactional_db, edge_year):
    before = services.data_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        f.family()
        raise RuntimeError
    assert services.data_version() == before
    f.family()
    assert services.data_version() == before + 1  # one bump per committed transaction


def test_every_table_the_figures_read_bumps_the_version(transactional_db, edge_year):
    with CaptureQueriesContext(connection) as ctx:
        figures.compute(2024)
    read = set()
    for q in ctx.captured_queries:
        read |= set(re.findall(r'(?:FROM|JOIN)\s+"?([a-z_]+)"?', q["sql"]))
    read = {t for t in read if "_" in t and t not in ("pg_class",)}
    assert read, "no tables found in the figures' SQL"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE t.tgname = 'reports_data_version'"
        )
        triggered = {r[0] for r in cursor.fetchall()}
    assert read <= triggered, read - triggered


def test_recompute_now_for_administrators(transactional_db, edge_year, administrator, login):
    client = login(administrator)
    html = _page(client)
    assert "Recompute now" in html
    runs = ReportRun.objects.count()
    response = client.post(reverse("reports:refresh", args=[2024]))
    assert response.status_code == 302
    assert ReportRun.objects.count() == runs + 1
    assert ReportRun.objects.order_by("-pk").first().status == "done"


def test_recompute_button_is_not_offered_to_supervisors(
    transactional_db, edge_year, supervisor, login
):
    assert "Recompute now" not in _page(login(supervisor))
