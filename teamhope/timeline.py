"""Team HOPE entries on the case and family timelines: matches, peer calls and escalations.

The volunteer's short call note is NOT shown here: peer support is the family's space with
another parent, and the note is read by the volunteer and Team HOPE supervisors only. What
an advocate must know reaches them as an escalation, whose reason is shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, QuerySet
from django.db.models.functions import JSONObject
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


def case_entries(case, user) -> list[timeline.Entry]:
    """One query whatever the number of matches and calls (the case page's statement
    budget is 15)."""
    if not has_role(user, STAFF):
        return []
    return _entries(PeerMatch.objects.filter(case=case))


def family_entries(cases: Sequence, user) -> list[timeline.Entry]:
    """What `user` may see of the matches on these cases, each entry naming its case; one
    query whatever the number of cases, matches and calls."""
    labels = {c.pk: c.reference for c in cases}
    matches = (
        selectors.match_list_visible_to(user=user)
        .filter(case_id__in=list(labels))
        .select_related(None)
    )
    return _entries(matches, labels)


def _entries(
    matches: QuerySet[PeerMatch], case_labels: dict[int, str] | None = None
) -> list[timeline.Entry]:
    """The matches' entries; each match comes with its newest calls and escalations as JSON
    arrays, so this is one query."""
    labels = case_labels or {}
    entries: list[timeline.Entry] = []
    newest_calls = PeerCall.objects.filter(match=OuterRef("pk")).order_by("-called_at")
    newest_escalations = Escalation.objects.filter(match=OuterRef("pk")).order_by("-raised_at")
    matches = matches.select_related("volunteer__user").annotate(
        call_rows=ArraySubquery(
            newest_calls.values(
                json=JSONObject(
                    pk="pk",
                    at="called_at",
                    minutes="duration_minutes",
                    direction="direction",
                    topics="topics",
                    escalated="escalated",
                )
            )[:MAX_CALLS]
        ),
        escalation_rows=ArraySubquery(
            newest_escalations.values(json=JSONObject(pk="pk", at="raised_at", reason="reason"))[
                :MAX_ESCALATIONS
            ]
        ),
    )
    topic_labels = dict(PeerCall.Topic.choices)
    calls: list[timeline.Entry] = []
    escalations: list[timeline.Entry] = []
    for m in matches:
        url = reverse("teamhope:match_detail", args=[m.pk])
        volunteer = str(m.volunteer)
        case = f" · {labels[m.case_id]}" if m.case_id in labels else ""
        entries.append(
            timeline.Entry(
                at=m.started_at,
                kind="peer_match",
                title=f"Matched with a Team HOPE volunteer{case}",
                summary=m.why_matched[:200],
                url=url,
                actor=volunteer,
            )
        )
        if m.ended_at:
            entries.append(
                timeline.Entry(
                    at=m.ended_at,
                    kind="peer_match",
                    title=f"Team HOPE match ended{case}",
                    summary=m.get_end_reason_display(),
                    url=url,
                    actor=volunteer,
                )
            )
        for c in m.call_rows:
            topics = ", ".join(topic_labels.get(t, t) for t in c["topics"])
            calls.append(
                timeline.Entry(
                    at=_when(c["at"]),
                    kind="peer_call",
                    title=f"Peer call, {c['minutes']} min ({WHO_CALLED[c['direction']]}){case}",
                    summary=topics + (" · advocate alerted" if c["escalated"] else ""),
                    url=url,
                    actor=volunteer,
                )
            )
        for e in m.escalation_rows:
            escalations.append(
                timeline.Entry(
                    at=_when(e["at"]),
                    kind="peer_escalation",
                    title=f"Team HOPE volunteer asked for an advocate{case}",
                    summary=e["reason"][:200],
                    url=reverse("teamhope:escalation_detail", args=[e["pk"]]),
                    actor=volunteer,
                )
            )
    # The newest across the matches, as many as before (a case rarely has two).
    newest = sorted(calls, key=lambda x: x.at, reverse=True)[:MAX_CALLS]
    newest += sorted(escalations, key=lambda x: x.at, reverse=True)[:MAX_ESCALATIONS]
    return entries + newest


def _when(value: str) -> dt.datetime:
    """A timestamp from PostgreSQL's JSON (ISO 8601 with its offset)."""
    return dt.datetime.fromisoformat(value)
