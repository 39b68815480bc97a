"""What `cases` adds to a case's timeline: its contacts, resources shared and risk alerts."""

from __future__ import annotations

from django.urls import reverse

from familysupport.lib.timeline import Entry, entries_for_family

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


FAMILY_TIMELINE_LIMIT = 200
STATUS_ACTIONS = {
    "cases.case.reopened": "Case reopened",
    "cases.case.activated": "Case made active",
    "cases.case.put_on_hold": "Case put on hold",
    "cases.case.closed": "Case closed",
    "cases.case.reassigned": "Case reassigned",
}


def family_entries(*, family, cases: list, merges: list, user) -> list[Entry]:
    """One timeline across a family's cases: contacts (first line of each note), cases
    opened, status changes, reassignments and merges, newest first, and what the later
    apps registered (referrals, Team HOPE, travel: lib/timeline.py).

    Two queries whatever the number of cases (the contacts; the audited status changes
    and reassignments) plus each registered app's fixed few; the cases and merges are the
    page's own lists.
    """
    from django.contrib.contenttypes.models import ContentType

    from familysupport.lib.models import AuditEntry

    from . import selectors
    from .models import Case

    by_pk = {c.pk: c for c in cases}
    entries: list[Entry] = []
    contacts = (
        selectors.contact_list_visible_to(user=user)
        .filter(case_id__in=list(by_pk))
        .order_by("-started_at")[:FAMILY_TIMELINE_LIMIT]
    )
    for c in contacts:
        entries.append(
            Entry(
                at=c.started_at,
                kind="contact",
                title=f"{c.get_purpose_display()} · {by_pk[c.case_id].reference}",
                summary=f"{c.get_direction_display()} {c.get_channel_display().lower()}, "
                f"{c.duration_minutes} min",
                url=reverse("cases:contact_detail", args=[c.pk]),
                actor=str(c.advocate),
                icon="risk" if c.risk_flagged else "",
                excerpt=first_line(c.notes),
            )
        )
    for case in cases:
        entries.append(
            Entry(
                at=case.opened_at,
                kind="case_opened",
                title=f"{case.reference} opened: {case.get_case_type_display()}",
                url=case.get_absolute_url(),
            )
        )
    changes = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Case),
        object_id__in=[str(pk) for pk in by_pk],
        action__in=list(STATUS_ACTIONS),
    ).order_by("-at")[:FAMILY_TIMELINE_LIMIT]
    for change in changes:
        case = by_pk[int(change.object_id)]
        entries.append(
            Entry(
                at=change.at,
                kind="status_change",
                title=f"{STATUS_ACTIONS[change.action]}: {case.reference}",
                url=case.get_absolute_url(),
                actor=change.actor_label,
            )
        )
    for merge in merges:
        entries.append(
            Entry(
                at=merge.merged_at,
                kind="merge",
                title=f"Family #{merge.source_id} merged into #{merge.target_id}",
                actor=str(merge.merged_by),
            )
        )
        if merge.undone_at:
            entries.append(
                Entry(
                    at=merge.undone_at,
                    kind="merge",
                    title=f"Merge of #{merge.source_id} into #{merge.target_id} undone",
                    actor=str(merge.undone_by),
                )
            )
    entries.extend(entries_for_family(cases, user))
    return sorted(entries, key=lambda e: e.at, reverse=True)
