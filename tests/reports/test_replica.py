"""The read replica: reports, exports and drill-downs read from it, writes stay on default.

The `replica` alias is Django's test mirror of the test database (settings/test.py): a
second connection to the same data, so what each alias was asked is visible. Transactional
tests, because the mirror's connection cannot see rows of an uncommitted test transaction.
"""

from __future__ import annotations

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from familysupport.lib import dbrouter
from reports.models import ReportRun

from . import factories as f
from .factories import ny

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def replica_on(settings):
    settings.DATABASE_REPLICA_ALIAS = "replica"


def _sql(ctx: CaptureQueriesContext) -> str:
    return "\n".join(q["sql"] for q in ctx.captured_queries)


def _capture(do):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        result = do()
    return result, _sql(primary), _sql(replica)


def test_router_sends_marked_reads_to_the_replica_but_never_writes_or_atomic_reads(replica_on):
    router = dbrouter.ReplicaRouter()
    assert router.db_for_read(User) == "default"  # not asked for
    with dbrouter.reading_from_replica():
        assert router.db_for_read(User) == "replica"
        assert router.db_for_write(User) == "default"
        _, primary, replica = _capture(lambda: (list(User.objects.all()), User.objects.count()))
        assert '"accounts_user"' in replica and '"accounts_user"' not in primary
        with transaction.atomic():  # a write transaction may read what it wrote
            assert router.db_for_read(User) == "default"
            _, primary, replica = _capture(lambda: User.objects.count())
            assert '"accounts_user"' in primary and replica == ""
    # An object read from the replica and saved goes to the primary (not back where it came).
    user = f.UserFactory(role="advocate", totp=False)
    with dbrouter.reading_from_replica():
        copy = User.objects.get(pk=user.pk)
    assert copy._state.db == "replica"
    copy.full_name = "Changed"
    _, primary, replica = _capture(lambda: copy.save(update_fields=["full_name"]))
    assert "UPDATE" in primary and replica == ""


def test_without_a_replica_everything_stays_on_default(administrator, login):
    client = login(administrator)
    with dbrouter.reading_from_replica():
        assert dbrouter.read_alias() == "default"
    response, primary, replica = _capture(lambda: client.get(reverse("reports:year", args=[2024])))
    assert response.status_code == 200
    assert replica == "" and "reports_reportrun" in primary
    assert dbrouter.replica_lag_seconds() is None


def test_report_page_computes_from_the_replica_and_stores_the_run_on_default(
    replica_on, administrator, login
):
    family = f.family(display_name="F1")
    f.contact(f.case(family, opened_at=ny(2024, 2, 1, 9)), at=ny(2024, 3, 1, 10))
    client = login(administrator)
    response, primary, replica = _capture(lambda: client.get(reverse("reports:year", args=[2024])))
    assert response.status_code == 200
    # The figures' queries (ORM and raw SQL) ran on the replica...
    assert '"cases_contact"' in replica and '"cases_contact"' not in primary
    # ...the computed run was written to the primary, never to the replica.
    assert 'INSERT INTO "reports_reportrun"' in primary
    assert "INSERT" not in replica and "UPDATE" not in replica
    assert ReportRun.objects.filter(year=2024, status=ReportRun.Status.DONE).count() == 1
    # The mirror is a primary: the lag SQL answers NULL, and the page shows no notice.
    assert dbrouter.replica_lag_seconds() is None
    assert 'id="replica-lag-note"' not in response.content.decode()


def test_report_page_says_when_the_replica_is_behind(replica_on, administrator, login, monkeypatch):
    # A real standby cannot be made to lag here: the lag function's value is faked.
    monkeypatch.setattr(dbrouter, "replica_lag_seconds", lambda: 125.4)
    html = login(administrator).get(reverse("reports:year", args=[2024])).content.decode()
    assert 'id="replica-lag-note"' in html and "125 seconds behind" in html
    monkeypatch.setattr(dbrouter, "replica_lag_seconds", lambda: 30.0)  # under the threshold
    html = login(administrator).get(reverse("reports:year", args=[2024])).content.decode()
    assert 'id="replica-lag-note"' not in html


def test_drilldown_reads_from_the_replica(replica_on, administrator, login):
    family = f.family(display_name="F1")
    f.contact(
        f.case(family, opened_at=ny(2024, 2, 1, 9)),
        at=ny(2024, 3, 10, 14),
        purpose="crisis_intervention",
    )
    client = login(administrator)
    url = reverse("reports:drilldown", args=[2024, "mh_families"])
    response, primary, replica = _capture(lambda: client.get(url))
    assert response.status_code == 200
    assert '"cases_case"' in replica and '"cases_case"' not in primary


def test_exports_read_from_the_replica_and_audit_on_default(replica_on, administrator, login):
    family = f.family(display_name="F1")
    f.case(family, opened_at=ny(2024, 2, 1, 9))
    client = login(administrator)

    def download():
        response = client.get(reverse("reports:case_list_export", args=["csv"]))
        # The file streams after the view returned: still from the replica.
        return response, b"".join(response.streaming_content)

    (response, body), primary, replica = _capture(download)
    assert response.status_code == 200 and body
    assert '"cases_case"' in replica and '"cases_case"' not in primary
    assert 'INSERT INTO "accounts_auditentry"' in primary
    assert "INSERT" not in replica
    drill = reverse("reports:drilldown_export", args=[2024, "mh_families", "csv"])
    (response, body), primary, replica = _capture(
        lambda: (r := client.get(drill), b"".join(r.streaming_content))
    )
    assert response.status_code == 200
    assert '"cases_case"' in replica and '"cases_case"' not in primary
