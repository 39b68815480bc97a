"""Frozen-time tests of each job's thresholds, the sent-log and business-day counting."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.models import User
from cases import tasks as case_jobs
from cases.models import Case
from familysupport.lib import dates, jobs
from familysupport.lib.models import Notification, OutboundEmail, SentNotice
from faon import selectors as faon_selectors
from faon import tasks as faon_jobs
from faon.models import ComplianceSnapshot, Provider
from tests.cases.factories import TaskFactory
from tests.factories import UserFactory
from tests.faon.factories import AttendanceFactory, LicenseFactory

NY = ZoneInfo("America/New_York")
EXPIRY = date(2027, 6, 30)


def at(day: date, hour: int = 7):
    """Freeze the clock at `hour` o'clock New York time on `day`."""
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=NY), tick=False)


def emails_to(user) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(to=user.email))


# --- license and insurance renewal ------------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "stage"),
    [
        (61, None),
        (60, "60d"),
        (59, "60d"),
        (31, "60d"),
        (30, "30d"),
        (8, "30d"),
        (7, "7d"),
        (0, "7d"),
        (-1, "expired"),
    ],
)
def test_renewal_stage_windows(days_left, stage):
    assert faon_jobs.renewal_stage(days_left) == stage


@pytest.mark.django_db
def test_license_reminder_at_61_60_59_days(member):
    provider = member(expires_on=EXPIRY)
    with at(EXPIRY - timedelta(days=61)):
        assert faon_jobs.license_renewal() == 0
    assert emails_to(provider.manager) == []

    with at(EXPIRY - timedelta(days=60)):
        assert faon_jobs.license_renewal() == 1
        assert faon_jobs.license_renewal() == 0  # same day again: nothing
    [mail] = emails_to(provider.manager)
    assert "expires on June 30, 2027" in mail.subject
    assert "60 days left" in mail.body_text
    assert f"/faon/members/{provider.pk}/" in mail.body_html

    with at(EXPIRY - timedelta(days=59)):
        assert faon_jobs.license_renewal() == 0
    assert len(emails_to(provider.manager)) == 1


@pytest.mark.django_db
def test_a_missed_day_is_caught_the_next_day(member):
    """Beat dropped the tick on day 60: day 59 still sends the 60-day reminder, once."""
    provider = member(expires_on=EXPIRY)
    with at(EXPIRY - timedelta(days=59)):
        assert faon_jobs.license_renewal() == 1
    assert SentNotice.objects.filter(job="faon.license_renewal", period="60d").count() == 1
    assert len(emails_to(provider.manager)) == 1


@pytest.mark.django_db
def test_30_and_7_day_reminders_then_expiry_takes_the_member_off_referrals(member, staff):
    provider = member(expires_on=EXPIRY, covers_to=EXPIRY + timedelta(days=365))
    with at(EXPIRY - timedelta(days=31)):
        assert faon_jobs.license_renewal() == 1  # the 60-day one
    with at(EXPIRY - timedelta(days=30)):
        assert faon_jobs.license_renewal() == 1
    with at(EXPIRY - timedelta(days=7)):
        faon_jobs.license_renewal()
    with at(EXPIRY):
        assert faon_jobs.license_renewal() == 0
        assert provider in faon_selectors.provider_list_offerable()
    with at(EXPIRY + timedelta(days=1)):
        faon_jobs.license_renewal()
        assert provider not in faon_selectors.provider_list_offerable()
        assert faon_jobs.license_renewal() == 0
    stages = set(
        SentNotice.objects.filter(job="faon.license_renewal").values_list("period", flat=True)
    )
    assert stages == {"60d", "30d", "7d", "expired", "escalated"}
    assert len(emails_to(provider.manager)) == 4
    staff_events = list(
        Notification.objects.filter(recipient=staff).values_list("event", flat=True)
    )
    assert sorted(staff_events) == [
        "faon.license.expired",
        "faon.license_renewal.reminders_ignored",
    ]


@pytest.mark.django_db
def test_staff_escalation_only_after_two_ignored_reminders(member, staff):
    member(expires_on=EXPIRY)
    with at(EXPIRY - timedelta(days=60)):
        faon_jobs.license_renewal()
    with at(EXPIRY - timedelta(days=30)):
        faon_jobs.license_renewal()
    assert not Notification.objects.filter(recipient=staff).exists()
    with at(EXPIRY - timedelta(days=7)):
        faon_jobs.license_renewal()
        faon_jobs.license_renewal()
    [note] = Notification.objects.filter(recipient=staff)
    assert note.event == "faon.license_renewal.reminders_ignored"
    assert len(emails_to(staff)) == 1


