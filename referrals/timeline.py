"""Referral history on the case and family timelines (one query for all their events)."""

from __future__ import annotations

from collections.abc import Sequence

from familysupport.lib import timeline
from familysupport.lib.access import STAFF, has_role

from . import selectors
from .models import ReferralEvent

FAMILY_LIMIT = 200  # the newest events across the family's cases; each referral has the rest


def _entry(e: ReferralEvent, case_label: str = "") -> timeline.Entry:
    r = e.referral
    title = f"Referral to {r.recipient_name}: {e.get_status_display().lower()}"
    summary = r.get_service_type_display()
    if e.note:
        summary = f"{summary} · {e.note}"
    return timeline.Entry(
        at=e.at,
        kind="referral",
        title=f"{title} · {case_label}" if case_label else title,
        summary=summary,
        url=r.get_absolute_url(),
        actor=str(e.by) if e.by else "system",
    )


def _events():
    return ReferralEvent.objects.select_related("referral__provider", "referral__agency", "by")


def case_entries(case, user) -> list[timeline.Entry]:
    if not has_role(user, STAFF):
        return []
    events = _events().filter(referral__case_id=case.pk).order_by("at", "pk")
    return [_entry(e) for e in events]


def family_entries(cases: Sequence, user) -> list[timeline.Entry]:
    """The events of the referrals `user` may see on these cases, each naming its case."""
    if not has_role(user, STAFF):
        return []  # a provider reads its own referrals, never a family's history
    refs = {c.pk: c.reference for c in cases}
    visible = selectors.referral_list_visible_to(user=user).filter(case_id__in=list(refs))
    events = (
        _events().filter(referral__in=visible.values("pk")).order_by("-at", "-pk")[:FAMILY_LIMIT]
    )
    return [_entry(e, refs[e.referral.case_id]) for e in events]
