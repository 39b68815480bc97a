"""Two supervisors deciding at the same moment produce one decision, never two.

Each thread has its own database connection (Django connections are per thread) and its
own transaction, so this exercises the real row lock in PostgreSQL.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from familysupport.lib.models import AuditEntry, Notification
from reunification import services
from reunification.models import TravelRequest
from tests.reunification.factories import in_status

pytestmark = pytest.mark.django_db(transaction=True)


def _fresh(pk: int) -> TravelRequest:
    return TravelRequest.objects.get(pk=pk)


def _wait_until_someone_waits_for_a_lock() -> bool:
    """Poll pg_stat_activity until another session of this database is blocked on a lock."""
    with connection.cursor() as cursor:
        for _ in range(500):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock' "
                "AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.01)  # polling only; nothing is asserted about time
    return False


def test_second_approver_waits_for_the_lock_then_finds_it_decided(make_user):
    first, second = make_user("supervisor"), make_user("supervisor")
    tr = in_status(TravelRequest.Status.UNDER_REVIEW)
    first_holds_lock, let_first_commit = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def approve_and_hold():
        try:
            with transaction.atomic():
                services.travel_request_approve(travel_request=_fresh(tr.pk), by=first)
                first_holds_lock.set()
                let_first_commit.wait(timeout=30)
            outcome["first"] = "approved"
        except Exception as exc:  # reported below
            outcome["first"] = exc
        finally:
            connections.close_all()

    def deny_meanwhile():
        try:
            services.travel_request_deny(travel_request=_fresh(tr.pk), by=second, reason="Late")
            outcome["second"] = "denied"
        except ValidationError as exc:
            outcome["second"] = exc
        finally:
            connections.close_all()

    a = threading.Thread(target=approve_and_hold)
    a.start()
    assert first_holds_lock.wait(timeout=30)
    b = threading.Thread(target=deny_meanwhile)
    b.start()
    blocked = _wait_until_someone_waits_for_a_lock()
    let_first_commit.set()
    a.join(timeout=30)
    b.join(timeout=30)

    assert blocked, "the second decision did not wait for the row lock"
    assert outcome["first"] == "approved"
    assert isinstance(outcome["second"], ValidationError)
    assert "approved cannot be denied" in str(outcome["second"])
    tr.refresh_from_db()
    assert (tr.status, tr.approver_id, tr.denial_reason) == ("approved", first.pk, "")
    assert AuditEntry.objects.filter(action="reunification.travelrequest.approved").count() == 1
    assert not AuditEntry.objects.filter(action="reunification.travelrequest.denied").exists()
    assert Notification.objects.filter(recipient=tr.requested_by).count() == 1


def test_two_approvals_started_together_make_one_decision(make_user):
    sups = [make_user("supervisor"), make_user("supervisor")]
    tr = in_status(TravelRequest.Status.UNDER_REVIEW)
    start = threading.Barrier(2)
    results: list[object] = []
    lock = threading.Lock()

    def approve(user):
        try:
            start.wait(timeout=30)
            services.travel_request_approve(travel_request=_fresh(tr.pk), by=user)
            result: object = user.pk
        except ValidationError as exc:
            result = exc
        finally:
            connections.close_all()
        with lock:
            results.append(result)

    threads = [threading.Thread(target=approve, args=(u,)) for u in sups]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    winners = [r for r in results if isinstance(r, int)]
    losers = [r for r in results if isinstance(r, ValidationError)]
    assert len(winners) == 1 and len(losers) == 1
    tr.refresh_from_db()
    assert tr.approver_id == winners[0]
    assert tr.version == 2  # one transition, not two
    assert AuditEntry.objects.filter(action="reunification.travelrequest.approved").count() == 1
