"""Team HOPE entries on the case and family timelines: matches, peer calls and escalations.

The volunteer's short call note is NOT shown here: peer support is the family's space with
another parent, and the note is read by the volunteer and Team HOPE supervisors only. What
an advocate must know reaches them as an escalation, whose reason is shown.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet
from django.urls import reverse

from familysupport.lib import timeline
from familysupport.lib.access import STAFF, has_role

from . import selectors
from .models import Escalation, PeerCall, PeerMatch

MAX_CALLS = 200  # the newest calls; the match page pages through the rest
MAX_ESCALATIONS = 50
# The choice labels speak as the volunteer ("I called the family"); the advocate reads this.
WHO_CALLED = {
    PeerCall.Direction.OUTBOUND: "volunteer called the family",
    PeerCall.Direction.INBOUND: "family called the volunteer",
}


def _entries(
    matches: list[PeerMatch],
    calls: QuerySet[PeerCall],
    escalations: QuerySet[Escalation],
    case_labels: dict[int, str] | None = None,
) -> list[timeline.Entry]:
    """The matches' entries, then the newest calls and escalations (one query each)."""
    entries: list[timeline.Entry] = []
    labels = case_labels or {}

    def named(title: str, case_id: int) -> str:
        return f"{title} · {labels[case_id]}" if case_id in labels else title

    topic_labels = dict(PeerCall.Topic.choices)
    for m in matches:
        url = reverse("teamhope:match_detail", args=[m.pk])
        entries.append(
            timeline.Entry(
                at=m.started_at,
                kind="peer_match",
                title=named("Matched with a Team HOPE volunteer", m.case_id),
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
                    title=named("Team HOPE match ended", m.case_id),
                    summary=m.get_end_reason_display(),
                    url=url,
                    actor=str(m.volunteer),
                )
            )
    by_pk = {m.pk: m for m in matches}
    calls = calls.only(
        "pk", "match_id", "called_at", "duration_minutes", "direction", "topics", "escalated"
    ).order_by("-called_at")[:MAX_CALLS]
    for c in calls:
        topics = ", ".join(topic_labels.get(t, t) for t in c.topics)
        match = by_pk[c.match_id]
        entries.append(
            timeline.Entry(
                at=c.called_at,
                kind="peer_call",
                title=named(
                    f"Peer call, {c.duration_minutes} min ({WHO_CALLED[c.direction]})",
                    match.case_id,
                ),
                summary=topics + (" · advocate alerted" if c.escalated else ""),
                url=reverse("teamhope:match_detail", args=[c.match_id]),
                actor=str(match.volunteer),
            )
        )
    for e in escalations.order_by("-raised_at")[:MAX_ESCALATIONS]:
        match = by_pk.get(e.match_id)
        entries.append(
            timeline.Entry(
                at=e.raised_at,
                kind="peer_escalation",
                title=named(
                    "Team HOPE volunteer asked for an advocate", match.case_id if match else 0
                ),
                summary=e.reason[:200],
                url=reverse("teamhope:escalation_detail", args=[e.pk]),
                actor=str(match.volunteer) if match else "",
            )
        )
    return entries


def case_entries(case, user) -> list[timeline.Entry]:
    """Three queries whatever the number of matches and calls."""
    if not has_role(user, STAFF):
        return []
    matches = list(PeerMatch.objects.filter(case=case).select_related("volunteer__user"))
    if not matches:
        return []
    return _entries(
        matches,
        PeerCall.objects.filter(match__case=case),
        Escalation.objects.filter(match__case=case),
    )


def family_entries(cases: Sequence, user) -> list[timeline.Entry]:
    """What `user` may see of the matches on these cases, each entry naming its case.

    Three queries whatever the number of cases, matches and calls.
    """
    labels = {c.pk: c.reference for c in cases}
    matches = list(
        selectors.match_list_visible_to(user=user)
        .filter(case_id__in=list(labels))
        .select_related(None)
        .select_related("volunteer__user")
    )
    if not matches:
        return []
    ids = [m.pk for m in matches]
    return _entries(
        matches,
        selectors.call_list_visible_to(user=user).filter(match_id__in=ids).select_related(None),
        selectors.escalation_list_visible_to(user=user)
        .filter(match_id__in=ids)
        .select_related(None),
        labels,
    )
