from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from familysupport.lib import audit, events

from .models import Notification, OutboundEmail, User

log = logging.getLogger(__name__)


class InviteTokenGenerator(PasswordResetTokenGenerator):
    """Single use: the token hashes the password, which setting a password changes."""

    key_salt = "familysupport.accounts.invite"

    def __init__(self) -> None:
        super().__init__()
        self.timeout = settings.INVITE_TIMEOUT_SECONDS  # type: ignore[attr-defined]

    def check_token(self, user, token):
        if not super().check_token(user, token):
            return False
        ts_b36 = token.split("-")[0]
        from django.utils.http import base36_to_int

        age = self._num_seconds(self._now()) - base36_to_int(ts_b36)
        return age <= self.timeout


invite_tokens = InviteTokenGenerator()


def invite_link(*, user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("accounts:invite_accept", args=[uid, invite_tokens.make_token(user)])
    return f"{settings.SITE_URL.rstrip('/')}{path}"


@transaction.atomic
def user_invite(
    *, email: str, full_name: str, role: str, by: User, supervisor: User | None = None
) -> User:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "A user with this e-mail address already exists."})
    user = User.objects.create_user(
        email=email, full_name=full_name, role=role, supervisor=supervisor
    )
    user.invited_at = timezone.now()
    user.save(update_fields=["invited_at"])
    audit.record(action="accounts.user.invited", obj=user, actor=by)
    email_queue(
        to=user.email,
        template="invite",
        context={"link": invite_link(user=user), "hours": settings.INVITE_TIMEOUT_SECONDS // 3600},
        key=f"invite:{user.pk}:{user.invited_at.timestamp()}",
    )
    return user


@transaction.atomic
def user_resend_invite(*, user: User, by: User) -> None:
    if user.has_usable_password():
        raise ValidationError("This user has already set a password.")
    user.invited_at = timezone.now()
    user.save(update_fields=["invited_at"])
    audit.record(action="accounts.user.invite_resent", obj=user, actor=by)
    email_queue(
        to=user.email,
        template="invite",
        context={"link": invite_link(user=user), "hours": settings.INVITE_TIMEOUT_SECONDS // 3600},
        key=f"invite:{user.pk}:{user.invited_at.timestamp()}",
    )


@transaction.atomic
def user_accept_invite(*, user: User, password: str) -> User:
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(action="accounts.user.invite_accepted", obj=user, actor=user)
    return user


@transaction.atomic
def user_change_role(
    *, user: User, role: str, supervisor: User | None, full_name: str, by: User
) -> User:
    if user == by and role != user.role:
        raise ValidationError({"role": "You cannot change your own role."})
    user.role, user.supervisor, user.full_name = role, supervisor, full_name
    user.save()
    return user


@transaction.atomic
def user_deactivate(*, user: User, by: User) -> User:
    if user == by:
        raise ValidationError("You cannot deactivate your own account.")
    user.is_active = False
    user.deactivated_at = timezone.now()
    user.save(update_fields=["is_active", "deactivated_at"])
    user_end_sessions(user=user)
    # Apps holding the user's private work (unsaved call notes) drop it in this transaction.
    events.user_deactivated.send(user=user, by=by)
    audit.record(action="accounts.user.deactivated", obj=user, actor=by)
    return user


@transaction.atomic
def user_reactivate(*, user: User, by: User) -> User:
    user.is_active = True
    user.deactivated_at = None
    user.save(update_fields=["is_active", "deactivated_at"])
    audit.record(action="accounts.user.reactivated", obj=user, actor=by)
    return user


@transaction.atomic
def user_unlock(*, user: User, by: User) -> int:
    """Lift the sign-in lock (wrong passwords or codes) before the cool-off ends; audited."""
    from axes.utils import reset

    cleared = reset(username=user.email.lower())
    audit.record(action="accounts.user.unlocked", obj=user, actor=by)
    return cleared


def user_end_sessions(*, user: User) -> int:
    """Sign the user out everywhere (allauth tracks each session of a user)."""
    ended = 0
    for session in UserSession.objects.filter(user=user):
        session.end()
        ended += 1
    return ended


def notification_mark_read(*, user: User, pk: int | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pk is not None:
        qs = qs.filter(pk=pk)
    now = timezone.now()
    count = 0
    for note in qs:  # Notification is not audited, but keep one code path for one or all
        note.read_at = now
        note.save(update_fields=["read_at"])
        count += 1
    return count


def email_queue(
    *, to: str, template: str, context: dict, key: str, not_before: datetime | None = None
) -> OutboundEmail:
    """Queue an e-mail to any address (invitees, applicants) through the outbox, once per key.

    `not_before`: hold it until then (a family's safe-contact hours); the sweep sends it.
    """
    from familysupport.lib.notify import enqueue_email

    mail = OutboundEmail.objects.create(
        to=to,
        subject=render_to_string(f"emails/{template}-subject.txt", context).strip(),
        body_text=render_to_string(f"emails/{template}-body.txt", context),
        body_html=render_to_string(f"emails/{template}-body.html", context),
        key=key,
        next_attempt_at=not_before or timezone.now(),
    )
    if not_before is None:
        transaction.on_commit(lambda: enqueue_email(mail.pk))
    return mail


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
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 (jitter, not crypto)


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
        mail.subject, mail.body_text, to=[mail.to], connection=connection
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
    import time

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
