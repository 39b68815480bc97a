"""Provider matching time over 3,000 and 30,000 FAON providers.

Creates a scratch database (`bench_matching`, dropped at the end), fills it with compliant
providers spread over real US ZIP centroids (plus some referral history for the
responsiveness figures), and prints the median time of `referrals.selectors.provider_match`
for a few family locations. A plain script: it prints figures, it asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/familysupport \
        .venv/bin/python bench/bench_matching.py [--runs 7] [--jit-off]

PostgreSQL's JIT compiles this query (its cost estimate is high) and the compilation
costs more than the query: measured here at 30,000 providers, ~300-650 ms with JIT
against ~35-90 ms with `--jit-off` (which sets `-c jit=off` on the connection, as the
project's database OPTIONS should).
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
if "--jit-off" in sys.argv:
    os.environ["PGOPTIONS"] = (os.environ.get("PGOPTIONS", "") + " -c jit=off").strip()

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
    with connection.cursor() as cur:
        cur.execute("ANALYZE faon_provider; ANALYZE faon_license; ANALYZE faon_insurancepolicy")


def measure(runs: int) -> dict[str, float]:
    from referrals import selectors

    out = {}
    for z in ORIGINS:
        centroid = selectors.zip_centroid(z)
        origin = selectors.Origin(
            z, centroid.latitude, centroid.longitude, centroid.city, centroid.state
        )
        criteria = selectors.Criteria(service_type="mental_health", language="en")
        times, n = [], 0
        for _ in range(runs):
            t0 = time.perf_counter()
            n = len(selectors.provider_match(origin=origin, criteria=criteria))
            times.append((time.perf_counter() - t0) * 1000)
        out[f"{z} ({centroid.city}, {centroid.state}): {n} results"] = statistics.median(times)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--jit-off", action="store_true", help="connect with -c jit=off")
    args = parser.parse_args()
    creation = connection.creation
    print("creating the scratch database bench_matching (migrations) ...", flush=True)
    print(f"PostgreSQL JIT: {'off' if args.jit_off else 'server default'}")
    old_name = creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        rng = random.Random(42)
        for size in SIZES:
            fill(size, rng)
            print(f"\n{size:,} providers — provider_match median of {args.runs} runs:")
            for label, ms in measure(args.runs).items():
                print(f"  {label:<44} {ms:8.1f} ms")
    finally:
        creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
