"""Team HOPE matches and their calls go with their case when the retention schedule purges
it (cases/retention.py)."""

from __future__ import annotations

import datetime as dt

from cases import retention as case_retention
from cases.models import Case

from .models import Escalation, PeerCall, PeerMatch


def purge_for_case(*, case: Case, now: dt.datetime, **_: object) -> None:
    """events.case_purging: delete the case's matches, their calls and escalations (each
    deletion audited); the calls are counted per year for the yearly report's note."""
    matches = PeerMatch.objects.filter(case=case)
    calls = PeerCall.objects.filter(match__in=matches)
    case_retention.purged_count_add(
        "teamhope.peercall", case_retention.years_of(calls, "called_at")
    )
    for escalation in Escalation.objects.filter(match__in=matches):
        escalation.delete()
    for call in calls:
        call.delete()
    for match in matches:
        match.delete()
