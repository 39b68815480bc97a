"""Writes of Team HOPE records: roster, matches, peer calls, escalations."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import User
from cases import services as case_services
from familysupport.lib import audit
from familysupport.lib.notify import notify

from . import selectors
from .models import Escalation, PeerCall, PeerMatch, Volunteer

PROFILE_FIELDS = (
    "experience_types",
    "experience_outcome",
    "languages",
    "time_zone",
    "capacity",
    "training_completed_on",
    "background_check_on",
)


# --- roster ----------------------------------------------------------------------------


@transaction.atomic
def volunteer_add(*, email: str, full_name: str, by: User, **profile) -> Volunteer:
    """Invite a user with the volunteer role and put them on the roster."""
    if not selectors.can_manage_roster(by):
        raise PermissionDenied
    user = account_services.user_invite(
        email=email, full_name=full_name, role=User.Role.VOLUNTEER, by=by
    )
    volunteer = Volunteer(user=user, **{k: v for k, v in profile.items() if k in PROFILE_FIELDS})
    volunteer.full_clean()
    volunteer.save()
    return volunteer


@transaction.atomic
def volunteer_update(*, volunteer: Volunteer, by: User, **profile) -> Volunteer:
    if not selectors.can_manage_roster(by):
        raise PermissionDenied
    for name, value in profile.items():
        if name in PROFILE_FIELDS:
            setattr(volunteer, name, value)
    volunteer.full_clean()
    volunteer.save()
    return volunteer


@transaction.atomic
def volunteer_set_status(*, volunteer: Volunteer, status: str, by: User) -> Volunteer:
    """Pause, retire or reactivate; their current matches carry on until ended."""
    if not selectors.can_manage_roster(by):
        raise PermissionDenied
    if status not in Volunteer.Status.values:
        raise ValidationError({"status": "Unknown status."})
    volunteer.status = status
    volunteer.save(update_fields=["status", "updated_at"])
    return volunteer


# --- matches ---------------------------------------------------------------------------


@transaction.atomic
def match_create(*, case, volunteer: Volunteer, why_matched: str, by: User) -> PeerMatch:
    """Match a volunteer with the case's family, if the family consents and the volunteer can."""
    if not selectors.can_match(by):
        raise PermissionDenied
    why_matched = (why_matched or "").strip()
    if not why_matched:
        raise ValidationError({"why_matched": "Say why this volunteer fits this family."})
    family = case.family
    if not family.consent_team_hope_contact:
        raise ValidationError("The family has not consented to contact by Team HOPE.")
    if family.merged_into_id:
        raise ValidationError("This family was merged into another; match the other family.")
    if not case.is_open:
        raise ValidationError("The case is closed.")
    # Lock the volunteer row so two staff cannot both take its last free place.
    locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    active = PeerMatch.objects.filter(volunteer=locked, ended_at__isnull=True).count()
    blockers = selectors.match_blockers(locked, active=active)
    if blockers:
        raise ValidationError(["This volunteer cannot be matched now.", *blockers])
    if PeerMatch.objects.filter(family=family, ended_at__isnull=True).exists():
        raise ValidationError("The family already has a Team HOPE volunteer; end that match first.")
    match = PeerMatch(
        volunteer=locked, family=family, case=case, why_matched=why_matched, created_by=by
    )
    match.full_clean()
    match.save()
    notify(
        recipients=[locked.user],
        event="teamhope.match.created",
        title="You have been matched with a new Team HOPE family",
        url=reverse("teamhope:my_family", args=[match.pk]),
        key=f"teamhope-match:{match.pk}",
    )
    return match


@transaction.atomic
def match_end(*, match: PeerMatch, reason: str, note: str = "", by: User) -> PeerMatch:
    if not selectors.can_match(by):
        raise PermissionDenied
    if match.ended_at is not None:
        raise ValidationError("This match has already ended.")
    if reason not in PeerMatch.EndReason.values:
        raise ValidationError({"end_reason": "Choose why the match ends."})
    match.ended_at = timezone.now()
    match.end_reason = reason
    match.end_note = (note or "").strip()
    match.ended_by = by
    match.save(update_fields=["ended_at", "end_reason", "end_note", "ended_by", "updated_at"])
    return match


