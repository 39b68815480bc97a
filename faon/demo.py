"""Demo FAON network: ~300 made-up providers at real US ZIP codes, with credentials,
trainings and events over two years. Idempotent: a second run adds nothing."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from faker import Faker

from familysupport.lib import audit, dates

from .models import (
    LICENSED_DISCIPLINES,
    Application,
    Attendance,
    Discipline,
    FeeArrangement,
    InsurancePolicy,
    Language,
    License,
    Provider,
    ProviderStatusChange,
    ServiceMode,
    Specialty,
    TrainingEvent,
    Verification,
)

DEMO_DOMAIN = "faon-demo.example"
S = Provider.Status
STATUS_MIX = [
    (S.ACTIVE, 75),
    (S.APPLIED, 5),
    (S.UNDER_REVIEW, 4),
    (S.SUSPENDED, 4),
    (S.LAPSED, 6),
    (S.WITHDRAWN, 3),
    (S.REJECTED, 3),
]
LICENSE_TYPES = {
    Discipline.THERAPIST: "LPC",
    Discipline.PSYCHOLOGIST: "Psychologist",
    Discipline.PSYCHIATRIST: "MD",
    Discipline.SOCIAL_WORKER: "LCSW",
    Discipline.ATTORNEY: "Bar admission",
}
PLANS = ["Aetna", "BlueCross BlueShield", "Cigna", "Medicaid", "Tricare", "UnitedHealthcare"]


def _zips(rng: random.Random, n: int) -> list[dict]:
    import zipcodes

    standard = [z for z in zipcodes.list_all() if z["zip_code_type"] == "STANDARD" and z["active"]]
    return rng.sample(standard, n)


def _events(rng: random.Random, tz, this_year: int, by) -> list[TrainingEvent]:
    existing = list(TrainingEvent.objects.filter(title__startswith="[Demo]"))
    if existing:
        return existing
    events = []
    for year in (this_year - 1, this_year):
        for month in (2, 5, 8, 11):
            events.append(
                TrainingEvent(
                    kind=TrainingEvent.Kind.ONLINE,
                    title=f"[Demo] CONNECT online training {year}-{month:02d}",
                    description="Self-paced training on trauma-informed care for families.",
                    starts_at=datetime(year, month, 1, 9, tzinfo=tz),
                    online_url="https://connect.example/training",
                    ce_credits=2,
                    created_by=by,
                )
            )
        for month in (3, 9):
            events.append(
                TrainingEvent(
                    kind=TrainingEvent.Kind.NETWORKING,
                    title=f"[Demo] FAON online networking {year}-{month:02d}",
                    starts_at=datetime(year, month, 15, 13, tzinfo=tz),
                    ends_at=datetime(year, month, 15, 14, 30, tzinfo=tz),
                    online_url="https://meet.example/faon",
                    capacity=200,
                    created_by=by,
                )
            )
        events.append(
            TrainingEvent(
                kind=TrainingEvent.Kind.TRAINING,
                title=f"[Demo] FAON training: sextortion and families {year}",
                starts_at=datetime(year, 6, 10, 10, tzinfo=tz),
                ends_at=datetime(year, 6, 10, 16, tzinfo=tz),
                location="Alexandria, VA and online",
                ce_credits=5,
                capacity=120,
                created_by=by,
            )
        )
    events.append(
        TrainingEvent(
            kind=TrainingEvent.Kind.MULTI_DAY,
            title=f"[Demo] FAON biennial multi-day training {this_year - 1}",
            description="Survivor voices and the state of missing and exploited children's issues.",
            starts_at=datetime(this_year - 1, 10, 7, 9, tzinfo=tz),
            ends_at=datetime(this_year - 1, 10, 9, 17, tzinfo=tz),
            location="Arlington, VA",
            ce_credits=18,
            capacity=250,
            created_by=by,
        )
    )
    TrainingEvent.objects.bulk_create(events)
    return list(TrainingEvent.objects.filter(title__startswith="[Demo]"))


def seed(*, scale: str, stdout, users: dict) -> None:
    if Provider.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exists():
        stdout.write("faon: demo providers already present")
        return
    count = 40 if scale == "small" else 300
    with transaction.atomic(), audit.bulk_load(reason="demo"):
        _seed(count=count, users=users)
    stdout.write(f"faon: {count} demo providers")


def _seed(*, count: int, users: dict) -> None:
    rng = random.Random(4242)
    fake = Faker("en_US")
    fake.seed_instance(4242)
    tz = dates.division_tz()
    now = timezone.now()
    today = dates.today()
    this_year = today.year
    staff = users.get("supervisor")
    events = _events(rng, tz, this_year, staff)
    zips = _zips(rng, count)
    statuses = [s for s, w in STATUS_MIX for _ in range(w)]
    licensed = list(LICENSED_DISCIPLINES)

    providers = []
    for i, z in enumerate(zips):
        is_org = i != 0 and rng.random() < 0.2
        if is_org:
            disciplines = rng.sample(
                [Discipline.SUPPORT_ORGANISATION, Discipline.THERAPIST, Discipline.SOCIAL_WORKER], 2
            )
        else:
            disciplines = [rng.choice(licensed)]
        modes = rng.choice(
            [[ServiceMode.IN_PERSON], [ServiceMode.TELEHEALTH], list(ServiceMode.values)]
        )
        fees = rng.sample(list(FeeArrangement.values), rng.randint(1, 3))
        status = S.ACTIVE if i == 0 else rng.choice(statuses)
        applied = now - timedelta(days=rng.randint(30, 1500))
        person = fake.name()
        name = fake.company() + " Family Services" if is_org else person
        p = Provider(
            kind=Provider.Kind.ORGANISATION if is_org else Provider.Kind.INDIVIDUAL,
            name=name,
            credentials="" if is_org else LICENSE_TYPES.get(disciplines[0], ""),
            organisation_name="" if is_org else (fake.company() if rng.random() < 0.4 else ""),
            contact_name=person if is_org else "",
            description=fake.sentence(nb_words=14),
            disciplines=disciplines,
            specialties=rng.sample(list(Specialty.values), rng.randint(1, 4)),
            languages=[
                "en",
                *rng.sample([v for v in Language.values if v != "en"], rng.choice([0, 0, 1, 2])),
            ],
            service_modes=modes,
            telehealth_states=sorted(
                {z["state"], *rng.sample(["VA", "MD", "DC", "NY", "CA", "TX", "FL"], 2)}
            )
            if ServiceMode.TELEHEALTH in modes
            else [],
            fee_arrangements=fees,
            insurance_plans=rng.sample(PLANS, 2) if FeeArrangement.INSURANCE in fees else [],
            age_min=rng.choice([0, 3, 5, 12]),
            age_max=rng.choice([17, 21, 99]),
            address_line=fake.street_address(),
            city=z["city"].title(),
            state=z["state"],
            zip_code=z["zip_code"],
            latitude=float(z["lat"]),
            longitude=float(z["long"]),
            service_radius_miles=rng.choice([10, 25, 50, 100]),
            capacity=rng.randint(0, 6),
            accepting_referrals=rng.random() < 0.85,
            email=f"provider{i:04d}@{DEMO_DOMAIN}",
            phone=f"+1202555{i:04d}",
            details_confirmed_at=now - timedelta(days=rng.randint(0, 420)),
            newsletter_opt_in=rng.random() < 0.7,
            expert_projects_opt_in=rng.random() < 0.3,
            travel_assistance_opt_in=rng.random() < 0.15,
            status=status,
            status_changed_at=applied,
            applied_at=applied,
            created_at=applied,
        )
        if status not in (S.APPLIED, S.UNDER_REVIEW, S.REJECTED):
            p.activated_at = applied + timedelta(days=rng.randint(7, 40))
        stamp = {
            S.UNDER_REVIEW: "review_started_at",
            S.SUSPENDED: "suspended_at",
            S.LAPSED: "lapsed_at",
            S.WITHDRAWN: "withdrawn_at",
            S.REJECTED: "rejected_at",
        }.get(status)
        if stamp:
            setattr(p, stamp, now - timedelta(days=rng.randint(1, 20)))
        providers.append(p)
    if users.get("provider") is not None:
        first = providers[0]
        first.details_confirmed_at = now - timedelta(days=30)
        first.accepting_referrals, first.capacity = True, 3
    Provider.objects.bulk_create(providers)
    providers = list(Provider.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").order_by("email"))
    if users.get("provider") is not None:
        providers[0].managers.add(users["provider"])

    changes, licenses, policies, applications, attendances = [], [], [], [], []
    online = [e for e in events if e.kind == TrainingEvent.Kind.ONLINE]
    in_person = [e for e in events if e.kind != TrainingEvent.Kind.ONLINE]
    for i, p in enumerate(providers):
        changes.append(ProviderStatusChange(provider=p, to_status=S.APPLIED, at=p.applied_at))
        if p.activated_at:
            changes.append(
                ProviderStatusChange(
                    provider=p,
                    from_status=S.APPLIED,
                    to_status=S.ACTIVE,
                    at=p.activated_at,
                    by=staff,
                )
            )
        if p.status not in (S.ACTIVE, S.APPLIED):
            changes.append(
                ProviderStatusChange(
                    provider=p,
                    from_status=S.ACTIVE if p.activated_at else S.APPLIED,
                    to_status=p.status,
                    at=now - timedelta(days=5),
                    by=staff,
                    note="Demo status change",
                )
            )
        pending = p.status in (S.APPLIED, S.UNDER_REVIEW)
        if p.requires_license:
            # A spread of expiries: some lapsed, many in the 60/30/7-day reminder windows.
            days = 400 if i == 0 else rng.choice([-20, 5, 25, 55, 120, 300, 500, 700])
            disciplinary = i != 0 and rng.random() < 0.03
            licenses.append(
                License(
                    provider=p,
                    license_type=LICENSE_TYPES.get(p.disciplines[0], "License"),
                    state=p.state,
                    number=f"{rng.randint(10**6, 10**7 - 1)}",
                    expires_on=today + timedelta(days=days),
                    standing=License.Standing.DISCIPLINARY
                    if disciplinary
                    else License.Standing.GOOD,
                    verification=Verification.PENDING if pending else Verification.VERIFIED,
                    verification_source="" if pending else License.Source.STATE_BOARD,
                    verification_note="Board consent order 2019 (demo)" if disciplinary else "",
                    verified_by=None if pending else staff,
                    verified_at=None if pending else p.activated_at or now,
                )
            )
        if p.requires_insurance:
            days = 300 if i == 0 else rng.choice([-10, 6, 28, 58, 150, 330])
            policies.append(
                InsurancePolicy(
                    provider=p,
                    carrier=rng.choice(["Example Mutual", "Demo Liability Co", "Sample Assurance"]),
                    policy_number=f"PL-{rng.randint(10**5, 10**6 - 1)}",
                    covers_from=today + timedelta(days=days - 365),
                    covers_to=today + timedelta(days=days),
                    verification=Verification.PENDING if pending else Verification.VERIFIED,
                    verified_by=None if pending else staff,
                    verified_at=None if pending else p.activated_at or now,
                )
            )
        if p.status in (S.APPLIED, S.UNDER_REVIEW, S.REJECTED):
            applications.append(
                Application(
                    provider=p,
                    applicant_name=p.contact_name or p.name,
                    applicant_email=p.email,
                    references="Two colleagues (demo): A. Example, B. Example",
                    submitted_at=p.applied_at,
                    email_confirmed_at=p.applied_at + timedelta(hours=2),
                )
            )
            continue
        for year in (this_year - 1, this_year):
            start, end = dates.year_bounds(year)
            pattern = 0 if i == 0 else rng.choice([0, 1, 1, 2, 3])
            chosen: list[TrainingEvent] = []
            if pattern == 0:
                chosen = [rng.choice([e for e in in_person if start <= e.starts_at < end])]
            elif pattern == 1:
                chosen = rng.sample([e for e in online if start <= e.starts_at < end], 2)
            elif pattern == 2:
                chosen = rng.sample([e for e in online if start <= e.starts_at < end], 1)
            for e in chosen:
                done = (e.ends_at or e.starts_at) + timedelta(days=rng.randint(0, 20))
                if done > now:
                    attendances.append(
                        Attendance(
                            provider=p, event=e, registered_at=e.starts_at - timedelta(days=10)
                        )
                    )
                    continue
                confirmed = i == 0 or rng.random() < 0.9
                attendances.append(
                    Attendance(
                        provider=p,
                        event=e,
                        registered_at=e.starts_at - timedelta(days=10),
                        completed_at=done,
                        confirmed_at=done + timedelta(days=2) if confirmed else None,
                        confirmed_by=staff if confirmed else None,
                    )
                )
    ProviderStatusChange.objects.bulk_create(changes)
    License.objects.bulk_create(licenses)
    InsurancePolicy.objects.bulk_create(policies)
    Application.objects.bulk_create(applications)
    Attendance.objects.bulk_create(attendances, ignore_conflicts=True)
