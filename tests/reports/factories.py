"""Small builders for the report's tests: each makes one record with fake data."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from tests.factories import UserFactory

NY = ZoneInfo("America/New_York")
_seq = itertools.count(1)


def ny(*args: int) -> datetime:
    """An aware datetime given as New York wall-clock time."""
    return datetime(*args, tzinfo=NY)


def family(**kw):
    from cases.models import Family

    n = next(_seq)
    return Family.objects.create(
        display_name=kw.pop("display_name", f"Test family {n}"),
        contact_name=f"Contact {n}",
        **kw,
    )


def case(fam, *, opened_at=None, case_type="endangered_runaway", advocate=None, **kw):
    from cases.models import Case

    return Case.objects.create(
        family=fam,
        case_type=case_type,
        opened_at=opened_at or ny(2020, 1, 1, 9),
        assigned_advocate=advocate,
        **kw,
    )


def contact(c, *, at, purpose="emotional_support", advocate=None):
    from cases.models import Contact

    return Contact.objects.create(
        case=c,
        advocate=advocate or c.assigned_advocate or UserFactory(role="advocate", totp=False),
        started_at=at,
        direction="inbound",
        purpose=purpose,
    )


def provider(*, history: list[tuple[str, datetime]] = (), **kw):
    """A FAON provider with its membership status history [(status, at), ...]."""
    from faon.models import Provider, ProviderStatusChange

    n = next(_seq)
    last = history[-1][0] if history else "applied"
    p = Provider.objects.create(
        kind="individual",
        name=kw.pop("name", f"Provider {n}"),
        disciplines=["therapist"],
        languages=["en"],
        service_modes=["in_person"],
        fee_arrangements=["sliding_scale"],
        city="Springfield",
        state="VA",
        zip_code="22150",
        email=f"provider{n}@example.test",
        status=last,
        **kw,
    )
    previous = ""
    for status, at in history:
        ProviderStatusChange.objects.create(
            provider=p, from_status=previous, to_status=status, at=at
        )
        previous = status
    return p


def referral(c, *, service_type="mental_health", to=None, by=None, **kw):
    from referrals.models import Referral

    return Referral.objects.create(
        case=c,
        family=c.family,
        service_type=service_type,
        provider=to or provider(history=[("active", ny(2019, 1, 1, 9))]),
        created_by=by or UserFactory(role="advocate", totp=False),
        **kw,
    )


def peer_call(*, at, match=None, escalated=False):
    from teamhope.models import PeerCall

    return PeerCall.objects.create(
        match=match or peer_match(),
        called_at=at,
        duration_minutes=30,
        direction="outbound",
        escalated=escalated,
    )


def peer_match(fam=None):
    from teamhope.models import PeerMatch, Volunteer

    fam = fam or family()
    c = case(fam)
    volunteer = Volunteer.objects.create(user=UserFactory(role="volunteer", totp=False))
    return PeerMatch.objects.create(
        volunteer=volunteer,
        family=fam,
        case=c,
        why_matched="Similar experience",
        created_by=UserFactory(role="supervisor", totp=False),
    )


def legal_request(*, received_on: date, kind="family", provided=(), status="open", c=None):
    from referrals.models import LegalAssistanceRequest

    return LegalAssistanceRequest.objects.create(
        requester_kind=kind,
        topic="custody",
        question="What can be done?",
        received_on=received_on,
        provided=list(provided),
        status=status,
        case=c,
        created_by=UserFactory(role="advocate", totp=False),
    )


def trip(c, *, approved_at, completed_at=None, segments=(), international=False):
    """A travel request approved (and maybe completed) with segments [(kind, est, act)]."""
    from reunification.models import Segment, TravelRequest

    status = "completed" if completed_at else "booked"
    tr = TravelRequest.objects.create(
        case=c,
        destination_city="Albany",
        depart_on=approved_at.date(),
        household_size=3,
        yearly_income=Decimal("30000"),
        amount_requested=Decimal("1500"),
        requested_by=UserFactory(role="advocate", totp=False),
        status=status,
        submitted_at=approved_at,
        decided_at=approved_at,
        approved_at=approved_at,
        completed_at=completed_at,
        is_international=international,
    )
    for kind, est, act in segments:
        Segment.objects.create(
            travel_request=tr,
            kind=kind,
            starts_at=approved_at,
            estimated_cost=Decimal(est),
            actual_cost=None if act is None else Decimal(act),
        )
    return tr
