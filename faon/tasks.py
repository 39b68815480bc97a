"""FAON's scheduled jobs: renewal and compliance reminders, year-end snapshot, certificates.

Each sweeper works out from the database what is due today (division time zone), claims
it in the sent-log (familysupport.lib.jobs) and writes the notifications in the same
transaction, so a dropped beat tick is caught by the next run and nothing is sent twice.
Owned by the jobs issue; FAON's records change only through faon.services.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime, timedelta

from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from familysupport.lib import dates, jobs
from familysupport.lib.models import SentNotice
from familysupport.lib.notify import notify

from . import compliance, selectors, services
from .models import (
    LICENSED_DISCIPLINES,
    Certificate,
    ComplianceSnapshot,
    InsurancePolicy,
    License,
    Provider,
    Verification,
)

log = logging.getLogger(__name__)

RENEWAL_DAYS = (60, 30, 7)  # reminders this many days before the expiry date
EXPIRED = "expired"
# An expiry older than this is not announced any more (e.g. the first run after install).
EXPIRED_LOOKBACK_DAYS = 30
TRAINING_MONTHS = (6, 3, 1)  # reminders this many months before the membership year ends
DETAILS_REMINDER_MONTHS = 11


def _staff() -> list[User]:
    """Who hears about expiries and ignored reminders: the division's supervisors."""
    return list(User.objects.filter(role=User.Role.SUPERVISOR, is_active=True))


def _provider_url(provider: Provider) -> str:
    return reverse("faon:provider_detail", args=[provider.pk])


def renewal_stage(days_left: int) -> str | None:
    """The most urgent notice due with `days_left` days to expiry (negative: expired).

    A window, not an exact day: 59 days left still owes the 60-day reminder if a dropped
    tick missed day 60 (the sent-log stops it from going out twice).
    """
    if days_left < 0:
        return EXPIRED
    for days in sorted(RENEWAL_DAYS):
        if days_left <= days:
            return f"{days}d"
    return None


def _escalate_if_ignored(
    *, job: str, object_key: str, what: str, url: str, provider_name: str, period_prefix: str = ""
) -> int:
    """Tell staff once when a provider let two reminders for the same thing pass.

    Called right after a reminder was claimed: three notices on the sent-log for the same
    object (and period prefix, e.g. the membership year) mean the first two were ignored.
    """
    sent_before = jobs.reminders_sent(job=job, object_key=object_key, period_prefix=period_prefix)
    if sent_before < 3:
        return 0
    period = f"{period_prefix}{jobs.ESCALATED}"
    if not jobs.claim(job=job, object_key=object_key, period=period):
        return 0
    return notify(
        recipients=_staff(),
        event=f"faon.{what.replace(' ', '_')}.reminders_ignored",
        title=f"{provider_name} has not acted on two {what} reminders",
        url=url,
        key=f"{job}:{object_key}:{period}",
        template="jobs-staff-alert",
        context={"what": what},
    )


def _latest(model, *, date_field: str):
    """Rows no other row of the same provider supersedes (a later end date, or same and newer).

    A renewal already uploaded, even one staff have not verified yet, stops the reminders.
    """
    newer = (
        model.objects.filter(provider=OuterRef("provider"))
        .exclude(verification=Verification.REJECTED)
        .filter(
            Q(**{f"{date_field}__gt": OuterRef(date_field)})
            | Q(**{date_field: OuterRef(date_field), "pk__gt": OuterRef("pk")})
        )
    )
    return model.objects.exclude(verification=Verification.REJECTED).filter(~Exists(newer))


