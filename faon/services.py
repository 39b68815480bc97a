"""Writes of the FAON app: applications, vetting, provider self-service, trainings, certificates."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from familysupport.lib import audit, dates
from familysupport.lib.notify import notify

from . import compliance, selectors
from .models import (
    ApiKey,
    Application,
    Attendance,
    Certificate,
    ComplianceSnapshot,
    InsurancePolicy,
    License,
    NewsletterIssue,
    Provider,
    ProviderStatusChange,
    TrainingEvent,
    Transcript,
    Verification,
)

S = Provider.Status

# --- ZIP → latitude/longitude (offline data from the `zipcodes` package) ---------------


@lru_cache(maxsize=1)
def _zip_index() -> dict[str, tuple[float, float, str, str]]:
    import zipcodes

    return {
        z["zip_code"]: (float(z["lat"]), float(z["long"]), z["city"], z["state"])
        for z in zipcodes.list_all()
        if z.get("lat") and z.get("long")
    }


def zip_lookup(zip_code: str) -> tuple[float, float, str, str] | None:
    """(latitude, longitude, city, state) of a US ZIP code's centroid, or None."""
    return _zip_index().get((zip_code or "").strip()[:5])


def _fill_coordinates(provider: Provider) -> None:
    found = zip_lookup(provider.zip_code)
    provider.latitude, provider.longitude = (found[0], found[1]) if found else (None, None)


# --- e-mail to people who are not users yet (applicants) --------------------------------


def _queue_email(*, to: str, template: str, context: dict, key: str) -> None:
    # The accounts outbox is the one way e-mail leaves the portal (retries, idempotency).
    from familysupport.lib.notify import email_queue as queue

    queue(to=to, template=template, context=context, key=key)


def _hash_token(token: str) -> str:
    return selectors.confirm_token_hash(token)


# --- applications ---------------------------------------------------------------------


@dataclass
class LicenseData:
    license_type: str
    state: str
    number: str
    expires_on: date
    standing: str = License.Standing.GOOD
    document: object | None = None


@dataclass
class InsuranceData:
    carrier: str
    policy_number: str
    covers_to: date
    covers_from: date | None = None
    document: object | None = None


def _fields(data) -> dict:
    values = dict(data.__dict__)
    if not values.get("document"):
        values.pop("document", None)  # no upload: leave the file field empty
    return values


@transaction.atomic
def application_submit(
    *,
    provider_data: dict,
    applicant_name: str,
    applicant_email: str,
    references: str,
    motivation: str = "",
    licenses: list[LicenseData],
    insurance: InsuranceData | None,
) -> Application:
    """Store a public application (provider status `applied`) and e-mail a confirmation link."""
    provider = Provider(**provider_data, status=S.APPLIED)
    _fill_coordinates(provider)
    provider.full_clean(exclude=["managers"])
    provider.save()
    ProviderStatusChange.objects.create(provider=provider, to_status=S.APPLIED, note="applied")
    for lic in licenses:
        obj = License(provider=provider, **_fields(lic))
        obj.full_clean()
        obj.save()
    if insurance is not None:
        pol = InsurancePolicy(provider=provider, **_fields(insurance))
        pol.full_clean()
        pol.save()
    token = secrets.token_urlsafe(32)
    application = Application.objects.create(
        provider=provider,
        applicant_name=applicant_name,
        applicant_email=applicant_email.strip().lower(),
        references=references,
        motivation=motivation,
        confirm_token_hash=_hash_token(token),
    )
    link = settings.SITE_URL.rstrip("/") + reverse("faon:join_confirm", args=[token])
    _queue_email(
        to=application.applicant_email,
        template="faon-application-confirm",
        context={"link": link},
        key=f"faon-application-confirm:{application.pk}",
    )
    return application


@transaction.atomic
def application_confirm_email(*, token: str) -> Application | None:
    """Confirm the applicant's address; the application then enters the vetting queue."""
    application = (
        Application.objects.select_for_update()
        .filter(confirm_token_hash=_hash_token(token))
        .select_related("provider")
        .first()
    )
    if application is None:
        return None
    if application.email_confirmed_at is None:
        application.email_confirmed_at = timezone.now()
        application.save(update_fields=["email_confirmed_at"])
        supervisors = User.objects.filter(role=User.Role.SUPERVISOR, is_active=True)
        notify(
            recipients=supervisors,
            event="faon.application.received",
            title=f"FAON application #{application.pk} is waiting for review",
            url=reverse("faon:application_detail", args=[application.pk]),
            key=f"faon-application:{application.pk}",
        )
    return application


