"""Demo families, cases and three years of contacts. Made up with Faker: nothing real."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone
from faker import Faker

from familysupport.lib import audit

from . import privacy_demo
from .models import (
    Case,
    CaseAlert,
    Contact,
    Family,
    Person,
    Resource,
    ResourceFeedback,
    ResourceShare,
    Task,
)

SCALES = {"small": (200, 300, 3000), "full": (2000, 3000, 30000)}

CASE_TYPES = [
    (Case.Type.ENDANGERED_RUNAWAY, 38),
    (Case.Type.FAMILY_ABDUCTION, 14),
    (Case.Type.NONFAMILY_ABDUCTION, 2),
    (Case.Type.LOST_INJURED_MISSING, 5),
    (Case.Type.CSAM, 10),
    (Case.Type.ONLINE_ENTICEMENT, 16),
    (Case.Type.SEX_TRAFFICKING, 8),
    (Case.Type.RECOVERED_FOLLOW_UP, 7),
]
PURPOSES = [
    (Contact.Purpose.CRISIS_INTERVENTION, 18),
    (Contact.Purpose.EMOTIONAL_SUPPORT, 32),
    (Contact.Purpose.FOLLOW_UP, 30),
    (Contact.Purpose.PREVENTION_PLANNING, 8),
    (Contact.Purpose.REUNIFICATION_PLANNING, 7),
    (Contact.Purpose.OTHER, 5),
]
CHANNELS = [
    (Contact.Channel.PHONE, 70),
    (Contact.Channel.EMAIL, 12),
    (Contact.Channel.TEXT, 8),
    (Contact.Channel.VIDEO, 6),
    (Contact.Channel.IN_PERSON, 4),
]
NOTES = [
    "Parent described the last contact with the child and what has been done since.",
    "Talked through the next steps with law enforcement and how to keep a call log.",
    "Parent is exhausted and not sleeping; discussed support and self-care.",
    "Went over the family survival guide and what to expect from media interest.",
    "Planned who will answer the phone at home and how to share updates with relatives.",
    "Follow-up call: no new information; parent wants weekly check-ins.",
    "Discussed counselling options close to home and the referral process.",
]
AREA_CODES = ["212", "312", "415", "503", "614", "702", "808", "919", "305", "617"]
LANGUAGES = [("en", 82), ("es", 14), ("fr", 2), ("vi", 2)]
RESOURCES = [
    (
        "When your child is missing: a family survival guide",
        "Practical steps for the first days and weeks, written with families who lived it.",
        Resource.Kind.GUIDE,
    ),
    (
        "Reconnecting with your child after suspected exploitation",
        "How to rebuild trust and talk with your child, and where to find help.",
        Resource.Kind.GUIDE,
    ),
    (
        "Mental-health resources for parents",
        "Hotlines, therapy directories and support groups for parents and siblings.",
        Resource.Kind.MENTAL_HEALTH,
    ),
    (
        "Working with the media",
        "What to expect and how to keep control when journalists call.",
        Resource.Kind.GUIDE,
    ),
    (
        "Legal basics in family abduction cases",
        "Custody orders, reporting and the help an attorney can give.",
        Resource.Kind.LEGAL,
    ),
]


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def seed(*, scale: str, stdout, users: dict) -> None:
    _seed_cases(scale=scale, stdout=stdout, users=users)
    # One restricted case, one legal hold, a few families' safe-contact rules (idempotent).
    privacy_demo.seed(stdout=stdout, users=users)


def _places() -> list[dict]:
    import zipcodes  # offline data, as faon's demo uses

    return [z for z in zipcodes.list_all() if z["zip_code_type"] == "STANDARD" and z["active"]]


def _seed_cases(*, scale: str, stdout, users: dict) -> None:
    n_families, n_cases, n_contacts = SCALES.get(scale, SCALES["small"])
    if Case.objects.count() >= n_cases:
        stdout.write(f"cases: {Case.objects.count()} cases already there; nothing to add")
        return
    rng = random.Random(20260301)
    fake = Faker("en_US")
    fake.seed_instance(20260301)
    advocates = [u for u in (users.get("advocate"), users.get("advocate2@demo.example")) if u]
    supervisor = users.get("supervisor")
    caseworkers = advocates + ([supervisor] if supervisor else [])
    if not caseworkers:
        stdout.write("cases: no demo advocates; run the accounts seed first")
        return
    now = timezone.now()
    today = timezone.localdate()
    start = now - dt.timedelta(days=3 * 365)

    with audit.bulk_load(reason="demo"):
        resources = _resources(fake, supervisor)
        families = []
        # Real ZIPs with their own state and city (the coverage map places families by ZIP).
        places = _places()
        for i in range(n_families):
            place = rng.choice(places)
            last = fake.last_name()
            first = fake.first_name()
            families.append(
                Family(
                    display_name=f"{last} family",
                    contact_name=f"{first} {last}",
                    contact_first_name=first,
                    phone=f"+1{rng.choice(AREA_CODES)}55501{i % 100:02d}",
                    email=f"{first}.{last}{i}@example.org".lower(),
                    city=place["city"].title(),
                    state=place["state"],
                    zip_code=place["zip_code"],
                    preferred_language=_pick(rng, LANGUAGES),
                    consent_share_with_providers=rng.random() < 0.7,
                    consent_team_hope_contact=rng.random() < 0.5,
                    consent_mail=rng.random() < 0.6,
                    created_at=start + dt.timedelta(days=rng.randint(0, 3 * 365 - 1)),
                )
            )
        families = Family.objects.bulk_create(families)

        people: list[Person] = []
        children_by_family: dict[int, list[Person]] = {}
        for family in families:
            people.append(
                Person(
                    family=family,
                    role=Person.Role.PARENT,
                    first_name=family.contact_first_name,
                    last_name=family.display_name.removesuffix(" family"),
                )
            )
            for _ in range(rng.choice([1, 1, 1, 2])):
                child = Person(
                    family=family,
                    role=Person.Role.CHILD,
                    first_name=fake.first_name(),
                    last_name=family.display_name.removesuffix(" family"),
                    date_of_birth=None
                    if rng.random() < 0.1
                    else today - dt.timedelta(days=rng.randint(8 * 365, 17 * 365)),
                    is_child_of_concern=True,
                )
                people.append(child)
                children_by_family.setdefault(id(family), []).append(child)
        Person.objects.bulk_create(people)

        cases = []
        case_family = []
        for i in range(n_cases):
            family = families[i] if i < len(families) else rng.choice(families)
            opened = start + dt.timedelta(
                seconds=rng.randint(0, int((now - start).total_seconds()))
            )
            age_days = (now - opened).days
            closed_p = min(0.85, age_days / 700)
            roll = rng.random()
            if roll < closed_p:
                status = Case.Status.CLOSED
            elif roll < closed_p + 0.1:
                status = Case.Status.ON_HOLD
            else:
                status = rng.choice([Case.Status.OPEN, Case.Status.ACTIVE, Case.Status.ACTIVE])
            closed_at = None
            if status == Case.Status.CLOSED:
                closed_at = min(now, opened + dt.timedelta(days=rng.randint(14, 400)))
            cases.append(
                Case(
                    family=family,
                    case_type=_pick(rng, CASE_TYPES),
                    status=status,
                    status_reason={
                        Case.Status.CLOSED: "Child recovered; family no longer needs support",
                        Case.Status.ON_HOLD: "Family asked for a pause",
                    }.get(status, ""),
                    assigned_advocate=rng.choice(advocates)
                    if rng.random() < 0.9
                    else rng.choice(caseworkers),
                    risk_level=_pick(
                        rng,
                        [
                            (Case.Risk.LOW, 40),
                            (Case.Risk.MODERATE, 35),
                            (Case.Risk.HIGH, 20),
                            (Case.Risk.CRITICAL, 5),
                        ],
                    ),
                    external_case_number=f"DEMO-{opened:%y}-{i + 1:05d}"
                    if rng.random() < 0.6
                    else None,
                    needs=[],
                    opened_at=opened,
                    closed_at=closed_at,
                    created_at=opened,
                )
            )
            case_family.append(family)
        cases = Case.objects.bulk_create(cases)
        Through = Case.children.through
        Through.objects.bulk_create(
            [
                Through(case_id=case.pk, person_id=child.pk)
                for case, family in zip(cases, case_family, strict=True)
                for child in children_by_family.get(id(family), [])[:1]
            ]
        )

        # Contacts: a few cases get many calls, most get a handful (a long tail).
        weights = [rng.paretovariate(1.6) for _ in cases]
        total = sum(weights)
        contacts: list[Contact] = []
        alerts: list[CaseAlert] = []
        needs_by_case: dict[int, set[str]] = {}
        for case, weight in zip(cases, weights, strict=True):
            count = max(1, round(n_contacts * weight / total))
            end = case.closed_at or now
            span = max(60, int((end - case.opened_at).total_seconds()))
            for k in range(count):
                started = case.opened_at + dt.timedelta(
                    seconds=0 if k == 0 else rng.randint(0, span)
                )
                purpose = Contact.Purpose.CRISIS_INTERVENTION if k == 0 else _pick(rng, PURPOSES)
                risk = rng.random() < 0.03
                needs = rng.sample(Contact.Need.values, k=rng.choice([0, 0, 1, 1, 2]))
                needs_by_case.setdefault(case.pk, set()).update(needs)
                contact = Contact(
                    case=case,
                    advocate=case.assigned_advocate or rng.choice(advocates),
                    started_at=started,
                    duration_minutes=rng.choice([5, 10, 15, 20, 25, 30, 45, 60, 90]),
                    direction=Contact.Direction.INBOUND
                    if k == 0 or rng.random() < 0.45
                    else Contact.Direction.OUTBOUND,
                    channel=_pick(rng, CHANNELS),
                    participants=rng.choice(["Mother", "Father", "Both parents", "Grandmother"]),
                    purpose=purpose,
                    safety_concern=risk,
                    self_harm_risk=risk and rng.random() < 0.3,
                    safety_note="Safety plan reviewed; parent agreed to call back tonight."
                    if risk
                    else "",
                    needs=needs,
                    notes=rng.choice(NOTES),
                    created_at=started,
                )
                contacts.append(contact)
        contacts = Contact.objects.bulk_create(contacts, batch_size=2000)
        for contact in contacts:
            if contact.safety_concern and (now - contact.started_at).days < 60:
                alerts.append(
                    CaseAlert(
                        case=contact.case,
                        contact=contact,
                        kinds=["safety_concern"]
                        + (["self_harm"] if contact.self_harm_risk else []),
                        raised_by=contact.advocate,
                        raised_at=contact.started_at,
                    )
                )
        CaseAlert.objects.bulk_create(alerts)
        for case in cases:
            case.needs = sorted(needs_by_case.get(case.pk, ()))
        Case.objects.bulk_update(cases, ["needs"], batch_size=1000)

        tasks = []
        for case in cases:
            if case.status == Case.Status.CLOSED or not case.assigned_advocate:
                continue
            for _ in range(rng.choice([0, 1, 1, 2])):
                tasks.append(
                    Task(
                        case=case,
                        owner=case.assigned_advocate,
                        title=rng.choice(
                            [
                                "Weekly check-in call",
                                "Send the family survival guide",
                                "Confirm counselling referral",
                                "Call back about media request",
                            ]
                        ),
                        due_on=today + dt.timedelta(days=rng.randint(-10, 21)),
                    )
                )
        Task.objects.bulk_create(tasks)

        shares = []
        for case in rng.sample(cases, k=min(len(cases), n_cases // 3)):
            resource = rng.choice(resources)
            shares.append(
                ResourceShare(
                    resource=resource,
                    family=case.family,
                    case=case,
                    shared_by=case.assigned_advocate or rng.choice(advocates),
                    shared_at=case.opened_at + dt.timedelta(days=rng.randint(0, 20)),
                    emailed=case.family.consent_mail,
                )
            )
        ResourceShare.objects.bulk_create(shares)
        ResourceFeedback.objects.bulk_create(
            [
                ResourceFeedback(
                    resource=rng.choice(resources),
                    helpful=rng.choice([3, 4, 4, 5, 5, 5, 2]),
                    easy_to_understand=rng.choice([True, True, True, False, None]),
                    would_recommend=rng.choice([True, True, False, None]),
                    comment=rng.choice(["", "", "", "Clear and kind.", "Wish I had it sooner."]),
                    created_on=today - dt.timedelta(days=rng.randint(0, 700)),
                )
                for _ in range(len(shares) // 2)
            ]
        )
    stdout.write(
        f"cases: {len(families)} families, {len(cases)} cases, {len(contacts)} contacts, "
        f"{len(tasks)} tasks, {len(alerts)} open alerts"
    )


def _resources(fake: Faker, supervisor) -> list[Resource]:
    existing = list(Resource.objects.all())
    if existing:
        return existing
    return Resource.objects.bulk_create(
        [
            Resource(
                title=title,
                summary=summary,
                kind=kind,
                url=f"https://resources.example.org/{i + 1}",
                created_by=supervisor,
            )
            for i, (title, summary, kind) in enumerate(RESOURCES)
        ]
    )
