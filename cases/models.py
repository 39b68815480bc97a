from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from familysupport.lib.audit import AuditedModel


class Family(AuditedModel):
    """A family the division supports; reached through its primary contact."""

    display_name = models.CharField(max_length=150, help_text="How staff refer to the family.")
    contact_name = models.CharField("primary contact", max_length=150)
    contact_first_name = models.CharField(max_length=80, blank=True)
    phone = models.CharField(max_length=20, blank=True, db_index=True, help_text="E.164")
    phone_alt = models.CharField(max_length=20, blank=True, db_index=True)
    email = models.EmailField(blank=True)
    address_line = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True, help_text="US state code")
    zip_code = models.CharField("ZIP code", max_length=5, blank=True, db_index=True)
    country = models.CharField(max_length=2, default="US", help_text="ISO country code")
    preferred_language = models.CharField(max_length=35, default="en")
    time_zone = models.CharField(max_length=64, default="America/New_York")
    safe_contact_notes = models.CharField(
        max_length=300, blank=True, help_text="Safe times, numbers, 'no voicemail'..."
    )
    consent_share_with_providers = models.BooleanField(default=False)
    consent_team_hope_contact = models.BooleanField(default=False)
    consent_mail = models.BooleanField(default=False)
    # A family merged into another keeps existing as a redirect, so a merge can be undone.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_families"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_values = ("merged_into",)

    class Meta:
        verbose_name_plural = "families"
        ordering = ["display_name"]
        indexes = [
            GinIndex(
                name="family_name_trgm",
                fields=["display_name"],
                opclasses=["gin_trgm_ops"],
            ),
            GinIndex(
                name="family_contact_trgm",
                fields=["contact_name"],
                opclasses=["gin_trgm_ops"],
            ),
            # Django compiles `icontains` to UPPER(col) LIKE UPPER('%…%'): only an index on
            # the same expression serves it (the duplicate search and the case list search).
            GinIndex(
                OpClass(Upper("contact_name"), name="gin_trgm_ops"),
                name="family_contact_upper_trgm",
            ),
            GinIndex(
                OpClass(Upper("display_name"), name="gin_trgm_ops"),
                name="family_name_upper_trgm",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("cases:family_detail", args=[self.pk])

    def audit_label(self) -> str:
        return f"Family #{self.pk}"


class Person(AuditedModel):
    class Role(models.TextChoices):
        PARENT = "parent", "Parent"
        GUARDIAN = "guardian", "Guardian"
        SIBLING = "sibling", "Sibling"
        CHILD = "child", "Child"
        OTHER = "other", "Other"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(max_length=10, choices=Role.choices)
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)  # children's may be unknown
    is_child_of_concern = models.BooleanField(default=False)

    class Meta:
        ordering = ["family", "role", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def audit_label(self) -> str:
        return f"Person #{self.pk}"


class Case(AuditedModel):
    class Type(models.TextChoices):
        ENDANGERED_RUNAWAY = "endangered_runaway", "Missing: endangered runaway"
        FAMILY_ABDUCTION = "family_abduction", "Missing: family abduction"
        NONFAMILY_ABDUCTION = "nonfamily_abduction", "Missing: non-family abduction"
        LOST_INJURED_MISSING = "lost_injured", "Missing: lost, injured or otherwise missing"
        CSAM = "csam", "Exploitation: child sexual abuse material"
        ONLINE_ENTICEMENT = "online_enticement", "Exploitation: online enticement / sextortion"
        SEX_TRAFFICKING = "sex_trafficking", "Exploitation: child sex trafficking"
        RECOVERED_FOLLOW_UP = "recovered_follow_up", "Recovered-child follow-up"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACTIVE = "active", "Active"
        ON_HOLD = "on_hold", "On hold"
        CLOSED = "closed", "Closed"

    class Risk(models.TextChoices):
        LOW = "low", "Low"
        MODERATE = "moderate", "Moderate"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="cases")
    children = models.ManyToManyField(Person, blank=True, related_name="cases")
    case_type = models.CharField(max_length=30, choices=Type.choices, db_index=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    status_reason = models.CharField(max_length=300, blank=True)
    assigned_advocate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    risk_level = models.CharField(max_length=10, choices=Risk.choices, default=Risk.LOW)
    external_case_number = models.CharField(max_length=40, null=True, blank=True)
    needs = models.JSONField(default=list, blank=True)  # Contact.Need values identified so far
    opened_at = models.DateTimeField(default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_values = ("status", "assigned_advocate", "risk_level", "family")

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_case_number"],
                condition=Q(external_case_number__isnull=False) & ~Q(external_case_number=""),
                name="case_external_number_unique",
            )
        ]
        indexes = [
            models.Index(fields=["assigned_advocate", "status"]),
            models.Index(fields=["status", "-opened_at"]),
            # Case numbers are looked up with `iexact` (UPPER(col) = UPPER(…)): the search,
            # the duplicate search and the uniqueness check when a case is opened.
            models.Index(Upper("external_case_number"), name="case_external_number_upper"),
            # Open cases are ≈ 15% of all: the supervisor's "waiting for a peer parent"
            # panel walks them oldest first and stops after a page (teamhope/nav.py).
            models.Index(
                fields=["opened_at", "id"],
                include=["family"],
                condition=~Q(status="closed"),
                name="case_open_opened",
            ),
            # An advocate's (or a team's) open cases by risk: the home dashboard's counts,
            # index-only; also "my open cases".
            models.Index(
                fields=["assigned_advocate", "risk_level"],
                condition=~Q(status="closed"),
                name="case_open_advocate_risk",
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.reference}"

    @property
    def reference(self) -> str:
        return self.external_case_number or f"FS-{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    def get_absolute_url(self) -> str:
        return reverse("cases:case_detail", args=[self.pk])

    def audit_label(self) -> str:
        return f"Case #{self.pk}"


class Contact(AuditedModel):
    """A logged call or other contact of an advocate with a family."""

    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"

    class Channel(models.TextChoices):
        PHONE = "phone", "Phone"
        VIDEO = "video", "Video"
        EMAIL = "email", "E-mail"
        TEXT = "text", "Text"
        IN_PERSON = "in_person", "In person"

    class Purpose(models.TextChoices):
        CRISIS_INTERVENTION = "crisis_intervention", "Crisis intervention"
        EMOTIONAL_SUPPORT = "emotional_support", "Emotional support"
        PREVENTION_PLANNING = "prevention_planning", "Prevention planning"
        FOLLOW_UP = "follow_up", "Follow-up"
        REUNIFICATION_PLANNING = "reunification_planning", "Reunification planning"
        OTHER = "other", "Other"

    class Need(models.TextChoices):
        MENTAL_HEALTH = "mental_health", "Mental health"
        LEGAL = "legal", "Legal"
        TRAVEL = "travel", "Travel"
        PEER_SUPPORT = "peer_support", "Peer support"
        FINANCIAL = "financial", "Financial"
        HOUSING = "housing", "Housing"
        MEDIA = "media", "Media"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="contacts")
    # No single-column indexes on advocate, started_at or purpose: each leads one of the
    # composite indexes in Meta, which serve the same lookups (fewer writes per contact).
    advocate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contacts_logged",
        db_index=False,
    )
    started_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(default=0)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PHONE)
    participants = models.CharField("who was on the call", max_length=200, blank=True)
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    safety_concern = models.BooleanField(default=False)
    self_harm_risk = models.BooleanField(default=False)
    safety_note = models.TextField(blank=True)
    needs = models.JSONField(default=list, blank=True)  # list of Need values
    notes = models.TextField(blank=True)
    follow_up_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_values = ("purpose", "safety_concern", "self_harm_risk")

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["case", "-started_at"]),
            # The yearly report at scale (index-only scans; reports/figures.py):
            # families with a mental-health contact in the year (purpose, year → case),
            models.Index(
                fields=["purpose", "started_at"],
                include=["case"],
                name="contact_purpose_started_cov",
            ),
            # contacts by purpose and month,
            models.Index(
                fields=["started_at"], include=["purpose"], name="contact_started_purpose_cov"
            ),
            # and an advocate's (or a team's) contacts this month on the dashboards.
            models.Index(fields=["advocate", "started_at"], name="contact_advocate_started"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(safety_concern=False, self_harm_risk=False) | ~Q(safety_note=""),
                name="contact_risk_requires_safety_note",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.started_at:%Y-%m-%d}"

    @property
    def risk_flagged(self) -> bool:
        return self.safety_concern or self.self_harm_risk

    def audit_label(self) -> str:
        return f"Contact #{self.pk}"


