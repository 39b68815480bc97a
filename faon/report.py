"""What FAON gives the yearly report: membership spells and querysets over its own records.

`reports/` composes the figures and reads FAON only through this module (and selectors.py
for access-scoped lists and the yearly compliance rule), so a change to FAON's tables is
made here.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, Min, OuterRef, Q, QuerySet, Subquery

from familysupport.lib import dates

from .models import (
    US_STATES,
    Application,
    ComplianceSnapshot,
    Provider,
    ProviderStatusChange,
)
from .models import ServiceMode as ServiceMode

Status = Provider.Status
LEFT_STATUSES = (Status.SUSPENDED, Status.LAPSED, Status.WITHDRAWN)
STATES = US_STATES


def _active_interval_overlaps(start: datetime, end: datetime) -> Exists:
    """A change to active whose active spell [at, next change) overlaps [start, end)."""
    next_change = (
        ProviderStatusChange.objects.filter(provider=OuterRef("provider"))
        .filter(Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), pk__gt=OuterRef("pk")))
        .order_by("at", "pk")
        .values("at")[:1]
    )
    spells = (
        ProviderStatusChange.objects.filter(
            provider=OuterRef("pk"), to_status=Status.ACTIVE, at__lt=end
        )
        .annotate(next_at=Subquery(next_change))
        .filter(Q(next_at__isnull=True) | Q(next_at__gt=start))
    )
    return Exists(spells)


def active_provider_filter(start: datetime, end: datetime) -> Q:
    """Providers active at some moment of [start, end)."""
    # Providers without any recorded history (loaded before history was kept) fall back to
    # their current status and activation date.
    no_history = ~Exists(ProviderStatusChange.objects.filter(provider=OuterRef("pk")))
    legacy = Q(no_history, status=Status.ACTIVE) & (
        Q(activated_at__isnull=True) | Q(activated_at__lt=end)
    )
    return Q(_active_interval_overlaps(start, end)) | legacy


def providers() -> QuerySet[Provider]:
    """Every provider, for the division-wide membership counts."""
    return Provider.objects.all()


def providers_active_between(start: datetime, end: datetime) -> QuerySet[Provider]:
    return Provider.objects.filter(active_provider_filter(start, end))


def status_changed_in_year(year: int, statuses: list[str] | tuple[str, ...]) -> Exists:
    """The provider changed to one of `statuses` during the year (division time zone)."""
    start, end = dates.year_bounds(year)
    return Exists(
        ProviderStatusChange.objects.filter(
            at__gte=start, at__lt=end, provider=OuterRef("pk"), to_status__in=statuses
        )
    )


def applications_submitted_in_year(year: int) -> QuerySet[Application]:
    start, end = dates.year_bounds(year)
    return Application.objects.filter(submitted_at__gte=start, submitted_at__lt=end)


def compliance_snapshots(year: int) -> QuerySet[ComplianceSnapshot]:
    """The year-end compliance snapshots taken for membership year `year`."""
    return ComplianceSnapshot.objects.filter(membership_year=year)


def first_status_change_at() -> datetime | None:
    """When the first status change was recorded (the report's first year); from the index."""
    first: datetime | None = ProviderStatusChange.objects.aggregate(v=Min("at"))["v"]
    return first
