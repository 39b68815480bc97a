"""Writes of the referrals app: the referral lifecycle, agencies, legal requests.

Lifecycle: draft → sent → accepted / declined / expired → first appointment → completed,
and closed by staff from any other state. Each change is checked against the current
status (an illegal one raises ValidationError), stamped with who and when (ReferralEvent),
audited, and tells the people concerned (notifications carry no family details).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from familysupport.lib import audit, dates
from familysupport.lib.notify import notify

from . import selectors
from .models import Agency, FeeNeed, LegalAssistanceRequest, Referral, ReferralEvent, ZipCentroid

S = Referral.Status

# Business days: a reminder after REFERRAL_RESPONSE_BUSINESS_DAYS without an answer, and
# back to the advocate as expired after REFERRAL_EXPIRE_BUSINESS_DAYS (DESIGN.md jobs).
DEFAULT_RESPONSE_DAYS = 3
DEFAULT_EXPIRE_DAYS = 7


def response_business_days() -> int:
    return int(getattr(settings, "REFERRAL_RESPONSE_BUSINESS_DAYS", DEFAULT_RESPONSE_DAYS))


def expire_business_days() -> int:
    return int(getattr(settings, "REFERRAL_EXPIRE_BUSINESS_DAYS", DEFAULT_EXPIRE_DAYS))


def add_business_days(start: datetime, days: int) -> datetime:
    """`start` moved `days` business days on, at the same wall-clock time.

    The division's calendar (familysupport.lib.jobs: its time zone, weekends and holidays),
    so the deadline shown on a referral and the reminder/expiry job always agree.
    """
    tz = dates.division_tz()
    local = timezone.localtime(start, tz)
    day = dates.add_business_days(local.date(), days)
    return datetime.combine(day, local.time(), tzinfo=tz)


def expires_at(referral: Referral) -> datetime | None:
    if referral.sent_at is None:
        return None
    return add_business_days(referral.sent_at, expire_business_days())


def _event(referral: Referral, *, from_status: str, by, note: str = "", at=None) -> None:
    ReferralEvent.objects.create(
        referral=referral,
        from_status=from_status,
        status=referral.status,
        at=at or timezone.now(),
        by=by if getattr(by, "pk", None) else None,
        note=note[:300],
    )


def _require(referral: Referral, allowed: set[str], doing: str) -> None:
    if referral.status not in allowed:
        raise ValidationError(
            f"A referral that is {referral.get_status_display().lower()} cannot be {doing}."
        )


def _advocates_of(referral: Referral) -> list:
    people = {referral.created_by_id: referral.created_by}
    advocate = referral.case.assigned_advocate
    if advocate is not None:
        people[advocate.pk] = advocate
    return list(people.values())


# --- creating and sending -------------------------------------------------------------------


@dataclass
class ReferralData:
    service_type: str
    note_for_provider: str = ""
    fee_need: str = ""
    insurance_plan: str = ""
    match_reason: str = ""
    distance_miles: float | None = None


@transaction.atomic
def referral_create(
    *,
    case,
    by,
    data: ReferralData,
    provider=None,
    agency: Agency | None = None,
    previous: Referral | None = None,
) -> Referral:
    if (provider is None) == (agency is None):
        raise ValidationError("Choose one provider, agency or attorney to refer to.")
    if not selectors.can_refer_for_case(by, case):
        raise ValidationError("You may not refer families of this case.")
    if provider is not None and selectors.provider_offerable_get(pk=provider.pk) is None:
        raise ValidationError(
            "This provider cannot be offered now (not compliant, not accepting or full)."
        )
    if agency is not None and not agency.is_active:
        raise ValidationError("This agency is no longer in the directory.")
    if data.fee_need and data.fee_need not in FeeNeed.values:
        raise ValidationError({"fee_need": "Choose a fee arrangement from the list."})
    family = case.family
    origin = selectors.origin_for_family(family)
    referral = Referral(
        case=case,
        family=family,
        service_type=data.service_type,
        provider=provider,
        agency=agency,
        status=S.DRAFT,
        area_label=origin.area_label,
        language=family.preferred_language or "",
        child_age_range=selectors.age_range_label(selectors.child_ages(case)),
        fee_need=data.fee_need,
        insurance_plan=data.insurance_plan if data.fee_need == FeeNeed.INSURANCE else "",
        note_for_provider=data.note_for_provider,
        match_reason=data.match_reason[:300],
        distance_miles=data.distance_miles,
        created_by=by,
        previous=previous,
    )
    referral.full_clean()
    referral.save()
    _event(referral, from_status="", by=by)
    return referral


@transaction.atomic
def referral_send(*, referral: Referral, by) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require(referral, {S.DRAFT}, "sent")
    if not referral.family.consent_share_with_providers:
        raise ValidationError(
            "The family has not agreed to share their details with providers. Record their "
            "consent on the family's page before sending this referral."
        )
    if referral.provider_id and selectors.provider_offerable_get(pk=referral.provider_id) is None:
        raise ValidationError(
            "This provider cannot be offered now (not compliant, not accepting or full)."
        )
    now = timezone.now()
    referral.status, referral.sent_at, referral.sent_by = S.SENT, now, by
    referral.respond_by = add_business_days(now, response_business_days())
    referral.save()
    _event(referral, from_status=S.DRAFT, by=by, at=now)
    audit.record(action="referrals.referral.sent", obj=referral, actor=by)
    provider = referral.provider if referral.provider_id else None
    if provider is not None:
        notify(
            recipients=provider.managers.filter(is_active=True),
            event="referrals.referral.sent",
            title=f"{provider.name}: referral #{referral.pk} is waiting for your answer",
            url=reverse("referrals:incoming_detail", args=[referral.pk]),
            key=f"referral-sent:{referral.pk}",
        )
    return referral


# --- answers ------------------------------------------------------------------------------


def _provider_name(referral: Referral) -> str:
    provider = referral.provider if referral.provider_id else None
    return provider.name if provider is not None else "a provider"


def _notify_answer(referral: Referral, verb: str) -> None:
    notify(
        recipients=_advocates_of(referral),
        event=f"referrals.referral.{verb}",
        title=f"Referral #{referral.pk} to {_provider_name(referral)} was {verb}",
        url=reverse("referrals:detail", args=[referral.pk]),
        key=f"referral-{verb}:{referral.pk}",
    )


@transaction.atomic
def referral_accept(*, referral: Referral, by) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require(referral, {S.SENT}, "accepted")
    if referral.provider_id is not None and not referral.provider_membership_active:
        # A suspended, lapsed or withdrawn member cannot take on a family; the advocate
        # re-refers or the referral expires.
        raise ValidationError(
            "Your FAON membership is not active, so you cannot accept referrals. "
            "Contact the Family Advocacy division."
        )
    now = timezone.now()
    referral.status, referral.responded_at, referral.accepted_at = S.ACCEPTED, now, now
    referral.save()
    _event(referral, from_status=S.SENT, by=by, at=now)
    audit.record(action="referrals.referral.accepted", obj=referral, actor=by)
    _notify_answer(referral, "accepted")
    return referral


@transaction.atomic
def referral_decline(*, referral: Referral, by, reason: str, note: str = "") -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require(referral, {S.SENT}, "declined")
    if reason not in Referral.DeclineReason.values:
        raise ValidationError({"reason": "Choose why you decline."})
    note = (note or "").strip()
    if reason == Referral.DeclineReason.OTHER and not note:
        raise ValidationError({"note": "Say briefly why, when the reason is 'Other'."})
    now = timezone.now()
    referral.status, referral.responded_at, referral.declined_at = S.DECLINED, now, now
    referral.decline_reason, referral.decline_note = reason, note
    referral.save()
    _event(referral, from_status=S.SENT, by=by, at=now, note=referral.get_decline_reason_display())
    audit.record(action="referrals.referral.declined", obj=referral, actor=by)
    _notify_answer(referral, "declined")
    return referral


@transaction.atomic
def referral_expire(*, referral: Referral, by=None, now: datetime | None = None) -> Referral:
    """No answer in time: back to the advocate. Called by the jobs sweeper (idempotent-safe:
    an already-expired referral raises, so a second run changes nothing)."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require(referral, {S.SENT}, "expired")
    now = now or timezone.now()
    due = expires_at(referral)
    if by is None and due is not None and now < due:
        raise ValidationError("This referral's answer is not overdue yet.")
    referral.status, referral.expired_at = S.EXPIRED, now
    referral.save()
    _event(referral, from_status=S.SENT, by=by, at=now)
    audit.record(action="referrals.referral.expired", obj=referral, actor=by)
    _notify_answer(referral, "expired")
    return referral


