"""Every referral transition, every illegal one, the consent gate, history and notifications."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from familysupport.lib.models import AuditEntry, Notification
from referrals import services
from referrals import tasks as referral_jobs
from referrals.models import Referral, ReferralEvent

from .factories import AgencyFactory, ProviderFactory, ReferralFactory, consenting_case

pytestmark = pytest.mark.django_db
S = Referral.Status


@pytest.fixture
def provider_manager(make_user):
    return make_user("provider")


@pytest.fixture
def draft(provider_manager):
    return ReferralFactory(provider=ProviderFactory(managers=[provider_manager]))


def send(r):
    return services.referral_send(referral=r, by=r.created_by)


def statuses(r) -> list[str]:
    return list(ReferralEvent.objects.filter(referral=r).values_list("status", flat=True))


def test_create_snapshots_only_what_a_provider_may_see(advocate):
    case = consenting_case(assigned_advocate=advocate)
    from tests.cases.factories import PersonFactory

    PersonFactory(
        family=case.family, date_of_birth=timezone.localdate() - dt.timedelta(days=365 * 9 + 5)
    )
    r = services.referral_create(
        case=case,
        by=advocate,
        data=services.ReferralData(service_type="mental_health", note_for_provider="Note"),
        provider=ProviderFactory(),
    )
    assert r.status == S.DRAFT
    assert r.area_label == "New York, NY"
    assert r.child_age_range == "9"
    assert statuses(r) == ["draft"]


def test_create_refuses_a_non_offerable_provider(advocate):
    case = consenting_case(assigned_advocate=advocate)
    with pytest.raises(ValidationError):
        services.referral_create(
            case=case,
            by=advocate,
            data=services.ReferralData(service_type="mental_health"),
            provider=ProviderFactory(capacity=0),
        )


@time_machine.travel(dt.datetime(2025, 3, 7, 15, 0, tzinfo=dt.UTC))  # a Friday
def test_send_sets_deadline_in_business_days_and_notifies_managers(draft, provider_manager):
    r = send(draft)
    assert r.status == S.SENT and r.sent_at is not None
    # Three business days after a Friday: the next Wednesday.
    assert timezone.localtime(r.respond_by).date() == dt.date(2025, 3, 12)
    note = Notification.objects.get(recipient=provider_manager)
    assert "referral" in note.title.lower()
    assert draft.family.contact_name not in note.title
    assert statuses(r) == ["sent"]
    assert AuditEntry.objects.filter(action="referrals.referral.sent").exists()


NY = ZoneInfo("America/New_York")


@time_machine.travel(dt.datetime(2026, 7, 2, 10, 0, tzinfo=NY), tick=False)  # Thursday
def test_deadlines_skip_holidays_as_the_reminder_job_does(draft, provider_manager):
    """Friday 3 July 2026 is Independence Day observed: the division's calendar skips it."""
    r = send(draft)
    assert r.respond_by == dt.datetime(2026, 7, 8, 10, 0, tzinfo=NY)  # Mon, Tue, Wed
    assert services.expires_at(r) == dt.datetime(2026, 7, 14, 10, 0, tzinfo=NY)
    assert r.respond_by == referral_jobs.due_after(r.sent_at, services.response_business_days())


def test_mark_reminded_stamps_and_audits(draft, provider_manager):
    r = send(draft)
    at = timezone.now()
    r = services.referral_mark_reminded(referral=r, now=at)
    r.refresh_from_db()
    assert r.reminded_at == at and r.status == S.SENT
    assert AuditEntry.objects.filter(
        action="referrals.referral.reminded", object_id=str(r.pk)
    ).exists()


def test_only_a_sent_referral_is_marked_reminded(draft, provider_manager):
    with pytest.raises(ValidationError):
        services.referral_mark_reminded(referral=draft)
    r = services.referral_accept(referral=send(draft), by=provider_manager)
    with pytest.raises(ValidationError):
        services.referral_mark_reminded(referral=r)
    r.refresh_from_db()
    assert r.reminded_at is None


def test_send_requires_consent(draft, provider_manager):
    fam = draft.family
    fam.consent_share_with_providers = False
    fam.save()
    with pytest.raises(ValidationError, match="not agreed to share"):
        send(draft)
    draft.refresh_from_db()
    assert draft.status == S.DRAFT
    assert not Notification.objects.filter(recipient=provider_manager).exists()


def test_accept_then_first_appointment_then_complete(draft, provider_manager):
    r = send(draft)
    r = services.referral_accept(referral=r, by=provider_manager)
    assert r.status == S.ACCEPTED and r.accepted_at and r.responded_at
    assert Notification.objects.filter(recipient=r.created_by, event__endswith="accepted").exists()
    r = services.referral_record_first_appointment(
        referral=r, by=provider_manager, on=timezone.localdate()
    )
    assert r.status == S.FIRST_APPOINTMENT
    r = services.referral_complete(referral=r, by=provider_manager, outcome="Ten sessions")
    assert r.status == S.COMPLETED and r.completed_at
    assert statuses(r) == ["sent", "accepted", "first_appointment", "completed"]
    ev = ReferralEvent.objects.filter(referral=r, status="accepted").get()
    assert ev.by == provider_manager


