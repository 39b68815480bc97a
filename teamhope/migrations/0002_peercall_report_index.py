"""Covering index for the yearly report's peer calls; replaces the plain (called_at) one.

Built CONCURRENTLY (millions of calls) before the old index is dropped.
"""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("teamhope", "0001_initial")]

    operations = [
        AddIndexConcurrently(
            model_name="peercall",
            index=models.Index(
                fields=["called_at"],
                include=["duration_minutes", "escalated", "match"],
                name="peercall_called_cov",
            ),
        ),
        RemoveIndexConcurrently(model_name="peercall", name="teamhope_pe_called__6d5705_idx"),
    ]
