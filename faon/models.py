"""The Family Advocacy Outreach Network: providers, their credentials, trainings and compliance.

Multi-valued choices (disciplines, specialties, languages, ...) are PostgreSQL arrays of
TextChoices values with GIN indexes, so matching can filter with `__overlap` /
`__contains` in SQL.
"""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from familysupport.lib.audit import AuditedModel
from familysupport.lib.qmatch import holds


class PrivateStorage(FileSystemStorage):
    """Files under settings.PRIVATE_MEDIA_ROOT (read at use time) that have no URL."""

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError(
            "Private documents have no URL; serve them through an access-checked view."
        )


def private_storage() -> FileSystemStorage:
    """Files under PRIVATE_MEDIA_ROOT with no URL: served only by access-checked views.

    A callable, so migrations reference it instead of freezing a path.
    """
    return PrivateStorage()


def _document_path(prefix: str, filename: str) -> str:
    # Never keep the uploader's file name in the path: it may carry personal details.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    now = timezone.now()
    return f"faon/{prefix}/{now:%Y/%m}/{uuid.uuid4().hex}.{ext}"


def license_document_path(instance, filename: str) -> str:
    return _document_path("licenses", filename)


def insurance_document_path(instance, filename: str) -> str:
    return _document_path("insurance", filename)


class Discipline(models.TextChoices):
    THERAPIST = "therapist", _("Therapist / counselor")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    PSYCHIATRIST = "psychiatrist", _("Psychiatrist")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    ATTORNEY = "attorney", _("Attorney")
    SUPPORT_ORGANISATION = "support_organisation", _("Support organisation")
    OTHER = "other", _("Other")


# Disciplines practised under a state license: an individual in one of them must hold a
# current license in good standing to be compliant.
LICENSED_DISCIPLINES = frozenset(
    {
        Discipline.THERAPIST,
        Discipline.PSYCHOLOGIST,
        Discipline.PSYCHIATRIST,
        Discipline.SOCIAL_WORKER,
        Discipline.ATTORNEY,
    }
)


class Specialty(models.TextChoices):
    TRAUMA = "trauma", _("Trauma")
    CHILD_SEXUAL_ABUSE = "child_sexual_abuse", _("Child sexual abuse")
    EXPLOITATION = "exploitation", _("Sexual exploitation / trafficking")
    GRIEF = "grief", _("Grief and loss")
    FAMILY_THERAPY = "family_therapy", _("Family therapy")
    CHILD_ADOLESCENT = "child_adolescent", _("Children and adolescents")
    REUNIFICATION = "reunification", _("Reunification")
    SUBSTANCE_USE = "substance_use", _("Substance use")
    ANXIETY_DEPRESSION = "anxiety_depression", _("Anxiety and depression")
    CUSTODY_LAW = "custody_law", _("Custody and family law")
    CRIMINAL_LAW = "criminal_law", _("Criminal / victims' rights law")
    IMMIGRATION_LAW = "immigration_law", _("Immigration law")
    OTHER = "other", _("Other")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")
    CHINESE = "zh", _("Chinese")
    VIETNAMESE = "vi", _("Vietnamese")
    TAGALOG = "tl", _("Tagalog")
    ARABIC = "ar", _("Arabic")
    FRENCH = "fr", _("French")
    HAITIAN_CREOLE = "ht", _("Haitian Creole")
    KOREAN = "ko", _("Korean")
    RUSSIAN = "ru", _("Russian")
    PORTUGUESE = "pt", _("Portuguese")
    GERMAN = "de", _("German")
    HINDI = "hi", _("Hindi")
    ASL = "ase", _("American Sign Language")


class ServiceMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    TELEHEALTH = "telehealth", _("Telehealth")


class FeeArrangement(models.TextChoices):
    PRO_BONO = "pro_bono", _("Pro bono")
    SLIDING_SCALE = "sliding_scale", _("Sliding scale")
    INSURANCE = "insurance", _("Insurance accepted")


US_STATES = [
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"),
    ("CA", "California"), ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"),
    ("DC", "District of Columbia"), ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"),
    ("ID", "Idaho"), ("IL", "Illinois"), ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"),
    ("KY", "Kentucky"), ("LA", "Louisiana"), ("ME", "Maine"), ("MD", "Maryland"),
    ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"), ("MS", "Mississippi"),
    ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"), ("NV", "Nevada"),
    ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"), ("NY", "New York"),
    ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"), ("OK", "Oklahoma"),
    ("OR", "Oregon"), ("PA", "Pennsylvania"), ("PR", "Puerto Rico"), ("RI", "Rhode Island"),
    ("SC", "South Carolina"), ("SD", "South Dakota"), ("TN", "Tennessee"), ("TX", "Texas"),
    ("UT", "Utah"), ("VT", "Vermont"), ("VA", "Virginia"), ("WA", "Washington"),
    ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
]  # fmt: skip