def _renewal_sweep(*, job: str, what: str, rows, date_field: str, on: date) -> int:
    """Shared by licenses and insurance: one notice per row and stage, ever."""
    rows = rows.filter(
        **{
            f"{date_field}__lte": on + timedelta(days=max(RENEWAL_DAYS)),
            f"{date_field}__gte": on - timedelta(days=EXPIRED_LOOKBACK_DAYS),
            "provider__status": Provider.Status.ACTIVE,
        }
    ).select_related("provider")
    due = []
    for row in rows.order_by(date_field, "pk"):
        ends_on = getattr(row, date_field)
        stage = renewal_stage((ends_on - on).days)
        if stage is not None:
            # The end date is in the key: a corrected date starts a fresh set of reminders.
            due.append((row, ends_on, stage, f"{what}:{row.pk}:{ends_on.isoformat()}"))
    already = jobs.sent_periods(job=job, object_keys=[key for *_x, key in due])
    sent = 0
    expired: list[tuple[Provider, str]] = []
    for row, ends_on, stage, key in due:
        if stage in already.get(key, ()):
            continue
        count, is_expired = _renewal_notice(
            job=job, what=what, provider=row.provider, ends_on=ends_on, stage=stage, key=key, on=on
        )
        sent += count
        if is_expired:
            expired.append((row.provider, key))
    if expired:
        sent += _expired_staff_notice(job=job, what=what, expired=expired)
    return sent


def _expired_staff_notice(*, job: str, what: str, expired: list[tuple[Provider, str]]) -> int:
    """Staff hear of a run's expiries in one notice naming the members (not one per row).

    Offerability is computed from the credentials (selectors.provider_list_offerable), so
    the members already dropped out of referral matching; staff are told who and why.
    """
    names = sorted({p.name for p, _k in expired})
    if len(expired) == 1:
        provider = expired[0][0]
        title = f"{provider.name}: the {what} has expired, no longer offered for referrals"
        url = _provider_url(provider)
    else:
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        title = f"{len(expired)} FAON {what}s expired, no longer offered for referrals: {shown}"
        url = reverse("faon:provider_list")
    digest = hashlib.sha256("|".join(sorted(k for _p, k in expired)).encode()).hexdigest()[:16]
    return notify(
        recipients=_staff(),
        event=f"faon.{what}.expired",
        title=title[:200],
        url=url,
        key=f"{job}:expired-staff:{digest}",
        template="jobs-staff-alert",
        context={"what": what},
    )


@transaction.atomic
def _renewal_notice(
    *, job: str, what: str, provider: Provider, ends_on: date, stage: str, key: str, on: date
) -> tuple[int, bool]:
    """Notify the member's managers; (how many were sent, whether it is an expiry)."""
    if not jobs.claim(job=job, object_key=key, period=stage):
        return 0, False  # another run or worker got here first
    url = _provider_url(provider)
    expired = stage == EXPIRED
    context = {"what": what, "ends_on": ends_on, "days_left": (ends_on - on).days, "stage": stage}
    if expired:
        title = f"{provider.name}: the {what} on file has expired, not offered for referrals"
    else:
        title = (
            f"{provider.name}: the {what} on file expires on "
            f"{ends_on:%B} {ends_on.day}, {ends_on.year}"
        )
    sent = notify(
        recipients=provider.managers.filter(is_active=True),
        event=f"faon.{what}.{'expired' if expired else 'renewal_due'}",
        title=title,
        url=url,
        key=f"{job}:{key}:{stage}",
        template=f"faon-{what}-renewal",
        context=context,
    )
    sent += _escalate_if_ignored(
        job=job, object_key=key, what=f"{what} renewal", url=url, provider_name=provider.name
    )
    return sent, expired


LICENSE_JOB = "faon.license_renewal"
INSURANCE_JOB = "faon.insurance_renewal"


@jobs.register(LICENSE_JOB, "License reminders 60/30/7 days before expiry and on expiry.")
def license_renewal(*, on: date | None = None) -> int:
    on = on or dates.today()
    licensed = list(LICENSED_DISCIPLINES)
    rows = _latest(License, date_field="expires_on").filter(
        provider__kind=Provider.Kind.INDIVIDUAL, provider__disciplines__overlap=licensed
    )
    return _renewal_sweep(
        job=LICENSE_JOB, what="license", rows=rows, date_field="expires_on", on=on
    )


