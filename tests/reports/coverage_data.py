"""A small coverage data set whose figures are worked out by hand (see known_world)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cases.models import Case
from tests.cases.factories import CaseFactory, FamilyFactory
from tests.faon.factories import InsuranceFactory, LicenseFactory, ProviderFactory


def _member(**kw):
    p = ProviderFactory(**kw)
    LicenseFactory(provider=p, state=p.state)
    InsuranceFactory(provider=p)
    return p


def _family(state, zip_code, *, needs=("mental_health",), closed_days_ago=None, name=""):
    fam = FamilyFactory(state=state, zip_code=zip_code, **({"display_name": name} if name else {}))
    now = timezone.now()
    case = CaseFactory(family=fam, needs=list(needs), opened_at=now - timedelta(days=30))
    if closed_days_ago is not None:
        case.opened_at = now - timedelta(days=900)
        case.closed_at = now - timedelta(days=closed_days_ago)
        case.status = Case.Status.CLOSED
        case.save()
    return fam


def known_world() -> dict:
    """VA: 3 families, 2 near an Alexandria member, 1 in Bristol (≈300 miles) → 1/3 uncovered.
    NY: 2 families, no member → all uncovered. TX: 1 family, a California member offers
    telehealth in TX → covered. Not counted: a legal need in CA, a VA case closed long ago,
    a member with no free places in NY, a lapsed member in NY."""
    _member(state="VA", zip_code="22314", service_modes=["in_person"], telehealth_states=[])
    _member(
        state="CA",
        zip_code="94103",
        latitude=37.77,
        longitude=-122.41,
        service_modes=["telehealth"],
        telehealth_states=["TX"],
    )
    _member(state="NY", zip_code="10001", latitude=40.75, longitude=-73.99, capacity=0)
    _member(
        state="NY",
        zip_code="10001",
        latitude=40.75,
        longitude=-73.99,
        status="lapsed",
        name="Lapsed Member",
    )
    fams = {
        "va1": _family("VA", "22314"),
        "va2": _family("VA", "22301"),
        "va3": _family("VA", "24201", name="Bristol family"),
        "ny1": _family("NY", "10001", name="Chelsea family"),
        "ny2": _family("NY", "12207", name="Albany family"),
        "tx": _family("TX", "78701"),
    }
    _family("CA", "94103", needs=["legal"])
    _family("VA", "22314", closed_days_ago=500)
    return fams
