"""Indexes for the staff referral list (newest first) and the "awaiting an answer" panels.

Built CONCURRENTLY: no write lock on the referrals table while they build.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("referrals", "0003_referral_report_index")]

    operations = [
        AddIndexConcurrently(
            model_name="referral",
            index=models.Index(fields=["-created_at", "-id"], name="referral_created_desc"),
        ),
        AddIndexConcurrently(
            model_name="referral",
            index=models.Index(
                fields=["respond_by", "id"],
                condition=models.Q(status="sent"),
                name="referral_sent_respond_by",
            ),
        ),
    ]
