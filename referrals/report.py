"""What referrals gives the yearly report: its figures' filters and querysets.

`reports/` composes the figures and reads referrals only through this module (and
selectors.py for access-scoped lists), so a change to its tables is made here.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Min, Q, QuerySet

from familysupport.lib import dates

from .models import LegalAssistanceRequest, Referral, ServiceType

ReferralStatus = Referral.Status
LegalStatus = LegalAssistanceRequest.Status
RequesterKind = LegalAssistanceRequest.RequesterKind
LegalProvided = LegalAssistanceRequest.Provided
SERVICE_TYPES = ServiceType


def referral_outcome_filter(outcome: str) -> Q:
    """The referrals with one outcome of the report's table (no filter for an unknown one)."""
    S = Referral.Status
    return {
        "accepted": Q(accepted_at__isnull=False),
        "declined": Q(accepted_at__isnull=True, status=S.DECLINED),
        "expired": Q(accepted_at__isnull=True, status=S.EXPIRED),
        "awaiting": Q(accepted_at__isnull=True, status=S.SENT),
        "closed": Q(accepted_at__isnull=True, status=S.CLOSED),
        "first_appointment": Q(first_appointment_on__isnull=False),
        "completed": Q(status=S.COMPLETED),
    }.get(outcome, Q())


def referrals_sent_in_year(year: int) -> QuerySet[Referral]:
    start, end = dates.year_bounds(year)
    return Referral.objects.filter(sent_at__gte=start, sent_at__lt=end)


def referrals_accepted_in_year(year: int) -> QuerySet[Referral]:
    """Referrals accepted during the year, whatever happened to them since."""
    S = Referral.Status
    start, end = dates.year_bounds(year)
    return (
        Referral.objects.filter(accepted_at__gte=start, accepted_at__lt=end)
        # accepted_at stays set as a referral moves on to appointment/completed/closed;
        # a referral that is declined or expired was never accepted.
        .exclude(status__in=[S.DRAFT, S.SENT, S.DECLINED, S.EXPIRED])
    )


def legal_requests_received_in_year(year: int) -> QuerySet[LegalAssistanceRequest]:
    return LegalAssistanceRequest.objects.filter(received_on__year=year)  # a date: local day


def first_referral_sent_at() -> datetime | None:
    """When the first referral was sent (the report's first year); from the index."""
    first: datetime | None = Referral.objects.aggregate(v=Min("sent_at"))["v"]
    return first