@jobs.register(INSURANCE_JOB, "Insurance reminders 60/30/7 days before it ends and on the end.")
def insurance_renewal(*, on: date | None = None) -> int:
    on = on or dates.today()
    rows = _latest(InsurancePolicy, date_field="covers_to").filter(
        provider__disciplines__overlap=list(LICENSED_DISCIPLINES)
    )
    return _renewal_sweep(
        job=INSURANCE_JOB, what="insurance", rows=rows, date_field="covers_to", on=on
    )


# --- yearly training compliance ---------------------------------------------------------

TRAINING_JOB = "faon.training_reminders"


def training_stage(on: date) -> str | None:
    """'6m', '3m' or '1m' once that many months are left in the membership year."""
    year_end = date(on.year + 1, 1, 1)
    for months in sorted(TRAINING_MONTHS):  # most urgent first
        if on >= dates.add_months(year_end, -months):
            return f"{months}m"
    return None


def _sent_exists(job: str, period: str, prefix: str) -> Exists:
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat

    return Exists(
        SentNotice.objects.filter(
            job=job,
            period=period,
            object_key=Concat(Value(prefix), Cast(OuterRef("pk"), CharField())),
        )
    )


@jobs.register(TRAINING_JOB, "Compliance reminders 6, 3 and 1 months before the year ends.")
def training_reminders(*, on: date | None = None) -> int:
    on = on or dates.today()
    stage = training_stage(on)
    if stage is None:
        return 0
    year, period = on.year, f"{on.year}:{stage}"
    members = Provider.objects.filter(status=Provider.Status.ACTIVE).exclude(
        _sent_exists(TRAINING_JOB, period, "provider:")
    )
    sent = 0
    for provider in selectors.provider_prefetch_compliance(members, year=year).iterator(
        chunk_size=200
    ):
        result = compliance.compliance_for(provider, year, as_of=on)
        if result.met:
            continue
        sent += _training_notice(provider=provider, year=year, stage=stage)
    return sent


@transaction.atomic
def _training_notice(*, provider: Provider, year: int, stage: str) -> int:
    key = f"provider:{provider.pk}"
    if not jobs.claim(job=TRAINING_JOB, object_key=key, period=f"{year}:{stage}"):
        return 0
    months = int(stage.rstrip("m"))
    url = _provider_url(provider)
    sent = notify(
        recipients=provider.managers.filter(is_active=True),
        event="faon.compliance.reminder",
        title=f"{provider.name}: the FAON membership requirements for {year} are not met yet",
        url=url,
        key=f"{TRAINING_JOB}:{key}:{year}:{stage}",
        template="faon-training-reminder",
        context={"year": year, "months": months},
    )
    sent += _escalate_if_ignored(
        job=TRAINING_JOB,
        object_key=key,
        what="membership requirement",
        provider_name=provider.name,
        url=url,
        period_prefix=f"{year}:",
    )
    return sent


# --- contact details --------------------------------------------------------------------

DETAILS_JOB = "faon.contact_details"


def _start_of(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=dates.division_tz())


def details_reminder_due_on(confirmed_at: datetime) -> date:
    confirmed = timezone.localtime(confirmed_at, dates.division_tz()).date()
    return dates.add_months(confirmed, DETAILS_REMINDER_MONTHS)


@jobs.register(DETAILS_JOB, "Ask members to confirm contact details 11 months after the last.")
def contact_details(*, on: date | None = None) -> int:
    on = on or dates.today()
    # A few days of slack for month ends (31 March + 11 months = 28/29 February); the exact
    # rule is checked per row. Confirmations older than 13 months had their reminder.
    latest = _start_of(dates.add_months(on, -DETAILS_REMINDER_MONTHS) + timedelta(days=4))
    earliest = _start_of(dates.add_months(on, -13))
    candidates = Provider.objects.filter(
        status=Provider.Status.ACTIVE,
        details_confirmed_at__lt=latest,
        details_confirmed_at__gte=earliest,
    )
    due = [p for p in candidates if details_reminder_due_on(p.details_confirmed_at) <= on]
    already = jobs.sent_periods(job=DETAILS_JOB, object_keys=[f"provider:{p.pk}" for p in due])
    sent = 0
    for provider in due:
        key = f"provider:{provider.pk}"
        # One reminder per confirmation: confirming again starts the next 11 months.
        period = timezone.localtime(provider.details_confirmed_at, dates.division_tz()).date()
        if period.isoformat() in already.get(key, ()):
            continue
        sent += _details_notice(provider=provider, key=key, period=period.isoformat())
    return sent


