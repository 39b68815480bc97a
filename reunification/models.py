"""Reunification assistance: travel requests, their segments, need review data and budget.

Money is always `Decimal` (DecimalField); nothing here is a float.
"""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from familysupport.lib.audit import AuditedModel

ZERO = Decimal("0.00")
money_validators = [MinValueValidator(ZERO, message="Amounts cannot be negative.")]


def default_time_zone() -> str:
    return settings.TIME_ZONE


def default_follow_up_days() -> list[int]:
    return [3, 30, 90]  # 3 days, about 1 month, about 3 months after reunification


class TravelRequest(AuditedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        UNDER_REVIEW = "under_review", "Under review"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"
        BOOKED = "booked", "Booked"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    class Purpose(models.TextChoices):
        INITIAL = "initial", "Initial reunification"
        FOLLOW_UP = "follow_up", "Follow-up visit"

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="travel_requests")
    travellers = models.ManyToManyField(
        "cases.Person", blank=True, related_name="travel_requests", help_text="Family members."
    )
    escorts = models.CharField(
        max_length=300, blank=True, help_text="Escorts who are not family members (roles only)."
    )
    destination_city = models.CharField("city where the child is", max_length=100)
    destination_state = models.CharField(
        "state / region", max_length=100, blank=True, help_text="US state code or region."
    )
    destination_country = models.CharField(
        "country", max_length=2, default="US", help_text="ISO country code."
    )
    is_international = models.BooleanField("international travel", default=False)
    passport_visa_notes = models.TextField("passport and visa notes", blank=True)
    depart_on = models.DateField("requested departure")
    return_on = models.DateField("requested return", null=True, blank=True)
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.INITIAL)

    # Financial need
    household_size = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    yearly_income = models.DecimalField(
        "yearly household income", max_digits=12, decimal_places=2, validators=money_validators
    )
    other_assistance = models.CharField("other assistance received", max_length=300, blank=True)
    amount_requested = models.DecimalField(
        "assistance asked", max_digits=10, decimal_places=2, validators=money_validators
    )
    notes = models.TextField(blank=True)

    status = models.CharField(
        max_length=15, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    denial_reason = models.TextField(blank=True)
    cancel_reason = models.TextField(blank=True)
    approved_amount = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, validators=money_validators
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="travel_requests"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="travel_requests_decided",
        help_text="The supervisor who approved or denied.",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    review_started_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True, db_index=True)
    booked_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Booking without every international document: who decided so, and why.
    documents_override_reason = models.TextField(blank=True)
    documents_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Estimated costs above the approved amount: a second supervisor approved the new amount.
    reapproved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reapproved_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every change: forms carry it so a stale page cannot overwrite newer data.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    audit_values = (
        "status",
        "approver",
        "approved_amount",
        "version",
        "reapproved_by",
        "documents_override_by",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["requested_by", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(return_on__isnull=True) | Q(return_on__gte=models.F("depart_on")),
                name="travel_return_not_before_departure",
            ),
            models.CheckConstraint(
                condition=Q(yearly_income__gte=0) & Q(amount_requested__gte=0),
                name="travel_money_not_negative",
            ),
            models.CheckConstraint(condition=Q(household_size__gte=1), name="travel_household_1"),
        ]

    def __str__(self) -> str:
        return f"Travel request TR-{self.pk:05d}" if self.pk else "New travel request"

    @property
    def reference(self) -> str:
        return f"TR-{self.pk:05d}"

    def get_absolute_url(self) -> str:
        return reverse("reunification:detail", args=[self.pk])

    def audit_label(self) -> str:
        return f"Travel request #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status not in (
            self.Status.DENIED,
            self.Status.COMPLETED,
            self.Status.CANCELLED,
        )


