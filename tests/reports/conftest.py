from __future__ import annotations

from datetime import date

import pytest

from . import factories as f
from .factories import ny


@pytest.fixture
def edge_year(db):
    """2024, built for the report's edge cases. The expected figures are worked out by hand:

    mental-health families = 3 (F1 via two cases and a referral, counted once; F2 at 23:30
    on 31 Dec; F5 via an accepted referral) — not F3 (contacts fall in 2023 and 2025 in New
    York time), F4 (follow-up only), F6 (declined), F7 (legal referral), F8 (accepted in 2025).
    FAON participants = 2 (P1 active all year; P2 active for hours on 31 Dec) — not P3
    (lapsed 23:30 on 31 Dec 2023), P4 (never active), P5 (active from 2025).
    Team HOPE calls = 3 (1 Jan 00:15, 15 Jun, 31 Dec 23:30) — not 31 Dec 2023 23:45.
    """
    advocate = f.UserFactory(role="advocate", totp=False)
    fams = {n: f.family(display_name=f"F{n}") for n in range(1, 9)}
    c1a = f.case(
        fams[1], opened_at=ny(2024, 2, 1, 9), case_type="family_abduction", advocate=advocate
    )
    c1b = f.case(
        fams[1], opened_at=ny(2024, 5, 1, 9), case_type="endangered_runaway", advocate=advocate
    )
    f.contact(c1a, at=ny(2024, 3, 10, 14), purpose="crisis_intervention")
    f.contact(c1b, at=ny(2024, 6, 10, 14), purpose="emotional_support")
    c2 = f.case(fams[2], opened_at=ny(2023, 11, 1, 9), advocate=advocate)
    f.contact(c2, at=ny(2024, 12, 31, 23, 30), purpose="emotional_support")
    c3 = f.case(fams[3], opened_at=ny(2024, 12, 31, 23, 45), case_type="csam", advocate=advocate)
    f.contact(c3, at=ny(2023, 12, 31, 23, 30), purpose="crisis_intervention")
    f.contact(c3, at=ny(2025, 1, 1, 0, 30), purpose="crisis_intervention")
    c4 = f.case(fams[4], opened_at=ny(2025, 1, 1, 0, 10), advocate=advocate)
    f.contact(c4, at=ny(2024, 7, 4, 10), purpose="follow_up")
    cases = {n: f.case(fams[n], opened_at=ny(2022, 1, 1, 9)) for n in (5, 6, 7, 8)}

    p1 = f.provider(
        name="P1", history=[("applied", ny(2023, 5, 1, 9)), ("active", ny(2023, 6, 1, 9))]
    )
    p2 = f.provider(
        name="P2",
        history=[
            ("applied", ny(2024, 11, 1, 9)),
            ("active", ny(2024, 12, 31, 10)),
            ("suspended", ny(2024, 12, 31, 15)),
        ],
    )
    f.provider(
        name="P3",
        history=[("active", ny(2022, 3, 1, 9)), ("lapsed", ny(2023, 12, 31, 23, 30))],
    )
    f.provider(
        name="P4", history=[("applied", ny(2024, 2, 1, 9)), ("under_review", ny(2024, 3, 1, 9))]
    )
    f.provider(
        name="P5", history=[("applied", ny(2024, 12, 1, 9)), ("active", ny(2025, 1, 1, 0, 30))]
    )

    def answered(c, *, sent, hours_later, accepted, service="mental_health"):
        from datetime import timedelta

        at = sent + timedelta(hours=hours_later)
        return f.referral(
            c,
            service_type=service,
            to=p1,
            by=advocate,
            status="accepted" if accepted else "declined",
            sent_at=sent,
            responded_at=at,
            accepted_at=at if accepted else None,
            declined_at=None if accepted else at,
            decline_reason="" if accepted else "full",
        )

    answered(cases[5], sent=ny(2024, 3, 1, 10), hours_later=6, accepted=True)
    answered(cases[6], sent=ny(2024, 4, 1, 10), hours_later=24, accepted=False)
    answered(c1a, sent=ny(2024, 5, 1, 10), hours_later=2, accepted=True)
    answered(cases[7], sent=ny(2024, 6, 1, 10), hours_later=10, accepted=True, service="legal")
    # Sent 30 Dec 12:00, accepted 1 Jan 00:10 (New York): 36 h 10 min, and not a 2024 acceptance.
    answered(cases[8], sent=ny(2024, 12, 30, 12), hours_later=36 + 1 / 6, accepted=True)
    # Sent and still awaiting an answer.
    f.referral(
        cases[5], service_type="psychiatric", to=p1, status="sent", sent_at=ny(2024, 8, 1, 9)
    )

    match = f.peer_match(fams[1])
    f.peer_call(at=ny(2024, 1, 1, 0, 15), match=match)
    f.peer_call(at=ny(2024, 6, 15, 12), match=match, escalated=True)
    f.peer_call(at=ny(2024, 12, 31, 23, 30), match=match)
    f.peer_call(at=ny(2023, 12, 31, 23, 45), match=match)

    f.legal_request(received_on=date(2024, 2, 1), kind="family", provided=["research"], c=c1a)
    f.legal_request(
        received_on=date(2024, 12, 31),
        kind="attorney",
        provided=["amicus", "research"],
        status="completed",
    )
    f.legal_request(received_on=date(2023, 12, 31), kind="family")

    f.trip(
        c1a,
        approved_at=ny(2024, 4, 1, 9),
        completed_at=ny(2024, 4, 20, 9),
        segments=[("flight", "400.00", "380.00"), ("lodging", "200.00", None)],
    )
    from reunification.models import TravelBudget

    TravelBudget.objects.create(year=2024, amount="10000.00")
    return {"year": 2024, "advocate": advocate, "p1": p1, "p2": p2, "families": fams}
