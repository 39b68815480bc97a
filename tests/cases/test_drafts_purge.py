"""Contact drafts (unsaved call notes, caller details) do not stay forever."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from cases import services
from cases import tasks as jobs
from cases.models import ContactDraft
from familysupport.lib import jobs as job_registry
from familysupport.lib.models import JobRun

pytestmark = pytest.mark.django_db

NOTES = {"name": "Dana Caller", "phone": "+15550102000", "notes": "Son missing since Friday"}


def _draft(user, key: str = "new-call") -> ContactDraft:
    return services.contact_draft_save(by=user, key=key, data=NOTES)


def test_drafts_untouched_for_14_days_are_purged_recent_ones_stay(advocate, supervisor):
    with time_machine.travel("2026-05-01 12:00:00Z", tick=False):
        old = _draft(advocate)
        touched_again = _draft(supervisor)
    with time_machine.travel("2026-05-10 12:00:00Z", tick=False):
        _draft(supervisor)  # autosaved again: the clock restarts
        recent = _draft(advocate, key="case-1")
    with time_machine.travel("2026-05-15 12:00:01Z", tick=False):  # 14 days + 1 s after `old`
        assert jobs.drafts_purge() == 1
    remaining = set(ContactDraft.objects.values_list("pk", flat=True))
    assert remaining == {touched_again.pk, recent.pk}
    assert old.pk not in remaining


def test_a_draft_exactly_14_days_old_is_kept_until_it_is_older(advocate):
    with time_machine.travel("2026-05-01 12:00:00Z", tick=False):
        _draft(advocate)
    with time_machine.travel("2026-05-15 12:00:00Z", tick=False):
        assert jobs.drafts_purge() == 0
    with time_machine.travel("2026-05-15 12:00:01Z", tick=False):
        assert jobs.drafts_purge() == 1


def test_the_retention_period_is_a_setting(advocate, settings):
    settings.CASES_DRAFT_RETENTION_DAYS = 2
    with time_machine.travel("2026-05-01 12:00:00Z", tick=False):
        _draft(advocate)
    with time_machine.travel("2026-05-03 13:00:00Z", tick=False):
        assert jobs.drafts_purge() == 1


def test_drafts_of_deactivated_users_are_purged_at_once(advocate, supervisor):
    _draft(advocate)
    _draft(supervisor)
    advocate.is_active = False
    advocate.save()
    assert jobs.drafts_purge() == 1
    assert list(ContactDraft.objects.values_list("author", flat=True)) == [supervisor.pk]


def test_drafts_delete_for_user_removes_only_that_users_drafts(advocate, supervisor):
    _draft(advocate)
    _draft(advocate, key="case-7")
    _draft(supervisor)
    assert services.drafts_delete_for_user(advocate) == 2
    assert list(ContactDraft.objects.values_list("author", flat=True)) == [supervisor.pk]


def test_the_purge_is_a_scheduled_job_with_a_run_log(advocate):
    from familysupport.celery import app

    assert jobs.DRAFTS_JOB in job_registry.all_jobs()
    assert job_registry.beat_entry(jobs.DRAFTS_JOB) is not None
    scheduled = {e["task"] for e in app.conf.beat_schedule.values()}
    assert "cases.tasks.drafts_purge_task" in scheduled
    with time_machine.travel(timezone.now() - dt.timedelta(days=20), tick=False):
        _draft(advocate)
    jobs.drafts_purge_task.apply()
    [run] = JobRun.objects.filter(job=jobs.DRAFTS_JOB)
    assert (run.status, run.items, run.trigger) == ("succeeded", 1, "schedule")
    assert not ContactDraft.objects.exists()
