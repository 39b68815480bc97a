"""Reads of FAON records, always scoped to what the user may see.

Access (DESIGN.md): staff read providers and applications; supervisors and administrators
change them; a provider user sees and changes only the provider records it manages (any
other id is a 404). Certificates: supervisors read, administrators change, providers their
own. Other apps (referrals, reports, jobs) read providers only through this module.
"""

from __future__ import annotations

import hashlib
from datetime import date

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)

from familysupport.lib import dates
from familysupport.lib.access import ADMINISTRATOR, PROVIDER, STAFF, SUPERVISOR, get_visible_or_404
from familysupport.lib.qmatch import prefixed

from . import compliance
from .models import (
    ApiKey,
    Application,
    Attendance,
    Certificate,
    InsurancePolicy,
    License,
    NewsletterIssue,
    Provider,
    ProviderStatusChange,
    TrainingEvent,
    Transcript,
)

MANAGERS = frozenset({SUPERVISOR, ADMINISTRATOR})  # staff who change FAON records


def _role(user) -> str | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.role


def can_manage_faon(user) -> bool:
    return _role(user) in MANAGERS


# --- providers -------------------------------------------------------------------------


def provider_list_visible_to(*, user) -> QuerySet[Provider]:
    role = _role(user)
    if role in STAFF:
        return Provider.objects.all()
    if role == PROVIDER:
        return Provider.objects.filter(managers=user)
    return Provider.objects.none()


def _can_write_provider(user, provider: Provider) -> bool:
    role = _role(user)
    return role in MANAGERS or role == PROVIDER  # a provider only ever sees its own


def provider_get_for_user(*, user, pk: int, write: bool = False) -> Provider:
    return get_visible_or_404(
        provider_list_visible_to(user=user),
        pk=pk,
        write=write,
        can_write=lambda p: _can_write_provider(user, p),
    )


def provider_status_changes(*, provider: Provider) -> list[ProviderStatusChange]:
    """A provider's status history, oldest first (the caller has checked access to it).
    Read from the prefetched rows when the caller prefetched `status_changes`."""
    if "status_changes" in getattr(provider, "_prefetched_objects_cache", {}):
        return list(provider.status_changes.all())
    return list(provider.status_changes.select_related("by"))


def provider_manager_list(*, provider: Provider) -> QuerySet:
    """The users who manage a provider record (the caller has checked access to it)."""
    return provider.managers.order_by("full_name", "email")


def provider_for_manager(user) -> Provider | None:
    """The provider record a provider user manages (the first, if it manages several)."""
    if _role(user) != PROVIDER:
        return None
    return Provider.objects.filter(managers=user).order_by("pk").first()


def _current_license_exists(on: date) -> Exists:
    return Exists(License.objects.filter(compliance.license_current(on), provider=OuterRef("pk")))


def _current_insurance_exists(on: date) -> Exists:
    return Exists(
        InsurancePolicy.objects.filter(compliance.insurance_current(on), provider=OuterRef("pk"))
    )


def provider_list_credentials_current(*, on: date | None = None) -> QuerySet[Provider]:
    """Active members whose license (if required), insurance and contact details are current.

    This is the part of the compliance rule that can be judged on any day; the training
    rule is judged per membership year (see compliance.py) and enforced at year end.
    """
    on = on or dates.today()
    return (
        Provider.objects.filter(status=Provider.Status.ACTIVE)
        .filter(~compliance.NEEDS_LICENSE | _current_license_exists(on))
        .filter(~compliance.NEEDS_INSURANCE | _current_insurance_exists(on))
        .filter(compliance.details_current(on))
    )


def provider_list_offerable(*, on: date | None = None) -> QuerySet[Provider]:
    """Providers that may be offered for a referral today.

    Active, accepting referrals, and compliant now: license active and in good standing
    (licensed clinicians), insurance current (clinicians and clinician groups), contact
    details confirmed within 12 months.
    """
    return provider_list_credentials_current(on=on).filter(accepting_referrals=True)


def provider_list_directory(*, on: date | None = None) -> QuerySet[Provider]:
    """What the public-format (HSDS) directory shows: active members with current credentials."""
    return provider_list_credentials_current(on=on)


def provider_prefetch_compliance(
    qs: QuerySet[Provider], *, year: int, verifiers: bool = False
) -> QuerySet[Provider]:
    """Prefetch what compliance_for needs, so evaluating a page of providers is O(1) queries.
    `verifiers`: with the users who verified each licence and policy (the profile page)."""
    licenses, policies = License.objects.all(), InsurancePolicy.objects.all()
    if verifiers:
        licenses = licenses.select_related("verified_by")
        policies = policies.select_related("verified_by")
    return qs.prefetch_related(
        Prefetch("licenses", queryset=licenses),
        Prefetch("insurance_policies", queryset=policies),
        Prefetch(
            "attendances",
            queryset=Attendance.objects.select_related("event").filter(
                compliance.training_in_year(year)
            ),
        ),
    )


