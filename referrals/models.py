"""Referrals of a family to a FAON provider, a community agency or an attorney; legal TA.

A `Referral` goes draft → sent → accepted / declined / expired → first appointment →
completed, or closed by staff at any point after draft. Every change is a `ReferralEvent`
(status, when, who). What a provider may see before accepting is snapshotted on the
referral at creation (service, general area, language, child's age range, fee need), so
the provider's pages never need to load the family.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from familysupport.lib.audit import AuditedModel
from faon.models import Provider


class ZipCentroid(models.Model):
    """Centroid of a US ZIP code (offline data from the `zipcodes` package). Not family data."""

    zip_code = models.CharField(max_length=5, primary_key=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True, db_index=True)

    class Meta:
        ordering = ["zip_code"]
        indexes = [models.Index(fields=["latitude", "longitude"], name="ref_zip_latlng")]

    def __str__(self) -> str:
        return self.zip_code


class ServiceType(models.TextChoices):
    MENTAL_HEALTH = "mental_health", "Mental-health counselling / therapy"
    PSYCHIATRIC = "psychiatric", "Psychiatric care"
    LEGAL = "legal", "Legal help"
    SUPPORT = "support", "Family support / advocacy"
    OTHER = "other", "Other"


class FeeNeed(models.TextChoices):
    ANY = "", "No preference"
    PRO_BONO = "pro_bono", "Pro bono"
    SLIDING_SCALE = "sliding_scale", "Sliding scale"
    INSURANCE = "insurance", "Insurance"


class Agency(AuditedModel):
    """A community agency or attorney in the staff-managed directory (not a FAON member)."""

    class Kind(models.TextChoices):
        AGENCY = "agency", "Community agency"
        ATTORNEY = "attorney", "Attorney"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.AGENCY)
    name = models.CharField(max_length=200)
    services = ArrayField(
        models.CharField(max_length=20, choices=ServiceType.choices), default=list
    )
    languages = ArrayField(models.CharField(max_length=5), default=list, blank=True)
    description = models.TextField(blank=True)
    contact_name = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip_code = models.CharField("ZIP code", max_length=5)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    service_radius_miles = models.PositiveSmallIntegerField(default=25)
    remote_states = ArrayField(
        models.CharField(max_length=2),
        default=list,
        blank=True,
        help_text="States served remotely (phone / video), whatever the distance.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_values = ("kind", "name", "is_active")

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "agencies"
        indexes = [
            GinIndex(fields=["services"], name="ref_agency_services_gin"),
            models.Index(fields=["latitude", "longitude"], name="ref_agency_latlng"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("referrals:agency_detail", args=[self.pk])

    def audit_label(self) -> str:
        return f"Agency #{self.pk}"


class Referral(AuditedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent, awaiting answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired (no answer)"
        FIRST_APPOINTMENT = "first_appointment", "First appointment held"
        COMPLETED = "completed", "Completed"
        CLOSED = "closed", "Closed"

    class DeclineReason(models.TextChoices):
        FULL = "full", "No capacity (full)"
        OUT_OF_AREA = "out_of_area", "Out of area"
        CONFLICT = "conflict", "Conflict of interest"
        OTHER = "other", "Other"

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals")
    family = models.ForeignKey("cases.Family", on_delete=models.PROTECT, related_name="referrals")
    service_type = models.CharField(max_length=20, choices=ServiceType.choices, db_index=True)
    provider = models.ForeignKey(
        "faon.Provider",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )

    # What the provider sees before answering (no names, contacts or notes).
    area_label = models.CharField("general area", max_length=120, blank=True)
    language = models.CharField(max_length=35, blank=True)
    child_age_range = models.CharField(max_length=20, blank=True)
    fee_need = models.CharField(max_length=15, choices=FeeNeed.choices, blank=True)
    insurance_plan = models.CharField(max_length=80, blank=True)
    # Written by the advocate for the provider; shown only after the provider accepts.
    note_for_provider = models.TextField("note for the provider", blank=True)
    # Staff-only: why this match (distance, specialty, language, fee) when it was chosen.
    match_reason = models.CharField(max_length=300, blank=True)
    distance_miles = models.FloatField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_created"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    respond_by = models.DateTimeField("answer due", null=True, blank=True, db_index=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=12, choices=DeclineReason.choices, blank=True)
    decline_note = models.TextField(blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    first_appointment_on = models.DateField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=300, blank=True)
    # The referral this one replaced (re-referral to the next match after a decline/expiry).
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_referrals"
    )
    updated_at = models.DateTimeField(auto_now=True)

    audit_values = ("status", "service_type", "provider", "agency", "decline_reason")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["case", "-created_at"]),
            models.Index(fields=["provider", "status"]),
            models.Index(fields=["status", "respond_by"]),
            models.Index(fields=["created_by", "status"]),
            # The staff referral list: newest first, paged (no sort of every referral).
            models.Index(fields=["-created_at", "-id"], name="referral_created_desc"),
            # "Awaiting an answer" (home panels, awaiting list): the few sent referrals in
            # the panel's order (respond_by, id), without walking all the others.
            models.Index(
                fields=["respond_by", "id"],
                condition=Q(status="sent"),
                name="referral_sent_respond_by",
            ),
            # The yearly report: families with a mental-health referral accepted in the year
            # (status is filtered too, so it is carried for an index-only scan).
            models.Index(
                fields=["service_type", "accepted_at"],
                include=["family", "status"],
                name="referral_service_accepted_cov",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(provider__isnull=False, agency__isnull=True)
                    | Q(provider__isnull=True, agency__isnull=False)
                ),
                name="referral_one_recipient",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="referral_decline_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("referrals:detail", args=[self.pk])

    def audit_label(self) -> str:
        return f"Referral #{self.pk}"

    @property
    def recipient(self):
        return self.provider or self.agency

    @property
    def recipient_name(self) -> str:
        r = self.recipient
        return r.name if r is not None else ""

    @property
    def is_to_provider(self) -> bool:
        return self.provider_id is not None

    @property
    def awaiting_answer(self) -> bool:
        return self.status == self.Status.SENT

    @property
    def accepted_by_recipient(self) -> bool:
        """Accepted and still running (or completed): what releases the family's contact."""
        return self.accepted_at is not None and self.status in (
            self.Status.ACCEPTED,
            self.Status.FIRST_APPOINTMENT,
            self.Status.COMPLETED,
        )

    @property
    def provider_membership_active(self) -> bool:
        """A FAON provider's membership is active now (suspended, lapsed, withdrawn: not)."""
        return self.provider_id is not None and self.provider.status == Provider.Status.ACTIVE

    @property
    def contact_released(self) -> bool:
        """The provider sees the family's contact once it accepted, while its membership is
        active: a suspended or withdrawn member loses it (and gets it back if reinstated)."""
        return self.accepted_by_recipient and self.provider_membership_active

    @property
    def contact_withheld_for_membership(self) -> bool:
        """Accepted, but the contact is hidden because the membership is not active."""
        return self.accepted_by_recipient and not self.provider_membership_active

    @property
    def response_hours(self) -> float | None:
        if self.sent_at and self.responded_at:
            return (self.responded_at - self.sent_at).total_seconds() / 3600
        return None


