"""Provider matching time over 3,000 and 30,000 FAON providers.

Creates a scratch database (`bench_matching`, dropped at the end unless `--keep`), fills it
with providers spread over real US ZIP centroids — a mix of compliant and non-compliant
ones (licences and insurance expiring from a month ago to two years ahead, some not
accepting referrals, some full) — and a referral history (≈ 3 sent referrals per provider,
answered or not, for the responsiveness figures), then prints p50 / p95 of
`referrals.selectors.provider_match` for a few family locations, the densest first.
A plain script: it prints figures, it asserts nothing.

    .venv/bin/python bench/bench_matching.py [--runs 21] [--keep] [--jit-on]

The project's settings connect with `-c jit=off` (PostgreSQL's JIT compiled this query
for 300-650 ms at 30,000 providers); the line "PostgreSQL JIT:" prints what the
connection really uses (`SHOW jit`). `--jit-on` turns it back on for comparison.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familysupport.settings.test")
os.environ["FSP_TEST_DB"] = "bench_matching"


import django

django.setup()

from datetime import timedelta  # noqa: E402

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

ORIGINS = ["10001", "60601", "73102", "59601", "96813"]  # NYC, Chicago, OKC, Helena, Honolulu
SIZES = [3_000, 30_000]


def fill(upto: int, rng: random.Random) -> None:
    from familysupport.lib import audit
    from faon.models import InsurancePolicy, License, Provider, Verification
    from referrals.models import ZipCentroid

    have = Provider.objects.count()
    if have >= upto:
        return
    zips = list(ZipCentroid.objects.values_list("zip_code", "latitude", "longitude", "state"))
    today = timezone.localdate()
    now = timezone.now()
    with audit.bulk_load(reason="bench"):
        for start in range(have, upto, 5_000):
            batch = []
            for i in range(start, min(start + 5_000, upto)):
                z, lat, lng, state = rng.choice(zips)
                tele = rng.random() < 0.3
                batch.append(
                    Provider(
                        kind=Provider.Kind.INDIVIDUAL,
                        name=f"Bench provider {i}",
                        disciplines=[rng.choice(["therapist", "psychologist", "social_worker"])],
                        specialties=rng.sample(["trauma", "grief", "family_therapy"], 2),
                        languages=["en"] + (["es"] if rng.random() < 0.3 else []),
                        service_modes=["in_person"] + (["telehealth"] if tele else []),
                        telehealth_states=[state] if tele else [],
                        fee_arrangements=[rng.choice(["pro_bono", "sliding_scale", "insurance"])],
                        city="Bench",
                        state=state or "NY",
                        zip_code=z,
                        latitude=lat,
                        longitude=lng,
                        service_radius_miles=rng.choice([10, 25, 50]),
                        capacity=rng.randint(0, 5),
                        accepting_referrals=rng.random() < 0.9,
                        email=f"bench{i}@example.test",
                        status=Provider.Status.ACTIVE,
                        details_confirmed_at=now,
                    )
                )
            made = Provider.objects.bulk_create(batch)
            License.objects.bulk_create(
                License(
                    provider=p,
                    license_type="LCSW",
                    state=p.state,
                    number=str(p.pk),
                    expires_on=today + timedelta(days=rng.randint(-30, 700)),
                    verification=Verification.VERIFIED,
                )
                for p in made
            )
            InsurancePolicy.objects.bulk_create(
                InsurancePolicy(
                    provider=p,
                    carrier="Bench",
                    policy_number=str(p.pk),
                    covers_to=today + timedelta(days=rng.randint(-30, 700)),
                    verification=Verification.VERIFIED,
                )
                for p in made
            )
            history(made, rng, now)
    with connection.cursor() as cur:
        cur.execute(
            "ANALYZE faon_provider; ANALYZE faon_license; ANALYZE faon_insurancepolicy; "
            "ANALYZE referrals_referral"
        )


def history(providers, rng: random.Random, now) -> None:
    """About three sent referrals per provider: accepted, declined, expired or waiting."""
    from accounts.models import User
    from cases.models import Case, Family
    from referrals.models import Referral

    staff = User.objects.filter(email="bench-matching@example.test").first()
    if staff is None:
        staff = User.objects.create_user(
            "bench-matching@example.test", full_name="Bench", role="advocate"
        )
    family = Family.objects.first() or Family.objects.create(
        display_name="Bench family", contact_name="Bench Contact"
    )
    case = Case.objects.filter(family=family).first() or Case.objects.create(
        family=family, case_type="family_abduction", opened_at=now
    )
    rows = []
    for p in providers:
        for _ in range(rng.randint(0, 6)):
            sent = now - timedelta(days=rng.randint(1, 900), hours=rng.randint(0, 23))
            answer = sent + timedelta(hours=rng.randint(1, 200))
            fate = rng.random()
            rows.append(
                Referral(
                    case=case,
                    family=family,
                    service_type="mental_health",
                    provider=p,
                    status="accepted" if fate < 0.6 else "declined" if fate < 0.8 else "expired",
                    created_by=staff,
                    sent_at=sent,
                    respond_by=sent + timedelta(days=7),
                    responded_at=answer if fate < 0.8 else None,
                    accepted_at=answer if fate < 0.6 else None,
                    declined_at=answer if 0.6 <= fate < 0.8 else None,
                    decline_reason="full" if 0.6 <= fate < 0.8 else "",
                    expired_at=sent + timedelta(days=7) if fate >= 0.8 else None,
                )
            )
    Referral.objects.bulk_create(rows, batch_size=5_000)


def jit_setting() -> str:
    with connection.cursor() as cur:
        cur.execute("SHOW jit")
        return cur.fetchone()[0]


def measure(runs: int) -> dict[str, tuple[float, float]]:
    from referrals import selectors

    out = {}
    for z in ORIGINS:
        centroid = selectors.zip_centroid(z)
        origin = selectors.Origin(
            z, centroid.latitude, centroid.longitude, centroid.city, centroid.state
        )
        criteria = selectors.Criteria(service_type="mental_health", language="en")
        times, n = [], 0
        selectors.provider_match(origin=origin, criteria=criteria)  # warm the plan cache
        for _ in range(runs):
            t0 = time.perf_counter()
            n = len(selectors.provider_match(origin=origin, criteria=criteria))
            times.append((time.perf_counter() - t0) * 1000)
        p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
        out[f"{z} ({centroid.city}, {centroid.state}): {n} results"] = (
            statistics.median(times),
            p95,
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) bench_matching")
    parser.add_argument("--jit-on", action="store_true", help="SET jit = on (for comparison)")
    args = parser.parse_args()
    creation = connection.creation
    print("creating the scratch database bench_matching (migrations) ...", flush=True)
    old_name = creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=args.keep, serialize=False
    )
    try:
        if args.jit_on:
            with connection.cursor() as cur:
                cur.execute("SET jit = on")
        print(f"PostgreSQL JIT on this connection: {jit_setting()}")
        rng = random.Random(42)
        for size in SIZES:
            fill(size, rng)
            from faon.models import Provider

            # With --keep, a database kept at 30,000 stays at 30,000: say what is measured.
            have = Provider.objects.count()
            print(f"\n{have:,} providers — provider_match over {args.runs} runs:")
            print(f"  {'origin':<44} {'p50':>8} {'p95':>8}")
            for label, (p50, p95) in measure(args.runs).items():
                print(f"  {label:<44} {p50:6.1f}ms {p95:6.1f}ms")
    finally:
        if not args.keep:
            creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
