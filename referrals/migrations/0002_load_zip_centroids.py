"""Load US ZIP centroids from the offline `zipcodes` package (no network look-up)."""

from __future__ import annotations

from django.db import migrations


def load(apps, schema_editor):
    import zipcodes

    ZipCentroid = apps.get_model("referrals", "ZipCentroid")
    rows = {}
    for z in zipcodes.list_all():
        code, lat, lng = z.get("zip_code", ""), z.get("lat"), z.get("long")
        if len(code) != 5 or not lat or not lng:
            continue
        rows[code] = ZipCentroid(
            zip_code=code,
            latitude=float(lat),
            longitude=float(lng),
            city=(z.get("city") or "")[:100],
            state=(z.get("state") or "")[:2],
        )
    # ZipCentroid is reference data, not an audited model: bulk_create is fine here.
    ZipCentroid.objects.bulk_create(rows.values(), batch_size=5000, ignore_conflicts=True)


def unload(apps, schema_editor):
    apps.get_model("referrals", "ZipCentroid").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
