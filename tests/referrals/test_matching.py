"""Provider ranking: distance in SQL, radius, telehealth, compliance, capacity, filters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from faon.models import InsurancePolicy, License, Provider
from referrals import selectors

from .factories import ORIGIN_LAT, ORIGIN_LNG, ORIGIN_ZIP, ProviderFactory, north_of_origin

pytestmark = pytest.mark.django_db

ORIGIN = selectors.Origin(ORIGIN_ZIP, ORIGIN_LAT, ORIGIN_LNG, "New York", "NY")


def at(miles: float, **kwargs) -> Provider:
    lat, lng = north_of_origin(miles)
    return ProviderFactory(latitude=lat, longitude=lng, **kwargs)


def match_ids(criteria=None, origin=ORIGIN) -> list[int]:
    return [
        m.pk
        for m in selectors.provider_match(origin=origin, criteria=criteria or selectors.Criteria())
    ]


def test_nearer_provider_ranks_first_with_distance_reason():
    far = at(30, service_radius_miles=50)
    near = at(10, service_radius_miles=50)
    matches = selectors.provider_match(origin=ORIGIN, criteria=selectors.Criteria())
    assert [m.pk for m in matches] == [near.pk, far.pk]
    assert matches[0].distance == pytest.approx(10, abs=0.2)
    assert matches[1].distance == pytest.approx(30, abs=0.5)
    assert "10.0 miles away" in matches[0].reasons[0]


def test_outside_radius_excluded_unless_telehealth_in_state():
    outside = at(30, service_radius_miles=20)
    tele_here = at(
        200,
        service_radius_miles=20,
        service_modes=["in_person", "telehealth"],
        telehealth_states=["NY"],
    )
    tele_elsewhere = at(
        200, service_radius_miles=20, service_modes=["telehealth"], telehealth_states=["NJ"]
    )
    ids = match_ids()
    assert outside.pk not in ids
    assert tele_elsewhere.pk not in ids
    assert tele_here.pk in ids
    only = selectors.provider_match(
        origin=ORIGIN, criteria=selectors.Criteria(include_telehealth=False)
    )
    assert tele_here.pk not in [m.pk for m in only]


def test_in_person_match_ranks_above_telehealth():
    tele = at(5, service_modes=["telehealth"], telehealth_states=["NY"])
    in_person = at(20)
    assert match_ids() == [in_person.pk, tele.pk]


def test_lapsed_license_excluded():
    ok = at(10)
    lapsed = at(10)
    License.objects.filter(provider=lapsed).delete()
    License.objects.create(
        provider=lapsed,
        license_type="LCSW",
        state="NY",
        number="X",
        expires_on=timezone.localdate() - dt.timedelta(days=1),
        verification="verified",
    )
    assert match_ids() == [ok.pk]


def test_disciplinary_standing_excluded():
    at(10)
    bad = at(10)
    lic = License.objects.get(provider=bad)
    lic.standing = License.Standing.DISCIPLINARY
    lic.save()
    assert bad.pk not in match_ids()


def test_expired_insurance_excluded():
    ok = at(10)
    expired = at(10)
    pol = InsurancePolicy.objects.get(provider=expired)
    pol.covers_to = timezone.localdate() - dt.timedelta(days=1)
    pol.save()
    assert match_ids() == [ok.pk]


def test_full_capacity_not_accepting_suspended_excluded():
    ok = at(10)
    at(10, capacity=0)
    at(10, accepting_referrals=False)
    at(10, status=Provider.Status.SUSPENDED)
    assert match_ids() == [ok.pk]


def test_filters_specialty_language_fee_ages_service():
    spanish = at(10, languages=["en", "es"], specialties=["grief"], fee_arrangements=["pro_bono"])
    english = at(5)
    teen_only = at(3, age_min=13, age_max=17, languages=["es"])
    lawyer = at(4, disciplines=["attorney"], languages=["es"])
    c = selectors.Criteria(language="es")
    assert match_ids(c) == [teen_only.pk, spanish.pk]
    assert match_ids(selectors.Criteria(language="es", age_min=8, age_max=9)) == [spanish.pk]
    assert match_ids(selectors.Criteria(specialty="grief")) == [spanish.pk]
    assert match_ids(selectors.Criteria(fee="pro_bono")) == [spanish.pk]
    assert match_ids(selectors.Criteria(service_type="legal")) == [lawyer.pk]
    assert english.pk in match_ids()
    reasons = selectors.provider_match(
        origin=ORIGIN, criteria=selectors.Criteria(language="es", fee="pro_bono")
    )[0].reasons
    assert "Speaks Spanish" in reasons and "Pro bono" in reasons


def test_insurance_plan_filter():
    aetna = at(10, fee_arrangements=["insurance"], insurance_plans=["Aetna"])
    at(10, fee_arrangements=["insurance"], insurance_plans=["Cigna"])
    c = selectors.Criteria(fee="insurance", insurance_plan="Aetna")
    assert match_ids(c) == [aetna.pk]


def test_provider_without_coordinates_falls_back_to_its_zip():
    p = ProviderFactory(latitude=None, longitude=None, zip_code=ORIGIN_ZIP)
    matches = selectors.provider_match(origin=ORIGIN, criteria=selectors.Criteria())
    assert [m.pk for m in matches] == [p.pk]
    assert matches[0].distance == pytest.approx(0, abs=0.01)


def test_family_without_known_zip_gets_only_telehealth():
    at(1)
    tele = at(1, service_modes=["telehealth"], telehealth_states=["NY"])
    unknown = selectors.Origin("", None, None, "", "NY")
    assert match_ids(origin=unknown) == [tele.pk]


def test_responsiveness_acceptance_rate_and_median(make_user):
    from .factories import ReferralFactory

    p = at(10)
    now = timezone.now()
    for hours, accepted in ((2, True), (4, False), (10, True)):
        ReferralFactory(
            provider=p,
            status="accepted" if accepted else "declined",
            decline_reason="" if accepted else "full",
            sent_at=now - dt.timedelta(days=1),
            responded_at=now - dt.timedelta(days=1) + dt.timedelta(hours=hours),
            accepted_at=now if accepted else None,
        )
    m = selectors.provider_match(origin=ORIGIN, criteria=selectors.Criteria())[0]
    assert m.referrals_answered == 3
    assert m.acceptance_rate == pytest.approx(2 / 3)
    assert m.median_response_hours == pytest.approx(4)


def test_bounding_box_follows_the_widest_radius_in_play():
    """The box is as wide as the widest provider radius (a subquery on an index), so a
    provider 200 miles away with a 250-mile radius is found, and one 200 miles away with a
    20-mile radius is outside the box, whoever else is registered."""
    near = at(10, service_radius_miles=25)
    wide = at(200, service_radius_miles=250)
    short = at(200, service_radius_miles=20)
    assert match_ids() == [near.pk, wide.pk]
    wide.delete()
    assert match_ids() == [near.pk]
    assert short.pk not in match_ids()


def test_matching_is_one_query_plus_the_responsiveness(django_assert_num_queries):
    at(10, service_radius_miles=25)
    with django_assert_num_queries(2) as ctx:
        match_ids()
    sql = ctx.captured_queries[0]["sql"]
    # The widest radius is read inside the match query, ordered for the provider_radius index.
    assert (
        'SELECT U0."service_radius_miles" AS "service_radius_miles" FROM "faon_provider" U0 '
        "ORDER BY 1 DESC LIMIT 1" in sql
    )


@pytest.mark.parametrize(
    "criteria",
    [
        selectors.Criteria(),
        selectors.Criteria(language="es", age_min=5, age_max=12),
        selectors.Criteria(specialty="trauma", fee="sliding_scale", include_telehealth=False),
        selectors.Criteria(fee="insurance", insurance_plan="Aetna", language="en"),
    ],
)
def test_a_compiled_match_gives_what_a_fresh_one_gives_for_any_origin(criteria):
    """The statement is compiled once per shape of search with stand-in values: every
    origin and value of that shape must still get its own results."""
    for miles, radius in ((5, 30), (12, 20), (40, 60), (150, 200)):
        at(miles, service_radius_miles=radius, languages=["en", "es"], age_min=0, age_max=17)
    at(8, service_radius_miles=30, languages=["es"], specialties=["trauma"], age_min=3)
    at(20, service_radius_miles=30, fee_arrangements=["insurance"], insurance_plans=["Aetna"])
    chicago = selectors.Origin("60601", 41.886, -87.618, "Chicago", "IL")
    north = selectors.Origin("10001", ORIGIN_LAT + 0.3, ORIGIN_LNG, "Somewhere", "NY")
    selectors._compiled_matches.clear()
    for origin in (ORIGIN, north, chicago, ORIGIN):
        compiled = selectors._match_rows(origin, criteria, 25)
        fresh = list(selectors._match_queryset(origin, criteria, 25))
        assert [(p.pk, p.distance, p.in_reach, p.via_telehealth) for p in compiled] == [
            (p.pk, p.distance, p.in_reach, p.via_telehealth) for p in fresh
        ]
    assert len(selectors._compiled_matches) == 1  # one shape, compiled once
