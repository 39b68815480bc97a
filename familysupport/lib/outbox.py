"""Delivery of the e-mail outbox (rows written by familysupport/lib/notify.py).

Run by the `deliver_email` task after commit and by the minute's sweep (familysupport/lib/
tasks.py).
"""

from __future__ import annotations

import logging
import random
import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from familysupport.lib.models import OutboundEmail

log = logging.getLogger(__name__)

# --- the e-mail outbox ------------------------------------------------------------------
# At-least-once with a narrow window: a row is locked, sent and marked SENT in one short
# transaction. A worker killed before the commit leaves the row PENDING and unlocked (the
# database aborts the dead session), so it is sent again; a worker killed after the SMTP
# server accepted the message but before the commit is the only way to send twice.

MAX_ATTEMPTS = 8  # about 2 hours of backoff in total, then FAILED (visible to staff)
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
SMTP_TIMEOUT_SECONDS = 20  # below the deliver task's soft time limit
SWEEP_BATCH = 200
SWEEP_TIME_BUDGET_SECONDS = 45  # the sweep runs every minute: stay inside the minute


def outbox_backoff(attempts: int) -> float:
    """Seconds before the next try: exponential, capped, with full jitter on top of half."""
    ceiling: float = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    return float(ceiling / 2 + random.uniform(0, ceiling / 2))  # noqa: S311 (jitter, not crypto)


def _is_permanent(exc: Exception) -> bool:
    """Refused recipients (5xx for all of them) will not succeed on retry."""
    import smtplib

    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    return False


def _send_locked(mail: OutboundEmail) -> str:
    """Send a row the caller holds locked (FOR UPDATE) and record the outcome."""
    from django.core.mail import get_connection

    connection = get_connection(
        timeout=getattr(settings, "EMAIL_TIMEOUT", None) or SMTP_TIMEOUT_SECONDS
    )
    message = EmailMultiAlternatives(
        mail.subject, mail.body_text, to=[mail.to], connection=connection, headers=mail.headers
    )
    if mail.body_html:
        message.attach_alternative(mail.body_html, "text/html")
    mail.attempts += 1
    try:
        message.send()
    except Exception as exc:  # SMTP and socket errors of every kind: retry with backoff
        mail.last_error = f"{type(exc).__name__}: {exc}"[:300]
        if mail.attempts >= MAX_ATTEMPTS or _is_permanent(exc):
            mail.status = OutboundEmail.Status.FAILED
        mail.next_attempt_at = timezone.now() + timedelta(seconds=outbox_backoff(mail.attempts))
        mail.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
        log.warning("outbox: e-mail %s failed (attempt %s)", mail.pk, mail.attempts)
        return "failed"
    mail.status, mail.sent_at, mail.last_error = OutboundEmail.Status.SENT, timezone.now(), ""
    mail.save(update_fields=["status", "sent_at", "attempts", "last_error"])
    return "sent"


def outbound_email_deliver(*, pk: int) -> str:
    """Send one outbox row once; safe to run twice or on two workers at the same time.

    A row locked by another worker or the sweeper is skipped (they are sending it); a row
    waiting for its backoff is left to the sweeper.
    """
    with transaction.atomic():
        mail = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(
                pk=pk,
                status=OutboundEmail.Status.PENDING,
                next_attempt_at__lte=timezone.now(),
            )
            .first()
        )
        if mail is None:
            return "skipped"
        return _send_locked(mail)


def outbound_email_sweep(*, limit: int = SWEEP_BATCH, budget: float | None = None) -> int:
    """Deliver pending rows that are due, each claimed with FOR UPDATE SKIP LOCKED.

    Several sweepers (or a sweeper and deliver tasks) never take the same row: each row
    is locked in its own short transaction while it is sent, and skipped by the others.
    """
    deadline = time.monotonic() + (SWEEP_TIME_BUDGET_SECONDS if budget is None else budget)
    sent = 0
    for _ in range(limit):
        if time.monotonic() > deadline:
            break
        with transaction.atomic():
            mail = (
                OutboundEmail.objects.select_for_update(skip_locked=True)
                .filter(status=OutboundEmail.Status.PENDING, next_attempt_at__lte=timezone.now())
                .order_by("next_attempt_at", "pk")
                .first()
            )
            if mail is None:
                break
            sent += _send_locked(mail) == "sent"
    return sent
