"""Team HOPE settings with defaults; override in Django settings (TEAMHOPE_*)."""

from __future__ import annotations

from django.conf import settings


def check_valid_years() -> int:
    """Training and background checks older than this many years block new matches."""
    return int(getattr(settings, "TEAMHOPE_CHECK_VALID_YEARS", 2))


def near_capacity_free_slots() -> int:
    """A volunteer with this many free slots or fewer is 'near capacity'."""
    return int(getattr(settings, "TEAMHOPE_NEAR_CAPACITY_FREE_SLOTS", 1))
