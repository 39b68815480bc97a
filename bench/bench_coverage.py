"""Coverage-gap map time at demo scale (small and full).

Creates a scratch database (`bench_coverage`, dropped at the end), seeds it with the apps'
demo data (accounts, faon, cases: the families with needs, the FAON members), then prints
the median time of `reports.coverage.coverage` (national and one state) and of drawing
the whole page as a supervisor. A plain script: it prints figures, it asserts nothing.

    .venv/bin/python bench/bench_coverage.py [--runs 5] [--full]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familysupport.settings.test")
os.environ["FSP_TEST_DB"] = "bench_coverage"

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402


def seed(scale: str) -> None:
    from importlib import import_module

    users: dict = {}
    for app in ("accounts", "faon", "cases"):
        with transaction.atomic():
            import_module(f"{app}.demo").seed(scale=scale, stdout=io.StringIO(), users=users)


def timed(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), out


def measure(runs: int) -> None:
    from accounts.models import User
    from familysupport.lib import dates
    from reports import coverage, usmap

    t0 = time.perf_counter()
    usmap.state_shapes()
    print(
        "  boundary file decoded and projected once per process:",
        f"{(time.perf_counter() - t0) * 1000:.0f} ms",
    )
    end = dates.today()
    start = end.replace(year=end.year - 1)
    ms, cov = timed(lambda: coverage.coverage(service="mental_health", start=start, end=end), runs)
    gaps = sum(1 for a in cov.areas if a.uncovered)
    print(
        f"  national: {cov.total.demand} families, {cov.total.uncovered} without a provider,",
        f"{gaps} states with a gap: {ms:.1f} ms",
    )
    state = max(cov.areas, key=lambda a: a.demand).state
    ms, cov = timed(
        lambda: coverage.coverage(service="mental_health", start=start, end=end, state=state), runs
    )
    print(f"  {state} by ZIP3 ({len(cov.areas)} areas): {ms:.1f} ms")
    from tests.conftest import mfa_login

    client = mfa_login(Client(), User.objects.filter(role="supervisor").first())
    url = reverse("reports:coverage")
    ms, response = timed(lambda: client.get(url, HTTP_HOST="localhost"), runs)
    print(
        f"  whole page as a supervisor (status {response.status_code},",
        f"{len(response.content) // 1024} KiB): {ms:.1f} ms",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--full", action="store_true", help="also the full demo scale")
    args = parser.parse_args()
    creation = connection.creation
    print("creating the scratch database bench_coverage (migrations) ...", flush=True)
    for scale in ("small", "full") if args.full else ("small",):
        old_name = creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        try:
            seed(scale)
            print(f"\ndemo scale {scale!r} — median of {args.runs} runs:")
            measure(args.runs)
        finally:
            creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