def _choice_array(choices, *, max_length: int = 30, blank: bool = True) -> ArrayField:
    return ArrayField(
        models.CharField(max_length=max_length, choices=choices), default=list, blank=blank
    )


class Provider(AuditedModel):
    """A FAON member or applicant: an individual clinician/attorney or an organisation."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual clinician or attorney")
        ORGANISATION = "organisation", _("Organisation")

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        UNDER_REVIEW = "under_review", "Under review"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        LAPSED = "lapsed", "Lapsed"
        WITHDRAWN = "withdrawn", "Withdrawn"
        REJECTED = "rejected", "Rejected"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(max_length=200, help_text="Person's or organisation's name.")
    credentials = models.CharField(
        max_length=100, blank=True, help_text="Letters after the name, e.g. PhD, LCSW."
    )
    organisation_name = models.CharField(
        max_length=200, blank=True, help_text="Practice or employer, for individuals."
    )
    contact_name = models.CharField(max_length=150, blank=True)
    description = models.TextField(blank=True, help_text="Public profile text.")
    website = models.URLField(blank=True)

    disciplines = _choice_array(Discipline.choices, blank=False)
    specialties = _choice_array(Specialty.choices)
    languages = _choice_array(Language.choices, max_length=5, blank=False)
    service_modes = _choice_array(ServiceMode.choices, max_length=12, blank=False)
    telehealth_states = _choice_array(US_STATES, max_length=2)
    fee_arrangements = _choice_array(FeeArrangement.choices, max_length=15, blank=False)
    insurance_plans = ArrayField(
        models.CharField(max_length=80), default=list, blank=True, help_text="Plans accepted."
    )
    age_min = models.PositiveSmallIntegerField("youngest age served", default=0)
    age_max = models.PositiveSmallIntegerField("oldest age served", default=99)

    address_line = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2, choices=US_STATES)
    zip_code = models.CharField("ZIP code", max_length=5, db_index=True)
    # Centroid of the ZIP code (filled by services from the offline `zipcodes` data).
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    service_radius_miles = models.PositiveSmallIntegerField(default=25)

    capacity = models.PositiveSmallIntegerField(
        default=0, help_text="New families the provider can take on now."
    )
    accepting_referrals = models.BooleanField(default=True)

    email = models.EmailField()
    phone = models.CharField(max_length=20, blank=True, help_text="E.164")
    details_confirmed_at = models.DateTimeField(null=True, blank=True)

    # Member benefits (opt-in).
    newsletter_opt_in = models.BooleanField(default=False)
    expert_projects_opt_in = models.BooleanField(default=False)
    travel_assistance_opt_in = models.BooleanField(default=False)

    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.APPLIED, db_index=True
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    status_reason = models.TextField(blank=True)
    applied_at = models.DateTimeField(default=timezone.now)
    review_started_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    lapsed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)

    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="managed_providers"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    # kind, disciplines and credentials decide which licenses and insurance are required.
    audit_values = (
        "status",
        "accepting_referrals",
        "capacity",
        "details_confirmed_at",
        "kind",
        "disciplines",
        "credentials",
    )

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            GinIndex(fields=["disciplines"], name="faon_provider_disc_gin"),
            GinIndex(fields=["specialties"], name="faon_provider_spec_gin"),
            GinIndex(fields=["languages"], name="faon_provider_lang_gin"),
            GinIndex(fields=["service_modes"], name="faon_provider_mode_gin"),
            GinIndex(fields=["fee_arrangements"], name="faon_provider_fee_gin"),
            GinIndex(fields=["telehealth_states"], name="faon_provider_tele_gin"),
            models.Index(fields=["latitude", "longitude"], name="faon_provider_latlng"),
            # The widest radius bounds referral matching's box (referrals.selectors).
            models.Index(fields=["service_radius_miles"], name="provider_radius"),
            GinIndex(name="faon_provider_name_trgm", fields=["name"], opclasses=["gin_trgm_ops"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age_min__lte=models.F("age_max")),
                name="faon_provider_age_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("faon:provider_detail", args=[self.pk])

    def audit_label(self) -> str:
        return f"FAON provider #{self.pk}"

    @property
    def requires_license(self) -> bool:
        """Licensed clinicians (individuals in a licensed discipline): faon/compliance.py."""
        from .compliance import NEEDS_LICENSE

        return holds(NEEDS_LICENSE, self)

    @property
    def requires_insurance(self) -> bool:
        """Licensed clinicians and clinician groups carry professional liability insurance."""
        from .compliance import NEEDS_INSURANCE

        return holds(NEEDS_INSURANCE, self)

    @property
    def offers_telehealth(self) -> bool:
        return ServiceMode.TELEHEALTH in self.service_modes

    @property
    def offers_in_person(self) -> bool:
        return ServiceMode.IN_PERSON in self.service_modes


class ProviderStatusChange(models.Model):
    """History of membership status: who moved it, when, why (reports: active on any day)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=Provider.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Provider.Status.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["provider", "at"]),
            models.Index(fields=["to_status", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class Application(AuditedModel):
    """A public application to join; becomes visible to vetting once its e-mail is confirmed."""

    provider = models.OneToOneField(Provider, on_delete=models.CASCADE, related_name="application")
    applicant_name = models.CharField(max_length=150)
    applicant_email = models.EmailField()
    references = models.TextField(
        help_text="Professional references who can speak to your standing."
    )
    motivation = models.TextField(blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    # SHA-256 of the confirmation token sent by e-mail; the token itself is never stored.
    confirm_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"Application #{self.pk}"

    def audit_label(self) -> str:
        return f"FAON application #{self.pk}"


class Verification(models.TextChoices):
    PENDING = "pending", "Awaiting verification"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Could not be verified"


class License(AuditedModel):
    class Standing(models.TextChoices):
        GOOD = "good", _("In good standing")
        DISCIPLINARY = "disciplinary", _("Disciplinary action")

    class Source(models.TextChoices):
        STATE_BOARD = "state_board", "State licensing board website"
        BOARD_LETTER = "board_letter", "Letter from the licensing board"
        BAR = "bar", "State bar directory"
        AGGREGATOR = "aggregator", "Multi-state verification service"
        OTHER = "other", "Other"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="licenses")
    license_type = models.CharField(max_length=60, help_text="e.g. LCSW, LPC, PsyD, Bar")
    state = models.CharField(max_length=2, choices=US_STATES)
    number = models.CharField(max_length=40)
    expires_on = models.DateField()
    standing = models.CharField(max_length=12, choices=Standing.choices, default=Standing.GOOD)
    document = models.FileField(
        storage=private_storage, upload_to=license_document_path, blank=True, max_length=200
    )
    verification = models.CharField(
        max_length=10, choices=Verification.choices, default=Verification.PENDING
    )
    verification_source = models.CharField(max_length=20, choices=Source.choices, blank=True)
    verification_note = models.TextField(blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    audit_values = ("verification", "standing", "expires_on", "verification_source")

    class Meta:
        ordering = ["-expires_on", "id"]
        indexes = [
            models.Index(fields=["expires_on"]),
            models.Index(fields=["provider", "-expires_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.license_type} ({self.state})"

    def audit_label(self) -> str:
        return f"FAON license #{self.pk}"


class InsurancePolicy(AuditedModel):
    """Professional liability insurance."""

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="insurance_policies"
    )
    carrier = models.CharField(max_length=120)
    policy_number = models.CharField(max_length=60)
    covers_from = models.DateField(null=True, blank=True)
    covers_to = models.DateField()
    document = models.FileField(
        storage=private_storage, upload_to=insurance_document_path, blank=True, max_length=200
    )
    verification = models.CharField(
        max_length=10, choices=Verification.choices, default=Verification.PENDING
    )
    verification_note = models.TextField(blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    audit_values = ("verification", "covers_to")

    class Meta:
        ordering = ["-covers_to", "id"]
        verbose_name_plural = "insurance policies"
        indexes = [
            models.Index(fields=["covers_to"]),
            models.Index(fields=["provider", "-covers_to"]),
        ]

    def __str__(self) -> str:
        return f"{self.carrier} (to {self.covers_to:%Y-%m-%d})"

    def audit_label(self) -> str:
        return f"FAON insurance policy #{self.pk}"


class TrainingEvent(AuditedModel):
    class Kind(models.TextChoices):
        ONLINE = "online", "Online training (CONNECT)"
        TRAINING = "training", "FAON event: training"
        NETWORKING = "networking", "FAON event: networking"
        MULTI_DAY = "multi_day", "FAON event: biennial multi-day"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField(help_text="For an online training: when it opens.")
    ends_at = models.DateTimeField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)
    online_url = models.URLField(blank=True)
    ce_credits = models.DecimalField(max_digits=4, decimal_places=1, default=0)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["kind", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("faon:event_detail", args=[self.pk])

    @property
    def is_online(self) -> bool:
        return self.kind == self.Kind.ONLINE


class Attendance(AuditedModel):
    """A provider's registration for, and completion of, a training or event."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="attendances")
    event = models.ForeignKey(TrainingEvent, on_delete=models.PROTECT, related_name="attendances")
    registered_at = models.DateTimeField(default=timezone.now)
    # When the provider completed the training or attended the event; counts for the
    # membership year it falls in (division time zone) once staff confirm it.
    completed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    audit_values = ("completed_at", "confirmed_at")

    class Meta:
        ordering = ["-registered_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event"], name="faon_attendance_unique")
        ]
        indexes = [models.Index(fields=["provider", "completed_at"])]

    def __str__(self) -> str:
        return f"Attendance #{self.pk}"

    def audit_label(self) -> str:
        return f"FAON attendance #{self.pk}"


class ComplianceSnapshot(models.Model):
    """The compliance result of a provider for a membership year, frozen at year end."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="compliance")
    membership_year = models.PositiveSmallIntegerField()
    met = models.BooleanField()
    details = models.JSONField(default=dict, blank=True)
    taken_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-membership_year", "provider_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "membership_year"], name="faon_compliance_unique"
            )
        ]
        indexes = [models.Index(fields=["membership_year", "met"])]

    def __str__(self) -> str:
        return f"{self.membership_year}: {'met' if self.met else 'not met'}"


class Certificate(AuditedModel):
    """A yearly membership certificate; the PDF is rendered on demand from these fields."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="certificates")
    year = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=24, unique=True)
    name_on_certificate = models.CharField(max_length=250)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    audit_values = ("code", "revoked_at")

    class Meta:
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "year"], name="faon_certificate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.year} certificate {self.code}"

    def audit_label(self) -> str:
        return f"FAON certificate #{self.pk}"


class Transcript(AuditedModel):
    """A continuing-education transcript for one year: a snapshot of the confirmed credits
    as issued (the PDF prints `lines`, the public check shows the total), with its code."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="transcripts")
    year = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=24, unique=True)
    name_on_transcript = models.CharField(max_length=250)
    credit_hours = models.DecimalField(max_digits=6, decimal_places=1)
    # [{"date": "YYYY-MM-DD", "title": ..., "kind": ..., "credits": "1.5"}], in date order.
    lines = models.JSONField(default=list)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    audit_values = ("code", "credit_hours")

    class Meta:
        ordering = ["-year", "-issued_at", "id"]

    def __str__(self) -> str:
        return f"{self.year} CE transcript {self.code}"

    def audit_label(self) -> str:
        return f"FAON CE transcript #{self.pk}"


class NewsletterIssue(AuditedModel):
    """A quarterly member newsletter issue: written in Markdown, stored sanitised."""

    subject = models.CharField(max_length=150)
    body_markdown = models.TextField()
    body_html = models.TextField(editable=False)  # nh3-sanitised render of body_markdown
    # Empty: every active member who opted in; otherwise members with one of these.
    segment_disciplines = _choice_array(Discipline.choices)
    segment_states = _choice_array(US_STATES, max_length=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    audit_values = ("subject", "sent_at")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject

    def audit_label(self) -> str:
        return f"FAON newsletter #{self.pk}"


class NewsletterDelivery(models.Model):
    """One member's copy of an issue: unique per (issue, member), so nobody gets two."""

    issue = models.ForeignKey(NewsletterIssue, on_delete=models.CASCADE, related_name="deliveries")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    email_key = models.CharField(max_length=200)  # the outbox row's key
    queued_at = models.DateTimeField(default=timezone.now)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issue", "provider"], name="faon_newsletter_once")
        ]

    def __str__(self) -> str:
        return f"Newsletter copy #{self.pk}"


class ApiKey(AuditedModel):
    """A partner's key for the HSDS directory API; only a SHA-256 of the secret is stored."""

    name = models.CharField(max_length=120, help_text="Who the key is for.")
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    audit_values = ("name", "prefix", "revoked_at")
    audit_exclude = ("last_used_at", "created_at")

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def audit_label(self) -> str:
        return f"FAON API key #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
