"""Demo referrals in every status across the demo years, a directory of agencies and
attorneys, and legal assistance requests. Fake data only; idempotent."""

from __future__ import annotations

import random
from datetime import timedelta
from importlib import import_module

from django.utils import timezone

from familysupport.lib import audit

from . import services
from .models import (
    Agency,
    LegalAssistanceRequest,
    Referral,
    ReferralEvent,
    ServiceType,
    ZipCentroid,
)

S = Referral.Status
SCALES = {"small": 120, "full": 900}
STATUS_MIX = [
    (S.DRAFT, 4),
    (S.SENT, 8),
    (S.ACCEPTED, 12),
    (S.DECLINED, 10),
    (S.EXPIRED, 6),
    (S.FIRST_APPOINTMENT, 14),
    (S.COMPLETED, 34),
    (S.CLOSED, 12),
]
AGENCIES = [
    ("agency", "Harbor Family Resource Center", ["support", "mental_health"], "10001"),
    ("agency", "Lakeside Youth Counseling Collective", ["mental_health"], "60601"),
    ("agency", "Sunrise Survivors Network", ["support"], "90012"),
    ("agency", "Prairie Family Support Alliance", ["support", "other"], "73102"),
    ("attorney", "Coastal Family Law Clinic", ["legal"], "33130"),
    ("attorney", "Northside Legal Aid Project", ["legal"], "98104"),
    ("attorney", "Riverbend Custody Counsel", ["legal"], "77002"),
    ("agency", "Mountain View Trauma Services", ["mental_health", "psychiatric"], "80202"),
]
NOTES = [
    "The parent would like a first call in the afternoon.",
    "The child is nervous about new adults; a gentle start helps.",
    "The family asked for someone experienced with recovered children.",
    "Please call the parent, not the child.",
]


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def _ensure_providers(stdout, users: dict) -> None:
    prov_user = users.get("provider")
    managed = prov_user is not None and prov_user.managed_providers.exists()
    if managed:
        return
    try:
        faon_demo = import_module("faon.demo")
    except ModuleNotFoundError:
        stdout.write("referrals: no faon demo to seed providers from")
        return
    faon_demo.seed(scale="small", stdout=stdout, users=users)


def _agencies() -> None:
    for kind, name, services_, zip_code in AGENCIES:
        if Agency.objects.filter(name=name).exists():
            continue
        z = ZipCentroid.objects.filter(pk=zip_code).first()
        agency = Agency(
            kind=kind,
            name=name,
            services=services_,
            languages=["en", "es"] if len(name) % 2 else ["en"],
            zip_code=zip_code,
            city=z.city if z else "",
            state=z.state if z else "",
            phone="+15550100" + zip_code[-3:],
            email=f"intake@{name.split()[0].lower()}.example.org",
            service_radius_miles=40,
            remote_states=[z.state] if z and kind == "attorney" else [],
        )
        services.agency_save(agency=agency, by=None)


def _legal(rng: random.Random, cases, advocates, n: int) -> None:
    if LegalAssistanceRequest.objects.exists():
        return
    now = timezone.localdate()
    LR = LegalAssistanceRequest
    for i in range(n):
        received = now - timedelta(days=rng.randint(0, 3 * 365))
        status = rng.choice(LR.Status.values)
        provided = (
            rng.sample(LR.Provided.values, rng.randint(1, 2))
            if status == LR.Status.COMPLETED
            else []
        )
        LR(
            requester_kind=rng.choice(LR.RequesterKind.values),
            requester_name=f"Requester {i + 1}",
            case=rng.choice(cases) if cases and rng.random() < 0.5 else None,
            topic=rng.choice(LR.Topic.values),
            jurisdiction=rng.choice(
                ["Texas", "California", "New York", "Ohio", "Mexico", "Canada"]
            ),
            question="Request for guidance (demo).",
            status=status,
            provided=provided,
            time_spent_minutes=rng.choice([15, 30, 60, 120, 240]),
            received_on=received,
            completed_on=received + timedelta(days=rng.randint(1, 30))
            if status == LR.Status.COMPLETED
            else None,
            handled_by=rng.choice(advocates),
            created_by=rng.choice(advocates),
        ).save()