@transaction.atomic
def referral_mark_reminded(*, referral: Referral, now: datetime | None = None) -> Referral:
    """Stamp that the provider was reminded to answer (by the referral-response job)."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require(referral, {S.SENT}, "reminded")
    referral.reminded_at = now or timezone.now()
    referral.save(update_fields=["reminded_at", "updated_at"])
    audit.record(action="referrals.referral.reminded", obj=referral, actor=None)
    return referral


# --- after acceptance -----------------------------------------------------------------------


@transaction.atomic
def referral_record_first_appointment(*, referral: Referral, by, on: date) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require(referral, {S.ACCEPTED}, "given a first appointment")
    today = timezone.localdate()
    if on is None:
        raise ValidationError({"on": "Enter the date of the first appointment."})
    if on > today:
        raise ValidationError({"on": "Record the first appointment once it has taken place."})
    if referral.sent_at and on < timezone.localtime(referral.sent_at).date():
        raise ValidationError({"on": "The first appointment cannot be before the referral."})
    referral.status, referral.first_appointment_on = S.FIRST_APPOINTMENT, on
    referral.save()
    _event(referral, from_status=S.ACCEPTED, by=by)
    audit.record(action="referrals.referral.first_appointment", obj=referral, actor=by)
    return referral


@transaction.atomic
def referral_complete(*, referral: Referral, by, outcome: str = "") -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require(referral, {S.FIRST_APPOINTMENT}, "completed")
    referral.status, referral.completed_at = S.COMPLETED, timezone.now()
    if outcome:
        referral.outcome = outcome[:300]
    referral.save()
    _event(referral, from_status=S.FIRST_APPOINTMENT, by=by)
    audit.record(action="referrals.referral.completed", obj=referral, actor=by)
    _notify_answer(referral, "completed")
    return referral


@transaction.atomic
def referral_close(*, referral: Referral, by, outcome: str) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require(referral, set(S.values) - {S.CLOSED}, "closed")
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": "Say how the referral ended."})
    before = referral.status
    referral.status, referral.closed_at, referral.outcome = S.CLOSED, timezone.now(), outcome
    referral.save()
    _event(referral, from_status=before, by=by, note=outcome)
    audit.record(action="referrals.referral.closed", obj=referral, actor=by)
    return referral


@transaction.atomic
def referral_rerefer(*, referral: Referral, by) -> Referral:
    """After a decline or expiry: refer to the next best match and send, in one step."""
    _require(referral, {S.DECLINED, S.EXPIRED}, "re-referred")
    case = referral.case
    providers, agencies = selectors.referred_recipients_for_case(case)
    origin = selectors.origin_for_family(case.family)
    if referral.provider_id:
        ages = selectors.child_ages(case)
        criteria = selectors.Criteria(
            service_type=referral.service_type,
            language=selectors.language_code(referral.language),
            fee=referral.fee_need,
            insurance_plan=referral.insurance_plan,
            age_min=min(ages) if ages else None,
            age_max=max(ages) if ages else None,
        )
        found = [
            m
            for m in selectors.provider_match(origin=origin, criteria=criteria, limit=50)
            if m.pk not in providers
        ]
    else:
        criteria = selectors.Criteria(
            service_type=referral.service_type,
            language=selectors.language_code(referral.language),
            kind=referral.agency.kind,  # type: ignore[union-attr]
        )
        found = [
            m
            for m in selectors.agency_match(origin=origin, criteria=criteria, limit=50)
            if m.pk not in agencies
        ]
    if not found:
        raise ValidationError("No other match is available; widen the search on the match page.")
    best = found[0]
    new = referral_create(
        case=case,
        by=by,
        data=ReferralData(
            service_type=referral.service_type,
            note_for_provider=referral.note_for_provider,
            fee_need=referral.fee_need,
            insurance_plan=referral.insurance_plan,
            match_reason="; ".join(best.reasons),
            distance_miles=best.distance,
        ),
        provider=best.obj if referral.provider_id else None,
        agency=best.obj if referral.agency_id else None,
        previous=referral,
    )
    return referral_send(referral=new, by=by)


# --- agencies -------------------------------------------------------------------------------


def _fill_agency_location(agency: Agency) -> None:
    found = ZipCentroid.objects.filter(pk=agency.zip_code).first()
    if found is None:
        agency.latitude = agency.longitude = None
        return
    agency.latitude, agency.longitude = found.latitude, found.longitude
    agency.city = agency.city or found.city
    agency.state = agency.state or found.state


@transaction.atomic
def agency_save(*, agency: Agency, by) -> Agency:
    _fill_agency_location(agency)
    agency.full_clean()
    agency.save()
    return agency


# --- legal technical assistance -------------------------------------------------------------


def legal_request_errors(
    *, status: str, provided: list[str] | None, received_on: date | None, completed_on: date | None
) -> dict[str, str]:
    """The rules of a legal assistance request, by field (the form shows them early too)."""
    errors = {}
    if completed_on and received_on and completed_on < received_on:
        errors["completed_on"] = "Completion cannot be before the request was received."
    if status == LegalAssistanceRequest.Status.COMPLETED and not provided:
        errors["provided"] = "Say what was provided before completing the request."
    return errors


@transaction.atomic
def legal_request_save(*, request_obj: LegalAssistanceRequest, by) -> LegalAssistanceRequest:
    creating = request_obj.pk is None
    if creating:
        request_obj.created_by = by
    if request_obj.status == LegalAssistanceRequest.Status.COMPLETED:
        request_obj.completed_on = request_obj.completed_on or timezone.localdate()
    errors = legal_request_errors(
        status=request_obj.status,
        provided=request_obj.provided,
        received_on=request_obj.received_on,
        completed_on=request_obj.completed_on,
    )
    if errors:
        raise ValidationError(errors)
    request_obj.full_clean()
    request_obj.save()
    return request_obj


MERGE_KEY = "referrals.referral"  # FamilyMerge.moved: the referrals a merge moved


def referrals_follow_merge(*, source, target, merge, **_) -> None:
    """events.family_merged: the duplicate's referrals now belong to the kept family.

    Referral.family is a copy of case.family kept for the provider's pages; it must follow
    the cases, or the provider sees the merged-away family and the report counts the
    household twice.
    """
    case_services.merge_move_records(
        Referral.objects.all(), source=source, target=target, merge=merge, key=MERGE_KEY
    )


def referrals_follow_unmerge(*, source, target, merge, **_) -> None:
    """events.family_unmerged: the referrals that moved go back."""
    case_services.merge_return_records(
        Referral.objects.all(), source=source, target=target, merge=merge, key=MERGE_KEY
    )
