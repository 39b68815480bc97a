"""Calls reported by the phone system (issue 20): the integrations allowed to report them,
each call and the events already applied (replay protection).

Imported at the end of `cases/models.py` (so Django registers them in the cases app). The
webhook lives in `cases/phone_hooks.py`, the writes in `cases/phone_services.py`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from familysupport.lib.audit import AuditedModel

USER = settings.AUTH_USER_MODEL


class PhoneIntegration(AuditedModel):
    """A non-Twilio phone system (SIP/PBX) that signs its webhooks with HMAC-SHA256.

    The secret must be readable to verify signatures, so it is stored encrypted (Fernet,
    `familysupport/lib/secretbox.py`), never hashed; administrators see it once.
    """

    name = models.CharField(max_length=100, unique=True)
    # Sent by the phone system in `X-Phone-Integration` so the portal knows which secret to use.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    secret_encrypted = models.TextField()
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    rotated_at = models.DateTimeField(null=True, blank=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    audit_values = ("name", "active", "rotated_at")
    audit_exclude = ("created_at", "secret_encrypted")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def audit_label(self) -> str:
        return f"Phone integration #{self.pk}"


class PhoneCall(models.Model):
    """One call as the phone system reported it; the screen pop and missed-call sweep read it.

    Not audited row by row: the phone system writes it several times per call and it holds
    only numbers and times; what people do with it (start the call, tasks) is audited.
    """

    class Status(models.TextChoices):
        RINGING = "ringing", "Ringing"
        ANSWERED = "answered", "Answered"
        ENDED = "ended", "Ended"
        MISSED = "missed", "Missed"

    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"

    call_sid = models.CharField(max_length=64, unique=True)
    integration = models.ForeignKey(
        PhoneIntegration,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calls",
        help_text="Empty: reported by Twilio.",
    )
    from_number = models.CharField(max_length=20, blank=True, help_text="E.164; empty: withheld")
    to_number = models.CharField(max_length=20, blank=True)
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.INBOUND
    )
    # The advocate the phone system routed the call to; empty: every advocate taking calls.
    agent = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RINGING)
    ringing_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    # Set when an advocate presses "Start call" on the pop.
    started_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    # The contact logged for this call, set when New call is saved.
    contact = models.OneToOneField(
        "cases.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="phone_call",
    )
    # The missed-call sweep: when it dealt with the call (once only) and the task it made.
    missed_handled_at = models.DateTimeField(null=True, blank=True)
    missed_task = models.ForeignKey(
        "cases.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-ringing_at", "-pk"]
        indexes = [
            # The pop poll (every second or two per advocate taking calls): calls ringing or
            # answered that nobody started, newest first. Partial, so it stays a few rows.
            models.Index(
                fields=["-ringing_at"],
                condition=Q(status__in=["ringing", "answered"], started_at__isnull=True),
                name="phonecall_pop",
            ),
            # The missed-call sweep: calls nobody started and the sweep has not dealt with.
            models.Index(
                fields=["ringing_at"],
                condition=Q(started_at__isnull=True, missed_handled_at__isnull=True),
                name="phonecall_missed_due",
            ),
        ]

    def __str__(self) -> str:
        return f"Call {self.call_sid}"

    def audit_label(self) -> str:
        return f"Phone call #{self.pk}"


class PhoneCallEvent(models.Model):
    """An event already applied to a call: the same (CallSid, event) arriving again is a
    replay (the phone system retrying, or someone resending a captured request)."""

    call_sid = models.CharField(max_length=64)
    event = models.CharField(max_length=20)  # ringing, answered, ended
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["call_sid", "event"], name="phonecallevent_once")
        ]

    def __str__(self) -> str:
        return f"{self.call_sid} {self.event}"
