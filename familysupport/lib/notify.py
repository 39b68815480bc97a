"""Notifications: an in-app row for the bell and, optionally, an e-mail through the outbox.

Both are written in the caller's transaction, so a notification exists exactly when the
change that caused it committed. After commit ONE "deliver now" nudge per transaction
carries all its new e-mails to Celery (familysupport/lib/broker.py: short timeouts, a circuit
breaker); if Redis is down or hangs the save does not wait, the rows stay pending and the
outbox sweep sends them (never an error page, never a slow save for a saved change).
E-mails carry only what happened and a link: never a family's or child's details.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

if TYPE_CHECKING:
    from familysupport.lib.models import OutboundEmail

from familysupport.lib import broker

log = logging.getLogger(__name__)


def absolute(url: str) -> str:
    base = settings.SITE_URL.rstrip("/")
    return f"{base}{url}" if url else base + "/"


def notify(
    *,
    recipients: Iterable[Any],
    event: str,
    title: str,
    url: str = "",
    key: str | None = None,
    email: bool = True,
    template: str = "notification",
    context: dict[str, Any] | None = None,
) -> int:
    """Notify each recipient once per `key` (idempotent); return how many were new.

    `template` names an e-mail trio `emails/<template>-subject.txt|-body.txt|-body.html`,
    rendered with `title`, `link`, `user` and `context`. Put no family or child details in
    the title or the context: they are e-mailed.
    """
    from familysupport.lib.models import Notification, OutboundEmail

    created = 0
    for user in recipients:
        if not user.is_active:
            continue
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    recipient=user, event=event, title=title, url=url, key=key
                )
        except IntegrityError:
            continue  # already notified under this key
        created += 1
        if not (email and user.email):
            continue
        data = {**(context or {}), "title": title, "link": absolute(url), "user": user}
        mail = OutboundEmail(
            to=user.email,
            subject=render_to_string(f"emails/{template}-subject.txt", data).strip()[:200],
            body_text=render_to_string(f"emails/{template}-body.txt", data),
            body_html=render_to_string(f"emails/{template}-body.html", data),
            key=f"{key}:{user.pk}:{event}"[:200] if key else f"{event}:n{note.pk}"[:200],
        )
        try:
            with transaction.atomic():
                mail.save()
        except IntegrityError:
            continue
        deliver_soon(mail.pk)
    return created


def email_queue(
    *, to: str, template: str, context: dict[str, Any], key: str, not_before: datetime | None = None
) -> OutboundEmail:
    """Queue an e-mail to any address (invitees, applicants) through the outbox, once per key.

    `not_before`: hold it until then (a family's safe-contact hours); the sweep sends it.
    """
    return email_queue_rendered(
        to=to,
        subject=render_to_string(f"emails/{template}-subject.txt", context).strip(),
        body_text=render_to_string(f"emails/{template}-body.txt", context),
        body_html=render_to_string(f"emails/{template}-body.html", context),
        key=key,
        not_before=not_before,
    )


def email_queue_rendered(
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    key: str,
    not_before: datetime | None = None,
    headers: dict[str, str] | None = None,
) -> OutboundEmail:
    """Queue an already rendered e-mail (allauth's, accounts/adapters.py) in the outbox."""
    from familysupport.lib.models import OutboundEmail

    mail = OutboundEmail.objects.create(
        to=to,
        subject=subject.strip()[:200],
        body_text=body_text,
        body_html=body_html,
        key=key[:200],
        headers=headers or {},
        next_attempt_at=not_before or timezone.now(),
    )
    if not_before is None:
        deliver_soon(mail.pk)
    return mail


class _Nudge:
    """The one after-commit hand-off of a transaction: every outbox row it wrote."""

    def __init__(self) -> None:
        self.pks: list[int] = []

    def __call__(self) -> None:
        from familysupport.lib import tasks

        broker.publish(tasks.deliver_emails, args=[self.pks])


def deliver_soon(pk: int) -> None:
    """Ask for an outbox row to be sent right after the current transaction commits.

    All rows of one transaction share one nudge (one publish): finding it among the
    pending on-commit callbacks means a rolled-back savepoint takes its nudge along.
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        for _savepoints, callback, _robust in connection.run_on_commit:
            if isinstance(callback, _Nudge):
                callback.pks.append(pk)
                return
    nudge = _Nudge()
    nudge.pks.append(pk)
    transaction.on_commit(nudge)


def enqueue_email(pk: int) -> bool:
    """Hand one outbox row to Celery now; False if the broker is down, slow or skipped.

    Never raises and never waits longer than the publish timeout (familysupport/lib/broker.py);
    the row stays pending and the sweep sends it.
    """
    from familysupport.lib import tasks

    return broker.publish(tasks.deliver_email, args=[pk])
