"""The yearly report's stored results: computed runs (the cache) and published snapshots.

Both live in PostgreSQL (not Redis): a Redis outage must not lose a published year, and a
computed year is reused by every web worker.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from familysupport.lib.audit import AuditedModel


class ReportRun(models.Model):
    """One computation of a year's live figures; the newest finished run is the cache."""

    class Status(models.TextChoices):
        PENDING = "pending", "Queued"
        RUNNING = "running", "Computing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)  # 0-100
    step = models.CharField(max_length=100, blank=True)
    definitions_version = models.CharField(max_length=20, blank=True)
    results = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    # DataVersion.version read before computing: the run is current while it is unchanged.
    data_version = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["year", "status", "-finished_at"])]
        constraints = [
            # At most one computation of a year in flight: two administrators opening a slow
            # year at once share one background run.
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(status__in=["pending", "running"]),
                name="reports_one_run_in_flight_per_year",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="reports_run_progress_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"Report run {self.year} #{self.pk} ({self.status})"

    @property
    def in_flight(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)


class ReportSnapshot(AuditedModel):
    """The figures of a year as published: frozen, with the definitions' version used."""

    year = models.PositiveSmallIntegerField(db_index=True)
    definitions_version = models.CharField(max_length=20)
    as_of = models.DateTimeField(help_text="When the figures were computed from live data.")
    results = models.JSONField()
    note = models.CharField(max_length=300, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)

    audit_values = ("year", "definitions_version", "as_of")
    audit_exclude = ("results",)

    class Meta:
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"

    def __str__(self) -> str:
        return f"By the Numbers {self.year} (published {self.published_at:%Y-%m-%d})"

    def audit_label(self) -> str:
        return f"Report snapshot {self.year} #{self.pk}"


class DataVersion(models.Model):
    """One row counting committed changes to the tables the report counts.

    Maintained by PostgreSQL triggers (migration 0002), not by Python: every insert,
    update, delete or truncate — through a service, the admin, a bulk update or raw SQL —
    bumps it when its transaction commits. A cached ReportRun is reused only while the
    version it was computed at is still the current one.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="reports_one_data_version")]

    def __str__(self) -> str:
        return f"Report data version {self.version}"
