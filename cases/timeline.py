"""What `cases` adds to a case's timeline: its contacts, resources shared and risk alerts."""

from __future__ import annotations

from django.urls import reverse

from familysupport.lib.timeline import Entry

TIMELINE_LIMIT = 200  # most recent entries of each kind; the contact list has the rest


EXCERPT_CHARS = 160


def first_line(text: str) -> str:
    """The note's first non-empty line, cut at a word near EXCERPT_CHARS."""
    line = next((ln.strip() for ln in (text or "").splitlines() if ln.strip()), "")
    if len(line) <= EXCERPT_CHARS:
        return line
    return line[:EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"


def contact_entries(case, user) -> list[Entry]:
    from . import selectors

    contacts = (
        selectors.contact_list_visible_to(user=user)
        .filter(case=case)
        .order_by("-started_at")[:TIMELINE_LIMIT]
    )
    entries = []
    for c in contacts:
        flags = []
        if c.safety_concern:
            flags.append("safety concern")
        if c.self_harm_risk:
            flags.append("self-harm risk")
        summary = f"{c.get_direction_display()} {c.get_channel_display().lower()}"
        summary += f", {c.duration_minutes} min"
        if flags:
            summary += " · " + ", ".join(flags)
        entries.append(
            Entry(
                at=c.started_at,
                kind="contact",
                title=c.get_purpose_display(),
                summary=summary,
                url=reverse("cases:contact_detail", args=[c.pk]),
                actor=str(c.advocate),
                icon="risk" if flags else "",
                excerpt=first_line(c.notes),
            )
        )
    return entries


def share_entries(case, user) -> list[Entry]:
    shares = case.resource_shares.select_related("resource", "shared_by").order_by("-shared_at")
    return [
        Entry(
            at=s.shared_at,
            kind="resource",
            title=f"Resource shared: {s.resource.title}",
            summary="E-mailed to the family" if s.emailed else "Shared during a contact",
            url=reverse("cases:resource_detail", args=[s.resource_id]),
            actor=str(s.shared_by),
        )
        for s in shares[:TIMELINE_LIMIT]
    ]
