"""Referral history on the case timeline (one query for all of a case's referral events)."""

from __future__ import annotations

from familysupport.lib import timeline
from familysupport.lib.access import STAFF, has_role

from .models import ReferralEvent


def case_entries(case, user) -> list[timeline.Entry]:
    if not has_role(user, STAFF):
        return []
    events = (
        ReferralEvent.objects.filter(referral__case_id=case.pk)
        .select_related("referral__provider", "referral__agency", "by")
        .order_by("at", "pk")
    )
    entries = []
    for e in events:
        r = e.referral
        title = f"Referral to {r.recipient_name}: {e.get_status_display().lower()}"
        summary = r.get_service_type_display()
        if e.note:
            summary = f"{summary} · {e.note}"
        entries.append(
            timeline.Entry(
                at=e.at,
                kind="referral",
                title=title,
                summary=summary,
                url=r.get_absolute_url(),
                actor=str(e.by) if e.by else "system",
            )
        )
    return entries
