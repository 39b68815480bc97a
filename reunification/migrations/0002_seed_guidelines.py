"""Seed the HHS poverty guidelines (2025 and 2026) and the division's default policy.

Source: ASPE, "HHS Poverty Guidelines" (Federal Register notices of January 2025 and
January 2026). Administrators edit or add years in the portal afterwards.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import migrations

GUIDELINES = [
    # year, region, one person, each additional person
    (2025, "contiguous", "15650", "5500"),
    (2025, "alaska", "19550", "6880"),
    (2025, "hawaii", "17990", "6330"),
    (2026, "contiguous", "15960", "5680"),
    (2026, "alaska", "19950", "7100"),
    (2026, "hawaii", "18360", "6530"),
]


def seed(apps, schema_editor):
    # Historical models have a plain manager and no audit signals: a migration seed is not
    # a user's change.
    PovertyGuideline = apps.get_model("reunification", "PovertyGuideline")
    AssistancePolicy = apps.get_model("reunification", "AssistancePolicy")
    for year, region, base, extra in GUIDELINES:
        PovertyGuideline.objects.get_or_create(
            year=year,
            region=region,
            defaults={"base_amount": Decimal(base), "per_extra_person": Decimal(extra)},
        )
    if not AssistancePolicy.objects.exists():
        AssistancePolicy.objects.create(
            recommend_up_to_percent=Decimal("200.00"), follow_up_days=[3, 30, 90]
        )


class Migration(migrations.Migration):
    dependencies = [("reunification", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
