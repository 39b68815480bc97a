"""Travel requests on the case timeline: one query for all of a case's requests."""

from __future__ import annotations

from familysupport.lib import timeline

from . import selectors
from .models import TravelRequest


def case_entries(case, user) -> list[timeline.Entry]:
    entries: list[timeline.Entry] = []
    requests = selectors.travel_request_list_for_case(user=user, case=case)
    for tr in requests:
        url = tr.get_absolute_url()
        where = f"{tr.destination_city}, {tr.destination_country}"
        requester = str(tr.requested_by)

        def add(at, title, summary="", actor=requester, tr=tr, url=url):
            if at is not None:
                entries.append(
                    timeline.Entry(
                        at=at,
                        kind="travel",
                        title=f"{title} ({tr.reference})",
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