# --- vetting: credentials ---------------------------------------------------------------


@transaction.atomic
def license_verify(
    *,
    license: License,
    by: User,
    verification: str,
    source: str,
    standing: str,
    note: str = "",
) -> License:
    if verification == Verification.VERIFIED and not source:
        raise ValidationError({"source": "Say where the license was verified."})
    if standing == License.Standing.DISCIPLINARY and not note.strip():
        raise ValidationError({"note": "Describe the disciplinary action found."})
    license.verification = verification
    license.verification_source = source
    license.standing = standing
    license.verification_note = note
    license.verified_by, license.verified_at = by, timezone.now()
    license.save()
    audit.record(action=f"faon.license.{verification}", obj=license, actor=by)
    return license


@transaction.atomic
def insurance_verify(
    *, policy: InsurancePolicy, by: User, verification: str, note: str = ""
) -> InsurancePolicy:
    if verification == Verification.REJECTED and not note.strip():
        raise ValidationError({"note": "Say why the policy could not be verified."})
    policy.verification = verification
    policy.verification_note = note
    policy.verified_by, policy.verified_at = by, timezone.now()
    policy.save()
    audit.record(action=f"faon.insurancepolicy.{verification}", obj=policy, actor=by)
    return policy


# --- membership status ------------------------------------------------------------------

# action: (allowed from, to, reason required)
TRANSITIONS: dict[str, tuple[frozenset[str], str, bool]] = {
    "review": (frozenset({S.APPLIED}), S.UNDER_REVIEW, False),
    "approve": (frozenset({S.APPLIED, S.UNDER_REVIEW}), S.ACTIVE, False),
    "reject": (frozenset({S.APPLIED, S.UNDER_REVIEW}), S.REJECTED, True),
    "suspend": (frozenset({S.ACTIVE}), S.SUSPENDED, True),
    "reinstate": (frozenset({S.SUSPENDED, S.LAPSED}), S.ACTIVE, False),
    "lapse": (frozenset({S.ACTIVE}), S.LAPSED, False),
    "withdraw": (
        frozenset({S.APPLIED, S.UNDER_REVIEW, S.ACTIVE, S.SUSPENDED, S.LAPSED}),
        S.WITHDRAWN,
        False,
    ),
}
ACTION_LABELS = {
    "review": "Start review",
    "approve": "Approve and invite",
    "reject": "Reject",
    "suspend": "Suspend",
    "reinstate": "Reinstate",
    "lapse": "Mark lapsed",
    "withdraw": "Mark withdrawn",
}
_STAMP: dict[str, str] = {
    S.UNDER_REVIEW: "review_started_at",
    S.ACTIVE: "activated_at",
    S.SUSPENDED: "suspended_at",
    S.LAPSED: "lapsed_at",
    S.WITHDRAWN: "withdrawn_at",
    S.REJECTED: "rejected_at",
}


def actions_for(provider: Provider) -> list[str]:
    return [a for a, (sources, _to, _r) in TRANSITIONS.items() if provider.status in sources]


def approval_blockers(provider: Provider, *, note: str = "") -> list[tuple[str, str]]:
    """Why an application cannot be approved yet, as (form field, message); empty if it can."""
    problems: list[tuple[str, str]] = []
    application = getattr(provider, "application", None)
    if application is not None and application.email_confirmed_at is None:
        problems.append(("__all__", "The applicant has not confirmed their e-mail address."))
    licenses = list(provider.licenses.all())
    on = dates.today()
    if provider.requires_license and not any(
        lic.verification == Verification.VERIFIED and lic.expires_on >= on for lic in licenses
    ):
        problems.append(("__all__", "Verify a current license first."))
    disciplinary = [
        lic
        for lic in licenses
        if lic.standing == License.Standing.DISCIPLINARY and lic.expires_on >= on
    ]
    if disciplinary and not note.strip():
        problems.append(
            ("note", "A license shows disciplinary action: approving needs a note explaining why.")
        )
    if provider.requires_insurance and not any(
        p.verification == Verification.VERIFIED and p.covers_to >= on
        for p in provider.insurance_policies.all()
    ):
        problems.append(("__all__", "Verify current professional liability insurance first."))
    return problems