@pytest.mark.django_db
def test_an_uploaded_renewal_stops_the_reminders(member):
    provider = member(expires_on=EXPIRY)
    with at(EXPIRY - timedelta(days=60)):
        faon_jobs.license_renewal()
    # Pending verification is enough: the member acted, staff verify.
    LicenseFactory(
        provider=provider, expires_on=EXPIRY + timedelta(days=730), verification="pending"
    )
    with at(EXPIRY - timedelta(days=30)):
        assert faon_jobs.license_renewal() == 0
    assert len(emails_to(provider.manager)) == 1


@pytest.mark.django_db
def test_members_who_need_no_license_get_no_license_reminder(member):
    provider = member(kind=Provider.Kind.ORGANISATION, disciplines=["support_organisation"])
    LicenseFactory(provider=provider, expires_on=EXPIRY)
    with at(EXPIRY - timedelta(days=30)):
        assert faon_jobs.license_renewal() == 0


@pytest.mark.django_db
def test_insurance_has_the_same_rhythm(member):
    provider = member(covers_to=EXPIRY)
    for days, sent in [(61, 0), (60, 1), (59, 0), (30, 1), (7, 1), (-1, 1)]:
        with at(EXPIRY - timedelta(days=days)):
            assert faon_jobs.insurance_renewal() >= sent
    periods = set(
        SentNotice.objects.filter(job="faon.insurance_renewal").values_list("period", flat=True)
    )
    assert {"60d", "30d", "7d", "expired"} <= periods
    assert len(emails_to(provider.manager)) == 4


@pytest.mark.django_db
def test_inactive_members_get_no_reminders(member):
    member(expires_on=EXPIRY, status=Provider.Status.SUSPENDED)
    with at(EXPIRY - timedelta(days=7)):
        assert faon_jobs.license_renewal() == 0


# --- business days ----------------------------------------------------------------------


def test_business_days_skip_the_weekend():
    friday = date(2026, 3, 6)
    assert dates.add_business_days(friday, 1) == date(2026, 3, 9)  # Monday
    assert dates.add_business_days(friday, 3) == date(2026, 3, 11)
    assert dates.business_days_between(friday, date(2026, 3, 8)) == 0  # Sat, Sun
    assert dates.business_days_between(friday, date(2026, 3, 11)) == 3


def test_business_days_skip_holidays_as_observed():
    # 4 July 2026 is a Saturday: observed on Friday 3 July.
    assert date(2026, 7, 3) in dates.holidays(2026)
    thursday = date(2026, 7, 2)
    assert dates.add_business_days(thursday, 1) == date(2026, 7, 6)  # Fri holiday, weekend
    assert dates.add_business_days(thursday, 3) == date(2026, 7, 8)
    assert dates.business_days_between(thursday, date(2026, 7, 8)) == 3
    # Thanksgiving 2026 is Thursday 26 November.
    assert dates.add_business_days(date(2026, 11, 25), 1) == date(2026, 11, 27)


def test_division_holidays_can_be_added(settings):
    settings.JOBS_EXTRA_HOLIDAYS = ["2026-03-09"]
    assert dates.add_business_days(date(2026, 3, 6), 1) == date(2026, 3, 10)


# --- yearly training compliance ---------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "stage"),
    [
        (date(2027, 6, 30), None),
        (date(2027, 7, 1), "6m"),
        (date(2027, 9, 30), "6m"),
        (date(2027, 10, 1), "3m"),
        (date(2027, 11, 30), "3m"),
        (date(2027, 12, 1), "1m"),
    ],
)
def test_training_reminder_stages(day, stage):
    assert faon_jobs.training_stage(day) == stage


@pytest.mark.django_db
def test_training_reminders_go_to_members_not_yet_compliant(member, staff):
    year_end = date(2027, 12, 31)
    with at(date(2027, 3, 1)):  # details confirmed on joining, good all year
        behind = member(expires_on=year_end + timedelta(days=400), covers_to=year_end)
        done = member(expires_on=year_end + timedelta(days=400), covers_to=year_end)
        AttendanceFactory(provider=done)
    with at(date(2027, 6, 30)):
        assert faon_jobs.training_reminders() == 0
    for day in (date(2027, 7, 1), date(2027, 7, 2), date(2027, 10, 1), date(2027, 12, 1)):
        with at(day):
            faon_jobs.training_reminders()
    assert len(emails_to(behind.manager)) == 3
    assert emails_to(done.manager) == []
    periods = sorted(
        SentNotice.objects.filter(job="faon.training_reminders").values_list("period", flat=True)
    )
    assert periods == ["2027:1m", "2027:3m", "2027:6m", "2027:escalated"]
    assert Notification.objects.filter(recipient=staff).count() == 1


# --- contact details --------------------------------------------------------------------


