"""bench/bench_phone_pop.py's server: the bench settings plus a bench-only SSE stream."""

from __future__ import annotations

from bench.settings import *  # noqa: F403

ROOT_URLCONF = "bench.phone_pop_urls"