def compliance_for(provider: Provider, year: int) -> compliance.ComplianceResult:
    """Convenience re-export: `selectors.compliance_for(provider, year)`."""
    return compliance.compliance_for(provider, year)


# --- applications ----------------------------------------------------------------------


def confirm_token_hash(token: str) -> str:
    """SHA-256 of an applicant's e-mail confirmation token (only the hash is stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


def application_for_confirm_token(*, token: str) -> Application | None:
    """The application a confirmation link names; public, the unguessable token is the key."""
    return Application.objects.filter(confirm_token_hash=confirm_token_hash(token)).first()


def application_list_visible_to(*, user) -> QuerySet[Application]:
    if _role(user) not in STAFF:
        return Application.objects.none()
    return Application.objects.select_related("provider", "decided_by")


def application_list_for_vetting(*, user) -> QuerySet[Application]:
    """Confirmed applications still waiting for a decision."""
    return application_list_visible_to(user=user).filter(
        email_confirmed_at__isnull=False,
        provider__status__in=[Provider.Status.APPLIED, Provider.Status.UNDER_REVIEW],
    )


# --- licenses, insurance, attendance ----------------------------------------------------


def license_list_visible_to(*, user) -> QuerySet[License]:
    return License.objects.filter(provider__in=provider_list_visible_to(user=user))


def license_get_for_user(*, user, pk: int, write: bool = False) -> License:
    return get_visible_or_404(
        license_list_visible_to(user=user).select_related("provider"),
        pk=pk,
        write=write,
        can_write=lambda lic: _can_write_provider(user, lic.provider),
    )


def insurance_list_visible_to(*, user) -> QuerySet[InsurancePolicy]:
    return InsurancePolicy.objects.filter(provider__in=provider_list_visible_to(user=user))


def insurance_get_for_user(*, user, pk: int, write: bool = False) -> InsurancePolicy:
    return get_visible_or_404(
        insurance_list_visible_to(user=user).select_related("provider"),
        pk=pk,
        write=write,
        can_write=lambda pol: _can_write_provider(user, pol.provider),
    )


def attendance_list_visible_to(*, user) -> QuerySet[Attendance]:
    return Attendance.objects.filter(provider__in=provider_list_visible_to(user=user))


def attendance_get_for_user(*, user, pk: int, write: bool = False) -> Attendance:
    return get_visible_or_404(
        attendance_list_visible_to(user=user).select_related("provider", "event"),
        pk=pk,
        write=write,
        can_write=lambda a: _can_write_provider(user, a.provider),
    )


# --- trainings and events ---------------------------------------------------------------


def event_list_visible_to(*, user) -> QuerySet[TrainingEvent]:
    if _role(user) in STAFF or _role(user) == PROVIDER:
        return TrainingEvent.objects.all()
    return TrainingEvent.objects.none()


def event_get_for_user(*, user, pk: int, write: bool = False) -> TrainingEvent:
    return get_visible_or_404(
        event_list_visible_to(user=user),
        pk=pk,
        write=write,
        can_write=lambda _e: can_manage_faon(user),
    )


# --- certificates ----------------------------------------------------------------------


def certificate_list_visible_to(*, user) -> QuerySet[Certificate]:
    role = _role(user)
    if role in MANAGERS:
        return Certificate.objects.select_related("provider")
    if role == PROVIDER:
        return Certificate.objects.filter(provider__managers=user).select_related("provider")
    return Certificate.objects.none()


def certificate_get_for_user(*, user, pk: int, write: bool = False) -> Certificate:
    return get_visible_or_404(
        certificate_list_visible_to(user=user),
        pk=pk,
        write=write,
        can_write=lambda _c: _role(user) == ADMINISTRATOR,
    )


def certificate_verify(*, code: str) -> Certificate | None:
    """Public lookup by code, revoked ones included (the page says they are not valid)."""
    code = code.strip().upper()
    if not code:
        return None
    return Certificate.objects.filter(code=code).first()


def transcript_list_visible_to(*, user) -> QuerySet[Transcript]:
    """Managers see every member's transcripts; a member user only its own."""
    role = _role(user)
    if role in MANAGERS:
        return Transcript.objects.select_related("provider")
    if role == PROVIDER:
        return Transcript.objects.filter(provider__managers=user).select_related("provider")
    return Transcript.objects.none()


def transcript_get_for_user(*, user, pk: int) -> Transcript:
    return get_visible_or_404(transcript_list_visible_to(user=user), pk=pk)


def transcript_verify(*, code: str) -> Transcript | None:
    code = code.strip().upper()
    return Transcript.objects.filter(code=code).first() if code else None


def ce_credit_lines(*, provider: Provider, year: int) -> list[Attendance]:
    """Confirmed attendances completed in `year` (division time zone), in date order."""
    start, end = dates.year_bounds(year)
    return list(
        Attendance.objects.filter(
            provider=provider,
            confirmed_at__isnull=False,
            completed_at__gte=start,
            completed_at__lt=end,
        )
        .select_related("event")
        .order_by("completed_at", "pk")
    )


