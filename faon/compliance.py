"""The yearly FAON compliance rule: one function used by pages, jobs and reports.

Membership year = the calendar year in the division's time zone (settings.TIME_ZONE,
America/New_York): a training completed at 23:30 on 31 December in New York counts for
that year even though it is already 1 January in UTC.

A provider meets the year when, as of the assessment date (today for the current year,
31 December for a past year):
- training: >= 1 FAON event (training, networking or multi-day) attended, OR >= 2 online
  (CONNECT) trainings completed, within the membership year, each confirmed by staff;
- license: licensed clinicians (individuals in a licensed discipline) hold a verified
  license in good standing that has not expired;
- insurance: licensed clinicians and clinician groups (any member in a licensed discipline)
  hold a verified professional-liability policy covering the assessment date;
- contact details: confirmed by the provider within the 12 months before that date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace

from django.db.models import Q
from django.utils import timezone

from familysupport.lib import dates
from familysupport.lib.qmatch import holds

from .models import (
    LICENSED_DISCIPLINES,
    Attendance,
    InsurancePolicy,
    License,
    Provider,
    TrainingEvent,
    Verification,
)

EVENTS_REQUIRED = 1
ONLINE_TRAININGS_REQUIRED = 2
DETAILS_VALID_MONTHS = 12

# --- the rule, written once -------------------------------------------------------------
# Each condition is a `Q`: faon/selectors.py filters and annotates with it in SQL, and this
# module checks loaded rows with it in Python (familysupport.lib.qmatch.holds), so the
# members list's filter and a provider's page cannot disagree (tests/faon/
# test_compliance_agrees.py generates providers and holds the two to each other).

_LICENSED = sorted(LICENSED_DISCIPLINES)
NEEDS_LICENSE = Q(kind=Provider.Kind.INDIVIDUAL, disciplines__overlap=_LICENSED)  # Provider
NEEDS_INSURANCE = Q(disciplines__overlap=_LICENSED)  # Provider
ONLINE = Q(event__kind=TrainingEvent.Kind.ONLINE)  # Attendance
# On the counts of confirmed attendances in the year (see training_counted).
TRAINING_MET = Q(events_done__gte=EVENTS_REQUIRED) | Q(online_done__gte=ONLINE_TRAININGS_REQUIRED)


def license_current(on: date) -> Q:  # License
    return Q(verification=Verification.VERIFIED, standing=License.Standing.GOOD, expires_on__gte=on)


def insurance_current(on: date) -> Q:  # InsurancePolicy
    return Q(verification=Verification.VERIFIED, covers_to__gte=on) & (
        Q(covers_from__isnull=True) | Q(covers_from__lte=on)
    )


def details_current(on: date) -> Q:  # Provider; never-confirmed is False in SQL too, not NULL
    return Q(
        details_confirmed_at__isnull=False,
        details_confirmed_at__gte=details_confirmation_cutoff(on),
    )


def training_in_year(year: int) -> Q:  # Attendance
    start, end = dates.year_bounds(year)
    return Q(completed_at__gte=start, completed_at__lt=end)


def training_counted(year: int) -> Q:  # Attendance: completed in the year, confirmed by staff
    return training_in_year(year) & Q(confirmed_at__isnull=False)


def current_membership_year() -> int:
    return dates.today().year


def assessment_date(year: int) -> date:
    """Today for the current year, 31 December for a past year, 1 January for a future one."""
    now = dates.today()
    if year < now.year:
        return date(year, 12, 31)
    if year > now.year:
        return date(year, 1, 1)
    return now


def details_due_on(confirmed_at: datetime | None) -> date | None:
    """The last day the confirmation still counts."""
    if confirmed_at is None:
        return None
    confirmed = timezone.localtime(confirmed_at, dates.division_tz()).date()
    return dates.add_months(confirmed, DETAILS_VALID_MONTHS)


@dataclass(frozen=True)
class Requirement:
    key: str  # training | license | insurance | details
    label: str
    met: bool
    detail: str


@dataclass(frozen=True)
class ComplianceResult:
    provider_id: int
    year: int
    as_of: date
    requirements: list[Requirement] = field(default_factory=list)
    events_attended: int = 0
    online_completed: int = 0
    pending_confirmation: int = 0

    @property
    def met(self) -> bool:
        return all(r.met for r in self.requirements)

    @property
    def missing(self) -> list[str]:
        return [r.detail for r in self.requirements if not r.met]

    @property
    def missing_keys(self) -> list[str]:
        return [r.key for r in self.requirements if not r.met]

    def as_json(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "met": self.met,
            "events_attended": self.events_attended,
            "online_completed": self.online_completed,
            "requirements": [
                {"key": r.key, "met": r.met, "detail": r.detail} for r in self.requirements
            ],
        }


def _training(attendances: list[Attendance], year: int) -> tuple[Requirement, int, int, int]:
    in_year, counted = training_in_year(year), training_counted(year)
    events = online = pending = 0
    for a in attendances:
        if not holds(in_year, a):
            continue
        if not holds(counted, a):
            pending += 1
        elif holds(ONLINE, a):
            online += 1
        else:
            events += 1
    met = holds(TRAINING_MET, SimpleNamespace(events_done=events, online_done=online))
    if met:
        detail = (
            f"{events} FAON event(s) attended"
            if events >= EVENTS_REQUIRED
            else f"{online} online trainings completed"
        )
    else:
        detail = (
            f"Training: attend 1 FAON event or complete {ONLINE_TRAININGS_REQUIRED - online} more "
            f"online training(s) in {year} ({online} of {ONLINE_TRAININGS_REQUIRED} done)"
        )
        if pending:
            detail += f"; {pending} completion(s) awaiting staff confirmation"
    label = "1 FAON event attended or 2 online trainings completed"
    return Requirement("training", label, met, detail), events, online, pending


def _license(provider: Provider, licenses: list[License], on: date) -> Requirement:
    label = "License active and in good standing"
    if not provider.requires_license:
        return Requirement("license", label, True, "No license required for this kind of member")
    if any(holds(license_current(on), lic) for lic in licenses):
        return Requirement("license", label, True, "Verified license in good standing")
    if not licenses:
        reason = "no license on file"
    elif any(
        lic.standing == License.Standing.DISCIPLINARY and lic.expires_on >= on for lic in licenses
    ):
        reason = "the license on file shows disciplinary action"
    elif all(lic.expires_on < on for lic in licenses):
        latest = max(lic.expires_on for lic in licenses)
        reason = f"license expired on {latest:%Y-%m-%d}"
    elif any(lic.verification == Verification.PENDING for lic in licenses):
        reason = "the license is awaiting verification by staff"
    else:
        reason = "the license could not be verified"
    return Requirement("license", label, False, f"License: {reason}")


def _insurance(provider: Provider, policies: list[InsurancePolicy], on: date) -> Requirement:
    label = "Professional liability insurance current"
    if not provider.requires_insurance:
        return Requirement(
            "insurance", label, True, "No insurance required for this kind of member"
        )
    if any(holds(insurance_current(on), p) for p in policies):
        return Requirement("insurance", label, True, "Verified insurance covers today")
    if not policies:
        reason = "no insurance policy on file"
    elif all(p.covers_to < on for p in policies):
        latest = max(p.covers_to for p in policies)
        reason = f"insurance ended on {latest:%Y-%m-%d}"
    elif any(p.verification == Verification.PENDING for p in policies):
        reason = "the policy is awaiting verification by staff"
    else:
        reason = "the policy could not be verified"
    return Requirement("insurance", label, False, f"Insurance: {reason}")


def _details(provider: Provider, on: date) -> Requirement:
    label = "Contact details confirmed within 12 months"
    due = details_due_on(provider.details_confirmed_at)
    if holds(details_current(on), provider):
        return Requirement(
            "details", label, True, f"Confirmed; next confirmation by {due or on:%Y-%m-%d}"
        )
    if due is None:
        return Requirement("details", label, False, "Contact details: never confirmed")
    return Requirement(
        "details", label, False, f"Contact details: last confirmation expired on {due:%Y-%m-%d}"
    )


def _prefetched(provider: Provider, name: str):
    cache = getattr(provider, "_prefetched_objects_cache", {})
    return list(cache[name]) if name in cache else None


def compliance_for(provider: Provider, year: int, *, as_of: date | None = None) -> ComplianceResult:
    """Evaluate one provider for one membership year (uses prefetched relations if present).

    To evaluate many providers without per-row queries, pass a queryset through
    `selectors.provider_prefetch_compliance(...)` first.
    """
    on = as_of or assessment_date(year)
    licenses = _prefetched(provider, "licenses")
    if licenses is None:
        licenses = list(provider.licenses.all())
    policies = _prefetched(provider, "insurance_policies")
    if policies is None:
        policies = list(provider.insurance_policies.all())
    attendances = _prefetched(provider, "attendances")
    if attendances is None:
        attendances = list(
            provider.attendances.select_related("event").filter(training_in_year(year))
        )
    training, events, online, pending = _training(attendances, year)
    return ComplianceResult(
        provider_id=provider.pk,
        year=year,
        as_of=on,
        requirements=[
            training,
            _license(provider, licenses, on),
            _insurance(provider, policies, on),
            _details(provider, on),
        ],
        events_attended=events,
        online_completed=online,
        pending_confirmation=pending,
    )


def details_confirmation_cutoff(on: date) -> datetime:
    """Confirmations at or after this instant are still within 12 months of `on`."""
    earliest_day = dates.add_months(on, -DETAILS_VALID_MONTHS)
    return datetime.combine(earliest_day, datetime.min.time(), tzinfo=dates.division_tz())
