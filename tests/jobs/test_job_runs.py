"""The job-run log and the staff page: every run leaves a row, "run now" never loses a request."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from familysupport.lib import dates, jobs
from familysupport.lib import tasks as account_tasks
from familysupport.lib.models import AuditEntry, JobRun, OutboundEmail
from faon import tasks as faon_jobs
from tests.jobs.broker import UNREACHABLE, broker_at

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
LICENSE = faon_jobs.LICENSE_JOB
PAGE = "accounts:job_list"


def run_now_url(name: str = LICENSE) -> str:
    return reverse("accounts:job_run_now", args=[name])


@pytest.fixture
def publish():
    """The broker accepts every message (recorded here, not sent to the shared Redis)."""
    with mock.patch.object(account_tasks.run_job, "apply_async") as apply_async:
        yield apply_async


def _boom():
    raise ValueError("Jane Example, 12 Main Street")  # what must never reach the run log


# --- the run log -----------------------------------------------------------------------


def test_a_run_records_when_how_long_and_how_many(member):
    member(expires_on=dates.today() + timedelta(days=30))
    member(expires_on=dates.today() + timedelta(days=7))

    assert faon_jobs.license_renewal() == 2
    assert faon_jobs.license_renewal() == 0  # nothing twice, and still a row per run

    first, second = JobRun.objects.filter(job=LICENSE).order_by("pk")
    assert (first.status, first.items, second.items) == (JobRun.Status.SUCCEEDED, 2, 0)
    assert first.trigger == JobRun.Trigger.COMMAND
    assert first.started_at and first.finished_at >= first.started_at
    assert first.duration is not None and first.error_type == ""


def test_run_by_name_records_one_row_not_two():
    jobs.run(LICENSE)  # the registry's function, inside the recorded run: no nested row
    [row] = JobRun.objects.filter(job=LICENSE)
    assert (row.status, row.items, row.trigger) == ("succeeded", 0, "command")


def test_a_task_delivered_by_the_broker_counts_as_scheduled():
    faon_jobs.license_renewal_task.apply()
    [row] = JobRun.objects.filter(job=LICENSE)
    assert row.trigger == JobRun.Trigger.SCHEDULE


def test_a_failure_records_the_error_type_but_not_its_message(monkeypatch):
    monkeypatch.setitem(jobs._REGISTRY, "tests.boom", jobs.Job("tests.boom", _boom, "fails"))
    with pytest.raises(ValueError):
        jobs.run("tests.boom")
    [row] = JobRun.objects.filter(job="tests.boom")
    assert (row.status, row.error_type, row.items) == ("failed", "builtins.ValueError", None)
    assert row.finished_at is not None
    values = JobRun.objects.filter(pk=row.pk).values().get()
    assert not any("Jane" in str(v) or "Main Street" in str(v) for v in values.values())


def test_a_decorated_sweeper_that_fails_is_recorded_too(monkeypatch):
    monkeypatch.setattr(jobs, "_REGISTRY", dict(jobs._REGISTRY))
    wrapped = jobs.register("tests.boom", "fails")(_boom)
    with pytest.raises(ValueError):
        wrapped()
    assert JobRun.objects.get(job="tests.boom").status == JobRun.Status.FAILED


# --- the page --------------------------------------------------------------------------


def test_administrator_sees_every_job_with_a_run_now_button(administrator, login):
    JobRun.objects.create(
        job=LICENSE,
        trigger="schedule",
        status="succeeded",
        started_at=timezone.now(),
        finished_at=timezone.now(),
        duration=timedelta(seconds=1.25),
        items=7,
    )
    response = login(administrator).get(reverse(PAGE))
    assert response.status_code == 200
    html = response.content.decode()
    for name in jobs.all_jobs():
        assert name in html
        assert run_now_url(name) in html
    assert "1.2 s" in html and ">7<" in html
    assert "daily at 06:10" in html


def test_supervisor_reads_the_page_without_run_now(supervisor, login):
    response = login(supervisor).get(reverse(PAGE))
    assert response.status_code == 200
    assert run_now_url() not in response.content.decode()


@pytest.mark.parametrize("role", ["advocate", "provider", "volunteer"])
def test_other_roles_get_403(role, make_user, login):
    client = login(make_user(role))
    assert client.get(reverse(PAGE)).status_code == 403
    assert client.post(run_now_url()).status_code == 403


def test_anonymous_is_sent_to_login(client):
    for response in (client.get(reverse(PAGE)), client.post(run_now_url())):
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_run_now_refuses_get(administrator, login):
    assert login(administrator).get(run_now_url()).status_code == 405
    assert not JobRun.objects.exists()


def test_supervisor_cannot_run_now(supervisor, login, publish):
    assert login(supervisor).post(run_now_url()).status_code == 403
    assert not JobRun.objects.exists()
    publish.assert_not_called()


def test_unknown_job_is_404(administrator, login, publish):
    assert login(administrator).post(run_now_url("faon.nothing")).status_code == 404
    assert not JobRun.objects.exists()


def test_run_now_enqueues_the_job_and_records_who_asked(administrator, login, publish):
    response = login(administrator).post(run_now_url(), follow=True)
    assert response.redirect_chain == [(reverse(PAGE), 302)]
    [row] = JobRun.objects.all()
    assert (row.job, row.trigger, row.status) == (LICENSE, "manual", "queued")
    assert row.requested_by == administrator and row.queued_at is not None
    publish.assert_called_once()
    assert publish.call_args.kwargs["args"] == [row.pk, LICENSE]
    assert "is queued" in response.content.decode()
    assert AuditEntry.objects.filter(action="accounts.jobrun.requested", actor=administrator)


def test_a_second_click_while_one_is_open_starts_nothing(administrator, login, publish):
    client = login(administrator)
    client.post(run_now_url())
    response = client.post(run_now_url(), follow=True)
    assert JobRun.objects.count() == 1
    assert publish.call_count == 1
    assert "already queued" in response.content.decode()


def test_run_now_with_the_broker_down_answers_fast_and_keeps_the_request(
    administrator, login, settings
):
    client = login(administrator)
    # broker_at first: it restores the app's broker URL it read before the settings changed.
    with broker_at(UNREACHABLE):
        settings.CELERY_BROKER_URL = UNREACHABLE
        started = time.monotonic()
        response = client.post(run_now_url())
        elapsed = time.monotonic() - started
    assert response.status_code == 302 and response["Location"] == reverse(PAGE)
    assert elapsed < 2.0, f"run now took {elapsed:.2f}s with the broker down"
    [row] = JobRun.objects.all()
    assert (row.status, row.trigger, row.queued_at) == ("pending", "manual", None)
    page = client.get(response["Location"]).content.decode()
    assert "cannot be reached" in page and "request is saved" in page
    assert "Waiting for the queue" in page  # and no second button for that job


def test_a_pending_request_is_enqueued_by_the_sweep_then_runs_once(member, publish):
    provider = member(expires_on=dates.today() + timedelta(days=30))
    admin = User.objects.create(email="a@example.test", role="administrator", full_name="A")
    request = JobRun.objects.create(
        job=LICENSE, trigger="manual", status="pending", requested_by=admin
    )

    account_tasks.sweep_outbox.apply()  # every minute, once the broker is back
    publish.assert_called_once()
    assert publish.call_args.kwargs["args"] == [request.pk, LICENSE]
    request.refresh_from_db()
    assert request.status == JobRun.Status.QUEUED

    assert account_tasks.run_job.apply(args=[request.pk, LICENSE]).get() == 1
    assert account_tasks.run_job.apply(args=[request.pk, LICENSE]).get() == 0  # redelivered
    request.refresh_from_db()
    assert (request.status, request.items) == ("succeeded", 1)
    assert JobRun.objects.count() == 1  # the requested row is the run's row
    assert OutboundEmail.objects.filter(to=provider.manager.email).count() == 1


def test_the_sweep_stops_at_the_first_failed_enqueue():
    for _ in range(3):
        JobRun.objects.create(job=LICENSE, trigger="manual", status="pending")
    with broker_at(UNREACHABLE):
        assert jobs.dispatch_pending() == 0
    assert set(JobRun.objects.values_list("status", flat=True)) == {"pending"}


def test_a_queued_request_the_broker_lost_is_enqueued_again(publish):
    now = timezone.now()
    lost = JobRun.objects.create(
        job=LICENSE, trigger="manual", status="queued", queued_at=now - timedelta(minutes=11)
    )
    JobRun.objects.create(job=LICENSE, trigger="manual", status="queued", queued_at=now)
    assert jobs.dispatch_pending() == 1
    publish.assert_called_once()
    assert publish.call_args.kwargs["args"] == [lost.pk, LICENSE]


def test_a_run_killed_long_ago_shows_interrupted_and_run_now_is_offered(administrator, login):
    JobRun.objects.create(
        job=LICENSE,
        trigger="schedule",
        status="running",
        started_at=timezone.now() - timedelta(hours=2),
    )
    html = login(administrator).get(reverse(PAGE)).content.decode()
    assert "Interrupted" in html
    assert run_now_url() in html


def _runs(per_job: int, admin: User) -> None:
    now = timezone.now()
    for name in jobs.all_jobs():
        for i in range(per_job):
            JobRun.objects.create(
                job=name,
                trigger="manual" if i % 2 else "schedule",
                requested_by=admin if i % 2 else None,
                status="failed" if i % 3 == 0 else "succeeded",
                error_type="builtins.OSError" if i % 3 == 0 else "",
                requested_at=now - timedelta(hours=i),
                started_at=now - timedelta(hours=i),
                items=i,
            )
        JobRun.objects.create(job=name, trigger="manual", status="pending", requested_by=admin)


@pytest.mark.parametrize("per_job", [0, 1, 12])
def test_page_query_count_does_not_grow_with_runs(
    per_job, administrator, login, django_assert_max_num_queries
):
    client = login(administrator)
    if per_job:
        _runs(per_job, administrator)
    with django_assert_max_num_queries(14):
        response = client.get(reverse(PAGE))
    assert response.status_code == 200


# --- the schedule ----------------------------------------------------------------------


def test_next_run_and_schedule_come_from_the_beat_schedule():
    with time_machine.travel(datetime(2027, 3, 1, 5, 0, tzinfo=NY), tick=False):
        overview = {s.job.name: s for s in jobs.overview().jobs}
    license_run = overview[LICENSE]
    assert license_run.schedule == "daily at 06:10"
    assert license_run.next_run == datetime(2027, 3, 1, 6, 10, tzinfo=NY)
    referral = overview["referrals.referral_response"]
    assert referral.schedule == "hourly at :15"
    assert referral.next_run == datetime(2027, 3, 1, 5, 15, tzinfo=NY)
    digest = overview["cases.followup_digest"]
    assert digest.schedule == "hourly at :00, 07:00-18:00"
    assert digest.next_run == datetime(2027, 3, 1, 7, 0, tzinfo=NY)
    assert all(s.next_run is not None for s in overview.values())


def test_next_run_follows_daylight_saving_time():
    # 14 March 2027: clocks go forward at 02:00; the 06:10 run stays at 06:10 local time.
    with time_machine.travel(datetime(2027, 3, 13, 23, 0, tzinfo=NY), tick=False):
        status = {s.job.name: s for s in jobs.overview().jobs}[LICENSE]
    assert status.next_run == datetime(2027, 3, 14, 6, 10, tzinfo=NY)
    assert status.next_run.utcoffset() == timedelta(hours=-4)
