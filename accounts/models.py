from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from familysupport.lib.audit import AuditedModel, AuditedQuerySet


class UserManager(BaseUserManager.from_queryset(AuditedQuerySet)):  # type: ignore[misc]
    use_in_migrations = False  # migrations must not hit the audit-refusing queryset

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("role", User.Role.ADMINISTRATOR)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AuditedModel, AbstractBaseUser, PermissionsMixin):
    audit_values = ("role", "is_active", "supervisor")
    audit_exclude = ("last_login",)

    class Role(models.TextChoices):
        ADVOCATE = "advocate", "Advocate"
        SUPERVISOR = "supervisor", "Supervisor"
        ADMINISTRATOR = "administrator", "Administrator"
        PROVIDER = "provider", "FAON provider"
        VOLUNTEER = "volunteer", "Team HOPE volunteer"

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=20, choices=Role.choices, db_index=True)
    # An advocate's supervisor: defines the supervisor's team (team dashboards, team audit).
    supervisor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="team_members"
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)  # Django admin is not mounted; kept for auth
    date_joined = models.DateTimeField(default=timezone.now)
    invited_at = models.DateTimeField(null=True, blank=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name", "role"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_absolute_url(self) -> str:
        return reverse("accounts:user_detail", args=[self.pk])

    @property
    def is_advocate(self) -> bool:
        return self.role == self.Role.ADVOCATE

    @property
    def is_supervisor(self) -> bool:
        return self.role == self.Role.SUPERVISOR

    @property
    def is_administrator(self) -> bool:
        return self.role == self.Role.ADMINISTRATOR

    @property
    def is_provider(self) -> bool:
        return self.role == self.Role.PROVIDER

    @property
    def is_volunteer(self) -> bool:
        return self.role == self.Role.VOLUNTEER

    @cached_property
    def team_member_ids(self) -> list[int]:
        """Ids of the advocates reporting to this user, read once per request (the home
        page's panels all filter by the team)."""
        return list(
            User.objects.filter(supervisor_id=self.pk).order_by().values_list("pk", flat=True)
        )

    @property
    def is_division_staff(self) -> bool:
        """Advocates, supervisors and administrators: the division's own staff."""
        return self.role in STAFF_ROLES


STAFF_ROLES = frozenset({User.Role.ADVOCATE, User.Role.SUPERVISOR, User.Role.ADMINISTRATOR})


class AuditEntry(models.Model):
    """One read or change of a record. Append-only: a database trigger refuses UPDATE/DELETE."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False
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
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-at"]),
            models.Index(fields=["actor", "-at"]),
        ]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_label}"


class Notification(models.Model):
    """An in-app notification (the bell). E-mail copies go through OutboundEmail."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(max_length=100)
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Idempotency: one notification per (recipient, key) however often a job runs.
    key = models.CharField(max_length=200, null=True, blank=True)

    class Meta:
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
    key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
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
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
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