def _invite_manager(provider: Provider, *, by: User) -> User:
    """Give the provider a portal account: invite the applicant, or reuse their provider user."""
    from accounts import services as account_services

    application = getattr(provider, "application", None)
    email = (application.applicant_email if application else provider.email).lower()
    name = application.applicant_name if application else provider.contact_name or provider.name
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        if existing.role != User.Role.PROVIDER:
            raise ValidationError(
                "The applicant's e-mail belongs to a staff or volunteer account; "
                "ask an administrator to resolve it."
            )
        user = existing
    else:
        user = account_services.user_invite(
            email=email, full_name=name, role=User.Role.PROVIDER, by=by
        )
    provider.managers.add(user)
    return user


@transaction.atomic
def provider_transition(*, provider: Provider, action: str, by: User, note: str = "") -> Provider:
    """Move a provider through its membership states; every decision is audited."""
    if action not in TRANSITIONS:
        raise ValidationError({"action": "Unknown action."})
    sources, to, needs_reason = TRANSITIONS[action]
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    if provider.status not in sources:
        raise ValidationError(
            {"action": f"A {provider.get_status_display().lower()} member cannot be: {action}."}
        )
    note = note.strip()
    if needs_reason and not note:
        raise ValidationError({"note": "Give a reason; it is kept with the decision."})
    if action == "approve":
        blockers = approval_blockers(provider, note=note)
        if blockers:
            errors: dict[str, list[str]] = {}
            for field, message in blockers:
                errors.setdefault(field, []).append(message)
            raise ValidationError(errors)
    now = timezone.now()
    before = provider.status
    provider.status, provider.status_changed_at, provider.status_reason = to, now, note
    setattr(provider, _STAMP[to], now)
    if action == "approve" and provider.details_confirmed_at is None:
        # The vetted application counts as the first confirmation of the contact details.
        provider.details_confirmed_at = now
    provider.save()
    ProviderStatusChange.objects.create(
        provider=provider, from_status=before, to_status=to, at=now, by=by, note=note
    )
    if action in ("approve", "reject"):
        application = Application.objects.filter(provider=provider).first()
        if application is not None:
            application.decided_at, application.decided_by = now, by
            application.decision_note = note
            application.save()
    if action == "approve":
        _invite_manager(provider, by=by)
    elif action == "reject":
        application = getattr(provider, "application", None)
        if application is not None:
            _queue_email(
                to=application.applicant_email,
                template="faon-application-rejected",
                context={"reason": note},
                key=f"faon-application-rejected:{application.pk}",
            )
    audit.record(
        action=f"faon.provider.{action}",
        obj=provider,
        actor=by,
        changes={"status": [before, to]},
    )
    if action in ("suspend", "reinstate", "lapse", "withdraw"):
        notify(
            recipients=provider.managers.all(),
            event=f"faon.provider.{action}",
            title=(
                f"{provider.name}: the FAON membership is now "
                f"{provider.get_status_display().lower()}"
            ),
            url=reverse("faon:provider_detail", args=[provider.pk]),
            key=f"faon-status:{provider.pk}:{now.timestamp()}",
        )
    return provider


# --- the users who manage a provider record ---------------------------------------------