def test_decline_requires_reason_and_note_for_other(draft, provider_manager):
    r = send(draft)
    with pytest.raises(ValidationError):
        services.referral_decline(referral=r, by=provider_manager, reason="")
    with pytest.raises(ValidationError):
        services.referral_decline(referral=r, by=provider_manager, reason="other", note=" ")
    r = services.referral_decline(referral=r, by=provider_manager, reason="full")
    assert r.status == S.DECLINED and r.decline_reason == "full"


def test_expire_only_when_overdue_and_then_accept_fails(draft, provider_manager):
    with time_machine.travel(dt.datetime(2025, 3, 3, 15, 0, tzinfo=dt.UTC)):  # Monday
        r = send(draft)
    with (
        time_machine.travel(dt.datetime(2025, 3, 5, 15, 0, tzinfo=dt.UTC)),
        pytest.raises(ValidationError, match="not overdue"),
    ):
        services.referral_expire(referral=r)
    with time_machine.travel(dt.datetime(2025, 3, 13, 15, 0, tzinfo=dt.UTC)):  # +8 business days
        r = services.referral_expire(referral=r)
        assert r.status == S.EXPIRED
        with pytest.raises(ValidationError):
            services.referral_accept(referral=r, by=provider_manager)
        with pytest.raises(ValidationError):
            services.referral_expire(referral=r)  # a second sweep changes nothing
    assert statuses(r) == ["sent", "expired"]


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("draft", "accept"),
        ("draft", "decline"),
        ("draft", "first_appointment"),
        ("draft", "complete"),
        ("draft", "expire"),
        ("sent", "send"),
        ("sent", "first_appointment"),
        ("sent", "complete"),
        ("accepted", "accept"),
        ("accepted", "decline"),
        ("accepted", "complete"),
        ("accepted", "send"),
        ("declined", "accept"),
        ("declined", "first_appointment"),
        ("expired", "accept"),
        ("expired", "decline"),
        ("completed", "first_appointment"),
        ("completed", "accept"),
        ("closed", "accept"),
        ("closed", "close"),
        ("closed", "send"),
    ],
)
def test_illegal_transitions_raise(status, action, advocate):
    r = ReferralFactory(
        status=status,
        decline_reason="full" if status == "declined" else "",
        sent_at=timezone.now() - dt.timedelta(days=30),
        accepted_at=timezone.now() if status in ("accepted", "completed") else None,
    )
    calls = {
        "send": lambda: services.referral_send(referral=r, by=advocate),
        "accept": lambda: services.referral_accept(referral=r, by=advocate),
        "decline": lambda: services.referral_decline(referral=r, by=advocate, reason="full"),
        "expire": lambda: services.referral_expire(referral=r, by=advocate),
        "first_appointment": lambda: services.referral_record_first_appointment(
            referral=r, by=advocate, on=timezone.localdate()
        ),
        "complete": lambda: services.referral_complete(referral=r, by=advocate),
        "close": lambda: services.referral_close(referral=r, by=advocate, outcome="x"),
    }
    with pytest.raises(ValidationError):
        calls[action]()
    r.refresh_from_db()
    assert r.status == status


def test_first_appointment_cannot_be_in_the_future(draft, provider_manager):
    r = services.referral_accept(referral=send(draft), by=provider_manager)
    with pytest.raises(ValidationError):
        services.referral_record_first_appointment(
            referral=r, by=provider_manager, on=timezone.localdate() + dt.timedelta(days=2)
        )


@pytest.mark.parametrize("status", ["draft", "sent", "accepted", "declined", "expired"])
def test_close_from_any_open_state_requires_outcome(status, advocate):
    r = ReferralFactory(status=status, decline_reason="full" if status == "declined" else "")
    with pytest.raises(ValidationError):
        services.referral_close(referral=r, by=advocate, outcome="")
    r = services.referral_close(referral=r, by=advocate, outcome="Family moved")
    assert r.status == S.CLOSED and r.closed_at


def test_rerefer_sends_to_next_match(draft, provider_manager):
    r = send(draft)
    other = ProviderFactory(latitude=draft.provider.latitude + 0.05)
    r = services.referral_decline(referral=r, by=provider_manager, reason="full")
    new = services.referral_rerefer(referral=r, by=r.created_by)
    assert new.provider == other and new.status == S.SENT and new.previous == r
    new = services.referral_decline(referral=new, by=provider_manager, reason="conflict")
    with pytest.raises(ValidationError, match="No other match"):
        services.referral_rerefer(referral=new, by=new.created_by)


def test_agency_referral_lifecycle(advocate):
    case = consenting_case(assigned_advocate=advocate)
    r = services.referral_create(
        case=case,
        by=advocate,
        data=services.ReferralData(service_type="support"),
        agency=AgencyFactory(),
    )
    r = services.referral_send(referral=r, by=advocate)
    r = services.referral_accept(referral=r, by=advocate)
    assert r.status == S.ACCEPTED


def test_timeline_lists_referral_events(draft, advocate):
    from familysupport.lib import timeline

    send(draft)
    entries = [e for e in timeline.entries_for_case(draft.case, advocate) if e.kind == "referral"]
    assert len(entries) == 1
    assert draft.provider.name in entries[0].title
