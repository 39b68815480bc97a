"""Demo privacy records: one restricted case, one legal hold, safe-contact rules. Idempotent."""

from __future__ import annotations

import datetime as dt

from . import contact_rules, holds, restricted
from .models import Case, CaseRestriction, Family, FamilyContactRules, LegalHold


def seed(*, stdout, users: dict) -> None:
    supervisor = users.get("supervisor")
    administrator = users.get("administrator")
    second = users.get("advocate2@demo.example")
    if not (supervisor and administrator and second):
        stdout.write("privacy: demo users missing; nothing to add")
        return
    restricted_case = _restricted(supervisor=supervisor, advocate=second)
    held = _hold(administrator=administrator)
    rules = _rules(supervisor=supervisor, restricted_case=restricted_case)
    if restricted_case:
        stdout.write(
            f"privacy: case {restricted_case.reference} is restricted (assigned to {second}); "
            "the other demo advocate and the administrator see a stub and may break the glass"
        )
    if held:
        stdout.write(f"privacy: legal hold on {held}")
    stdout.write(f"privacy: safe-contact rules recorded for {rules} families")


def _restricted(*, supervisor, advocate) -> Case | None:
    existing = CaseRestriction.objects.filter(lifted_at__isnull=True).select_related("case").first()
    if existing:
        return existing.case
    case = (
        Case.objects.filter(assigned_advocate=advocate, family__merged_into__isnull=True)
        .exclude(status=Case.Status.CLOSED)
        .order_by("-opened_at")
        .first()
    )
    if case is None:
        return None
    restricted.case_restrict(
        case=case,
        by=supervisor,
        reason="Demo: media attention; a relative of the family may call in pretending to be "
        "the parent",
    )
    return case


def _hold(*, administrator) -> str:
    hold = LegalHold.objects.filter(lifted_at__isnull=True).first()
    if hold is None:
        case = Case.objects.filter(status=Case.Status.CLOSED).order_by("closed_at").first()
        case = case or Case.objects.order_by("opened_at").first()
        if case is None:
            return ""
        hold = holds.legal_hold_place(
            by=administrator,
            case=case,
            reason="Demo: records request from the family's attorney (matter 2026-041)",
        )
    return f"case {hold.case.reference}" if hold.case_id else f"family #{hold.family_id}"


def _rules(*, supervisor, restricted_case: Case | None) -> int:
    if not FamilyContactRules.objects.exists():
        families = list(
            Case.objects.exclude(status=Case.Status.CLOSED)
            .order_by("-opened_at")
            .values_list("family", flat=True)[:3]
        )
        if restricted_case:
            families.insert(0, restricted_case.family_id)
        for i, family in enumerate(Family.objects.filter(pk__in=set(families))):
            contact_rules.family_contact_rules_save(
                family=family,
                by=supervisor,
                methods=["phone", "text"] if i % 2 == 0 else ["phone", "email"],
                days=[0, 1, 2, 3, 4],
                earliest=dt.time(17, 30) if i % 2 == 0 else dt.time(9, 0),
                latest=dt.time(20, 30) if i % 2 == 0 else dt.time(16, 0),
                no_voicemail=True,
                do_not_name_organisation=i == 0,
                alternate_name="Demo Sister" if i == 0 else "",
                alternate_relationship="sister" if i == 0 else "",
                alternate_phone="+15550100199" if i == 0 else "",
            )
    return FamilyContactRules.objects.count()
