"""Covering index for the yearly report's mental-health referrals (built CONCURRENTLY)."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("referrals", "0002_load_zip_centroids")]

    operations = [
        AddIndexConcurrently(
            model_name="referral",
            index=models.Index(
                fields=["service_type", "accepted_at"],
                include=["family", "status"],
                name="referral_service_accepted_cov",
            ),
        ),
    ]
