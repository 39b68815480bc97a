from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _zip_centroids(db):
    """The data migration loads every ZIP; make sure the test origin is there either way."""
    from referrals.models import ZipCentroid

    from .factories import ORIGIN_LAT, ORIGIN_LNG, ORIGIN_ZIP

    ZipCentroid.objects.get_or_create(
        zip_code=ORIGIN_ZIP,
        defaults={
            "latitude": ORIGIN_LAT,
            "longitude": ORIGIN_LNG,
            "city": "New York",
            "state": "NY",
        },
    )
