"""What Team HOPE gives the yearly report: querysets over its own records.

`reports/` composes the figures and reads Team HOPE only through this module (and
selectors.py for access-scoped lists), so a change to Team HOPE's tables is made here.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Min, QuerySet

from familysupport.lib import dates

from .models import PeerCall


def peer_calls_in_year(year: int) -> QuerySet[PeerCall]:
    """The year's peer-support calls (division time zone), for counts by month."""
    start, end = dates.year_bounds(year)
    return PeerCall.objects.filter(called_at__gte=start, called_at__lt=end)


def first_peer_call_at() -> datetime | None:
    """When the first call was logged (the report's first year); from the index."""
    first: datetime | None = PeerCall.objects.aggregate(v=Min("called_at"))["v"]
    return first


def tables_for_estimate() -> list[str]:
    """The big tables whose size says whether computing a year takes long."""
    return [PeerCall._meta.db_table]
