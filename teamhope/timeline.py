"""Team HOPE entries on the case timeline: matches, peer calls and escalations.

The volunteer's short call note is NOT shown here: peer support is the family's space with
another parent, and the note is read by the volunteer and Team HOPE supervisors only. What
an advocate must know reaches them as an escalation, whose reason is shown.
"""

from __future__ import annotations

from django.urls import reverse

from familysupport.lib import timeline
from familysupport.lib.access import STAFF, has_role

from .models import Escalation, PeerCall, PeerMatch

MAX_CALLS = 200  # the newest calls; the match page pages through the rest
# The choice labels speak as the volunteer ("I called the family"); the advocate reads this.
WHO_CALLED = {
    PeerCall.Direction.OUTBOUND: "volunteer called the family",
    PeerCall.Direction.INBOUND: "family called the volunteer",
}


def case_entries(case, user) -> list[timeline.Entry]:
    """Three queries whatever the number of matches and calls."""
    if not has_role(user, STAFF):
        return []
    entries: list[timeline.Entry] = []
    matches = list(PeerMatch.objects.filter(case=case).select_related("volunteer__user"))
    if not matches:
        return entries
    topic_labels = dict(PeerCall.Topic.choices)
    for m in matches:
        url = reverse("teamhope:match_detail", args=[m.pk])
        entries.append(
            timeline.Entry(
                at=m.started_at,
                kind="peer_match",
                title="Matched with a Team HOPE volunteer",
                summary=m.why_matched[:200],
                url=url,
                actor=str(m.volunteer),
            )
        )
        if m.ended_at:
            entries.append(
                timeline.Entry(
                    at=m.ended_at,
                    kind="peer_match",
                    title="Team HOPE match ended",
                    summary=m.get_end_reason_display(),
                    url=url,
                    actor=str(m.volunteer),
                )
            )
    by_pk = {m.pk: m for m in matches}
    calls = (
        PeerCall.objects.filter(match__case=case)
        .only("pk", "match_id", "called_at", "duration_minutes", "direction", "topics", "escalated")
        .order_by("-called_at")[:MAX_CALLS]
    )
    for c in calls:
        topics = ", ".join(topic_labels.get(t, t) for t in c.topics)
        entries.append(
            timeline.Entry(
                at=c.called_at,
                kind="peer_call",
                title=f"Peer call, {c.duration_minutes} min ({WHO_CALLED[c.direction]})",
                summary=topics + (" · advocate alerted" if c.escalated else ""),
                url=reverse("teamhope:match_detail", args=[c.match_id]),
                actor=str(by_pk[c.match_id].volunteer),
            )
        )
    for e in Escalation.objects.filter(match__case=case).order_by("-raised_at")[:50]:
        entries.append(
            timeline.Entry(
                at=e.raised_at,
                kind="peer_escalation",
                title="Team HOPE volunteer asked for an advocate",
                summary=e.reason[:200],
                url=reverse("teamhope:escalation_detail", args=[e.pk]),
                actor=str(by_pk[e.match_id].volunteer) if e.match_id in by_pk else "",
            )
        )
    return entries
