"""Team HOPE: volunteer peer parents, their matches with families, peer calls, escalations."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from familysupport.lib.audit import AuditedModel


def _case_type_choices():
    from cases.models import Case

    return Case.Type.choices


class Volunteer(AuditedModel):
    """A peer parent who lived through a missing or exploited child; one per volunteer user."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        RETIRED = "retired", "Retired"

    class Outcome(models.TextChoices):
        MISSING = "missing", "Child still missing"
        RECOVERED = "recovered", "Child recovered"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="volunteer_profile"
    )
    # Case.Type values of the volunteer's own experience (a family may have lived several).
    experience_types = ArrayField(
        models.CharField(max_length=30, choices=_case_type_choices()),
        default=list,
        blank=True,
        verbose_name="lived experience (kinds of case)",
    )
    experience_outcome = models.CharField(
        "their child is", max_length=10, choices=Outcome.choices, default=Outcome.RECOVERED
    )
    languages = ArrayField(
        models.CharField(max_length=35),
        default=list,
        blank=True,
        help_text="Language codes, e.g. en, es.",
    )
    time_zone = models.CharField(max_length=64, default="America/New_York")
    capacity = models.PositiveSmallIntegerField(
        default=3, help_text="Most families the volunteer supports at once."
    )
    training_completed_on = models.DateField(null=True, blank=True)
    background_check_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_values = ("status", "capacity", "training_completed_on", "background_check_on")

    class Meta:
        ordering = ["user__full_name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__lte=20), name="teamhope_volunteer_capacity_sane"
            )
        ]

    def __str__(self) -> str:
        return self.user.full_name or self.user.email

    @property
    def free_places(self) -> int:
        """Needs `active_count` (annotated by the selectors)."""
        return max(self.capacity - getattr(self, "active_count", 0), 0)

    @property
    def experience_labels(self) -> list[str]:
        labels = dict(_case_type_choices())
        return [labels.get(t, t) for t in self.experience_types]

    def get_absolute_url(self) -> str:
        return reverse("teamhope:volunteer_detail", args=[self.pk])

    def audit_label(self) -> str:
        return f"Volunteer #{self.pk}"


class PeerMatch(AuditedModel):
    """A volunteer supporting a family (on one of its cases); only with the family's consent."""

    class EndReason(models.TextChoices):
        GOALS_MET = "goals_met", "Family no longer needs peer support"
        FAMILY_DECLINED = "family_declined", "Family asked to stop"
        CONSENT_WITHDRAWN = "consent_withdrawn", "Family withdrew consent"
        UNREACHABLE = "unreachable", "Family could not be reached"
        VOLUNTEER_UNAVAILABLE = "volunteer_unavailable", "Volunteer no longer available"
        REMATCHED = "rematched", "Matched with another volunteer"
        CASE_CLOSED = "case_closed", "Case closed"
        OTHER = "other", "Other"

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="matches")
    family = models.ForeignKey(
        "cases.Family", on_delete=models.PROTECT, related_name="peer_matches"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="peer_matches")
    why_matched = models.TextField("why this match", max_length=1000)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=30, choices=EndReason.choices, blank=True)
    end_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_values = ("volunteer", "family", "case", "ended_at", "end_reason")

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            # A family has one peer parent at a time.
            models.UniqueConstraint(
                fields=["family"],
                condition=Q(ended_at__isnull=True),
                name="teamhope_one_active_match_per_family",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | ~Q(end_reason=""),
                name="teamhope_ended_match_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["volunteer", "ended_at"]),
            models.Index(fields=["case", "-started_at"]),
        ]

    def __str__(self) -> str:
        return f"Peer match #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    def get_absolute_url(self) -> str:
        return reverse("teamhope:match_detail", args=[self.pk])

    def audit_label(self) -> str:
        return f"Peer match #{self.pk}"


class PeerCall(AuditedModel):
    class Direction(models.TextChoices):
        OUTBOUND = "outbound", "I called the family"
        INBOUND = "inbound", "The family called me"

    class Topic(models.TextChoices):
        EMOTIONAL_SUPPORT = "emotional_support", "Emotional support"
        COPING = "coping", "Coping and self-care"
        SEARCH = "search", "The search / law enforcement"
        MEDIA = "media", "Media attention"
        SIBLINGS = "siblings", "Siblings and family"
        REUNIFICATION = "reunification", "Reunification / recovery"
        ANNIVERSARY = "anniversary", "Anniversary or hard date"
        LEGAL = "legal", "Court or legal process"
        RESOURCES = "resources", "Resources and services"
        OTHER = "other", "Other"

    match = models.ForeignKey(PeerMatch, on_delete=models.PROTECT, related_name="calls")
    called_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    direction = models.CharField(max_length=10, choices=Direction.choices)
    topics = ArrayField(
        models.CharField(max_length=20, choices=Topic.choices), default=list, blank=True
    )
    note = models.CharField("short note", max_length=500, blank=True)
    escalated = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    audit_values = ("escalated",)

    class Meta:
        ordering = ["-called_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1) & Q(duration_minutes__lte=600),
                name="teamhope_call_duration_range",
            )
        ]
        indexes = [
            models.Index(fields=["match", "-called_at"]),
            # Calls, minutes and escalations per month, and families reached, in the yearly
            # report: answered from the index alone (millions of calls).
            models.Index(
                fields=["called_at"],
                include=["duration_minutes", "escalated", "match"],
                name="peercall_called_cov",
            ),
        ]

    def __str__(self) -> str:
        return f"Peer call #{self.pk}"

    @property
    def topic_labels(self) -> list[str]:
        labels = dict(self.Topic.choices)
        return [labels.get(t, t) for t in self.topics]

    def audit_label(self) -> str:
        return f"Peer call #{self.pk}"


class Escalation(AuditedModel):
    """A volunteer's "the family needs an advocate now"; the case's advocate is told at once."""

    match = models.ForeignKey(PeerMatch, on_delete=models.PROTECT, related_name="escalations")
    call = models.ForeignKey(
        PeerCall, null=True, blank=True, on_delete=models.PROTECT, related_name="escalations"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField("what is happening", max_length=500, blank=True)
    advocate_notified = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.CharField(max_length=500, blank=True)

    audit_values = ("acknowledged_at", "resolved_at", "advocate_notified")

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            # At most one open escalation per match: pressing the button twice alerts once.
            models.UniqueConstraint(
                fields=["match"],
                condition=Q(resolved_at__isnull=True),
                name="teamhope_one_open_escalation_per_match",
            )
        ]
        indexes = [models.Index(fields=["resolved_at", "-raised_at"])]

    def __str__(self) -> str:
        return f"Escalation #{self.pk}"

    @property
    def status(self) -> str:
        if self.resolved_at:
            return "resolved"
        if self.acknowledged_at:
            return "acknowledged"
        return "open"

    def get_absolute_url(self) -> str:
        return reverse("teamhope:escalation_detail", args=[self.pk])

    def audit_label(self) -> str:
        return f"Escalation #{self.pk}"
