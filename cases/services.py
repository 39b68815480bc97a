"""Writes of the cases app: every change goes through here, atomic and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from familysupport.lib import audit, events
from familysupport.lib.access import ADVOCATE, CASEWORKERS, SUPERVISOR
from familysupport.lib.notify import notify
from familysupport.lib.phones import to_e164

from . import contact_rules
from .models import (
    Case,
    CaseAlert,
    Contact,
    ContactDraft,
    Family,
    FamilyMerge,
    Person,
    Resource,
    ResourceFeedback,
    ResourceShare,
    Task,
)
from .phone_models import PhoneCall
from .privacy_models import FamilyContactRules

# A call "starting" slightly in the future is clock skew between the advocate's PC and us.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
MAX_DURATION_MINUTES = 24 * 60
RISK_ORDER: list[str] = [Case.Risk.LOW, Case.Risk.MODERATE, Case.Risk.HIGH, Case.Risk.CRITICAL]

# Which status may follow which; a reason is required to close, hold or reopen.
TRANSITIONS: dict[str, set[str]] = {
    Case.Status.OPEN: {Case.Status.ACTIVE, Case.Status.ON_HOLD, Case.Status.CLOSED},
    Case.Status.ACTIVE: {Case.Status.ON_HOLD, Case.Status.CLOSED},
    Case.Status.ON_HOLD: {Case.Status.ACTIVE, Case.Status.CLOSED},
    Case.Status.CLOSED: {Case.Status.OPEN},
}
REASON_REQUIRED = {Case.Status.CLOSED, Case.Status.ON_HOLD}
STATUS_VERBS: dict[str, str] = {
    Case.Status.OPEN: "reopened",
    Case.Status.ACTIVE: "activated",
    Case.Status.ON_HOLD: "put_on_hold",
    Case.Status.CLOSED: "closed",
}


def _require_caseworker(user: User) -> None:
    if not (user.is_active and user.role in CASEWORKERS):
        raise PermissionDenied("Only advocates and supervisors change case work.")


def _require_supervisor(user: User) -> None:
    if not (user.is_active and user.role == SUPERVISOR):
        raise PermissionDenied("Only supervisors may do this.")


def _full_clean(obj, exclude: Iterable[str] | None = None) -> None:
    obj.full_clean(exclude=list(exclude or []), validate_constraints=True)


# --- families -------------------------------------------------------------------------


def default_display_name(contact_name: str) -> str:
    parts = contact_name.split()
    return f"{parts[-1]} family" if parts else "Unnamed family"


@transaction.atomic
def family_create(
    *,
    by: User,
    contact_name: str,
    display_name: str = "",
    phone: str = "",
    **fields: Any,
) -> Family:
    _require_caseworker(by)
    e164 = to_e164(phone) if phone else ""
    if phone and not e164:
        raise ValidationError({"phone": "Enter a phone number, e.g. (555) 010-2000."})
    family = Family(
        contact_name=contact_name.strip(),
        display_name=(display_name or default_display_name(contact_name)).strip(),
        contact_first_name=(contact_name.split() or [""])[0],
        phone=e164 or "",
        **fields,
    )
    _full_clean(family)
    family.save()
    return family


@transaction.atomic
def family_update(*, family: Family, by: User, **fields: Any) -> Family:
    _require_caseworker(by)
    if family.merged_into_id:
        raise ValidationError("This family was merged; change the family it was merged into.")
    for name in ("phone", "phone_alt"):
        if fields.get(name):
            e164 = to_e164(fields[name])
            if not e164:
                raise ValidationError({name: "Enter a phone number, e.g. (555) 010-2000."})
            fields[name] = e164
    withdrawing = (
        family.consent_team_hope_contact and fields.get("consent_team_hope_contact") is False
    )
    for name, value in fields.items():
        setattr(family, name, value)
    _full_clean(family)
    family.save()
    if withdrawing:
        # A family that withdraws Team HOPE consent must stop being called at once: the
        # apps that call families (Team HOPE) act on this inside this transaction.
        events.family_consent_withdrawn.send(
            family=family, consent="consent_team_hope_contact", by=by
        )
    return family


@transaction.atomic
def person_add(
    *,
    family: Family,
    by: User,
    role: str,
    first_name: str,
    last_name: str = "",
    date_of_birth: dt.date | None = None,
    is_child_of_concern: bool = False,
) -> Person:
    _require_caseworker(by)
    if date_of_birth and date_of_birth > timezone.localdate():
        raise ValidationError({"date_of_birth": "A date of birth cannot be in the future."})
    person = Person(
        family=family,
        role=role,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        date_of_birth=date_of_birth,
        is_child_of_concern=is_child_of_concern,
    )
    _full_clean(person)
    person.save()
    return person


# --- cases ----------------------------------------------------------------------------


@transaction.atomic
def case_open(
    *,
    family: Family,
    by: User,
    case_type: str,
    assigned_advocate: User | None = None,
    risk_level: str = Case.Risk.LOW,
    external_case_number: str | None = None,
    children: Iterable[Person] = (),
) -> Case:
    _require_caseworker(by)
    if family.merged_into_id:
        raise ValidationError("This family was merged into another; open the case there.")
    advocate = assigned_advocate or (by if by.role == ADVOCATE else None)
    number = (external_case_number or "").strip() or None
    if number and Case.objects.filter(external_case_number__iexact=number).exists():
        raise ValidationError(
            {"external_case_number": "Another case already has this external case number."}
        )
    case = Case(
        family=family,
        case_type=case_type,
        assigned_advocate=advocate,
        risk_level=risk_level,
        external_case_number=number,
    )
    _full_clean(case)
    case.save()
    children = list(children)
    if children:
        case.children.set(children)
    audit.record(action="cases.case.opened", obj=case, actor=by)
    return case


@transaction.atomic
def case_change_status(*, case: Case, by: User, status: str, reason: str = "") -> Case:
    _require_caseworker(by)
    reason = reason.strip()
    if status not in Case.Status.values:
        raise ValidationError({"status": "Choose a status."})
    if status == case.status:
        raise ValidationError({"status": f"The case is already {case.get_status_display()}."})
    if status not in TRANSITIONS[case.status]:
        raise ValidationError(
            {
                "status": f"A case that is {case.get_status_display().lower()} cannot become "
                f"{Case.Status(status).label.lower()}."
            }
        )
    if (status in REASON_REQUIRED or case.status == Case.Status.CLOSED) and not reason:
        raise ValidationError({"reason": "Say why (required to close, hold or reopen a case)."})
    before = case.status
    case.status = status
    case.status_reason = reason
    case.closed_at = timezone.now() if status == Case.Status.CLOSED else None
    case.save()
    audit.record(
        action=f"cases.case.{STATUS_VERBS[status]}",
        obj=case,
        actor=by,
        changed_fields=["status"],
        changes={"status": [before, status]},
    )
    return case


@transaction.atomic
def case_reassign(*, case: Case, by: User, advocate: User) -> Case:
    _require_supervisor(by)
    if not (advocate.is_active and advocate.role in CASEWORKERS):
        raise ValidationError({"advocate": "Choose an active advocate or supervisor."})
    if case.assigned_advocate_id == advocate.pk:
        raise ValidationError({"advocate": "The case is already assigned to this person."})
    before = case.assigned_advocate_id
    case.assigned_advocate = advocate
    case.save()
    audit.record(
        action="cases.case.reassigned",
        obj=case,
        actor=by,
        changed_fields=["assigned_advocate"],
        changes={"assigned_advocate": [before, advocate.pk]},
    )
    notify(
        recipients=[advocate],
        event="cases.case.assigned",
        title=f"Case {case.reference} was assigned to you",
        url=case.get_absolute_url(),
        key=f"case-assigned:{case.pk}:{timezone.now().isoformat()}",
        email=False,
    )
    return case


@transaction.atomic
def case_update_details(
    *, case: Case, by: User, risk_level: str, external_case_number: str | None
) -> Case:
    _require_caseworker(by)
    number = (external_case_number or "").strip() or None
    if (
        number
        and Case.objects.filter(external_case_number__iexact=number).exclude(pk=case.pk).exists()
    ):
        raise ValidationError(
            {"external_case_number": "Another case already has this external case number."}
        )
    case.risk_level = risk_level
    case.external_case_number = number
    _full_clean(case)
    case.save()
    return case


# --- contacts -------------------------------------------------------------------------


def _supervisors_for(advocate: User) -> list[User]:
    supervisor = advocate.supervisor if advocate.supervisor_id else None
    if supervisor is not None and supervisor.is_active:
        return [supervisor]
    return list(User.objects.filter(role=SUPERVISOR, is_active=True))


@transaction.atomic
def contact_log(
    *,
    case: Case,
    by: User,
    started_at: dt.datetime,
    duration_minutes: int,
    direction: str,
    purpose: str,
    channel: str = Contact.Channel.PHONE,
    participants: str = "",
    safety_concern: bool = False,
    self_harm_risk: bool = False,
    safety_note: str = "",
    needs: Iterable[str] = (),
    notes: str = "",
    follow_up_on: dt.date | None = None,
    draft_key: str | None = None,
) -> Contact:
    _require_caseworker(by)
    errors: dict[str, str] = {}
    now = timezone.now()
    if started_at > now + FUTURE_TOLERANCE:
        errors["started_at"] = "The call cannot start in the future."
    if duration_minutes is None or duration_minutes < 0:
        errors["duration_minutes"] = "The duration cannot be negative."
    elif duration_minutes > MAX_DURATION_MINUTES:
        errors["duration_minutes"] = "A contact cannot last more than 24 hours."
    if (safety_concern or self_harm_risk) and not safety_note.strip():
        errors["safety_note"] = "A safety concern or self-harm risk needs a safety note."
    if follow_up_on and follow_up_on < timezone.localdate(started_at):
        errors["follow_up_on"] = "The follow-up date cannot be before the contact."
    elif follow_up_on:
        try:  # a follow-up falls on a day the family may be contacted (safe-contact rules)
            contact_rules.check_follow_up_day(case.family_id, follow_up_on, "follow_up_on")
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if not case.is_open:
        errors["case"] = "This case is closed; reopen it before logging a contact."
    if errors:
        raise ValidationError(errors)
    needs = [n for n in dict.fromkeys(needs) if n in Contact.Need.values]
    contact = Contact(
        case=case,
        advocate=by,
        started_at=started_at,
        duration_minutes=duration_minutes,
        direction=direction,
        channel=channel,
        participants=participants.strip(),
        purpose=purpose,
        safety_concern=safety_concern,
        self_harm_risk=self_harm_risk,
        safety_note=safety_note.strip(),
        needs=needs,
        notes=notes,
        follow_up_on=follow_up_on,
    )
    _full_clean(contact)
    contact.save()

    new_needs = [n for n in needs if n not in case.needs]
    if new_needs:
        case.needs = [*case.needs, *new_needs]
        case.save()
    if follow_up_on:
        task_create(
            case=case,
            by=by,
            title=f"Follow up on {contact.get_purpose_display().lower()} contact",
            due_on=follow_up_on,
            owner=case.assigned_advocate or by,
        )
    if contact.risk_flagged:
        _raise_alert(case=case, contact=contact, by=by)
    if draft_key:
        contact_draft_delete(by=by, key=draft_key)
    return contact


def _raise_alert(*, case: Case, contact: Contact, by: User) -> CaseAlert:
    kinds = []
    if contact.safety_concern:
        kinds.append(CaseAlert.Kind.SAFETY_CONCERN.value)
    if contact.self_harm_risk:
        kinds.append(CaseAlert.Kind.SELF_HARM.value)
    alert = CaseAlert.objects.create(case=case, contact=contact, kinds=kinds, raised_by=by)
    if RISK_ORDER.index(case.risk_level) < RISK_ORDER.index(Case.Risk.HIGH):
        case.risk_level = Case.Risk.HIGH
        case.save()
    audit.record(action="cases.case.risk_flagged", obj=case, actor=by)
    # In-app and e-mailed (a supervisor may be away from the portal): the title and the
    # link are all that is sent, never the family's or the child's details.
    notify(
        recipients=_supervisors_for(by),
        event="cases.alert.raised",
        title=f"Case {case.reference} has a new risk alert",
        url=case.get_absolute_url(),
        key=f"case-alert:{alert.pk}",
        email=True,
    )
    return alert


@transaction.atomic
def alert_resolve(*, alert: CaseAlert, by: User, note: str = "") -> CaseAlert:
    _require_supervisor(by)
    if alert.resolved_at:
        raise ValidationError("This alert was already acknowledged.")
    alert.resolved_at = timezone.now()
    alert.resolved_by = by
    alert.resolution_note = note.strip()[:300]
    alert.save()
    return alert


# --- drafts ---------------------------------------------------------------------------

DRAFT_MAX_CHARS = 100_000


def contact_draft_save(*, by: User, key: str, data: dict[str, Any]) -> ContactDraft:
    _require_caseworker(by)
    clean = {str(k)[:60]: v for k, v in data.items() if k != "csrfmiddlewaretoken"}
    if len(str(clean)) > DRAFT_MAX_CHARS:
        raise ValidationError("The draft is too long to keep.")
    with transaction.atomic():
        draft, created = ContactDraft.objects.select_for_update().get_or_create(
            author=by, key=key[:40], defaults={"data": clean}
        )
        if not created:
            draft.data = clean
            draft.updated_at = timezone.now()
            draft.save(update_fields=["data", "updated_at"])
        else:
            audit.record(action="cases.contactdraft.created", obj=draft, actor=by)
    return draft


def contact_draft_delete(*, by: User, key: str) -> int:
    deleted, _ = ContactDraft.objects.filter(author=by, key=key).delete()
    return deleted


@transaction.atomic
def contact_draft_discard(*, by: User, key: str) -> int:
    """The user throws the unsaved call away; a call started from the screen pop is
    released with it (else it stays "started" and unlogged, and is never swept as missed)."""
    draft = ContactDraft.objects.filter(author=by, key=key).first()
    if draft is None:
        return 0
    call_sid = draft.data.get("phone_call")
    deleted = contact_draft_delete(by=by, key=key)
    if call_sid:
        from .phone_pop import phone_call_release

        phone_call_release(user=by, call_sid=str(call_sid)[:64])
    return deleted


def draft_retention() -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, "CASES_DRAFT_RETENTION_DAYS", 14))


def drafts_purge(*, now: dt.datetime | None = None) -> int:
    """Delete drafts untouched for the retention period, and any left by deactivated users.

    Drafts hold call notes and caller details that were never saved as a contact: nobody
    comes back for them after two weeks, and a departed user's are nobody's to finish.
    """
    cutoff = (now or timezone.now()) - draft_retention()
    deleted, _ = ContactDraft.objects.filter(
        Q(updated_at__lt=cutoff) | Q(author__is_active=False)
    ).delete()
    return deleted


def drafts_delete_on_deactivation(*, user: User, by: User) -> None:
    """events.user_deactivated handler: unsaved call notes of someone who left must not linger."""
    drafts_delete_for_user(user)


def drafts_delete_for_user(user: User) -> int:
    """Delete every draft of `user`; call when the user is deactivated (accounts)."""
    deleted, _ = ContactDraft.objects.filter(author=user).delete()
    return deleted


# --- tasks ----------------------------------------------------------------------------


@transaction.atomic
def task_create(
    *, case: Case, by: User, title: str, due_on: dt.date, owner: User | None = None
) -> Task:
    _require_caseworker(by)
    owner = owner or by
    if owner.role not in CASEWORKERS or not owner.is_active:
        raise ValidationError({"owner": "Tasks belong to an active advocate or supervisor."})
    contact_rules.check_follow_up_day(case.family_id, due_on, "due_on")
    task = Task(case=case, owner=owner, title=title.strip(), due_on=due_on)
    _full_clean(task)
    task.save()
    return task


@transaction.atomic
def task_complete(*, task: Task, by: User) -> Task:
    _require_caseworker(by)
    if task.done_at:
        raise ValidationError("This task is already done.")
    task.done_at = timezone.now()
    task.save()
    return task


@transaction.atomic
def task_reopen(*, task: Task, by: User) -> Task:
    _require_caseworker(by)
    task.done_at = None
    task.save()
    return task


# --- merge ----------------------------------------------------------------------------


# Contact details the survivor of a merge may take from the duplicate, by group.
MERGE_CONTACT_GROUPS: dict[str, tuple[str, ...]] = {
    "phone": ("phone", "phone_alt"),
    "email": ("email",),
    "address": ("address_line", "city", "state", "zip_code", "country"),
}


@transaction.atomic
def family_merge(
    *,
    source: Family,
    target: Family,
    by: User,
    reason: str = "",
    take_from_source: Iterable[str] = (),
) -> FamilyMerge:
    """Move the duplicate `source`'s records to `target`; `source` stays a redirect.

    Cases and members move here; every other app that keeps its own copy of a family
    (referrals, Team HOPE matches, holds, ...) moves its records in its family_merged
    handler, inside this transaction, and notes what it moved on the FamilyMerge.
    `take_from_source` names contact groups (MERGE_CONTACT_GROUPS) the survivor takes over.
    """
    _require_supervisor(by)
    source = Family.objects.select_for_update().get(pk=source.pk)
    target = Family.objects.select_for_update().get(pk=target.pk)
    if source.pk == target.pk:
        raise ValidationError({"target": "A family cannot be merged into itself."})
    if source.merged_into_id:
        raise ValidationError("This family was already merged.")
    if target.merged_into_id:
        raise ValidationError({"target": "That family was merged itself; pick the one it went to."})
    unknown = set(take_from_source) - set(MERGE_CONTACT_GROUPS)
    if unknown:
        raise ValidationError(f"Unknown contact details: {', '.join(sorted(unknown))}.")
    cases = list(source.cases.all())
    people = list(source.members.all())
    for case in cases:
        case.family = target
        case.save()
    for person in people:
        person.family = target
        person.save()
    fields = [f for group in take_from_source for f in MERGE_CONTACT_GROUPS[group]]
    kept_before = {f: getattr(target, f) for f in fields}
    for f in fields:
        setattr(target, f, getattr(source, f))
    if fields:
        target.save()
    source.merged_into = target
    source.save()
    merge = FamilyMerge.objects.create(
        source=source,
        target=target,
        moved_case_ids=[c.pk for c in cases],
        moved_person_ids=[p.pk for p in people],
        kept_before=kept_before,
        reason=reason.strip()[:300],
        merged_by=by,
    )
    events.family_merged.send(source=source, target=target, merge=merge, by=by)
    merge.save()
    audit.record(action="cases.family.merged", obj=source, actor=by)
    audit.record(action="cases.family.merged_into", obj=target, actor=by)
    return merge


@transaction.atomic
def family_unmerge(*, merge: FamilyMerge, by: User) -> FamilyMerge:
    """Undo a merge: what moved goes back (what was added to the target since stays)."""
    _require_supervisor(by)
    merge = FamilyMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at:
        raise ValidationError("This merge was already undone.")
    source = Family.objects.select_for_update().get(pk=merge.source_id)
    target = Family.objects.select_for_update().get(pk=merge.target_id)
    if target.merged_into_id:
        raise ValidationError("The family was merged again since; undo that merge first.")
    events.family_unmerged.send(source=source, target=target, merge=merge, by=by)
    for case in Case.objects.filter(pk__in=merge.moved_case_ids, family=target):
        case.family = source
        case.save()
    for person in Person.objects.filter(pk__in=merge.moved_person_ids, family=target):
        person.family = source
        person.save()
    if merge.kept_before:
        for f, value in merge.kept_before.items():
            setattr(target, f, value)
        target.save()
    source.merged_into = None
    source.save()
    merge.undone_at = timezone.now()
    merge.undone_by = by
    merge.save()
    audit.record(action="cases.family.unmerged", obj=source, actor=by)
    return merge


def merge_move_records(
    records: QuerySet[Any], *, source: Family, target: Family, merge: FamilyMerge, key: str
) -> None:
    """For a merge handler: the duplicate's `records` (a model with `family`) go to the kept
    family, saved one by one (each change audited), their ids noted under `key`."""
    moved = []
    for record in records.filter(family=source):
        record.family = target
        record.save()
        moved.append(record.pk)
    merge.record_moved(key, moved)


def merge_return_records(
    records: QuerySet[Any], *, source: Family, target: Family, merge: FamilyMerge, key: str
) -> None:
    """For an un-merge handler: the records `merge_move_records` moved under `key` go back."""
    for record in records.filter(pk__in=merge.moved_ids(key), family=target):
        record.family = source
        record.save()


def shares_follow_merge(*, source: Family, target: Family, merge: FamilyMerge, **_: Any) -> None:
    """events.family_merged: resources shared with the duplicate were shared with the household."""
    merge_move_records(
        ResourceShare.objects.all(),
        source=source,
        target=target,
        merge=merge,
        key="cases.resourceshare",
    )
    # Safe-contact rules known for the duplicate protect the household: the survivor takes
    # them if it has none (removed again on un-merge).
    rules = FamilyContactRules.objects.filter(family=source).first()
    if rules is not None and not FamilyContactRules.objects.filter(family=target).exists():
        rules.pk = None
        rules.family = target
        rules._state.adding = True
        rules.save()
        merge.record_moved("cases.familycontactrules", [target.pk])


def shares_follow_unmerge(*, source: Family, target: Family, merge: FamilyMerge, **_: Any) -> None:
    """events.family_unmerged: the shares that moved go back; copied rules are removed."""
    merge_return_records(
        ResourceShare.objects.all(),
        source=source,
        target=target,
        merge=merge,
        key="cases.resourceshare",
    )
    if merge.moved_ids("cases.familycontactrules"):
        for rules in FamilyContactRules.objects.filter(family=target):
            rules.delete()


# --- family resources -----------------------------------------------------------------


@transaction.atomic
def resource_create(*, by: User, **fields: Any) -> Resource:
    _require_supervisor(by)
    resource = Resource(created_by=by, **fields)
    if not resource.url and not resource.file:
        raise ValidationError({"url": "Give a link or upload a file."})
    _full_clean(resource)
    resource.save()
    return resource


@transaction.atomic
def resource_update(*, resource: Resource, by: User, **fields: Any) -> Resource:
    _require_supervisor(by)
    for name, value in fields.items():
        setattr(resource, name, value)
    if not resource.url and not resource.file:
        raise ValidationError({"url": "Give a link or upload a file."})
    _full_clean(resource)
    resource.save()
    return resource


@transaction.atomic
def resource_share(
    *, resources: Iterable[Resource], case: Case, by: User, email: bool = True
) -> list[ResourceShare]:
    """Record what was shared; e-mail the family the links only if it consents to mail."""
    _require_caseworker(by)
    resources = [r for r in resources if r.is_active]
    if not resources:
        raise ValidationError({"resources": "Choose at least one resource."})
    family = case.family
    # Consent, an address, and the family's safe-contact rules (cases/contact_rules.py):
    # e-mail must be an allowed method and the organisation may be named; the e-mail waits
    # in the outbox for the family's allowed days and hours.
    rules = contact_rules.rules_for(family)
    send = bool(email and not contact_rules.email_block_reason(family, rules))
    not_before = contact_rules.next_allowed_moment(rules, family.time_zone) if send else None
    shares = [
        ResourceShare.objects.create(
            resource=r, family=family, case=case, shared_by=by, emailed=send
        )
        for r in resources
    ]
    if send:
        # The outbox writer lives in accounts; it is private there (asked the lead to export it).
        from familysupport.lib.notify import email_queue

        site = settings.SITE_URL.rstrip("/")
        context = {
            "organisation": settings.ORGANISATION_NAME,
            "links": [(r.title, f"{site}{r.get_public_url()}") for r in resources],
        }
        email_queue(
            to=family.email,
            template="cases-resources-shared",
            context=context,
            key=f"cases.resource_share:{shares[0].pk}",
            not_before=not_before,
        )
    return shares


def resource_feedback_submit(
    *,
    resource: Resource,
    helpful: int,
    easy_to_understand: bool | None = None,
    would_recommend: bool | None = None,
    comment: str = "",
) -> ResourceFeedback:
    if not resource.is_active:
        raise ValidationError(gettext("This resource is no longer offered."))
    feedback = ResourceFeedback(
        resource=resource,
        helpful=helpful,
        easy_to_understand=easy_to_understand,
        would_recommend=would_recommend,
        comment=comment.strip()[:1000],
    )
    _full_clean(feedback)
    try:
        feedback.save()
    except IntegrityError as exc:  # pragma: no cover - the check constraint is a last guard
        raise ValidationError("Could not save the answer.") from exc
    return feedback


def case_url(case: Case) -> str:
    return reverse("cases:case_detail", args=[case.pk])


def need_label(value: str) -> str:
    return Contact.Need(value).label if value in Contact.Need.values else value


@transaction.atomic
def call_log(
    *,
    by: User,
    family: Family | None,
    case: Case | None,
    new_family: dict[str, Any],
    new_case: dict[str, Any],
    contact: dict[str, Any],
    draft_key: str | None = None,
    distinct_from: Iterable[Family] = (),
    phone_call: PhoneCall | None = None,
) -> Contact:
    """Every contact path in one transaction: family and case as needed, then the contact.

    New call (new family or existing family, new case or continued case) and "log a contact"
    from a case page all come here, so their rules cannot drift apart. `distinct_from`: the
    strong matches (same phone, e-mail, case number) the advocate declared a different family.
    """
    _require_caseworker(by)
    if case is None:
        if family is None:
            family = family_create(
                by=by,
                contact_name=new_family["contact_name"],
                phone=new_family.get("phone", ""),
                email=new_family.get("email", ""),
                zip_code=new_family.get("zip_code", ""),
                state=new_family.get("state", ""),
            )
            others = sorted(f.pk for f in distinct_from)
            if others:  # who said so and when: the audit entry on the new family
                audit.record(
                    action="cases.family.declared_distinct",
                    obj=family,
                    actor=by,
                    changes={"distinct_from": others},
                )
        children = []
        child_name = (new_case.get("child_first_name") or "").strip()
        if child_name:
            children.append(
                person_add(
                    family=family,
                    by=by,
                    role=Person.Role.CHILD,
                    first_name=child_name,
                    is_child_of_concern=True,
                )
            )
        case = case_open(
            family=family,
            by=by,
            case_type=new_case["case_type"],
            risk_level=new_case.get("risk_level") or Case.Risk.LOW,
            external_case_number=new_case.get("external_case_number"),
            children=children,
        )
    logged = contact_log(case=case, by=by, draft_key=draft_key, **contact)
    if phone_call is not None:  # started from the screen pop: the CallSid keeps the link
        from .phone_pop import phone_call_link_contact

        phone_call_link_contact(call=phone_call, contact=logged, by=by)
    return logged
