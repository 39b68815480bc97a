"""Team HOPE peer-support calls by month."""

from __future__ import annotations

from django.db.models import (
    Count,
    Q,
    Sum,
)
from django.db.models.functions import Coalesce

from .common import (
    MONTHS,
    _month,
    col,
    counts,
    link,
    row,
    table,
)

# --- Team HOPE -----------------------------------------------------------------------------


def _peer_calls(year: int) -> dict:
    from teamhope import report as teamhope_report

    calls = teamhope_report.peer_calls_in_year(year)
    by_month = {
        r["m"]: r
        for r in calls.annotate(m=_month("called_at"))
        .values("m")
        .annotate(
            # Only columns of the covering index (called_at) INCLUDE (duration_minutes,
            # escalated, match): an index-only scan over millions of calls.
            calls=Count("*"),
            minutes=Coalesce(Sum("duration_minutes"), 0),
            escalated=Count("escalated", filter=Q(escalated=True)),
        )
        .order_by()
    }
    families = calls.aggregate(families=Count("match__family_id", distinct=True))["families"]
    keys = ("calls", "minutes", "escalated")
    rows = [
        row(
            MONTHS[m - 1],
            counts(by_month.get(m, {}), keys),
            {"calls": link("peer_calls", month=m)},
            key=str(m),
        )
        for m in range(1, 13)
    ]
    total = {k: sum(r["cells"][k] for r in rows) for k in keys}
    return {
        "total": total["calls"],
        "families": families,
        "table": table(
            "peer_calls",
            "Team HOPE peer-support calls by month",
            [
                col("calls", "Calls"),
                col("minutes", "Minutes"),
                col("escalated", "Escalated to an advocate"),
            ],
            rows,
            total=row("Year", total, {"calls": link("peer_calls")}),
            chart={"kind": "rows", "column": "calls", "title": "Team HOPE calls per month"},
            note=f"{families} families had at least one peer-support call.",
            # The public release formats the note from suppressed values (disclosure.py).
            note_template="{families} families had at least one peer-support call.",
            note_values={"families": families},
        ),
    }
