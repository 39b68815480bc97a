"""Notifications: an in-app row for the bell and, optionally, an e-mail through the outbox.

Both are written in the caller's transaction, so a notification exists exactly when the
change that caused it committed. The e-mail is handed to Celery after commit; if Redis is
down the row stays pending and the outbox sweeper sends it later. E-mails carry only what
happened and a link: never a family's or child's details.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

log = logging.getLogger(__name__)


def notify(
    *,
    recipients: Iterable,
    event: str,
    title: str,
    url: str = "",
    key: str | None = None,
    email: bool = True,
) -> int:
    """Notify each recipient once per `key` (idempotent); return how many were new."""
    from accounts.models import Notification, OutboundEmail

    created = 0
    for user in recipients:
        if not user.is_active:
            continue
        try:
            with transaction.atomic():
                Notification.objects.create(
                    recipient=user, event=event, title=title, url=url, key=key
                )
        except IntegrityError:
            continue  # already notified under this key
        created += 1
        if email and user.email:
            context = {
                "title": title,
                "link": f"{settings.SITE_URL.rstrip('/')}{url}" if url else settings.SITE_URL,
                "user": user,
            }
            outbox_key = f"{key or 'n'}:{user.pk}:{event}" if key else None
            mail = OutboundEmail(
                to=user.email,
                subject=render_to_string("emails/notification-subject.txt", context).strip(),
                body_text=render_to_string("emails/notification-body.txt", context),
                body_html=render_to_string("emails/notification-body.html", context),
                key=outbox_key or f"{event}:{user.pk}:{Notification.objects.latest('pk').pk}",
            )
            try:
                with transaction.atomic():
                    mail.save()
            except IntegrityError:
                continue
            transaction.on_commit(lambda pk=mail.pk: enqueue_email(pk))
    return created


def enqueue_email(pk: int) -> None:
    """Hand an outbox row to Celery; a broker outage only delays it (the sweeper retries)."""
    from accounts import tasks

    try:
        tasks.deliver_email.apply_async(args=[pk], retry=False)
    except Exception:  # the broker is down or slow; the row stays pending
        log.warning("outbox: could not enqueue e-mail %s; the sweeper will retry", pk)
