"""Demo travel requests on existing demo cases: a few dozen across states and statuses.

Idempotent: tops up to the target count; guidelines come from the migration and a budget
is set for this year and last year if missing. Fake data only; no cases → no requests.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from cases.models import Case
from familysupport.lib import audit

from .models import ChecklistItem, PovertyGuideline, Segment, TravelBudget, TravelRequest

TARGET = {"small": 36, "full": 120}
S = TravelRequest.Status
STATUS_WEIGHTS = [
    (S.DRAFT, 3),
    (S.SUBMITTED, 4),
    (S.UNDER_REVIEW, 3),
    (S.APPROVED, 4),
    (S.DENIED, 3),
    (S.BOOKED, 4),
    (S.COMPLETED, 10),
    (S.CANCELLED, 2),
]
DOMESTIC = [
    ("Phoenix", "AZ"),
    ("Sacramento", "CA"),
    ("Denver", "CO"),
    ("Orlando", "FL"),
    ("Atlanta", "GA"),
    ("Chicago", "IL"),
    ("Louisville", "KY"),
    ("Baltimore", "MD"),
    ("Detroit", "MI"),
    ("Las Vegas", "NV"),
    ("Albuquerque", "NM"),
    ("Charlotte", "NC"),
    ("Columbus", "OH"),
    ("Portland", "OR"),
    ("Nashville", "TN"),
    ("El Paso", "TX"),
    ("Houston", "TX"),
    ("Seattle", "WA"),
]
ABROAD = [("Monterrey", "NL", "MX"), ("Toronto", "ON", "CA"), ("Manila", "", "PH")]
CARRIERS = {
    "flight": ["Demo Air", "Example Airlines", "Sample Jet"],
    "train": ["Demo Rail"],
    "bus": ["Example Coach Lines"],
    "lodging": ["Demo Inn", "Sample Suites"],
    "ground": ["Example Taxi", "Demo Shuttle"],
}
DENIALS = [
    "Travel is covered by the state victim compensation fund.",
    "Household income is well above the division's threshold; other resources identified.",
]
CANCELS = ["The child was returned by law enforcement escort.", "Family postponed the trip."]


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def seed(*, scale: str, stdout, users: dict) -> None:
    target = TARGET.get(scale, TARGET["small"])
    have = TravelRequest.objects.count()
    year = timezone.localdate().year
    supervisor = users.get("supervisor")
    admin = users.get("administrator")
    for y, amount in ((year - 1, "60000.00"), (year, "75000.00")):
        if not TravelBudget.objects.filter(year=y).exists():
            TravelBudget(year=y, amount=Decimal(amount), set_by=admin).save()
    if not PovertyGuideline.objects.exists():
        stdout.write("reunification: no poverty guidelines (migration 0002 not applied?)")
    if have >= target:
        stdout.write(f"reunification: {have} travel requests already there; nothing to add")
        return
    requesters = [u for u in (users.get("advocate"), users.get("advocate2@demo.example")) if u]
    if supervisor is None or not requesters:
        stdout.write("reunification: demo users missing; run the accounts seed first")
        return
    cases = list(
        Case.objects.filter(case_type=Case.Type.RECOVERED_FOLLOW_UP)
        .select_related("family")
        .prefetch_related("family__members")[: target * 2]
    ) or list(Case.objects.select_related("family").prefetch_related("family__members")[:target])
    if not cases:
        stdout.write("reunification: no demo cases; no travel requests created")
        return

    rng = random.Random(7007)
    now = timezone.now()
    statuses, weights = zip(*STATUS_WEIGHTS, strict=True)
    made = 0
    with audit.bulk_load(reason="demo"):
        for i in range(target - have):
            case = cases[(have + i) % len(cases)]
            status = rng.choices(statuses, weights=weights)[0]
            abroad = rng.random() < 0.15
            if abroad:
                city, state, country = rng.choice(ABROAD)
            else:
                (city, state), country = rng.choice(DOMESTIC), "US"
            created = now - dt.timedelta(days=rng.randint(5, 400), hours=rng.randint(0, 20))
            depart = timezone.localdate(created) + dt.timedelta(days=rng.randint(10, 40))
            household = rng.randint(1, 7)
            income = _money(rng, 9000, 26000) * Decimal(household) / 2
            tr = TravelRequest(
                case=case,
                requested_by=rng.choice(requesters),
                destination_city=city,
                destination_state=state,
                destination_country=country,
                is_international=abroad,
                passport_visa_notes="Mother's passport expires soon; renewal started."
                if abroad
                else "",
                depart_on=depart,
                return_on=depart + dt.timedelta(days=rng.randint(2, 7)),
                purpose=TravelRequest.Purpose.INITIAL
                if rng.random() < 0.7
                else TravelRequest.Purpose.FOLLOW_UP,
                household_size=household,
                yearly_income=income.quantize(Decimal("0.01")),
                other_assistance=rng.choice(["", "", "State victim compensation", "Church fund"]),
                amount_requested=_money(rng, 400, 4500 if abroad else 2200),
                notes="Demo request: made-up data.",
                status=status,
                created_at=created,
            )
            _stamp(tr, status, created, supervisor, rng)
            tr.save()
            members = [m for m in case.family.members.all() if m.role in ("parent", "guardian")]
            if members:
                tr.travellers.set(members[:2])
            if abroad:
                for kind in ChecklistItem.DEFAULT_KINDS:
                    item = ChecklistItem(travel_request=tr, kind=kind)
                    if status in (S.BOOKED, S.COMPLETED) or rng.random() < 0.4:
                        item.done_at, item.done_by = tr.created_at, tr.requested_by
                    item.save()
            if status in (S.BOOKED, S.COMPLETED) or (status == S.APPROVED and rng.random() < 0.5):
                _segments(tr, rng, actual=status == S.COMPLETED)
            made += 1
    stdout.write(f"reunification: {made} demo travel requests on {len(cases)} cases")


def _stamp(tr: TravelRequest, status: str, created, supervisor, rng: random.Random) -> None:
    step = dt.timedelta(days=1, hours=rng.randint(1, 6))
    if status == S.DRAFT:
        return
    tr.submitted_at = created + step
    if status == S.CANCELLED:
        tr.cancelled_at, tr.cancel_reason = tr.submitted_at + step, rng.choice(CANCELS)
        return
    if status == S.SUBMITTED:
        return
    tr.review_started_at, tr.reviewer = tr.submitted_at + step, supervisor
    if status == S.UNDER_REVIEW:
        return
    tr.decided_at, tr.approver = tr.review_started_at + step, supervisor
    if status == S.DENIED:
        tr.denial_reason = rng.choice(DENIALS)
        return
    tr.approved_at, tr.approved_amount = tr.decided_at, tr.amount_requested
    if status in (S.BOOKED, S.COMPLETED):
        tr.booked_at = tr.approved_at + step
    if status == S.COMPLETED:
        tr.completed_at = timezone.make_aware(dt.datetime.combine(tr.return_on, dt.time(18, 0)))


def _segments(tr: TravelRequest, rng: random.Random, *, actual: bool) -> None:
    depart = timezone.make_aware(dt.datetime.combine(tr.depart_on, dt.time(8, 30)))
    back = timezone.make_aware(dt.datetime.combine(tr.return_on, dt.time(17, 15)))
    kind = "flight" if tr.is_international or rng.random() < 0.7 else rng.choice(["train", "bus"])
    plan = [
        (kind, depart, depart + dt.timedelta(hours=3), 180, 700 if tr.is_international else 420),
        ("lodging", depart + dt.timedelta(hours=6), back - dt.timedelta(hours=4), 200, 900),
        ("ground", depart + dt.timedelta(hours=4), None, 20, 90),
        (kind, back, back + dt.timedelta(hours=3), 180, 700 if tr.is_international else 420),
    ]
    for seg_kind, starts, ends, low, high in plan:
        estimated = _money(rng, low, high)
        Segment(
            travel_request=tr,
            kind=seg_kind,
            provider=rng.choice(CARRIERS[seg_kind]),
            from_place="Home city" if starts == depart else "",
            to_place=tr.destination_city,
            starts_at=starts,
            ends_at=ends,
            confirmation_code=f"DM{rng.randint(10000, 99999)}",
            estimated_cost=estimated,
            actual_cost=(estimated * Decimal(rng.choice(["0.92", "1.00", "1.07"]))).quantize(
                Decimal("0.01")
            )
            if actual
            else None,
        ).save()
