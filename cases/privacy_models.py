"""Privacy records of case work: restricted cases, who may open them, break-glass openings,
legal holds, a family's safe-contact rules and what the retention schedule purged.

Imported at the end of `cases/models.py` (so Django registers them in the cases app);
the logic lives in `cases/restricted.py`, `cases/holds.py`, `cases/contact_rules.py` and
`cases/retention.py`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from familysupport.lib.audit import AuditedModel

USER = settings.AUTH_USER_MODEL


class CaseRestriction(AuditedModel):
    """A case (and with it its family) opened only by the assigned advocate, supervisors and
    people a supervisor added; everyone else sees a stub and must break the glass."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="restrictions")
    reason = models.CharField(max_length=300)
    placed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.CharField(max_length=300, blank=True)

    audit_values = ("placed_at", "lifted_at")

    class Meta:
        ordering = ["-placed_at", "-pk"]
        constraints = [
            # One active restriction per case; its index also serves "restricted cases now".
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(lifted_at__isnull=True),
                name="case_one_active_restriction",
            )
        ]

    def __str__(self) -> str:
        return f"Restriction #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None

    def audit_label(self) -> str:
        return f"Case restriction #{self.pk}"


class CaseAccessGrant(AuditedModel):
    """A person a supervisor added to a restricted case."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="access_grants")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="case_access_grants")
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    removed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    audit_values = ("user", "removed_at")

    class Meta:
        ordering = ["-added_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"],
                condition=Q(removed_at__isnull=True),
                name="case_access_grant_one_active",
            )
        ]
        indexes = [models.Index(fields=["user", "case"], name="case_grant_user_case")]

    def __str__(self) -> str:
        return f"Access grant #{self.pk}"

    def audit_label(self) -> str:
        return f"Case access grant #{self.pk}"


class BreakGlass(AuditedModel):
    """Someone without access opened a restricted case for a limited time, giving a reason."""

    class Reason(models.TextChoices):
        CALLER = "caller", "The family is on the line and needs help now"
        SAFETY = "safety", "A child's or a family member's safety is at risk"
        COVER = "cover", "Covering for the assigned advocate, who is not available"
        LAW_ENFORCEMENT = "law", "Law enforcement asked for urgent information"
        OTHER = "other", "Another urgent reason"

    class Review(models.TextChoices):
        PENDING = "pending", "Not reviewed"
        REVIEWED = "reviewed", "Reviewed"
        FLAGGED = "flagged", "Flagged"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="break_glasses")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="break_glasses")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    explanation = models.CharField(max_length=500)
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    review = models.CharField(max_length=10, choices=Review.choices, default=Review.PENDING)
    reviewed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=300, blank=True)

    audit_values = ("reason", "expires_at", "review")

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name_plural = "break-glass openings"
        indexes = [
            models.Index(fields=["user", "expires_at"], name="breakglass_user_expires"),
            models.Index(fields=["-started_at"], name="breakglass_recent"),
        ]

    def __str__(self) -> str:
        return f"Break-glass #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.expires_at > timezone.now()

    @property
    def duration(self) -> dt.timedelta:
        return self.expires_at - self.started_at

    def audit_label(self) -> str:
        return f"Break-glass #{self.pk}"


class LegalHold(AuditedModel):
    """Stops every purge of a family or a case (and what hangs on it) until lifted."""

    family = models.ForeignKey(
        "cases.Family", null=True, blank=True, on_delete=models.CASCADE, related_name="legal_holds"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="legal_holds"
    )
    reason = models.CharField(max_length=300)
    placed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.CharField(max_length=300, blank=True)

    audit_values = ("family", "case", "placed_at", "lifted_at")

    class Meta:
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(family__isnull=False, case__isnull=True)
                | Q(family__isnull=True, case__isnull=False),
                name="legal_hold_family_xor_case",
            )
        ]
        indexes = [
            models.Index(
                fields=["family"], condition=Q(lifted_at__isnull=True), name="legal_hold_family_on"
            ),
            models.Index(
                fields=["case"], condition=Q(lifted_at__isnull=True), name="legal_hold_case_on"
            ),
        ]

    def __str__(self) -> str:
        return f"Legal hold #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None

    def audit_label(self) -> str:
        return f"Legal hold #{self.pk}"


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "E-mail"
    POST = "post", "Post"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class FamilyContactRules(AuditedModel):
    """How a family may be contacted; none recorded means no restriction is known."""

    family = models.OneToOneField(
        "cases.Family", primary_key=True, on_delete=models.CASCADE, related_name="contact_rules"
    )
    methods = ArrayField(
        models.CharField(max_length=5, choices=ContactMethod.choices),
        default=list,
        blank=True,
        help_text="Allowed ways to reach the family; none means only through the alternate.",
    )
    days = ArrayField(
        models.PositiveSmallIntegerField(choices=Weekday.choices),
        default=list,
        blank=True,
        help_text="Days the family may be contacted; none means any day.",
    )
    earliest = models.TimeField(null=True, blank=True, help_text="In the family's time zone.")
    latest = models.TimeField(null=True, blank=True, help_text="In the family's time zone.")
    no_voicemail = models.BooleanField("no voicemail", default=False)
    do_not_name_organisation = models.BooleanField("do not name the organisation", default=False)
    alternate_name = models.CharField("alternate safe contact", max_length=150, blank=True)
    alternate_relationship = models.CharField(max_length=80, blank=True)
    alternate_phone = models.CharField(max_length=20, blank=True, help_text="E.164")
    updated_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    # The rules themselves (the alternate contact aside): what the form edits, the pages read
    # and the audit trail shows; the alternate's name and phone are personal data and are
    # logged by field name only.
    RULES = ("methods", "days", "earliest", "latest", "no_voicemail", "do_not_name_organisation")
    audit_values = RULES

    class Meta:
        verbose_name = "safe-contact rules"
        verbose_name_plural = "safe-contact rules"
        constraints = [
            models.CheckConstraint(
                condition=Q(earliest__isnull=True)
                | Q(latest__isnull=True)
                | Q(earliest__lt=models.F("latest")),
                name="contact_rules_window_order",
            )
        ]

    def __str__(self) -> str:
        return f"Safe-contact rules of family #{self.family_id}"

    def audit_label(self) -> str:
        return f"Safe-contact rules of family #{self.family_id}"


class PurgedRecords(models.Model):
    """How many records of a kind, dated in a year, the retention schedule purged.

    Counts only (no ids): the yearly report reads it to say that live figures for that
    year no longer include them; published snapshots keep the figures as published.
    """

    year = models.PositiveSmallIntegerField()
    record_type = models.CharField(max_length=60)
    count = models.PositiveIntegerField(default=0)
    last_purged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["year", "record_type"]
        constraints = [
            models.UniqueConstraint(fields=["year", "record_type"], name="purged_records_unique")
        ]

    def __str__(self) -> str:
        return f"{self.count} {self.record_type} of {self.year} purged"