class Task(AuditedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tasks"
    )
    title = models.CharField(max_length=200)
    due_on = models.DateField(db_index=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    audit_values = ("owner", "due_on", "done_at")

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["owner", "done_at", "due_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def audit_label(self) -> str:
        return f"Task #{self.pk}"


class ContactDraft(models.Model):
    """Notes of a contact being written, autosaved every few seconds by its author.

    Not an AuditedModel on purpose: it is the author's private scratch copy rewritten every
    few seconds; its creation is audited by the service and the saved Contact is audited.
    """

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_drafts"
    )
    key = models.CharField(max_length=40)  # the call's uuid: one draft per opened call
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["author", "key"], name="contact_draft_author_key")
        ]

    def __str__(self) -> str:
        return f"Draft {self.key}"

    @property
    def resume_url(self) -> str:
        from django.urls import reverse

        url = reverse("cases:call", args=[self.key])
        case = str(self.data.get("preset_case", ""))
        return f"{url}?case={case}" if case.isdigit() else url


class CaseAlert(AuditedModel):
    """A risk flagged on a contact, open until a supervisor acknowledges it."""

    class Kind(models.TextChoices):
        SAFETY_CONCERN = "safety_concern", "Safety concern"
        SELF_HARM = "self_harm", "Self-harm risk"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="alerts")
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    kinds = models.JSONField(default=list)  # Kind values
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.CharField(max_length=300, blank=True)

    audit_values = ("resolved_at", "resolved_by")

    class Meta:
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["resolved_at", "-raised_at"])]

    def __str__(self) -> str:
        return f"Alert #{self.pk}"

    @property
    def kind_labels(self) -> list[str]:
        return [self.Kind(k).label for k in self.kinds if k in self.Kind.values]

    def audit_label(self) -> str:
        return f"Case alert #{self.pk}"