@transaction.atomic
def provider_manager_add(
    *, provider: Provider, email: str, full_name: str = "", by: User
) -> tuple[User, bool]:
    """Let a provider-role user manage the record: link an existing one or invite a new one.

    Returns (user, invited). Only provider accounts may manage a record: a staff or
    volunteer account linked here would mix roles, so it is refused.
    """
    from accounts import services as account_services

    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    invited = user is None
    if user is not None:
        if user.role != User.Role.PROVIDER:
            raise ValidationError(
                {
                    "email": "This e-mail belongs to a staff or volunteer account; only "
                    "provider accounts can manage a FAON record."
                }
            )
        if not user.is_active:
            raise ValidationError(
                {"email": "This account is deactivated; an administrator must reactivate it."}
            )
        if provider.managers.filter(pk=user.pk).exists():
            raise ValidationError({"email": "This user already manages this record."})
    else:
        if not full_name.strip():
            raise ValidationError({"full_name": "Give the new user's name for the invitation."})
        user = account_services.user_invite(
            email=email, full_name=full_name.strip(), role=User.Role.PROVIDER, by=by
        )
    provider.managers.add(user)
    audit.record(
        action="faon.provider.manager_added",
        obj=provider,
        actor=by,
        changes={"managers": [None, user.pk], "invited": invited},
    )
    if not invited:
        # A new user learns of it from the invitation; an existing one from the bell.
        notify(
            recipients=[user],
            event="faon.provider.manager_added",
            title=f"You can now keep the FAON member record of {provider.name} current",
            url=reverse("faon:provider_detail", args=[provider.pk]),
            key=f"faon-manager-added:{provider.pk}:{user.pk}:{timezone.now().timestamp()}",
        )
    return user, invited


@transaction.atomic
def provider_manager_remove(*, provider: Provider, user: User, by: User) -> None:
    """Take a user's access to the record away (effective on its next request)."""
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    if not provider.managers.filter(pk=user.pk).exists():
        raise ValidationError({"user": "This user does not manage this record."})
    provider.managers.remove(user)
    audit.record(
        action="faon.provider.manager_removed",
        obj=provider,
        actor=by,
        changes={"managers": [user.pk, None]},
    )


# --- provider self-service --------------------------------------------------------------


# What decides which credentials a member must hold (selectors.provider_list_credentials_
# current): a provider changing them itself could drop out of the license rule without anyone
# re-vetting it, so only supervisors and administrators change them.
VETTED_FIELDS = ("kind", "disciplines", "credentials")
VETTED_FIELD_MESSAGE = "Only FAON staff can change this; please ask them to update it."


def _vetted_changes(provider: Provider, data: dict) -> list[str]:
    def norm(value):
        return sorted(value) if isinstance(value, list | tuple) else value

    return [f for f in VETTED_FIELDS if f in data and norm(data[f]) != norm(getattr(provider, f))]


@transaction.atomic
def provider_update(*, provider: Provider, by: User, data: dict) -> Provider:
    if by.role not in (User.Role.SUPERVISOR, User.Role.ADMINISTRATOR):
        changed = _vetted_changes(provider, data)
        if changed:
            raise ValidationError(dict.fromkeys(changed, VETTED_FIELD_MESSAGE))
    for field, value in data.items():
        setattr(provider, field, value)
    _fill_coordinates(provider)
    provider.full_clean(exclude=["managers"])
    provider.save()
    return provider


@transaction.atomic
def provider_confirm_details(*, provider: Provider, by: User) -> Provider:
    provider.details_confirmed_at = timezone.now()
    provider.save(update_fields=["details_confirmed_at", "updated_at"])
    audit.record(action="faon.provider.details_confirmed", obj=provider, actor=by)
    return provider


@transaction.atomic
def license_add(*, provider: Provider, by: User, data: LicenseData) -> License:
    """A new or renewed license; staff verify it before it counts."""
    lic = License(provider=provider, **_fields(data))
    lic.full_clean()
    lic.save()
    _tell_staff_to_verify(provider, "license", lic.pk)
    return lic


@transaction.atomic
def insurance_add(*, provider: Provider, by: User, data: InsuranceData) -> InsurancePolicy:
    pol = InsurancePolicy(provider=provider, **_fields(data))
    pol.full_clean()
    pol.save()
    _tell_staff_to_verify(provider, "insurance", pol.pk)
    return pol


def _tell_staff_to_verify(provider: Provider, what: str, pk: int) -> None:
    if provider.status not in (S.ACTIVE, S.SUSPENDED, S.LAPSED):
        return  # applications are verified from the vetting queue
    notify(
        recipients=User.objects.filter(role=User.Role.SUPERVISOR, is_active=True),
        event=f"faon.{what}.added",
        title=f"{provider.name} added {what} details to verify",
        url=reverse("faon:provider_detail", args=[provider.pk]),
        key=f"faon-{what}-added:{pk}",
        email=False,
    )


# --- trainings and events ---------------------------------------------------------------