@pytest.mark.django_db
def test_contact_details_reminder_11_months_after_the_last_confirmation(member):
    confirmed = datetime(2026, 1, 15, 10, tzinfo=NY)
    provider = member(details_confirmed_at=confirmed)
    with at(date(2026, 12, 14)):
        assert faon_jobs.contact_details() == 0
    with at(date(2026, 12, 15)):
        assert faon_jobs.contact_details() == 1
    with at(date(2026, 12, 16)):
        assert faon_jobs.contact_details() == 0
    [mail] = emails_to(provider.manager)
    assert "January 15, 2027" in mail.body_text  # when the confirmation lapses
    # Confirming again starts the next 11 months.
    provider.details_confirmed_at = datetime(2026, 12, 20, 9, tzinfo=NY)
    provider.save()
    with at(date(2027, 11, 20)):
        assert faon_jobs.contact_details() == 1


# --- year end: snapshot and certificates ------------------------------------------------


@pytest.mark.django_db
def test_year_end_snapshot_and_certificates_once(member):
    with at(date(2026, 2, 1)):
        good = member(
            expires_on=date(2028, 1, 1),
            covers_to=date(2028, 1, 1),
            activated_at=datetime(2026, 2, 1, tzinfo=NY),
        )
        AttendanceFactory(provider=good)
        behind = member(
            expires_on=date(2028, 1, 1),
            covers_to=date(2028, 1, 1),
            activated_at=datetime(2026, 2, 1, tzinfo=NY),
        )
        member(activated_at=datetime(2027, 1, 5, tzinfo=NY))  # joined after the year
    with at(date(2026, 12, 31), hour=23):
        assert faon_jobs.compliance_snapshot() == 0  # 2025: neither was a member yet
    with at(date(2027, 1, 1), hour=0):
        assert faon_jobs.compliance_snapshot() == 2
        assert faon_jobs.certificates() == 1
        assert faon_jobs.compliance_snapshot() == 0
        assert faon_jobs.certificates() == 0
    snaps = dict(
        ComplianceSnapshot.objects.filter(membership_year=2026).values_list("provider", "met")
    )
    assert snaps == {good.pk: True, behind.pk: False}
    assert good.certificates.filter(year=2026).count() == 1
    assert not behind.certificates.exists()
    assert len(emails_to(good.manager)) == 1


# --- case follow-ups --------------------------------------------------------------------


@pytest.mark.django_db
def test_followup_digest_counts_due_and_overdue_once_a_day():
    advocate = UserFactory(role=User.Role.ADVOCATE, totp=False)
    today = date(2027, 3, 10)
    TaskFactory(owner=advocate, case__assigned_advocate=advocate, due_on=today)
    TaskFactory(owner=advocate, case__assigned_advocate=advocate, due_on=today - timedelta(3))
    TaskFactory(owner=advocate, case__assigned_advocate=advocate, due_on=today - timedelta(9))
    TaskFactory(owner=advocate, case__assigned_advocate=advocate, due_on=today + timedelta(1))
    done = TaskFactory(owner=advocate, case__assigned_advocate=advocate, due_on=today)
    done.done_at = datetime(2027, 3, 9, tzinfo=NY)
    done.save()
    closed = TaskFactory(owner=advocate, case__assigned_advocate=advocate, due_on=today)
    closed.case.status = Case.Status.CLOSED
    closed.case.save()
    idle = UserFactory(role=User.Role.ADVOCATE, totp=False)

    with at(today):
        assert case_jobs.followup_digest() == 1
        assert case_jobs.followup_digest() == 0
    [mail] = emails_to(advocate)
    assert "3 follow-up tasks" in mail.subject
    assert "Due today: 1" in mail.body_text
    assert "Overdue: 2" in mail.body_text
    assert emails_to(idle) == []
    with at(today + timedelta(days=1)):
        assert case_jobs.followup_digest() == 1


# --- the sent-log -----------------------------------------------------------------------


@pytest.mark.django_db
def test_claim_is_once_per_job_object_and_period():
    assert jobs.claim(job="j", object_key="o", period="p")
    assert not jobs.claim(job="j", object_key="o", period="p")
    assert jobs.claim(job="j", object_key="o", period="q")
    assert jobs.claim(job="k", object_key="o", period="p")


@pytest.mark.django_db
def test_run_job_command_runs_a_job_by_name(member):
    from django.core.management import call_command

    provider = member(expires_on=EXPIRY)
    with at(EXPIRY - timedelta(days=30)):
        call_command("run_job", "faon.license_renewal")
        call_command("run_job", "all")
    assert len(emails_to(provider.manager)) == 1


def test_run_job_rejects_unknown_names():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("run_job", "no.such_job")


def test_every_beat_entry_names_a_registered_task():
    from familysupport.celery import app

    app.loader.import_default_modules()
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, name


def test_every_registered_job_has_a_beat_entry():
    from familysupport.celery import app

    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    for name in jobs.all_jobs():
        app_label, job = name.split(".", 1)
        assert f"{app_label}.tasks.{job}_task" in scheduled, name