@transaction.atomic
def _details_notice(*, provider: Provider, key: str, period: str) -> int:
    if not jobs.claim(job=DETAILS_JOB, object_key=key, period=period):
        return 0
    lapses_on = compliance.details_due_on(provider.details_confirmed_at)
    return notify(
        recipients=provider.managers.filter(is_active=True),
        event="faon.details.confirm",
        title=f"{provider.name}: please confirm the FAON contact details",
        url=_provider_url(provider),
        key=f"{DETAILS_JOB}:{key}:{period}",
        template="faon-contact-details",
        context={"lapses_on": lapses_on},
    )


# --- year end: compliance snapshot and certificates --------------------------------------

SNAPSHOT_JOB = "faon.compliance_snapshot"
CERTIFICATE_JOB = "faon.certificates"


def _members_at_year_end(year: int):
    """Members active when the year ended (activated before it, still active or left after)."""
    _start, end = dates.year_bounds(year)
    return Provider.objects.filter(activated_at__lt=end).filter(
        Q(status=Provider.Status.ACTIVE) | Q(status_changed_at__gte=end)
    )


@jobs.register(SNAPSHOT_JOB, "Freeze last year's compliance result for each member (January).")
def compliance_snapshot(*, on: date | None = None) -> int:
    on = on or dates.today()
    year = on.year - 1
    members = _members_at_year_end(year).exclude(
        Exists(ComplianceSnapshot.objects.filter(provider=OuterRef("pk"), membership_year=year))
    )
    taken = 0
    for provider in selectors.provider_prefetch_compliance(members, year=year):
        with transaction.atomic():
            if jobs.claim(job=SNAPSHOT_JOB, object_key=f"provider:{provider.pk}", period=str(year)):
                services.compliance_snapshot_take(provider=provider, year=year)
                taken += 1
    return taken


@jobs.register(CERTIFICATE_JOB, "Issue last year's certificates to compliant members (January).")
def certificates(*, on: date | None = None) -> int:
    on = on or dates.today()
    year = on.year - 1
    compliant = Provider.objects.filter(
        status=Provider.Status.ACTIVE,
        compliance__membership_year=year,
        compliance__met=True,
    ).exclude(Exists(Certificate.objects.filter(provider=OuterRef("pk"), year=year)))
    issued = 0
    for provider in compliant:
        with transaction.atomic():
            if not jobs.claim(
                job=CERTIFICATE_JOB, object_key=f"provider:{provider.pk}", period=str(year)
            ):
                continue
            try:
                with transaction.atomic():
                    # Notifies the member's managers (faon's own e-mail, key per certificate).
                    services.certificate_issue(provider=provider, year=year, by=None)
            except ValidationError as exc:  # changed since the snapshot: leave it to staff
                log.warning("certificates: provider %s not issued: %s", provider.pk, exc.messages)
                continue
            issued += 1
    return issued


# --- Celery tasks (beat entries in familysupport/celery.py) -----------------------------


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=540)
def license_renewal_task() -> int:
    return license_renewal()


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=540)
def insurance_renewal_task() -> int:
    return insurance_renewal()


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=900, soft_time_limit=840)
def training_reminders_task() -> int:
    return training_reminders()


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=540)
def contact_details_task() -> int:
    return contact_details()


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=1800, soft_time_limit=1740)
def compliance_snapshot_task() -> int:
    return compliance_snapshot()


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=1800, soft_time_limit=1740)
def certificates_task() -> int:
    return certificates()


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=900, soft_time_limit=840)
def newsletter_send_task(issue_pk: int) -> int:
    """Queue every copy of an issue, a batch per transaction; safe to run again."""
    from . import newsletter
    from .models import NewsletterIssue

    issue = NewsletterIssue.objects.get(pk=issue_pk)
    total = 0
    while queued := newsletter.queue_batch(issue):
        total += queued
    return total
