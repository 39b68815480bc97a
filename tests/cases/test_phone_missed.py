"""Missed calls: a task for the known family's advocate, or supervisors told; once only;
no family details in what is sent."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cases import phone_services, restricted
from cases.models import Case, Task
from cases.phone_models import PhoneCall
from cases.tasks import PHONE_MISSED_JOB, phone_missed_calls
from familysupport.lib import jobs
from familysupport.lib.models import Notification
from tests.cases.factories import CaseFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NUMBER = "+15550104242"
T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def _call(*, number: str = NUMBER, status: str = PhoneCall.Status.RINGING, **extra) -> PhoneCall:
    extra.setdefault("call_sid", f"CA{PhoneCall.objects.count():032d}")
    return PhoneCall.objects.create(
        from_number=number,
        status=status,
        ringing_at=T0,
        **extra,
    )


def _sweep(minutes: float) -> int:
    with time_machine.travel(T0 + dt.timedelta(minutes=minutes), tick=False):
        return phone_missed_calls()


@pytest.fixture
def known_case():
    return CaseFactory(family__phone=NUMBER, family__display_name="Okafor family")


def test_ringing_call_from_a_known_family_becomes_one_task_for_its_advocate(known_case):
    call = _call()
    assert _sweep(2) == 0  # within PHONE_MISSED_AFTER_MINUTES (3): someone may still start it
    assert _sweep(3) == 1
    task = Task.objects.get()
    assert (task.case, task.owner) == (known_case, known_case.assigned_advocate)
    assert task.title == phone_services.MISSED_TASK_TITLE and not task.is_done
    call.refresh_from_db()
    assert call.status == PhoneCall.Status.MISSED and call.missed_task == task
    note = Notification.objects.get()
    assert note.recipient == known_case.assigned_advocate
    # Retries, the next minute's run, the job run by hand: nothing more.
    assert _sweep(4) == 0 and _sweep(60) == 0
    assert jobs.run(PHONE_MISSED_JOB) == 0
    assert Task.objects.count() == 1 and Notification.objects.count() == 1


def test_notifications_and_emails_carry_no_family_details(known_case, supervisor):
    _call()
    _call(number="+15550109999")
    _sweep(5)
    texts = [n.title for n in Notification.objects.all()]
    texts += [f"{m.subject} {m.body}" for m in mail.outbox]
    from familysupport.lib.models import OutboundEmail

    texts += [f"{m.subject} {m.body_text} {m.body_html}" for m in OutboundEmail.objects.all()]
    assert len(texts) >= 2
    for text in texts:
        for detail in ("Okafor", "4242", "9999", known_case.family.contact_name):
            assert detail not in text


def test_unknown_number_tells_the_supervisors_and_makes_no_task(supervisor):
    other_supervisor = UserFactory(role="supervisor")
    UserFactory(role="supervisor", is_active=False)
    _call(number="+15550109999")
    assert _sweep(3) == 1
    assert not Task.objects.exists()
    notes = Notification.objects.order_by("recipient_id")
    assert {n.recipient for n in notes} == {supervisor, other_supervisor}
    assert {n.title for n in notes} == {"Missed call from a number with no open case"}
    assert {n.url for n in notes} == {reverse("phone:missed_list")}
    assert _sweep(10) == 0 and Notification.objects.count() == 2


def test_withheld_number_tells_the_supervisors(supervisor):
    _call(number="")
    _sweep(3)
    assert Notification.objects.get().title == "Missed call from a withheld number"


def test_known_family_whose_case_is_closed_goes_to_the_supervisors(supervisor):
    CaseFactory(family__phone_alt=NUMBER, status=Case.Status.CLOSED)
    _call()
    _sweep(3)
    assert not Task.objects.exists()
    assert Notification.objects.get().recipient == supervisor


def test_the_alternative_number_and_the_newest_open_case_are_used():
    CaseFactory(family__phone_alt=NUMBER, opened_at=T0 - dt.timedelta(days=30))
    newest = CaseFactory(family__phone_alt=NUMBER, opened_at=T0 - dt.timedelta(days=1))
    _call()
    _sweep(3)
    assert Task.objects.get().case == newest


def test_started_and_answered_calls_are_not_missed(known_case):
    advocate = known_case.assigned_advocate
    _call(started_by=advocate, started_at=T0)
    _call(status=PhoneCall.Status.ANSWERED, answered_at=T0)  # someone is talking
    _call(call_sid=f"{phone_services.TEST_CALL_PREFIX}0001")  # phone_test_call's
    assert _sweep(30) == 0
    assert not Task.objects.exists()


def test_answered_call_whose_end_never_came_is_missed_after_hours(known_case):
    _call(status=PhoneCall.Status.ANSWERED, answered_at=T0)
    assert _sweep(60 * phone_services.ANSWERED_STALE_HOURS - 1) == 0
    assert _sweep(60 * phone_services.ANSWERED_STALE_HOURS) == 1
    assert Task.objects.get().owner == known_case.assigned_advocate


def test_call_that_ended_without_being_started_is_missed(known_case):
    _call(status=PhoneCall.Status.ENDED, ended_at=T0 + dt.timedelta(seconds=40))
    assert _sweep(3) == 1
    assert Task.objects.get().owner == known_case.assigned_advocate


def test_answered_call_that_ended_unstarted_is_missed_only_after_the_pops_log_window(
    known_case,
):
    from cases.phone_pop import POP_ENDED_WINDOW

    ended = T0 + dt.timedelta(minutes=2)
    _call(status=PhoneCall.Status.ENDED, answered_at=T0, ended_at=ended)
    window = POP_ENDED_WINDOW.total_seconds() / 60
    assert _sweep(2 + window - 0.5) == 0  # the advocate may still log it from the pop
    assert not Task.objects.exists()
    assert _sweep(2 + window) == 1
    assert Task.objects.get().owner == known_case.assigned_advocate


def test_a_second_worker_finds_the_call_handled(known_case):
    call = _call()
    now = T0 + dt.timedelta(minutes=5)
    assert phone_services._missed_call_handle(pk=call.pk, now=now) == 1
    assert phone_services._missed_call_handle(pk=call.pk, now=now) == 0
    assert Task.objects.count() == 1


def test_job_is_registered_and_scheduled_every_minute():
    from familysupport.celery import app

    assert PHONE_MISSED_JOB in jobs.all_jobs()
    entry = app.conf.beat_schedule["cases-phone-missed-calls"]
    assert entry["task"] == "cases.tasks.phone_missed_calls_task"
    assert jobs.describe_schedule(entry["schedule"])


def test_missed_list_shows_numbers_and_matching_families(login, supervisor, known_case):
    _call()
    _call(number="")
    with time_machine.travel(timezone.now(), tick=False):
        PhoneCall.objects.all().update(status=PhoneCall.Status.MISSED, ringing_at=timezone.now())
    page = login(supervisor).get(reverse("phone:missed_list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "(555) 010-4242" in html and "withheld" in html
    assert known_case.family.get_absolute_url() in html


@pytest.mark.parametrize("role", ["advocate", "administrator"])
def test_missed_list_hides_that_a_restricted_family_got_a_task(login, make_user, role):
    """The task came from a match that ignores restrictions: a user who may not open the
    family sees the number with the same neutral text as an unknown number's."""
    hidden = CaseFactory(
        family__phone=NUMBER,
        family__display_name="Vantablack family",
        assigned_advocate=make_user("advocate"),
    )
    restricted.case_restrict(case=hidden, by=UserFactory(role="supervisor"), reason="x")
    _call()
    _call(number="+15550109999")  # nobody's number: supervisors told
    assert _sweep(3) == 2
    assert PhoneCall.objects.filter(missed_task__isnull=False).count() == 1
    with time_machine.travel(timezone.now(), tick=False):
        PhoneCall.objects.all().update(ringing_at=timezone.now())
    outsider = login(make_user(role))
    html = outsider.get(reverse("phone:missed_list")).content.decode()
    assert "(555) 010-4242" in html and "Vantablack" not in html
    assert "Task for the family" not in html
    assert html.count("Followed up") == 2  # the restricted family's number and the unknown
    # The assigned advocate may open it: the task is named.
    own = login(hidden.assigned_advocate).get(reverse("phone:missed_list")).content.decode()
    assert "Vantablack" in own and "Task for the family&#x27;s advocate" in own