class ReferralEvent(models.Model):
    """One status change of a referral: history for the timeline, reports and audit review."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=Referral.Status.choices, blank=True)
    status = models.CharField(max_length=20, choices=Referral.Status.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["referral", "at"]), models.Index(fields=["status", "at"])]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.status}"


class LegalAssistanceRequest(AuditedModel):
    """A request for legal technical assistance, with or without a case."""

    class RequesterKind(models.TextChoices):
        FAMILY = "family", "Family"
        ATTORNEY = "attorney", "Attorney"
        LEGISLATOR = "legislator", "Legislator / policy maker"
        OTHER = "other", "Other"

    class Topic(models.TextChoices):
        CUSTODY = "custody", "Family abduction / custody"
        HAGUE = "hague", "Hague Convention"
        VICTIMS_RIGHTS = "victims_rights", "Victims' rights"
        EXPLOITATION = "exploitation", "Sexual exploitation law"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        CLOSED = "closed", "Closed without assistance"

    class Provided(models.TextChoices):
        ATTORNEY_REFERRAL = "attorney_referral", "Referral to an attorney"
        RESEARCH = "research", "Research memo"
        PUBLICATION = "publication", "Publication"
        AMICUS = "amicus", "Amicus brief"
        TRIAL_MATERIAL = "trial_material", "Trial material"

    requester_kind = models.CharField(max_length=12, choices=RequesterKind.choices)
    requester_name = models.CharField(max_length=150, blank=True)
    requester_contact = models.CharField(max_length=200, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_requests",
    )
    topic = models.CharField(max_length=20, choices=Topic.choices, db_index=True)
    jurisdiction = models.CharField(max_length=100, blank=True)
    question = models.TextField("request")
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    provided = ArrayField(
        models.CharField(max_length=20, choices=Provided.choices),
        default=list,
        blank=True,
        verbose_name="what was provided",
    )
    time_spent_minutes = models.PositiveIntegerField(default=0)
    received_on = models.DateField(default=timezone.localdate, db_index=True)
    completed_on = models.DateField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_requests",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_values = ("requester_kind", "topic", "status", "provided")

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["status", "-received_on"])]

    def __str__(self) -> str:
        return f"Legal request #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("referrals:legal_detail", args=[self.pk])

    def audit_label(self) -> str:
        return f"Legal assistance request #{self.pk}"

    @property
    def provided_labels(self) -> list[str]:
        return [self.Provided(p).label for p in self.provided if p in self.Provided.values]