class FamilyMerge(AuditedModel):
    """One merge of a duplicate family into another, with what moved, so it can be undone."""

    source = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="merges_out")
    target = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="merges_in")
    moved_case_ids = models.JSONField(default=list)
    moved_person_ids = models.JSONField(default=list)
    # What the other apps' merge handlers moved ({"referrals.referral": [ids], ...}), so
    # an un-merge moves exactly those back (lib/events.py family_merged/family_unmerged).
    moved = models.JSONField(default=dict, blank=True)
    # The kept family's contact fields before the merge took some from the duplicate.
    kept_before = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(default=timezone.now)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    audit_values = ("source", "target", "undone_at")

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"Merge #{self.pk}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None

    def audit_label(self) -> str:
        return f"Family merge #{self.pk}"

    def record_moved(self, key: str, ids: list[int]) -> None:
        """A merge handler notes the ids it moved (saved by family_merge after the handlers)."""
        if ids:
            self.moved[key] = sorted({*self.moved.get(key, []), *ids})

    def moved_ids(self, key: str) -> list[int]:
        return list(self.moved.get(key, []))


def _resource_upload_to(instance: Resource, filename: str) -> str:
    return f"resources/{instance.public_id}/{filename}"


class Resource(AuditedModel):
    """A guide or list the division gives families (not family data: readable by link)."""

    class Kind(models.TextChoices):
        GUIDE = "guide", "Guide"
        MENTAL_HEALTH = "mental_health", "Mental-health resources"
        LEGAL = "legal", "Legal information"
        OTHER = "other", "Other"

    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=200)
    summary = models.TextField(max_length=2000)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.GUIDE)
    language = models.CharField(max_length=35, default="en")
    url = models.URLField("link", blank=True)
    file = models.FileField(upload_to=_resource_upload_to, blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_values = ("title", "is_active")

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cases:resource_detail", args=[self.pk])

    def get_public_url(self) -> str:
        return reverse("cases:resource_public", args=[self.public_id])

    def audit_label(self) -> str:
        return f"Resource #{self.pk}"


class ResourceShare(AuditedModel):
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="shares")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="resource_shares")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="resource_shares"
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shared_at = models.DateTimeField(default=timezone.now)
    emailed = models.BooleanField(default=False)

    audit_values = ("resource", "emailed")

    class Meta:
        ordering = ["-shared_at"]
        indexes = [models.Index(fields=["case", "-shared_at"])]

    def __str__(self) -> str:
        return f"Share #{self.pk}"

    def audit_label(self) -> str:
        return f"Resource share #{self.pk}"


class ResourceFeedback(models.Model):
    """An anonymous answer to a resource's short survey: no names, no IP, no account."""

    class Rating(models.IntegerChoices):
        NOT_AT_ALL = 1, _("Not at all helpful")
        A_LITTLE = 2, _("A little helpful")
        SOMEWHAT = 3, _("Somewhat helpful")
        VERY = 4, _("Very helpful")
        EXTREMELY = 5, _("Extremely helpful")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="feedback")
    helpful = models.PositiveSmallIntegerField(choices=Rating.choices)
    easy_to_understand = models.BooleanField(null=True, blank=True)
    would_recommend = models.BooleanField(null=True, blank=True)
    comment = models.TextField(max_length=1000, blank=True)
    created_on = models.DateField(default=timezone.localdate)  # a day only: less identifying

    class Meta:
        ordering = ["-created_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(helpful__gte=1) & Q(helpful__lte=5), name="feedback_helpful_1_5"
            )
        ]

    def __str__(self) -> str:
        return f"Feedback #{self.pk}"


# Calls reported by the phone system (screen pop, missed calls), and privacy records
# (restricted cases, break-glass, legal holds, safe-contact rules, purge counts) live in
# their own modules; importing them here registers them with the app.
from .phone_models import PhoneCall, PhoneCallEvent, PhoneIntegration  # noqa: E402, F401
from .privacy_models import (  # noqa: E402, F401
    BreakGlass,
    CaseAccessGrant,
    CaseRestriction,
    ContactMethod,
    FamilyContactRules,
    LegalHold,
    PurgedRecords,
    Weekday,
)