@pytest.mark.parametrize("role", ["provider", "volunteer"])
def test_missed_list_is_for_staff_only(login, make_user, role):
    assert login(make_user(role)).get(reverse("phone:missed_list")).status_code == 403


def test_missed_list_needs_sign_in(client):
    response = client.get(reverse("phone:missed_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_make_one_task(known_case):
    """Two sweeps in two connections at the same moment: the row lock (SKIP LOCKED) and the
    re-check under it leave exactly one task and one notification."""
    import threading

    from django.db import connection

    _call()
    barrier = threading.Barrier(2)
    results: list[int] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(_sweep(5))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [0, 1]
    assert Task.objects.count() == 1 and Notification.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_call_locked_by_another_worker_is_skipped_not_waited_for(known_case):
    import threading

    from django.db import connection, transaction

    call = _call()
    locked, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        try:
            with transaction.atomic():
                PhoneCall.objects.select_for_update().get(pk=call.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert locked.wait(timeout=30)
    try:
        assert _sweep(5) == 0  # returns at once instead of queueing behind the lock
    finally:
        release.set()
        thread.join(timeout=30)
    assert _sweep(5) == 1
    assert Task.objects.count() == 1


def test_old_call_records_are_purged_unless_logged_as_a_contact(settings):
    from cases.phone_models import PhoneCallEvent
    from familysupport.lib import retention
    from familysupport.lib.models import AuditEntry
    from tests.cases.factories import ContactFactory

    settings.RETENTION = {**settings.RETENTION, "phone_call_days": 90}
    old = _call()
    PhoneCallEvent.objects.create(call_sid=old.call_sid, event="ringing", received_at=T0)
    logged = _call(contact=ContactFactory())
    recent = _call()
    recent.ringing_at = T0 + dt.timedelta(days=80)
    recent.save()
    now = T0 + dt.timedelta(days=91)
    assert retention.dry_run(now=now).due["cases.phone_calls"].count == 1
    result = retention.sweep(now=now, only=["cases.phone_calls"])
    assert result.purged["cases.phone_calls"] == 1
    assert set(PhoneCall.objects.values_list("pk", flat=True)) == {logged.pk, recent.pk}
    # The replay guard outlives the call: see test_phone_hardening.
    assert PhoneCallEvent.objects.filter(call_sid=old.call_sid).exists()
    tomb = AuditEntry.objects.get(action=retention.TOMBSTONE)
    assert tomb.changes["rule"] == "cases.phone_calls" and "4242" not in str(tomb.changes)
