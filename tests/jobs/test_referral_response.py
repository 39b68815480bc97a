"""Referral response job: reminder after 3 business days, expiry after 7 (weekends, holidays)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.models import User
from familysupport.lib.models import AuditEntry, Notification, OutboundEmail
from referrals import tasks as referral_jobs
from referrals.models import Referral
from tests.cases.factories import CaseFactory
from tests.factories import UserFactory
from tests.faon.factories import ProviderFactory

NY = ZoneInfo("America/New_York")


def ny(*args) -> datetime:
    return datetime(*args, tzinfo=NY)


@pytest.fixture
def referral(db):
    def make(sent_at: datetime) -> Referral:
        manager = UserFactory(role=User.Role.PROVIDER, totp=False)
        provider = ProviderFactory(managers=[manager])
        case = CaseFactory()
        return Referral.objects.create(
            case=case,
            family=case.family,
            service_type="mental_health",
            provider=provider,
            status=Referral.Status.SENT,
            created_by=case.assigned_advocate,
            sent_at=sent_at,
            sent_by=case.assigned_advocate,
        )

    return make


def run_at(moment: datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return referral_jobs.referral_response()


def reminders_for(referral: Referral) -> int:
    manager = referral.provider.managers.get()
    return OutboundEmail.objects.filter(to=manager.email).count()


def test_weekend_days_do_not_count(referral):
    r = referral(ny(2026, 3, 6, 15))  # Friday 15:00
    assert run_at(ny(2026, 3, 10, 16)) == 0  # Tuesday: 4 calendar days, 2 business days
    assert run_at(ny(2026, 3, 11, 14, 59)) == 0
    assert run_at(ny(2026, 3, 11, 15, 0)) == 1  # Wednesday 15:00: 3 business days
    assert run_at(ny(2026, 3, 11, 16, 0)) == 0  # the next hourly run sends nothing
    assert reminders_for(r) == 1
    r.refresh_from_db()
    assert r.status == Referral.Status.SENT
    assert r.reminded_at == ny(2026, 3, 11, 15, 0)  # stamped by referrals' service
    assert (
        AuditEntry.objects.filter(action="referrals.referral.reminded", object_id=str(r.pk)).count()
        == 1
    )


def test_the_reminder_comes_when_the_referral_says_the_answer_is_due(db):
    """The deadline the referral shows (set on sending) and the job use one calendar."""
    from referrals import services
    from tests.referrals.factories import ProviderFactory as CompliantProviderFactory
    from tests.referrals.factories import ReferralFactory

    manager = UserFactory(role=User.Role.PROVIDER, totp=False)
    with time_machine.travel(ny(2026, 7, 2, 10), tick=False):  # Thursday; 3 July is a holiday
        draft = ReferralFactory(provider=CompliantProviderFactory(managers=[manager]))
        r = services.referral_send(referral=draft, by=draft.created_by)
    assert r.respond_by == ny(2026, 7, 8, 10)
    assert run_at(r.respond_by - timedelta(minutes=1)) == 0
    assert run_at(r.respond_by) == 1
    r.refresh_from_db()
    assert r.reminded_at == r.respond_by


def test_a_holiday_does_not_count(referral):
    r = referral(ny(2026, 7, 2, 10))  # Thursday; Friday 3 July is Independence Day observed
    assert run_at(ny(2026, 7, 7, 11)) == 0  # Mon + Tue: 2 business days
    assert run_at(ny(2026, 7, 8, 10)) == 1  # Wednesday: 3
    assert run_at(ny(2026, 7, 13, 12)) == 0  # Mon 13 July: 6 business days, not expired
    r.refresh_from_db()
    assert r.status == Referral.Status.SENT
    assert run_at(ny(2026, 7, 14, 10)) == 1  # Tue 14 July: 7 business days
    r.refresh_from_db()
    assert r.status == Referral.Status.EXPIRED
    assert run_at(ny(2026, 7, 14, 11)) == 0
    assert reminders_for(r) == 1


def test_expiry_hands_the_referral_back_to_the_advocate(referral):
    r = referral(ny(2026, 3, 2, 9))  # Monday
    assert run_at(ny(2026, 3, 11, 9)) == 1  # 7 business days: expires (reminder skipped)
    r.refresh_from_db()
    assert r.status == Referral.Status.EXPIRED
    [note] = Notification.objects.filter(recipient=r.case.assigned_advocate)
    assert note.event == "referrals.referral.expired"
    assert run_at(ny(2026, 3, 12, 9)) == 0


def test_answered_referrals_are_left_alone(referral):
    r = referral(ny(2026, 3, 2, 9))
    r.status = Referral.Status.ACCEPTED
    r.save()
    assert run_at(ny(2026, 3, 20, 9)) == 0