def newsletter_list_visible_to(*, user) -> QuerySet[NewsletterIssue]:
    """FAON managers see drafts too; other staff and members the archive of sent issues."""
    role = _role(user)
    if role in MANAGERS:
        return NewsletterIssue.objects.all()
    if role in STAFF or role == PROVIDER:
        return NewsletterIssue.objects.filter(sent_at__isnull=False)
    return NewsletterIssue.objects.none()


def newsletter_get_for_user(*, user, pk: int, write: bool = False) -> NewsletterIssue:
    return get_visible_or_404(
        newsletter_list_visible_to(user=user),
        pk=pk,
        write=write,
        can_write=lambda _i: _role(user) in MANAGERS,
    )


# --- API keys --------------------------------------------------------------------------


def api_key_list_visible_to(*, user) -> QuerySet[ApiKey]:
    if _role(user) != ADMINISTRATOR:
        return ApiKey.objects.none()
    return ApiKey.objects.select_related("created_by", "revoked_by")


def api_key_get_for_user(*, user, pk: int, write: bool = False) -> ApiKey:
    return get_visible_or_404(api_key_list_visible_to(user=user), pk=pk, write=write)


# --- compliance in SQL (dashboards, reports) ---------------------------------------------


def provider_annotate_compliance(qs: QuerySet[Provider], *, year: int) -> QuerySet[Provider]:
    """Annotate each provider with the yearly rule's parts, computed in the database.

    Same rule as compliance.compliance_for (which the tests hold it to): events_done,
    online_done, training_ok, license_ok, insurance_ok, details_ok, compliant.
    """
    on = compliance.assessment_date(year)
    done = prefixed(compliance.training_counted(year), "attendances__")
    online = prefixed(compliance.ONLINE, "attendances__")
    return (
        qs.annotate(
            events_done=Count("attendances", filter=done & ~online),
            online_done=Count("attendances", filter=done & online),
            license_ok=ExpressionWrapper(
                ~compliance.NEEDS_LICENSE | _current_license_exists(on),
                output_field=BooleanField(),
            ),
            insurance_ok=ExpressionWrapper(
                ~compliance.NEEDS_INSURANCE | _current_insurance_exists(on),
                output_field=BooleanField(),
            ),
            details_ok=ExpressionWrapper(
                compliance.details_current(on),
                output_field=BooleanField(),
            ),
        )
        .annotate(
            training_ok=ExpressionWrapper(compliance.TRAINING_MET, output_field=BooleanField()),
        )
        .annotate(
            compliant=ExpressionWrapper(
                Q(training_ok=True, license_ok=True, insurance_ok=True, details_ok=True),
                output_field=BooleanField(),
            )
        )
    )


# The members list's compliance filter values and the annotation each one tests.
COMPLIANCE_STATES = {
    "met": Q(compliant=True),
    "not_met": Q(compliant=False),
    "training": Q(training_ok=False),
    "license": Q(license_ok=False),
    "insurance": Q(insurance_ok=False),
    "details": Q(details_ok=False),
}


def provider_filter_compliance(qs: QuerySet[Provider], *, year: int, state: str):
    """Keep the providers of `qs` whose compliance for `year` is in `state`.

    Through `pk IN (subquery)`: the compliance rule is evaluated once, inside the
    subquery, while the outer query (its COUNT and its page) stays a plain provider query.
    """
    condition = COMPLIANCE_STATES[state]
    matching = provider_annotate_compliance(qs.order_by(), year=year).filter(condition)
    return qs.filter(pk__in=matching.values("pk"))


def provider_list_with_compliance(ids, *, year: int) -> list[Provider]:
    """The providers `ids` (a page's sliced id queryset or a list), annotated with their
    compliance for `year`, in name order: the rule is computed for these rows only."""
    qs = Provider.objects.filter(pk__in=ids)
    return list(provider_annotate_compliance(qs, year=year).order_by("name", "pk"))


def attendance_event_ids_for_provider(*, provider, event_ids) -> dict[int, bool]:
    """Which of these events the provider registered for, each → whether it attended
    (a completion recorded); one query for a page of events."""
    rows = Attendance.objects.filter(provider=provider, event__in=list(event_ids)).values_list(
        "event_id", "completed_at"
    )
    return {event_id: completed_at is not None for event_id, completed_at in rows}


def attendance_list_awaiting_confirmation(*, user) -> QuerySet[Attendance]:
    """Completions recorded by providers that staff have not confirmed yet, oldest first;
    only for the staff who confirm them."""
    if not can_manage_faon(user):
        return Attendance.objects.none()
    return (
        attendance_list_visible_to(user=user)
        .filter(completed_at__isnull=False, confirmed_at__isnull=True)
        .select_related("provider", "event")
        .order_by("completed_at", "pk")
    )