def matches_end_on_consent_withdrawn(*, family, consent: str, by: User | None) -> None:
    """events.family_consent_withdrawn handler: only Team HOPE's own consent ends matches."""
    if consent == "consent_team_hope_contact":
        matches_end_for_withdrawn_consent(family, by)


@transaction.atomic
def matches_end_for_withdrawn_consent(family, by: User | None) -> list[PeerMatch]:
    """End the family's active matches because it withdrew consent to Team HOPE contact.

    Called (through events.family_consent_withdrawn) by cases.services.family_update in its
    transaction when
    `consent_team_hope_contact` turns False (that service checks who may change the
    family, so no role check here: the withdrawal itself is the authority). Idempotent: a
    family without an active match changes nothing. The case's advocate is told (link
    only, no family details in the title); the volunteer is told a match ended.
    Positional or keyword arguments, so `(family, by)` and `(family=..., by=...)` both work.
    """
    if family.consent_team_hope_contact:
        raise ValidationError("The family still consents to Team HOPE contact.")
    active = list(
        PeerMatch.objects.select_for_update(of=("self",))
        .select_related("case__assigned_advocate", "volunteer__user")
        .filter(family_id=family.pk, ended_at__isnull=True)
        .order_by("pk")
    )
    now = timezone.now()
    for match in active:
        match.ended_at = now
        match.end_reason = PeerMatch.EndReason.CONSENT_WITHDRAWN
        match.end_note = "The family withdrew consent to Team HOPE contact."
        match.ended_by = by
        match.save(update_fields=["ended_at", "end_reason", "end_note", "ended_by", "updated_at"])
        notify(
            recipients=_case_recipients(match),
            event="teamhope.match.consent_withdrawn",
            # No family or child details: the title also goes out by e-mail.
            title=f"Team HOPE match #{match.pk} ended: consent withdrawn",
            url=reverse("teamhope:match_detail", args=[match.pk]),
            key=f"teamhope-match-consent-withdrawn:{match.pk}",
        )
        notify(
            recipients=[match.volunteer.user],
            event="teamhope.match.ended",
            title="One of your Team HOPE matches has ended",
            url=reverse("teamhope:my_families"),
            key=f"teamhope-match-ended:{match.pk}",
        )
    return active


# --- calls -----------------------------------------------------------------------------


def _check_call(*, called_at: dt.datetime, duration_minutes: int) -> None:
    errors = {}
    if called_at > timezone.now() + dt.timedelta(minutes=5):  # a little clock skew is fine
        errors["called_on"] = "The call cannot be in the future."
    if not 1 <= duration_minutes <= 600:
        errors["duration_minutes"] = "Enter the length of the call in minutes (1 to 600)."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def call_log(
    *,
    match: PeerMatch,
    by: User,
    called_at: dt.datetime,
    duration_minutes: int,
    direction: str,
    topics: list[str],
    note: str = "",
    escalate: bool = False,
    escalation_reason: str = "",
) -> PeerCall:
    """A volunteer logs a peer call on its own active match; optionally asks for an advocate."""
    if match.volunteer.user_id != by.pk or match.ended_at is not None:
        raise PermissionDenied
    _check_call(called_at=called_at, duration_minutes=duration_minutes)
    call = PeerCall(
        match=match,
        called_at=called_at,
        duration_minutes=duration_minutes,
        direction=direction,
        topics=sorted(set(topics)),
        note=(note or "").strip(),
        escalated=escalate,
    )
    call.full_clean()
    call.save()
    if escalate:
        escalation_raise(match=match, by=by, reason=escalation_reason, call=call)
    return call


# --- escalations -----------------------------------------------------------------------


def _case_recipients(match: PeerMatch) -> list[User]:
    """The case's advocate; with none assigned (or inactive), every active supervisor."""
    # The volunteer may not read cases, so the advocate comes through the match's own FK.
    advocate = match.case.assigned_advocate
    if advocate is not None and advocate.is_active:
        return [advocate]
    return list(User.objects.filter(role=User.Role.SUPERVISOR, is_active=True))


