"""Notifications: an in-app row for the bell and, optionally, an e-mail through the outbox.

Both are written in the caller's transaction, so a notification exists exactly when the
change that caused it committed. The e-mail is handed to Celery after commit with short
broker timeouts; if Redis is down the publish fails fast, the error is logged and the row
stays pending until the outbox sweeper sends it (never an error page for a saved change).
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

log = logging.getLogger(__name__)


def absolute(url: str) -> str:
    base = settings.SITE_URL.rstrip("/")
    return f"{base}{url}" if url else base + "/"


def notify(
    *,
    recipients: Iterable,
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
        transaction.on_commit(lambda pk=mail.pk: enqueue_email(pk))
    return created


def email_queue(
    *, to: str, template: str, context: dict, key: str, not_before: datetime | None = None
) -> OutboundEmail:
    """Queue an e-mail to any address (invitees, applicants) through the outbox, once per key.

    `not_before`: hold it until then (a family's safe-contact hours); the sweep sends it.
    """
    from familysupport.lib.models import OutboundEmail

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


def enqueue_email(pk: int) -> bool:
    """Hand an outbox row to Celery; a broker outage only delays it (the sweeper retries).

    Runs after commit, inside the web request: it must never raise and never wait long.
    The broker timeouts (settings, familysupport/celery.py) bound the publish to about a
    second when Redis refuses connections and to the socket timeout when it hangs.
    """
    from familysupport.lib import tasks

    try:
        tasks.deliver_email.apply_async(args=[pk], retry=False)
    except Exception:  # the broker is down or slow; the row stays pending
        log.warning("outbox: could not enqueue e-mail %s; the sweeper will retry", pk)
        return False
    return True
