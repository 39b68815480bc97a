"""The cross-cutting records every app writes: audit trail, notifications, outbox, sent-log,
job runs. They live in lib (app label `lib`) so that lib imports no app; their tables keep
the names they had under accounts (`accounts_auditentry` ...), with the audit trail's
append-only trigger (accounts/migrations/0002) untouched.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    """One read or change of a record. Append-only: a database trigger refuses UPDATE/DELETE."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    changed_fields = models.JSONField(default=list, blank=True)
    # Before/after only for fields a model declares safe to show (status, assignee ...).
    changes = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=300, blank=True)

    class Meta:
        db_table = "accounts_auditentry"  # kept from accounts: renamed app, same table
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-at"]),
            models.Index(fields=["actor", "-at"]),
        ]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_label}"

    @property
    def change_lines(self) -> list[str]:
        """'status: Draft → Submitted' for fields with safe values; 'notes: changed' for the
        rest (secrets and free text are never stored, so never shown)."""
        from familysupport.lib.labels import field_choices, label

        # get_for_id is cached: no query per row of the audit page.
        model = (
            ContentType.objects.get_for_id(self.content_type_id).model_class()
            if self.content_type_id
            else None
        )
        lines = []
        for name in self.changed_fields or []:
            pair = (self.changes or {}).get(name)
            if not (isinstance(pair, list) and len(pair) == 2):
                lines.append(f"{name}: changed")
                continue
            try:
                choices = field_choices(model, name) if model else {}
            except Exception:
                choices = {}
            old, new = (
                "—" if v in (None, "") else label(v, choices) if choices else str(v) for v in pair
            )
            lines.append(f"{name}: {old} → {new}")
        return lines


class Notification(models.Model):
    """An in-app notification (the bell). E-mail copies go through OutboundEmail."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(max_length=100)
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Idempotency: one notification per (recipient, key) however often a job runs.
    key = models.CharField(max_length=200, null=True, blank=True)

    class Meta:
        db_table = "accounts_notification"  # kept from accounts: renamed app, same table
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_unique_key")
        ]

    def __str__(self) -> str:
        return self.title


class OutboundEmail(models.Model):
    """The e-mail outbox: written in the transaction that causes it, delivered by a task."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # Extra message headers (the newsletter's List-Unsubscribe / List-Unsubscribe-Post).
    headers = models.JSONField(default=dict, blank=True)
    key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        db_table = "accounts_outboundemail"  # kept from accounts: renamed app, same table
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"


class SentNotice(models.Model):
    """The jobs' sent-log: one row per (job, object, period or threshold), ever.

    A job inserts the row in the same transaction as the notifications it writes; the
    unique constraint makes a second run, or a second worker running at the same moment,
    send nothing twice (the loser's insert waits for the winner's commit, then conflicts).
    """

    job = models.CharField(max_length=60)
    object_key = models.CharField(max_length=80)
    period = models.CharField(max_length=60)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "accounts_sentnotice"  # kept from accounts: renamed app, same table
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "object_key", "period"], name="sentnotice_unique_key"
            )
        ]
        indexes = [models.Index(fields=["job", "object_key"])]

    def __str__(self) -> str:
        return f"{self.job} {self.object_key} {self.period}"


class JobRun(models.Model):
    """One run of a scheduled job (familysupport.lib.jobs): when, how long, how much, errors.

    Operational data only: job name, counts and an exception's type, never its message (a
    message can quote a name or an address). A "run now" request is a row first (pending),
    so a request made while Redis is down is not lost: the minute's sweep enqueues it.
    """

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        MANUAL = "manual", "Run now"
        COMMAND = "command", "Command"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the queue"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    job = models.CharField(max_length=60)
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)  # last handed to the broker
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration = models.DurationField(null=True, blank=True)
    # What the job returned: notices sent, or items made (snapshots, certificates).
    items = models.PositiveIntegerField(null=True, blank=True)
    error_type = models.CharField(max_length=120, blank=True)

    class Meta:
        db_table = "accounts_jobrun"  # kept from accounts: renamed app, same table
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["job", "-requested_at", "-id"], name="jobrun_job_recent"),
            models.Index(
                fields=["status", "requested_at"],
                name="jobrun_open",
                condition=models.Q(status__in=["pending", "queued"]),
            ),
        ]

    # Longer than any job's hard time limit (30 minutes): a run still "running" after this
    # was killed (worker lost, machine restarted) and never wrote its end.
    STALE_AFTER = timedelta(hours=1)

    def __str__(self) -> str:
        return f"{self.job} {self.status} {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def interrupted(self) -> bool:
        started = self.started_at
        return self.status == self.Status.RUNNING and bool(
            started and started < timezone.now() - self.STALE_AFTER
        )

    @property
    def status_label(self) -> str:
        return "Interrupted" if self.interrupted else self.get_status_display()

    @property
    def duration_label(self) -> str:
        if self.duration is None:
            return ""
        seconds = self.duration.total_seconds()
        if seconds < 60:
            return f"{seconds:.1f} s"
        minutes, seconds = divmod(round(seconds), 60)
        return f"{minutes} min {seconds} s"
