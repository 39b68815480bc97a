"""Travel requests on the case and family timelines: one query for all the requests."""

from __future__ import annotations

from collections.abc import Sequence

from familysupport.lib import timeline

from . import selectors
from .models import TravelRequest

FAMILY_LIMIT = 100  # the newest requests across the family's cases (up to six entries each)


def _entries(tr: TravelRequest, case_label: str = "") -> list[timeline.Entry]:
    """Each step the request went through: drafted, submitted, decided, booked, done."""
    entries: list[timeline.Entry] = []
    url = tr.get_absolute_url()
    where = f"{tr.destination_city}, {tr.destination_country}"
    requester = str(tr.requested_by)
    ref = f"{tr.reference}, {case_label}" if case_label else tr.reference

    def add(at, title, summary="", actor=requester):
        if at is not None:
            entries.append(
                timeline.Entry(
                    at=at,
                    kind="travel",
                    title=f"{title} ({ref})",
                    summary=summary,
                    url=url,
                    actor=actor,
                )
            )

    add(tr.created_at, "Travel request drafted", f"{tr.get_purpose_display()}: {where}")
    add(tr.submitted_at, "Travel request submitted")
    if tr.decided_at:
        verb = "denied" if tr.status == TravelRequest.Status.DENIED else "approved"
        add(tr.decided_at, f"Travel request {verb}", actor=str(tr.approver or ""))
    add(tr.booked_at, "Travel booked", where, actor="")
    add(tr.completed_at, "Reunification trip completed", actor="")
    add(tr.cancelled_at, "Travel request cancelled", actor="")
    return entries


def case_entries(case, user) -> list[timeline.Entry]:
    requests = selectors.travel_request_list_for_case(user=user, case=case)
    return [entry for tr in requests for entry in _entries(tr)]


def family_entries(cases: Sequence, user) -> list[timeline.Entry]:
    """The travel requests `user` may see on these cases, each naming its case."""
    refs = {c.pk: c.reference for c in cases}
    requests = (
        selectors.travel_request_list_visible_to(user=user)
        .filter(case_id__in=list(refs))
        .order_by("-created_at", "-pk")[:FAMILY_LIMIT]
    )
    return [entry for tr in requests for entry in _entries(tr, refs[tr.case_id])]
