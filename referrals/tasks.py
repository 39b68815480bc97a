"""Referrals' scheduled job: remind providers who have not answered, expire after 7 days.

Counted in business days in the division's time zone, skipping weekends and holidays
(familysupport.lib.jobs): a referral sent on Friday 15:00 is due a reminder on Wednesday
15:00. The expiry itself, and the hand-back to the advocate, is referrals.services'
`referral_expire`. Owned by the jobs issue.
"""

from __future__ import annotations

import logging
from datetime import datetime

from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from familysupport.lib import jobs
from familysupport.lib.notify import notify

from . import services
from .models import Referral

log = logging.getLogger(__name__)

RESPONSE_JOB = "referrals.referral_response"
REMINDER = "reminder"
EXPIRED = "expired"


def due_after(sent_at: datetime, business_days: int) -> datetime:
    """`business_days` business days after `sent_at`, at the same wall-clock time.

    The same computation as the deadline the referral shows (`services.add_business_days`).
    """
    return services.add_business_days(sent_at, business_days)


def response_stage(referral: Referral, now: datetime) -> str | None:
    if now >= due_after(referral.sent_at, services.expire_business_days()):
        return EXPIRED
    if now >= due_after(referral.sent_at, services.response_business_days()):
        return REMINDER
    return None


@jobs.register(RESPONSE_JOB, "Remind providers after 3 business days; expire after 7.")
def referral_response(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    waiting = (
        Referral.objects.filter(
            status=Referral.Status.SENT, provider__isnull=False, sent_at__isnull=False
        )
        .select_related("provider")
        .order_by("sent_at", "pk")
    )
    due = [(r, stage) for r in waiting if (stage := response_stage(r, now)) is not None]
    already = jobs.sent_periods(
        job=RESPONSE_JOB, object_keys=[f"referral:{r.pk}" for r, _stage in due]
    )
    done = 0
    for referral, stage in due:
        key = f"referral:{referral.pk}"
        if stage in already.get(key, ()):
            continue
        if stage == EXPIRED:
            done += _expire(referral=referral, key=key, now=now)
        else:
            done += _remind(referral=referral, key=key, now=now)
    return done


def _remind(*, referral: Referral, key: str, now: datetime) -> int:
    """Remind the provider's managers and stamp the referral (one transaction with the claim)."""
    try:
        with transaction.atomic():
            if not jobs.claim(job=RESPONSE_JOB, object_key=key, period=REMINDER):
                return 0
            referral = services.referral_mark_reminded(referral=referral, now=now)
            expires = due_after(referral.sent_at, services.expire_business_days())
            return notify(
                recipients=referral.provider.managers.filter(is_active=True),
                event="referrals.referral.reminder",
                title=(
                    f"{referral.provider.name}: referral #{referral.pk} "
                    "is still waiting for your answer"
                ),
                url=reverse("referrals:incoming_detail", args=[referral.pk]),
                key=f"{RESPONSE_JOB}:{key}:{REMINDER}",
                template="referrals-response-reminder",
                context={"expires_on": expires.date()},
            )
    except ValidationError as exc:  # answered in the meantime: no reminder
        log.info("referrals: %s not reminded: %s", key, exc.messages)
        return 0


def _expire(*, referral: Referral, key: str, now: datetime) -> int:
    """Expire through referrals' service, which hands the referral back to the advocates."""
    try:
        with transaction.atomic():
            if not jobs.claim(job=RESPONSE_JOB, object_key=key, period=EXPIRED):
                return 0
            services.referral_expire(referral=referral, by=None, now=now)
    except ValidationError as exc:  # answered in the meantime: nothing to do
        log.info("referrals: %s not expired: %s", key, exc.messages)
        return 0
    return 1


# Hourly (familysupport/celery.py): "after 3 business days" is to the hour of sending.
@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=540)
def referral_response_task() -> int:
    return referral_response()