def _build(rng, case, provider, agency, status, created, by, provider_user) -> None:
    """One referral with timestamps consistent with its status, and its history rows."""
    family = case.family
    origin_label = ", ".join(p for p in (family.city, family.state) if p)
    r = Referral(
        case=case,
        family=family,
        service_type=ServiceType.LEGAL
        if agency is not None and agency.kind == "attorney"
        else rng.choice(
            [ServiceType.MENTAL_HEALTH, ServiceType.MENTAL_HEALTH, ServiceType.SUPPORT]
        ),
        provider=provider,
        agency=agency,
        status=status,
        area_label=origin_label,
        language=family.preferred_language,
        child_age_range=rng.choice(["6", "9-12", "14", "15", "unknown"]),
        fee_need=rng.choice(["", "", "sliding_scale", "pro_bono"]),
        note_for_provider=rng.choice(NOTES),
        match_reason="Demo match",
        created_by=by,
        created_at=created,
    )
    events = [(S.DRAFT, "", created, by)]
    if status != S.DRAFT:
        r.sent_at, r.sent_by = created + timedelta(minutes=10), by
        r.respond_by = services.add_business_days(r.sent_at, services.response_business_days())
        events.append((S.SENT, S.DRAFT, r.sent_at, by))
    answerer = provider_user if provider is not None else by
    answered = r.sent_at + timedelta(hours=rng.randint(2, 70)) if r.sent_at else None
    if status in (S.ACCEPTED, S.FIRST_APPOINTMENT, S.COMPLETED) or (
        status == S.CLOSED and rng.random() < 0.5
    ):
        r.responded_at = r.accepted_at = answered
        events.append((S.ACCEPTED, S.SENT, answered, answerer))
    if status == S.DECLINED:
        r.responded_at = r.declined_at = answered
        r.decline_reason = rng.choice(Referral.DeclineReason.values)
        r.decline_note = "Demo: reason given by phone." if r.decline_reason == "other" else ""
        events.append((S.DECLINED, S.SENT, answered, answerer))
    if status == S.EXPIRED:
        r.expired_at = services.add_business_days(r.sent_at, services.expire_business_days())
        events.append((S.EXPIRED, S.SENT, r.expired_at, None))
    if status in (S.FIRST_APPOINTMENT, S.COMPLETED):
        r.first_appointment_on = (answered + timedelta(days=rng.randint(3, 14))).date()
        events.append((S.FIRST_APPOINTMENT, S.ACCEPTED, answered + timedelta(days=14), answerer))
    if status == S.COMPLETED:
        r.completed_at = answered + timedelta(days=rng.randint(30, 120))
        r.outcome = rng.choice(["Completed the planned sessions", "Family met its goals"])
        events.append((S.COMPLETED, S.FIRST_APPOINTMENT, r.completed_at, answerer))
    if status == S.CLOSED:
        r.closed_at = created + timedelta(days=rng.randint(5, 60))
        r.outcome = rng.choice(["Family moved", "Family chose another provider", "Need met"])
        events.append((S.CLOSED, events[-1][0], r.closed_at, by))
    now = timezone.now()
    if any(at and at > now for _, _, at, _ in events):
        return  # a recent referral whose story would end in the future: leave it out
    r.save()
    ReferralEvent.objects.bulk_create(
        ReferralEvent(referral=r, status=st, from_status=fr, at=at, by=who)
        for st, fr, at, who in events
    )


def seed(*, scale: str, stdout, users: dict) -> None:
    from cases.models import Case

    _ensure_providers(stdout, users)
    rng = random.Random(20260305)
    advocates = [u for u in (users.get("advocate"), users.get("advocate2@demo.example")) if u]
    if not advocates:
        stdout.write("referrals: no demo advocates; run the accounts seed first")
        return
    with audit.bulk_load(reason="demo"):
        _agencies()
        cases = list(
            Case.objects.filter(family__consent_share_with_providers=True)
            .select_related("family")
            .order_by("pk")[: SCALES.get(scale, SCALES["small"])]
        )
        _legal(rng, cases, advocates, 40 if scale == "full" else 15)
        if Referral.objects.exists():
            stdout.write(f"referrals: {Referral.objects.count()} referrals already there")
            return
        if not cases:
            stdout.write("referrals: no demo cases with consent to share; nothing to refer")
            return
        from faon.selectors import provider_list_offerable

        providers = list(provider_list_offerable().filter(capacity__gt=0).order_by("pk")[:200])
        agencies = list(Agency.objects.filter(is_active=True))
        prov_user = users.get("provider")
        own = list(prov_user.managed_providers.order_by("pk")) if prov_user else []
        if not providers and not agencies:
            stdout.write("referrals: no offerable providers or agencies; nothing to refer")
            return
        now = timezone.now()
        for case in cases:
            status = _pick(rng, STATUS_MIX)
            by = case.assigned_advocate or rng.choice(advocates)
            created = max(case.opened_at, now - timedelta(days=3 * 365)) + timedelta(
                days=rng.randint(0, 40)
            )
            if created > now - timedelta(days=1):
                created = now - timedelta(days=rng.randint(1, 5))
            if status == S.SENT:
                created = now - timedelta(hours=rng.randint(2, 40))
            if providers and (not agencies or rng.random() < 0.8):
                _build(rng, case, rng.choice(providers), None, status, created, by, prov_user)
            else:
                _build(rng, case, None, rng.choice(agencies), status, created, by, prov_user)
        # The demo provider user always has a request to answer and an accepted one.
        if own and prov_user is not None:
            for status, hours in ((S.SENT, 3), (S.SENT, 20), (S.ACCEPTED, 72)):
                case = rng.choice(cases)
                _build(
                    rng,
                    case,
                    own[0],
                    None,
                    status,
                    now - timedelta(hours=hours + 75 if status == S.ACCEPTED else hours),
                    case.assigned_advocate or advocates[0],
                    prov_user,
                )
    stdout.write(
        f"referrals: {Referral.objects.count()} referrals, {Agency.objects.count()} agencies"
    )
