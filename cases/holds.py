"""Legal holds: a family or a case that no retention rule may purge until the hold is lifted.

Placed and lifted by supervisors and administrators, with a reason; both audited. A hold on
a family covers all its cases and what hangs on them; a hold on a case covers the case,
what hangs on it and its family (a family is purged only after its last case). A merge
carries the duplicate family's holds to the family it was merged into.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from familysupport.lib import audit
from familysupport.lib.access import (
    ADMINISTRATOR,
    STAFF,
    SUPERVISOR,
    get_visible_or_404,
    has_role,
)

from .models import Case, Family, LegalHold

HOLDERS = frozenset({SUPERVISOR, ADMINISTRATOR})


def can_manage_holds(user) -> bool:
    return has_role(user, HOLDERS)


def active_holds() -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(lifted_at__isnull=True)


def held_case_ids() -> QuerySet:
    """Cases no rule may purge: held themselves, or their family is held."""
    holds = active_holds()
    return Case.objects.filter(
        Q(pk__in=holds.filter(case__isnull=False).values("case_id"))
        | Q(family_id__in=holds.filter(family__isnull=False).values("family_id"))
    ).values("pk")


def held_family_ids() -> QuerySet:
    """Families no rule may purge: held themselves, or one of their cases is held."""
    holds = active_holds()
    return Family.objects.filter(
        Q(pk__in=holds.filter(family__isnull=False).values("family_id"))
        | Q(pk__in=holds.filter(case__isnull=False).values("case__family_id"))
    ).values("pk")


def case_is_held(case: Case) -> bool:
    return active_holds().filter(Q(case=case) | Q(family_id=case.family_id)).exists()


def family_is_held(family_id: int) -> bool:
    return active_holds().filter(Q(family_id=family_id) | Q(case__family_id=family_id)).exists()


def holds_for(*, family: Family | None = None, case: Case | None = None) -> QuerySet[LegalHold]:
    """Active holds that cover this family or case (a family's own and its cases')."""
    if case is not None:
        return active_holds().filter(Q(case=case) | Q(family_id=case.family_id))
    assert family is not None
    return active_holds().filter(Q(family=family) | Q(case__family=family))


def hold_list_visible_to(*, user) -> QuerySet[LegalHold]:
    if not can_manage_holds(user):
        return LegalHold.objects.none()
    return LegalHold.objects.select_related("family", "case", "placed_by", "lifted_by")


def hold_get_for_user(*, user, pk: int) -> LegalHold:
    """404 for those who never see case work; 403 for advocates (they see a hold's banner)."""
    if has_role(user, STAFF) and not can_manage_holds(user):
        raise PermissionDenied
    return get_visible_or_404(hold_list_visible_to(user=user), pk=pk)


def _require_holder(user: User) -> None:
    if not can_manage_holds(user):
        raise PermissionDenied("Only supervisors and administrators place or lift legal holds.")


@transaction.atomic
def legal_hold_place(
    *, by: User, reason: str, family: Family | None = None, case: Case | None = None
) -> LegalHold:
    _require_holder(by)
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": "Say why the records must be kept (the matter, who asked)."}
        )
    if (family is None) == (case is None):
        raise ValidationError("A hold is on a family or on a case.")
    if family is not None and family.merged_into_id:
        raise ValidationError("This family was merged; place the hold on the family it went to.")
    existing = active_holds().filter(family=family) if family else active_holds().filter(case=case)
    if existing.exists():
        raise ValidationError("There is already a hold on it; lift that one first to change it.")
    hold = LegalHold.objects.create(family=family, case=case, reason=reason[:300], placed_by=by)
    audit.record(action="cases.legal_hold.placed", obj=case or family, actor=by)
    return hold


@transaction.atomic
def legal_hold_lift(*, hold: LegalHold, by: User, reason: str) -> LegalHold:
    _require_holder(by)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the hold can end."})
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.lifted_at:
        raise ValidationError("This hold was already lifted.")
    hold.lifted_at, hold.lifted_by, hold.lift_reason = timezone.now(), by, reason[:300]
    hold.save()
    audit.record(action="cases.legal_hold.lifted", obj=hold.case or hold.family, actor=by)
    return hold


def holds_follow_merge(
    *, source: Family, target: Family, by: User, merge=None, **_: object
) -> None:
    """events.family_merged: the duplicate's holds now cover the family its cases moved to."""
    for hold in active_holds().filter(family=source):
        if not active_holds().filter(family=target).exists():
            carried = LegalHold.objects.create(
                family=target,
                reason=f"Carried over from merged family #{source.pk}: {hold.reason}"[:300],
                placed_by=hold.placed_by,
            )
            audit.record(action="cases.legal_hold.carried_over", obj=target, actor=by)
            if merge is not None:
                merge.record_moved("cases.legalhold.carried", [carried.pk])


def holds_follow_unmerge(*, target: Family, by: User, merge, **_: object) -> None:
    """events.family_unmerged: a hold carried over by the merge is lifted (the duplicate's
    own hold still covers the cases that go back to it)."""
    for hold in active_holds().filter(pk__in=merge.moved_ids("cases.legalhold.carried")):
        hold.lifted_at, hold.lifted_by = timezone.now(), by
        hold.lift_reason = "The merge that carried this hold over was undone."
        hold.save()
        audit.record(action="cases.legal_hold.lifted", obj=target, actor=by)