@transaction.atomic
def event_save(*, event: TrainingEvent, by: User) -> TrainingEvent:
    if event.ends_at and event.ends_at < event.starts_at:
        raise ValidationError({"ends_at": "The end must be after the start."})
    if event.pk is None:
        event.created_by = by
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def attendance_register(*, provider: Provider, event: TrainingEvent, by: User) -> Attendance:
    event = TrainingEvent.objects.select_for_update().get(pk=event.pk)
    existing = Attendance.objects.filter(provider=provider, event=event).first()
    if existing is not None:
        return existing
    # An online training stays open after it starts (until its end, if it has one); an
    # event cannot be registered for once it is over.
    over_at = event.ends_at or (None if event.is_online else event.starts_at)
    if over_at is not None and over_at < timezone.now():
        raise ValidationError(
            "This event has already begun or taken place; registration is closed."
        )
    if event.capacity is not None and event.attendances.count() >= event.capacity:
        raise ValidationError("This event is full.")
    return Attendance.objects.create(provider=provider, event=event)


@transaction.atomic
def attendance_record_completion(
    *, attendance: Attendance, by: User, completed_at=None
) -> Attendance:
    """The provider says it completed the training; staff confirm before it counts."""
    if attendance.confirmed_at is not None:
        raise ValidationError("This completion is already confirmed.")
    when = completed_at or timezone.now()
    if when < attendance.event.starts_at:
        raise ValidationError("A training cannot be completed before it starts.")
    attendance.completed_at = when
    attendance.save()
    return attendance


@transaction.atomic
def attendance_confirm(*, attendance: Attendance, by: User, completed_at=None) -> Attendance:
    """Staff confirm attendance/completion; for an event without a date it is the event's."""
    now = timezone.now()
    attendance.completed_at = (
        completed_at
        or attendance.completed_at
        or attendance.event.ends_at
        or attendance.event.starts_at
    )
    if attendance.completed_at > now:
        raise ValidationError("Attendance can be confirmed once the event has taken place.")
    attendance.confirmed_by, attendance.confirmed_at = by, now
    attendance.save()
    audit.record(action="faon.attendance.confirmed", obj=attendance, actor=by)
    return attendance


# --- compliance and certificates --------------------------------------------------------


@transaction.atomic
def compliance_snapshot_take(*, provider: Provider, year: int) -> ComplianceSnapshot:
    """Freeze a provider's result for a year (idempotent: updates the year's row)."""
    result = compliance.compliance_for(provider, year)
    snap, _ = ComplianceSnapshot.objects.update_or_create(
        provider=provider,
        membership_year=year,
        defaults={"met": result.met, "details": result.as_json(), "taken_at": timezone.now()},
    )
    return snap


def _new_code(year: int) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
    body = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"FAON-{year}-{body[:4]}-{body[4:]}"


def certificate_name(provider: Provider) -> str:
    return f"{provider.name}, {provider.credentials}" if provider.credentials else provider.name


@transaction.atomic
def certificate_issue(*, provider: Provider, year: int, by: User | None) -> Certificate:
    """Issue the yearly certificate to a compliant active member (idempotent per year).

    Only for a year whose compliance is frozen (the January snapshot job, or
    compliance_snapshot_take): a certificate says the member met the whole year's rule, which
    cannot be known mid-year, and it must agree with the frozen result, not today's.
    """
    existing = Certificate.objects.filter(provider=provider, year=year).first()
    if existing is not None:
        return existing
    if provider.status != S.ACTIVE:
        raise ValidationError("Only active members receive a certificate.")
    if year >= dates.today().year:
        raise ValidationError(
            {
                "year": f"The {year} certificate can be issued once {year} has ended and its "
                "compliance is frozen (in January)."
            }
        )
    frozen = ComplianceSnapshot.objects.filter(provider=provider, membership_year=year).first()
    if frozen is None:
        raise ValidationError(
            {
                "year": f"The {year} compliance of this member is not frozen yet; it is frozen in "
                "January for members active at the end of the year."
            }
        )
    if not frozen.met:
        missing = [r["detail"] for r in frozen.details.get("requirements", []) if not r["met"]]
        raise ValidationError(["Not compliant for this year:", *missing])
    code = _new_code(year)
    while Certificate.objects.filter(code=code).exists():
        code = _new_code(year)
    cert = Certificate.objects.create(
        provider=provider,
        year=year,
        code=code,
        name_on_certificate=certificate_name(provider),
        issued_by=by,
    )
    notify(
        recipients=provider.managers.all(),
        event="faon.certificate.issued",
        title=f"The FAON membership certificate of {provider.name} is ready",
        url=reverse("faon:provider_detail", args=[provider.pk]),
        key=f"faon-certificate:{cert.pk}",
    )
    return cert


