"""Writes of the reunification app: every change audited, every transition row-locked.

Each transition re-reads the request with SELECT ... FOR UPDATE and checks its status
under the lock, so two supervisors acting at the same moment produce one decision: the
second waits for the first to commit, then finds the request already decided.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases import services as case_services
from familysupport.lib import audit
from familysupport.lib.access import SUPERVISOR, Refused
from familysupport.lib.dates import today
from familysupport.lib.notify import notify

from . import selectors
from .models import (
    AssistancePolicy,
    ChecklistItem,
    PovertyGuideline,
    Segment,
    TravelBudget,
    TravelRequest,
)

Status = TravelRequest.Status

# Which status each transition starts from (anything else is an illegal transition).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "submit": (Status.DRAFT,),
    "start_review": (Status.SUBMITTED,),
    "approve": (Status.UNDER_REVIEW,),
    "deny": (Status.UNDER_REVIEW,),
    "book": (Status.APPROVED,),
    "complete": (Status.BOOKED,),
    "cancel": (
        Status.DRAFT,
        Status.SUBMITTED,
        Status.UNDER_REVIEW,
        Status.APPROVED,
        Status.BOOKED,
    ),
}
SEGMENT_EDITABLE = (Status.APPROVED, Status.BOOKED, Status.COMPLETED)

REQUEST_FIELDS = (
    "escorts",
    "destination_city",
    "destination_state",
    "destination_country",
    "is_international",
    "passport_visa_notes",
    "depart_on",
    "return_on",
    "purpose",
    "household_size",
    "yearly_income",
    "other_assistance",
    "amount_requested",
    "notes",
)


class BudgetExceeded(ValidationError):
    """Approving would take the year's committed travel past its budget."""


def _lock(tr: TravelRequest) -> TravelRequest:
    locked = TravelRequest.objects.select_for_update().get(pk=tr.pk)
    # Keep the caller's already-loaded relations (case, requester) on the fresh row.
    for name in ("case", "requested_by"):
        if name in tr._state.fields_cache:
            locked._state.fields_cache[name] = tr._state.fields_cache[name]
    return locked


_VERBS = {
    "submit": "submitted",
    "start_review": "taken into review",
    "approve": "approved",
    "deny": "denied",
    "book": "booked",
    "complete": "completed",
    "cancel": "cancelled",
}


def _check_transition(tr: TravelRequest, action: str, expected_version: int | None) -> None:
    if expected_version is not None and tr.version != expected_version:
        raise ValidationError(
            "This request changed since you opened it (someone else acted on it). "
            "Reload the page to see its current state."
        )
    if tr.status not in TRANSITIONS[action]:
        raise ValidationError(
            f"A request that is {tr.get_status_display().lower()} cannot be {_VERBS[action]}."
        )


def _save(tr: TravelRequest, fields: Iterable[str]) -> None:
    tr.version += 1
    tr.save(update_fields=[*fields, "version", "updated_at"])


def _event(tr: TravelRequest, verb: str, by: Any) -> None:
    audit.record(action=f"reunification.travelrequest.{verb}", obj=tr, actor=by)


