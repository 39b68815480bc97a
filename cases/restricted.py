"""Restricted cases: who may open them, the stub everyone else sees, break-glass.

A supervisor marks a case restricted (a case with media attention, a staff member's
relative, a family at risk from someone who might call in). The mark restricts the whole
family: the family and every case of it. Who may open them:

- supervisors (all of them);
- the assigned advocate of any case of the family;
- people a supervisor added to a restricted case of the family;
- someone who broke the glass on it, until the break-glass expires (4 hours by default).

Everyone else on the staff (other advocates, administrators) sees only a stub (case
number, "restricted", assigned advocate) and may break the glass with a reason. Providers
and volunteers never see cases; their own referrals and matches are not affected.

Every list and lookup of cases' records goes through `exclude_hidden(qs, user, path)`: the
selectors of cases, referrals, Team HOPE and reunification exclude those families, so
restricted records never appear in suggestions, lists, dashboards, drill-downs or exports
of people without access. Counts (dashboards, the yearly figures) still include them.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, Exists, F, Func, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from familysupport.lib import audit
from familysupport.lib.access import ADMINISTRATOR, CASEWORKERS, STAFF, SUPERVISOR
from familysupport.lib.notify import notify

from .models import BreakGlass, Case, CaseAccessGrant, CaseRestriction

REVIEW_WINDOW = dt.timedelta(days=90)
DEFAULT_BREAK_GLASS_HOURS = 4


def break_glass_duration() -> dt.timedelta:
    hours = getattr(settings, "RESTRICTED_BREAK_GLASS_HOURS", DEFAULT_BREAK_GLASS_HOURS)
    return dt.timedelta(hours=hours)


def _is_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role in STAFF)


def sees_every_restricted_case(user) -> bool:
    return _is_staff(user) and user.role == SUPERVISOR


def _active() -> QuerySet[CaseRestriction]:
    return CaseRestriction.objects.filter(lifted_at__isnull=True)


def _hidden(user, now: dt.datetime) -> QuerySet:
    """Families of active restrictions none of whose cases the user may open.

    Starts from the restrictions (a handful of rows) and probes each family's cases through
    the family index; an anti-join written the other way round made PostgreSQL scan every
    case (bench, 300,000 cases: 0.2 ms → 350 ms for a page of the case list).
    """
    grants = CaseAccessGrant.objects.filter(user=user, removed_at__isnull=True).values("case_id")
    glass = BreakGlass.objects.filter(user=user, expires_at__gt=now).values("case_id")
    may_open = Case.objects.filter(family_id=OuterRef("case__family_id")).filter(
        Q(assigned_advocate=user) | Q(pk__in=grants) | Q(pk__in=glass)
    )
    return _active().filter(~Exists(may_open)).order_by().values("case__family_id")


# Set only while counting (never while listing): see `counting_restricted`.
_counting: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "restricted_counting", default=False
)


def hidden_family_ids(user) -> QuerySet | None:
    """A subquery of the restricted families this user may not open; None: nothing hidden."""
    if not _is_staff(user) or sees_every_restricted_case(user) or _counting.get():
        return None
    return _hidden(user, timezone.now())


@contextlib.contextmanager
def counting_restricted() -> Iterator[None]:
    """Inside, selectors keep restricted records: for a COUNT that includes them (a figure's
    drill-down says how many it does not list). Never evaluate a list inside."""
    token = _counting.set(True)
    try:
        yield
    finally:
        _counting.reset(token)


def hides_anything(user) -> bool:
    return _is_staff(user) and not sees_every_restricted_case(user)


class _NotAmong(Func):
    """`NOT (column = ANY(ARRAY(subquery)))`: the subquery runs once (an InitPlan) and each
    row is compared with its few ids; `NOT IN (subquery)` measured 2-3x slower on a count."""

    arg_joiner = " = ANY("
    template = "NOT (%(expressions)s))"
    output_field = BooleanField()


def not_hidden(user, family_field: str) -> Q | None:
    hidden = hidden_family_ids(user)
    if hidden is None:
        return None
    return Q(_NotAmong(F(family_field), ArraySubquery(hidden)))


def exclude_hidden(qs: QuerySet, user, family_field: str = "family_id") -> QuerySet:
    """`qs` without the records of restricted families the user may not open.

    `family_field` is the path from the listed model to the family's id, e.g. "pk" for
    families, "family_id" for cases, "case__family_id" for contacts.
    """
    condition = not_hidden(user, family_field)
    return qs if condition is None else qs.filter(condition)


def family_is_restricted(family_id: int) -> bool:
    return _active().filter(case__family_id=family_id).exists()


def may_open_family(user, family_id: int) -> bool:
    hidden = hidden_family_ids(user)
    if hidden is None:
        return _is_staff(user)
    return not hidden.filter(case__family_id=family_id).exists()


def case_is_restricted(case: Case) -> bool:
    return family_is_restricted(case.family_id)


# --- the stub shown instead of a restricted record ----------------------------------------


@dataclass(frozen=True)
class Stub:
    """What someone without access may know of a restricted case."""

    case_id: int
    reference: str
    advocate: str

    @property
    def break_glass_url(self) -> str:
        return reverse("privacy:break_glass", args=[self.case_id])


def stubs_for_family(family_id: int) -> list[Stub]:
    cases = Case.objects.filter(family_id=family_id).select_related("assigned_advocate")
    return [_stub(c) for c in cases.order_by("-opened_at", "-pk")]


def _stub(case: Case) -> Stub:
    advocate = case.assigned_advocate
    return Stub(
        case_id=case.pk,
        reference=case.reference,
        advocate=(advocate.full_name or advocate.email) if advocate else "Unassigned",
    )


class RestrictedRecord(PermissionDenied):
    """Raised instead of a 404 when staff ask for a record of a restricted family.

    The 403 handler (familysupport/errors.py) calls `render`: the stub and a break-glass
    link. The refusal itself is audited (outside the request's rolled-back transaction).
    """

    def __init__(self, *, family_id: int, obj: Model | None = None) -> None:
        super().__init__("This record is restricted.")
        self.family_id = family_id
        self.obj = obj

    def render(self, request):
        from django.shortcuts import render

        stubs = stubs_for_family(self.family_id)
        if self.obj is not None:
            audit.record(
                action=f"{self.obj._meta.app_label}.{self.obj._meta.model_name}.restricted_refused",
                obj=self.obj,
                actor=request.user,
            )
        return render(
            request,
            "cases/privacy/restricted_stub.html",
            {"stubs": stubs, "hours": int(break_glass_duration().total_seconds() // 3600)},
            status=403,
        )


def get_or_refuse(
    visible: QuerySet,
    everything: QuerySet,
    *,
    family_of,
    user,
    write: bool = False,
    can_write=None,
    **lookup: Any,
):
    """Like `get_visible_or_404`, but a record hidden only by a restriction is refused with
    its stub (403) for staff instead of a 404. `everything` is the same selection without the
    restriction filter; `family_of(obj)` is the record's family id."""
    from familysupport.lib.access import get_visible_or_404

    try:
        return get_visible_or_404(visible, write=write, can_write=can_write, **lookup)
    except Http404:
        if not _is_staff(user):
            raise
        obj = everything.filter(**lookup).first()
        if obj is None:
            raise
        raise RestrictedRecord(family_id=family_of(obj), obj=obj) from None


# --- search stubs -------------------------------------------------------------------------


def stubs_for_search(*, user, q: str, limit: int = 10) -> list[Stub]:
    """Restricted cases the user may not open that match a search: shown as stubs only."""
    from familysupport.lib.phones import to_e164

    q = (q or "").strip()
    hidden = hidden_family_ids(user)
    if hidden is None or len(q) < 2:
        return []
    match = (
        Q(external_case_number__iexact=q)
        | Q(family__display_name__icontains=q)
        | Q(family__contact_name__icontains=q)
    )
    e164 = to_e164(q)
    if e164:
        match |= Q(family__phone=e164) | Q(family__phone_alt=e164)
    if q.upper().startswith("FS-") and q[3:].isdigit():
        match |= Q(pk=int(q[3:]))
    cases = (
        Case.objects.filter(family_id__in=hidden)
        .filter(match)
        .select_related("assigned_advocate")
        .order_by("-opened_at", "-pk")[:limit]
    )
    return [_stub(c) for c in cases]


# --- marking, people, break-glass (services) ----------------------------------------------


def _require_supervisor(user: User) -> None:
    if not (user.is_active and user.role == SUPERVISOR):
        raise PermissionDenied("Only supervisors restrict cases.")


def restriction_active(case: Case) -> CaseRestriction | None:
    return _active().filter(case=case).first()


def other_restricted_cases(case: Case) -> list[Case]:
    """The family's other restricted cases (through which this one is restricted too)."""
    ids = _active().filter(case__family_id=case.family_id).exclude(case=case).values("case_id")
    return list(Case.objects.filter(pk__in=ids).order_by("pk"))


@transaction.atomic
def case_restrict(*, case: Case, by: User, reason: str) -> CaseRestriction:
    _require_supervisor(by)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the case is restricted."})
    Case.objects.select_for_update().filter(pk=case.pk).first()  # one mark at a time
    if restriction_active(case):
        raise ValidationError("This case is already restricted.")
    restriction = CaseRestriction.objects.create(case=case, reason=reason[:300], placed_by=by)
    audit.record(action="cases.case.restricted", obj=case, actor=by)
    return restriction


@transaction.atomic
def case_unrestrict(*, case: Case, by: User, reason: str) -> CaseRestriction:
    _require_supervisor(by)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the restriction is lifted."})
    restriction = _active().select_for_update().filter(case=case).first()
    if restriction is None:
        raise ValidationError("This case is not restricted.")
    restriction.lifted_at, restriction.lifted_by = timezone.now(), by
    restriction.lift_reason = reason[:300]
    restriction.save()
    audit.record(action="cases.case.unrestricted", obj=case, actor=by)
    return restriction


def grantable_users() -> QuerySet[User]:
    """People a supervisor may add: active advocates and administrators (supervisors, and
    the assigned advocate, already have access)."""
    return User.objects.filter(is_active=True, role__in=[User.Role.ADVOCATE, ADMINISTRATOR])


@transaction.atomic
def access_grant_add(*, case: Case, user: User, by: User) -> CaseAccessGrant:
    _require_supervisor(by)
    if not restriction_active(case):
        raise ValidationError({"user": "Only a restricted case has a list of people."})
    if not grantable_users().filter(pk=user.pk).exists():
        raise ValidationError({"user": "Choose an active advocate or administrator."})
    if case.assigned_advocate_id == user.pk:
        raise ValidationError({"user": "The assigned advocate already has access."})
    if CaseAccessGrant.objects.filter(case=case, user=user, removed_at__isnull=True).exists():
        raise ValidationError({"user": "This person already has access."})
    grant = CaseAccessGrant.objects.create(case=case, user=user, added_by=by)
    audit.record(
        action="cases.case.access_granted",
        obj=case,
        actor=by,
        changes={"user": [None, user.pk]},
    )
    return grant


@transaction.atomic
def access_grant_remove(*, grant: CaseAccessGrant, by: User) -> CaseAccessGrant:
    _require_supervisor(by)
    if grant.removed_at:
        raise ValidationError("This person was already removed.")
    grant.removed_at, grant.removed_by = timezone.now(), by
    grant.save()
    audit.record(
        action="cases.case.access_removed",
        obj=grant.case,
        actor=by,
        changes={"user": [grant.user_id, None]},
    )
    return grant


def grants_for_case(case: Case) -> QuerySet[CaseAccessGrant]:
    return CaseAccessGrant.objects.filter(case=case, removed_at__isnull=True).select_related(
        "user", "added_by"
    )


def _supervisor_or_refuse(user) -> None:
    """404 for those who never see case work; 403 for staff who are not supervisors."""
    if not _is_staff(user):
        raise Http404
    if not sees_every_restricted_case(user):
        raise PermissionDenied


def grant_get_for_supervisor(*, user, pk: int) -> CaseAccessGrant:
    from familysupport.lib.access import get_visible_or_404

    _supervisor_or_refuse(user)
    return get_visible_or_404(CaseAccessGrant.objects.select_related("case", "user"), pk=pk)


def break_glass_active(*, user, case: Case) -> BreakGlass | None:
    return (
        BreakGlass.objects.filter(
            user=user, case__family_id=case.family_id, expires_at__gt=timezone.now()
        )
        .order_by("-expires_at")
        .first()
    )


@transaction.atomic
def break_glass_open(*, case: Case, by: User, reason: str, explanation: str) -> BreakGlass:
    """Open a restricted family's records for a limited time; supervisors are told at once."""
    if not _is_staff(by):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if reason not in BreakGlass.Reason.values:
        errors["reason"] = "Choose the reason."
    explanation = explanation.strip()
    if len(explanation) < 10:
        errors["explanation"] = "Explain in a sentence why you need the case now."
    if errors:
        raise ValidationError(errors)
    if not family_is_restricted(case.family_id):
        raise ValidationError("This case is not restricted; open it directly.")
    if may_open_family(by, case.family_id):
        raise ValidationError("You already have access to this case.")
    now = timezone.now()
    glass = BreakGlass.objects.create(
        case=case,
        user=by,
        reason=reason,
        explanation=explanation[:500],
        started_at=now,
        expires_at=now + break_glass_duration(),
    )
    audit.record(
        action="cases.case.break_glass",
        obj=case,
        actor=by,
        changes={"reason": [None, reason], "expires_at": [None, glass.expires_at.isoformat()]},
    )
    # No family details: the title and a link to the access review are all that is sent.
    notify(
        recipients=User.objects.filter(role=SUPERVISOR, is_active=True).exclude(pk=by.pk),
        event="cases.restricted.break_glass",
        title="Someone broke the glass on a restricted case",
        url=reverse("privacy:access_review"),
        key=f"break-glass:{glass.pk}",
        email=True,
    )
    return glass


@transaction.atomic
def break_glass_review(*, glass: BreakGlass, by: User, review: str, note: str = "") -> BreakGlass:
    _require_supervisor(by)
    if review not in (BreakGlass.Review.REVIEWED, BreakGlass.Review.FLAGGED):
        raise ValidationError({"review": "Choose reviewed or flagged."})
    if glass.user_id == by.pk:
        raise ValidationError("Someone else reviews your own break-glass.")
    glass.review, glass.reviewed_by, glass.reviewed_at = review, by, timezone.now()
    glass.review_note = note.strip()[:300]
    glass.save()
    return glass


# --- the access review (supervisors) --------------------------------------------------------


@dataclass
class ReviewRow:
    glass: BreakGlass
    reads: list[Any]


def break_glass_list_for_review(*, user, now: dt.datetime | None = None) -> QuerySet[BreakGlass]:
    if not sees_every_restricted_case(user):
        return BreakGlass.objects.none()
    since = (now or timezone.now()) - REVIEW_WINDOW
    return BreakGlass.objects.filter(started_at__gte=since).select_related(
        "case", "user", "reviewed_by"
    )


def break_glass_get_for_review(*, user, pk: int) -> BreakGlass:
    from familysupport.lib.access import get_visible_or_404

    _supervisor_or_refuse(user)
    return get_visible_or_404(BreakGlass.objects.select_related("case", "user"), pk=pk)


def review_rows(glasses: list[BreakGlass]) -> list[ReviewRow]:
    """Each break-glass with what its user read while it was open (one query for all)."""
    from familysupport.lib.models import AuditEntry

    if not glasses:
        return []
    window = Q()
    for g in glasses:
        window |= Q(actor_id=g.user_id, at__gte=g.started_at, at__lte=g.expires_at)
    reads = list(
        AuditEntry.objects.filter(window, action__endswith=".viewed")
        .order_by("at", "pk")
        .only("at", "actor_id", "action", "object_label")[: 50 * len(glasses)]
    )
    rows = []
    for g in glasses:
        mine = [
            r for r in reads if r.actor_id == g.user_id and g.started_at <= r.at <= g.expires_at
        ]
        rows.append(ReviewRow(glass=g, reads=mine))
    return rows


def can_break_glass(user) -> bool:
    """Staff other than supervisors may ask to break the glass (supervisors see it all)."""
    return _is_staff(user) and user.role in (CASEWORKERS | {ADMINISTRATOR}) - {SUPERVISOR}