# --- API keys ---------------------------------------------------------------------------


def api_key_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_key_issue(*, name: str, by: User) -> tuple[ApiKey, str]:
    """Create a key; the secret is returned once and only its hash is stored."""
    prefix = secrets.token_hex(4)
    secret = f"faon_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        name=name, prefix=prefix, key_hash=api_key_hash(secret), created_by=by
    )
    return key, secret


@transaction.atomic
def api_key_revoke(*, key: ApiKey, by: User) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at, key.revoked_by = timezone.now(), by
        key.save()
    return key


def api_key_authenticate(secret: str) -> ApiKey | None:
    if not secret:
        return None
    key = ApiKey.objects.filter(key_hash=api_key_hash(secret), revoked_at__isnull=True).first()
    if key is not None and (
        key.last_used_at is None or (timezone.now() - key.last_used_at).total_seconds() > 300
    ):
        key.last_used_at = timezone.now()
        key.save(update_fields=["last_used_at"])
    return key


@transaction.atomic
def transcript_issue(*, provider: Provider, year: int, by: User) -> Transcript:
    """Issue a CE transcript: the year's confirmed credits as they stand now, with a code.

    Each issue is a new snapshot (credits confirmed later appear on the next one); the
    public check shows the total a given code was issued with.
    """
    if year > dates.today().year:
        raise ValidationError({"year": "That year has not started."})
    if provider.status in (S.APPLIED, S.UNDER_REVIEW, S.REJECTED):
        raise ValidationError("Only members (past or present) receive a transcript.")
    lines = []
    for att in selectors.ce_credit_lines(provider=provider, year=year):
        day = timezone.localtime(att.completed_at, dates.division_tz()).date()
        lines.append(
            {
                "date": day.isoformat(),
                "title": att.event.title,
                "kind": att.event.get_kind_display(),
                "credits": str(att.event.ce_credits),
            }
        )
    if not lines:
        raise ValidationError({"year": f"No confirmed trainings or events in {year}."})
    code = _new_code(year).replace("FAON-", "FAONT-")
    while Transcript.objects.filter(code=code).exists():
        code = _new_code(year).replace("FAON-", "FAONT-")
    transcript = Transcript.objects.create(
        provider=provider,
        year=year,
        code=code,
        name_on_transcript=certificate_name(provider),
        credit_hours=sum((Decimal(line["credits"]) for line in lines), Decimal(0)),
        lines=lines,
        issued_by=by,
    )
    return transcript


# --- the member newsletter (faon/newsletter.py) -----------------------------------------


@transaction.atomic
def newsletter_save(
    *,
    by: User,
    subject: str,
    body_markdown: str,
    segment_disciplines: list[str],
    segment_states: list[str],
    issue: NewsletterIssue | None = None,
) -> NewsletterIssue:
    from . import newsletter

    if issue is not None and issue.sent_at is not None:
        raise ValidationError("A sent issue cannot be changed.")
    issue = issue or NewsletterIssue(created_by=by)
    issue.subject, issue.body_markdown = subject, body_markdown
    issue.body_html = newsletter.render_html(body_markdown)
    issue.segment_disciplines, issue.segment_states = segment_disciplines, segment_states
    issue.full_clean()
    issue.save()
    return issue


@transaction.atomic
def newsletter_send(*, issue: NewsletterIssue, by: User) -> NewsletterIssue:
    """Mark the issue sent and hand the batches to the worker (after commit). A second
    call re-runs the batches, which skip every member who already has a copy."""
    from . import tasks

    issue = NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.sent_at is None:
        issue.sent_at, issue.sent_by = timezone.now(), by
        issue.save(update_fields=["sent_at", "sent_by"])
    tasks.newsletter_send_task.delay_on_commit(issue.pk)
    return issue