@transaction.atomic
def escalation_raise(
    *, match: PeerMatch, by: User, reason: str = "", call: PeerCall | None = None
) -> tuple[Escalation, bool]:
    """Alert the case's advocate now; an escalation already open is reused (alerted once)."""
    if match.volunteer.user_id != by.pk or match.ended_at is not None:
        raise PermissionDenied
    # Serialise escalations of one match: a double tap must not create two.
    PeerMatch.objects.select_for_update().filter(pk=match.pk).first()
    existing = Escalation.objects.filter(match=match, resolved_at__isnull=True).first()
    if existing is not None:
        if call is not None and existing.call_id is None:
            existing.call = call
            existing.save(update_fields=["call"])
        return existing, False
    recipients = _case_recipients(match)
    now = timezone.now()
    escalation = Escalation.objects.create(
        match=match,
        call=call,
        raised_by=by,
        raised_at=now,
        reason=(reason or "").strip()[:500],
        advocate_notified=recipients[0] if len(recipients) == 1 else None,
        notified_at=now,
    )
    notify(
        recipients=recipients,
        event="teamhope.escalation.raised",
        # No family or child details: the title also goes out by e-mail.
        title=f"Team HOPE match #{match.pk}: the volunteer asks for an advocate now",
        url=reverse("teamhope:escalation_detail", args=[escalation.pk]),
        key=f"teamhope-escalation:{escalation.pk}",
    )
    audit.record(action="teamhope.escalation.raised", obj=escalation, actor=by)
    return escalation, True


@transaction.atomic
def escalation_acknowledge(*, escalation: Escalation, by: User) -> Escalation:
    if not selectors.can_handle_escalations(by):
        raise PermissionDenied
    if escalation.resolved_at or escalation.acknowledged_at:
        return escalation
    escalation.acknowledged_by = by
    escalation.acknowledged_at = timezone.now()
    escalation.save(update_fields=["acknowledged_by", "acknowledged_at"])
    return escalation


@transaction.atomic
def escalation_resolve(*, escalation: Escalation, by: User, note: str = "") -> Escalation:
    if not selectors.can_handle_escalations(by):
        raise PermissionDenied
    if escalation.resolved_at:
        raise ValidationError("This escalation is already resolved.")
    now = timezone.now()
    if not escalation.acknowledged_at:
        escalation.acknowledged_by, escalation.acknowledged_at = by, now
    escalation.resolved_by = by
    escalation.resolved_at = now
    escalation.resolution_note = (note or "").strip()[:500]
    escalation.save(
        update_fields=[
            "acknowledged_by",
            "acknowledged_at",
            "resolved_by",
            "resolved_at",
            "resolution_note",
        ]
    )
    return escalation


MERGE_END_NOTE = "Family merged into another with its own peer parent."
MERGE_KEY = "teamhope.peermatch"  # FamilyMerge.moved: the matches a merge moved


def matches_follow_merge(*, source, target, merge, by: User, **_) -> None:
    """events.family_merged: the duplicate's matches now belong to the kept family.

    A household has one peer parent at a time: if both families had an active match, the
    duplicate's is ended (and reopened if the merge is undone).
    """
    active_source = PeerMatch.objects.filter(family=source, ended_at__isnull=True).first()
    if active_source and PeerMatch.objects.filter(family=target, ended_at__isnull=True).exists():
        active_source.ended_at, active_source.ended_by = timezone.now(), by
        active_source.end_reason, active_source.end_note = PeerMatch.EndReason.OTHER, MERGE_END_NOTE
        active_source.save()
        merge.record_moved("teamhope.peermatch.ended", [active_source.pk])
    case_services.merge_move_records(
        PeerMatch.objects.all(), source=source, target=target, merge=merge, key=MERGE_KEY
    )


def matches_follow_unmerge(*, source, target, merge, **_) -> None:
    """events.family_unmerged: the matches that moved go back; one ended by the merge reopens."""
    case_services.merge_return_records(
        PeerMatch.objects.all(), source=source, target=target, merge=merge, key=MERGE_KEY
    )
    for match in PeerMatch.objects.filter(pk__in=merge.moved_ids("teamhope.peermatch.ended")):
        if (
            match.end_note == MERGE_END_NOTE
            and not PeerMatch.objects.filter(family=match.family, ended_at__isnull=True).exists()
        ):
            match.ended_at, match.ended_by, match.end_reason, match.end_note = None, None, "", ""
            match.save()