class Segment(AuditedModel):
    class Kind(models.TextChoices):
        FLIGHT = "flight", "Flight"
        TRAIN = "train", "Train"
        BUS = "bus", "Bus"
        CAR = "car", "Car / rental"
        LODGING = "lodging", "Lodging"
        GROUND = "ground", "Ground transport"
        OTHER = "other", "Other"

    TRANSPORT_KINDS = (Kind.FLIGHT, Kind.TRAIN, Kind.BUS, Kind.CAR)

    travel_request = models.ForeignKey(
        TravelRequest, on_delete=models.CASCADE, related_name="segments"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    provider = models.CharField("carrier / provider", max_length=120, blank=True)
    from_place = models.CharField("from", max_length=120, blank=True)
    to_place = models.CharField("to / address", max_length=200, blank=True)
    # Times are stored in UTC and entered/shown in the segment's own zone (a flight from
    # Guadalajara departs at Guadalajara's clock time).
    starts_at = models.DateTimeField("departs / check-in")
    ends_at = models.DateTimeField("arrives / check-out", null=True, blank=True)
    time_zone = models.CharField(
        max_length=64,
        default=default_time_zone,
        help_text="The time zone of the departure / check-in place (e.g. America/Mexico_City).",
    )
    confirmation_code = models.CharField(max_length=40, blank=True)
    estimated_cost = models.DecimalField(
        max_digits=10, decimal_places=2, validators=money_validators
    )
    actual_cost = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, validators=money_validators
    )
    notes = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_values = ("kind", "estimated_cost", "actual_cost", "time_zone")

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_cost__gte=0)
                & (Q(actual_cost__isnull=True) | Q(actual_cost__gte=0)),
                name="segment_cost_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="segment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d}"

    def audit_label(self) -> str:
        return f"Travel segment #{self.pk}"

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(settings.TIME_ZONE)

    @property
    def local_starts_at(self):
        return self.starts_at.astimezone(self.zone)

    @property
    def local_ends_at(self):
        return self.ends_at.astimezone(self.zone) if self.ends_at else None

    @property
    def when_display(self) -> str:
        """'Mon 14 Sep 2026, 08:30 to Mon 14 Sep 2026, 11:05 (Mexico City time)'."""
        fmt = "%a %d %b %Y, %H:%M"
        text = self.local_starts_at.strftime(fmt)
        if self.ends_at:
            text += f" to {self.local_ends_at.strftime(fmt)}"
        place = self.time_zone.rsplit("/", 1)[-1].replace("_", " ")
        return f"{text} ({place} time)"

    @property
    def cost_group(self) -> str:
        """The reporting group: transport, lodging, ground or other."""
        if self.kind in self.TRANSPORT_KINDS:
            return "transport"
        return self.kind


class ChecklistItem(AuditedModel):
    """One document or contact to arrange before international travel."""

    class Kind(models.TextChoices):
        PASSPORT = "passport", "Passports for every traveller"
        VISA = "visa", "Visas / entry permits"
        CUSTODY = "custody", "Custody order (certified copy)"
        COURT = "court", "Court orders / authorisation for the child to travel"
        CONSULAR = "consular", "Consular contact (embassy / consulate)"
        OTHER = "other", "Other"

    DEFAULT_KINDS = (Kind.PASSPORT, Kind.VISA, Kind.CUSTODY, Kind.COURT, Kind.CONSULAR)

    travel_request = models.ForeignKey(
        TravelRequest, on_delete=models.CASCADE, related_name="checklist"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    note = models.CharField(max_length=300, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    audit_values = ("kind", "done_at")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["travel_request", "kind"],
                condition=~Q(kind="other"),
                name="checklist_kind_once",
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    def audit_label(self) -> str:
        return f"Travel checklist item #{self.pk}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class PovertyGuideline(AuditedModel):
    """HHS poverty guideline for a year: base amount for one person plus each extra person."""

    class Region(models.TextChoices):
        CONTIGUOUS = "contiguous", "48 contiguous states and DC"
        ALASKA = "alaska", "Alaska"
        HAWAII = "hawaii", "Hawaii"

    year = models.PositiveSmallIntegerField()
    region = models.CharField(max_length=12, choices=Region.choices, default=Region.CONTIGUOUS)
    base_amount = models.DecimalField(
        "one person", max_digits=10, decimal_places=2, validators=money_validators
    )
    per_extra_person = models.DecimalField(
        "each additional person", max_digits=10, decimal_places=2, validators=money_validators
    )
    updated_at = models.DateTimeField(auto_now=True)

    audit_values = ("year", "region", "base_amount", "per_extra_person")

    class Meta:
        ordering = ["-year", "region"]
        constraints = [
            models.UniqueConstraint(fields=["year", "region"], name="guideline_year_region")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_region_display()}"

    def audit_label(self) -> str:
        return f"Poverty guideline {self.year} {self.region}"

    def amount_for(self, household_size: int) -> Decimal:
        return self.base_amount + self.per_extra_person * max(household_size - 1, 0)


class AssistancePolicy(AuditedModel):
    """The division's rules (one row): need threshold and follow-up schedule."""

    recommend_up_to_percent = models.DecimalField(
        "recommend assistance up to (% of guideline)",
        max_digits=6,
        decimal_places=2,
        default=Decimal("200.00"),
        validators=money_validators,
    )
    follow_up_days = ArrayField(
        models.PositiveIntegerField(),
        default=default_follow_up_days,
        blank=True,
        help_text="Days after completion when follow-up tasks are due (e.g. 3, 30, 90).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    audit_values = ("recommend_up_to_percent", "follow_up_days")

    class Meta:
        verbose_name_plural = "assistance policy"

    def __str__(self) -> str:
        return "Reunification assistance policy"

    def audit_label(self) -> str:
        return "Reunification assistance policy"


class TravelBudget(AuditedModel):
    year = models.PositiveSmallIntegerField(unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, validators=money_validators)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    audit_values = ("year", "amount")

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"Travel budget {self.year}"

    def audit_label(self) -> str:
        return f"Travel budget {self.year}"
