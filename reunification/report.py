"""What reunification gives the yearly report: its figures' filters and sums.

`reports/` composes the figures and reads reunification only through this module (and
selectors.py for access-scoped lists and the budget), so a change to its tables is made here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from familysupport.lib import dates

from .models import Segment, TravelRequest

MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)
ZERO = Decimal("0.00")

TRAVEL_EVENTS = (
    ("submitted", "Requests submitted"),
    ("approved", "Requests approved"),
    ("denied", "Requests denied"),
    ("completed", "Trips completed"),
    ("international", "of which international"),
)
COST_GROUPS = (
    ("transport", "Transport", Q(kind__in=Segment.TRANSPORT_KINDS)),
    ("lodging", "Lodging", Q(kind=Segment.Kind.LODGING)),
    ("ground", "Ground transport", Q(kind=Segment.Kind.GROUND)),
    ("other", "Other", Q(kind=Segment.Kind.OTHER)),
)


def _in_year(field: str, year: int) -> Q:
    start, end = dates.year_bounds(year)
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def travel_event_filter(year: int, event: str) -> Q:
    """The travel requests a row of the "travel" figure counts (and its drill-down lists)."""
    status = TravelRequest.Status
    return {
        "submitted": _in_year("submitted_at", year),
        "approved": _in_year("approved_at", year),
        "denied": _in_year("decided_at", year) & Q(status=status.DENIED),
        "completed": _in_year("completed_at", year) & Q(status=status.COMPLETED),
        "international": _in_year("completed_at", year)
        & Q(status=status.COMPLETED, is_international=True),
    }.get(event, _in_year("submitted_at", year))


def travel_event_counts(year: int) -> dict[str, int]:
    """{event: requests} for every TRAVEL_EVENTS row, in one query."""
    counts: dict[str, int] = TravelRequest.objects.aggregate(
        **{key: Count("pk", filter=travel_event_filter(year, key)) for key, _ in TRAVEL_EVENTS}
    )
    return counts


def segment_costs(year: int) -> dict[str, Any]:
    """Estimated and actual cost per COST_GROUPS key ("<key>_est", "<key>_act") of the
    booked and completed trips approved in `year`, in one query."""
    zero = Value(ZERO, output_field=MONEY)
    sums: dict[str, Any] = {}
    for key, _label, q in COST_GROUPS:
        sums[f"{key}_est"] = Coalesce(Sum("estimated_cost", filter=q), zero)
        sums[f"{key}_act"] = Coalesce(Sum("actual_cost", filter=q), zero)
    costs: dict[str, Any] = Segment.objects.filter(
        _in_year("travel_request__approved_at", year),
        travel_request__status__in=[TravelRequest.Status.BOOKED, TravelRequest.Status.COMPLETED],
    ).aggregate(**sums)
    return costs