def _validate_request_fields(data: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    depart, ret = data.get("depart_on"), data.get("return_on")
    if depart and ret and ret < depart:
        errors["return_on"] = "The return date cannot be before the departure date."
    for name in ("yearly_income", "amount_requested"):
        value = data.get(name)
        if value is not None and Decimal(value) < 0:
            errors[name] = "Amounts cannot be negative."
    if data.get("household_size") is not None and data["household_size"] < 1:
        errors["household_size"] = "A household has at least one person."
    if errors:
        raise ValidationError(errors)


def _travellers_of_case(case, travellers: Iterable) -> list:
    people = list(travellers)
    if any(p.family_id != case.family_id for p in people):
        raise ValidationError({"travellers": "Travellers must be members of the case's family."})
    return people


def _ensure_checklist(tr: TravelRequest) -> None:
    if not tr.is_international:
        return
    have = set(tr.checklist.values_list("kind", flat=True))
    for kind in ChecklistItem.DEFAULT_KINDS:
        if kind not in have:
            ChecklistItem(travel_request=tr, kind=kind).save()


# --- Requests ---------------------------------------------------------------------------


@transaction.atomic
def travel_request_create(*, case, by, travellers: Iterable = (), **fields: Any) -> TravelRequest:
    if not selectors.can_create(by):
        raise PermissionDenied
    unknown = set(fields) - set(REQUEST_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    _validate_request_fields(fields)
    people = _travellers_of_case(case, travellers)
    tr = TravelRequest(case=case, requested_by=by, **fields)
    tr.full_clean()
    tr.save()
    tr.travellers.set(people)
    _ensure_checklist(tr)
    return tr


@transaction.atomic
def travel_request_update(
    *,
    travel_request: TravelRequest,
    by,
    travellers: Iterable | None = None,
    expected_version: int | None = None,
    **fields: Any,
) -> TravelRequest:
    tr = _lock(travel_request)
    if not selectors.can_edit_request(by, tr):
        raise PermissionDenied
    if expected_version is not None and tr.version != expected_version:
        raise ValidationError(
            "This request changed since you opened it. Reload the page to see its current state."
        )
    unknown = set(fields) - set(REQUEST_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    _validate_request_fields(fields)
    for name, value in fields.items():
        setattr(tr, name, value)
    tr.full_clean()
    _save(tr, fields.keys())
    if travellers is not None:
        tr.travellers.set(_travellers_of_case(tr.case, travellers))
    _ensure_checklist(tr)
    return tr


@transaction.atomic
def travel_request_submit(
    *, travel_request: TravelRequest, by, expected_version: int | None = None
) -> TravelRequest:
    tr = _lock(travel_request)
    _check_transition(tr, "submit", expected_version)
    if not selectors.can_edit_request(by, tr):
        raise PermissionDenied
    tr.status, tr.submitted_at = Status.SUBMITTED, timezone.now()
    _save(tr, ["status", "submitted_at"])
    _event(tr, "submitted", by)
    lead = getattr(tr.requested_by, "supervisor", None)
    if lead is not None and lead.pk != by.pk:
        notify(
            recipients=[lead],
            event="reunification.submitted",
            title=f"Travel request {tr.reference} (case {tr.case.reference}) awaits a decision",
            url=tr.get_absolute_url(),
            key=f"reunification:submitted:{tr.pk}:{tr.version}",
        )
    return tr


@transaction.atomic
def travel_request_start_review(
    *, travel_request: TravelRequest, by, expected_version: int | None = None
) -> TravelRequest:
    tr = _lock(travel_request)
    _check_decider(by, tr)
    _check_transition(tr, "start_review", expected_version)
    tr.status, tr.review_started_at, tr.reviewer = Status.UNDER_REVIEW, timezone.now(), by
    _save(tr, ["status", "review_started_at", "reviewer"])
    _event(tr, "review_started", by)
    return tr


def _check_decider(by, tr: TravelRequest) -> None:
    reason = selectors.decide_refusal(by, tr)
    if reason:
        raise Refused(reason)
    if not selectors.can_decide(by, tr):
        raise PermissionDenied


def _money(value: Decimal | None) -> str:
    return f"${value or 0:,.2f}"


def _notify_decision(tr: TravelRequest, verb: str) -> None:
    notify(
        recipients=[tr.requested_by],
        event=f"reunification.{verb}",
        title=f"Travel request {tr.reference} was {verb}",
        url=tr.get_absolute_url(),
        key=f"reunification:decision:{tr.pk}",
    )


@transaction.atomic
def travel_request_approve(
    *,
    travel_request: TravelRequest,
    by,
    amount: Decimal | None = None,
    over_budget_ok: bool = False,
    expected_version: int | None = None,
) -> TravelRequest:
    tr = _lock(travel_request)
    _check_decider(by, tr)
    _check_transition(tr, "approve", expected_version)
    amount = tr.amount_requested if amount is None else Decimal(amount)
    if amount < 0:
        raise ValidationError({"amount": "Amounts cannot be negative."})
    now = timezone.now()
    status = selectors.budget_status(year=timezone.localdate(now).year)
    if status.would_exceed(amount) and not over_budget_ok:
        raise BudgetExceeded(
            f"Approving {amount} would exceed the {status.year} travel budget of "
            f"{status.amount} (committed so far: {status.committed}). "
            "Confirm to approve anyway."
        )
    tr.status, tr.approver, tr.decided_at, tr.approved_at = Status.APPROVED, by, now, now
    tr.approved_amount = amount
    _save(tr, ["status", "approver", "decided_at", "approved_at", "approved_amount"])
    _event(tr, "approved", by)
    if status.would_exceed(amount):
        _event(tr, "approved_over_budget", by)
    _notify_decision(tr, "approved")
    return tr


@transaction.atomic
def travel_request_reapprove(
    *,
    travel_request: TravelRequest,
    by,
    amount: Decimal | None = None,
    expected_version: int | None = None,
) -> TravelRequest:
    """A second supervisor approves estimated costs above the approved amount."""
    tr = _lock(travel_request)
    reason = selectors.reapprove_refusal(by, tr)
    if reason:
        raise Refused(reason)
    if not selectors.can_reapprove(by, tr):
        raise PermissionDenied
    if expected_version is not None and tr.version != expected_version:
        raise ValidationError(
            "This request changed since you opened it. Reload the page to see its current state."
        )
    total = selectors.estimated_total(tr)
    amount = total if amount is None else Decimal(amount)
    if amount < total:
        raise ValidationError(
            {"amount": f"The new amount must cover the estimated costs ({_money(total)})."}
        )
    old = tr.approved_amount
    tr.approved_amount, tr.reapproved_by, tr.reapproved_at = amount, by, timezone.now()
    _save(tr, ["approved_amount", "reapproved_by", "reapproved_at"])
    audit.record(
        action="reunification.travelrequest.reapproved",
        obj=tr,
        actor=by,
        changes={"approved_amount": [str(old), str(amount)]},
    )
    notify(
        recipients=[tr.requested_by],
        event="reunification.reapproved",
        title=f"{tr.reference}: the higher travel costs were approved ({_money(amount)})",
        url=tr.get_absolute_url(),
        key=f"reunification:reapproved:{tr.pk}:{tr.version}",
    )
    return tr


@transaction.atomic
def travel_request_deny(
    *, travel_request: TravelRequest, by, reason: str, expected_version: int | None = None
) -> TravelRequest:
    tr = _lock(travel_request)
    _check_decider(by, tr)
    _check_transition(tr, "deny", expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for the denial."})
    tr.status, tr.approver, tr.decided_at = Status.DENIED, by, timezone.now()
    tr.denial_reason = reason
    _save(tr, ["status", "approver", "decided_at", "denial_reason"])
    _event(tr, "denied", by)
    _notify_decision(tr, "denied")
    return tr


def _check_costs(tr: TravelRequest, doing: str) -> None:
    total = selectors.estimated_total(tr)
    if selectors.needs_reapproval(tr, total):
        raise ValidationError(
            f"The estimated costs ({_money(total)}) are above the approved amount "
            f"({_money(tr.approved_amount)}). Another supervisor than the one who approved "
            f"must re-approve the new amount before the trip is {doing}."
        )


@transaction.atomic
def travel_request_book(
    *,
    travel_request: TravelRequest,
    by,
    expected_version: int | None = None,
    override_reason: str = "",
) -> TravelRequest:
    tr = _lock(travel_request)
    if not selectors.can_manage_booking(by):
        raise PermissionDenied
    _check_transition(tr, "book", expected_version)
    if not tr.segments.exists():
        raise ValidationError("Add at least one travel segment before marking the trip booked.")
    _check_costs(tr, "booked")
    missing = selectors.missing_documents(tr)
    override_reason = (override_reason or "").strip()
    fields = ["status", "booked_at"]
    if missing:
        if not override_reason:
            raise ValidationError(
                {
                    "override_reason": "International travel needs every document first. "
                    f"Missing: {'; '.join(missing)}. Complete the checklist, or give the "
                    "reason to book anyway (recorded in the audit trail)."
                }
            )
        tr.documents_override_reason, tr.documents_override_by = override_reason, by
        fields += ["documents_override_reason", "documents_override_by"]
    tr.status, tr.booked_at = Status.BOOKED, timezone.now()
    _save(tr, fields)
    _event(tr, "booked", by)
    if missing:
        audit.record(
            action="reunification.travelrequest.documents_overridden",
            obj=tr,
            actor=by,
            changes={"missing_documents": missing},
        )
    notify(
        recipients=[tr.requested_by],
        event="reunification.booked",
        title=f"Travel request {tr.reference} is booked: the itinerary is ready",
        url=tr.get_absolute_url(),
        key=f"reunification:booked:{tr.pk}",
    )
    return tr


def follow_up_due_dates(completed_on: dt.date, days: Iterable[int]) -> list[dt.date]:
    return [completed_on + dt.timedelta(days=d) for d in sorted(set(days))]


@transaction.atomic
def travel_request_complete(
    *, travel_request: TravelRequest, by, expected_version: int | None = None
) -> TravelRequest:
    tr = _lock(travel_request)
    if not selectors.can_manage_booking(by):
        raise PermissionDenied
    _check_transition(tr, "complete", expected_version)
    back_on = selectors.completable_from(tr)
    if today() < back_on:
        raise ValidationError(
            f"The trip can be marked completed from {back_on:%a %-d %b %Y}, "
            f"its {'return' if tr.return_on else 'departure'} date."
        )
    _check_costs(tr, "completed")
    now = timezone.now()
    tr.status, tr.completed_at = Status.COMPLETED, now
    _save(tr, ["status", "completed_at"])
    _event(tr, "completed", by)
    policy = selectors.policy_get()
    case = tr.case
    # Follow-ups belong to whoever works the case now; someone active must own them.
    candidates = (case.assigned_advocate, tr.requested_by, by)
    owner = next(u for u in candidates if u is not None and u.is_active)
    for days, due in zip(
        sorted(set(policy.follow_up_days)),
        # Dated from the family's return, not from the day someone pressed the button.
        follow_up_due_dates(back_on, policy.follow_up_days),
        strict=True,
    ):
        case_services.task_create(
            case=case,
            owner=owner,
            title=f"Reunification follow-up ({days} days after the trip, {tr.reference})",
            due_on=due,
            by=by,
        )
    return tr


@transaction.atomic
def travel_request_cancel(
    *, travel_request: TravelRequest, by, reason: str, expected_version: int | None = None
) -> TravelRequest:
    tr = _lock(travel_request)
    # The requester may withdraw before a decision; supervisors may cancel any open trip.
    own_early = tr.requested_by_id == by.pk and tr.status in (Status.DRAFT, Status.SUBMITTED)
    if not (by.role == SUPERVISOR or own_early):
        raise PermissionDenied
    _check_transition(tr, "cancel", expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the trip is cancelled."})
    tr.status, tr.cancelled_at, tr.cancel_reason = Status.CANCELLED, timezone.now(), reason
    _save(tr, ["status", "cancelled_at", "cancel_reason"])
    _event(tr, "cancelled", by)
    return tr


# --- Segments -----------------------------------------------------------------------------


def _segment_check(tr: TravelRequest, by) -> None:
    if not selectors.can_manage_booking(by):
        raise PermissionDenied
    if tr.status not in SEGMENT_EDITABLE:
        raise ValidationError("Segments are added once a request is approved.")


def _validate_segment(data: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    for name in ("estimated_cost", "actual_cost"):
        value = data.get(name)
        if value is not None and Decimal(value) < 0:
            errors[name] = "Costs cannot be negative."
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if starts and ends and ends < starts:
        errors["ends_at"] = "The end cannot be before the start."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def segment_add(*, travel_request: TravelRequest, by, **fields: Any) -> Segment:
    tr = _lock(travel_request)
    _segment_check(tr, by)
    _validate_segment(fields)
    segment = Segment(travel_request=tr, **fields)
    segment.full_clean()
    segment.save()
    _save(tr, [])
    return segment


@transaction.atomic
def segment_update(*, segment: Segment, by, **fields: Any) -> Segment:
    tr = _lock(segment.travel_request)
    _segment_check(tr, by)
    _validate_segment(fields)
    for name, value in fields.items():
        setattr(segment, name, value)
    segment.full_clean()
    segment.save()
    _save(tr, [])
    return segment


@transaction.atomic
def segment_delete(*, segment: Segment, by) -> None:
    tr = _lock(segment.travel_request)
    _segment_check(tr, by)
    if tr.status == Status.COMPLETED:
        raise ValidationError("Segments of a completed trip are kept.")
    segment.delete()
    _save(tr, [])


# --- International checklist ------------------------------------------------------------


@transaction.atomic
def checklist_item_set(*, item: ChecklistItem, by, done: bool, note: str | None = None):
    tr = _lock(item.travel_request)
    if not (by.is_authenticated and by.role in ("advocate", "supervisor")) or not tr.is_open:
        raise PermissionDenied
    item.done_at = timezone.now() if done else None
    item.done_by = by if done else None
    if note is not None:
        item.note = note.strip()[:300]
    item.save()
    return item


# --- Administration: guidelines, policy, budget ------------------------------------------


def _require_admin(by) -> None:
    if not selectors.can_manage_budget(by):
        raise PermissionDenied


@transaction.atomic
def travel_budget_set(*, year: int, amount: Decimal, by) -> TravelBudget:
    _require_admin(by)
    if Decimal(amount) < 0:
        raise ValidationError({"amount": "A budget cannot be negative."})
    budget = TravelBudget.objects.select_for_update().filter(year=year).first()
    budget = budget or TravelBudget(year=year)
    budget.amount, budget.set_by = Decimal(amount), by
    budget.full_clean()
    budget.save()
    return budget


@transaction.atomic
def poverty_guideline_save(
    *, year: int, region: str, base_amount: Decimal, per_extra_person: Decimal, by
) -> PovertyGuideline:
    _require_admin(by)
    if Decimal(base_amount) <= 0:
        raise ValidationError({"base_amount": "The guideline for one person must be positive."})
    if Decimal(per_extra_person) < 0:
        raise ValidationError({"per_extra_person": "Amounts cannot be negative."})
    row = PovertyGuideline.objects.filter(year=year, region=region).first()
    row = row or PovertyGuideline(year=year, region=region)
    row.base_amount, row.per_extra_person = Decimal(base_amount), Decimal(per_extra_person)
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def assistance_policy_update(
    *, by, recommend_up_to_percent: Decimal, follow_up_days: list[int]
) -> AssistancePolicy:
    _require_admin(by)
    if Decimal(recommend_up_to_percent) <= 0:
        raise ValidationError({"recommend_up_to_percent": "The threshold must be positive."})
    policy = AssistancePolicy.objects.select_for_update().order_by("pk").first()
    policy = policy or AssistancePolicy()
    policy.recommend_up_to_percent = Decimal(recommend_up_to_percent)
    policy.follow_up_days = sorted(set(follow_up_days))
    policy.full_clean()
    policy.save()
    return policy
