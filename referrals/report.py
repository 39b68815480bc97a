"""What referrals gives the yearly report: its figures' filters and querysets.

`reports/` composes the figures and reads referrals only through this module (and
selectors.py for access-scoped lists), so a change to its tables is made here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Avg, Min, Q, QuerySet
from django.db.models.functions import Left

from familysupport.lib import dates

from .models import LegalAssistanceRequest, Referral, ServiceType, ZipCentroid

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


def zip_centroids(zips: Iterable[str]) -> dict[str, tuple[float, float, str]]:
    """{ZIP: (latitude, longitude, state)} for the ZIPs in the offline centroid table."""
    rows = ZipCentroid.objects.filter(pk__in=set(zips)).values_list(
        "zip_code", "latitude", "longitude", "state"
    )
    return {z: (lat, lng, st) for z, lat, lng, st in rows}


def zip3_points(state: str, zip3s: Iterable[str]) -> dict[str, tuple[float, float]]:
    """{ZIP3: (longitude, latitude)}: the mean of the state's ZIP centroids in each ZIP3."""
    rows = (
        ZipCentroid.objects.filter(state=state)
        .annotate(z3=Left("zip_code", 3))
        .filter(z3__in=set(zip3s))
        .values("z3")
        .annotate(lat=Avg("latitude"), lng=Avg("longitude"))
    )
    return {r["z3"]: (r["lng"], r["lat"]) for r in rows}
