"""The quarterly member newsletter: Markdown → sanitised HTML, recipients, batched sending
through the outbox (never twice to one member), and the signed one-click unsubscribe.

Sending is a Celery task (faon/tasks.py) that queues BATCH members per transaction: each
copy is a `NewsletterDelivery` row, unique per (issue, member), written with the outbox
row in the same transaction — a second send, a retried batch or two workers at once skip
members that already have a copy.
"""

from __future__ import annotations

import markdown
import nh3
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from familysupport.lib.notify import absolute, email_queue_rendered

from .models import NewsletterDelivery, NewsletterIssue, Provider

BATCH = 200
SALT = "faon.newsletter.unsubscribe"
TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "h2", "h3", "h4", "blockquote",
        "code", "pre", "hr"}  # fmt: skip


def render_html(body_markdown: str) -> str:
    """Markdown to HTML with only harmless tags and http(s)/mailto links left."""
    raw = markdown.markdown(body_markdown, extensions=["sane_lists"])
    return nh3.clean(
        raw,
        tags=TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def recipients(issue: NewsletterIssue) -> QuerySet[Provider]:
    qs = Provider.objects.filter(status=Provider.Status.ACTIVE, newsletter_opt_in=True)
    if issue.segment_disciplines:
        qs = qs.filter(disciplines__overlap=issue.segment_disciplines)
    if issue.segment_states:
        qs = qs.filter(state__in=issue.segment_states)
    return qs.order_by("pk")


def unsubscribe_token(provider: Provider, issue: NewsletterIssue) -> str:
    return signing.dumps({"p": provider.pk, "i": issue.pk}, salt=SALT, compress=True)


def unsubscribe_read(token: str) -> dict | None:
    try:
        return signing.loads(token, salt=SALT)  # no max_age: a link in an old issue still works
    except signing.BadSignature:
        return None


def unsubscribe_url(provider: Provider, issue: NewsletterIssue) -> str:
    return absolute(
        reverse("faon:newsletter_unsubscribe", args=[unsubscribe_token(provider, issue)])
    )


def queue_batch(issue: NewsletterIssue) -> int:
    """Queue the next batch of members without a copy; the number queued (0: done)."""
    with transaction.atomic():
        todo = list(
            recipients(issue).exclude(
                pk__in=NewsletterDelivery.objects.filter(issue=issue).values("provider")
            )[:BATCH]
        )
        for provider in todo:
            url = unsubscribe_url(provider, issue)
            context = {"issue": issue, "unsubscribe_url": url}
            key = f"newsletter:{issue.pk}:{provider.pk}"
            try:
                with transaction.atomic():
                    NewsletterDelivery.objects.create(issue=issue, provider=provider, email_key=key)
                    email_queue_rendered(
                        to=provider.email,
                        subject=issue.subject,
                        body_text=render_to_string("emails/newsletter-body.txt", context),
                        body_html=render_to_string("emails/newsletter-body.html", context),
                        key=key,
                        headers={
                            "List-Unsubscribe": f"<{url}>",
                            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                        },
                    )
            except IntegrityError:  # another worker queued this member meanwhile
                continue
        return len(todo)


def counts(issue: NewsletterIssue) -> dict[str, int]:
    from familysupport.lib.models import OutboundEmail

    keys = NewsletterDelivery.objects.filter(issue=issue).values("email_key")
    by_status = dict(
        OutboundEmail.objects.filter(key__in=keys).values_list("status").annotate(n=Count("pk"))
    )
    return {
        "queued": NewsletterDelivery.objects.filter(issue=issue).count(),
        "sent": by_status.get(OutboundEmail.Status.SENT, 0),
        "pending": by_status.get(OutboundEmail.Status.PENDING, 0),
        "failed": by_status.get(OutboundEmail.Status.FAILED, 0),
        "unsubscribed": NewsletterDelivery.objects.filter(
            issue=issue, unsubscribed_at__isnull=False
        ).count(),
    }


def unsubscribe(token: str) -> Provider | None:
    """Honour an unsubscribe link at once: the member gets no further issue."""
    data = unsubscribe_read(token)
    if data is None:
        return None
    provider = Provider.objects.filter(pk=data.get("p")).first()
    if provider is None:
        return None
    if provider.newsletter_opt_in:
        provider.newsletter_opt_in = False
        provider.save(update_fields=["newsletter_opt_in", "updated_at"])
    NewsletterDelivery.objects.filter(
        issue_id=data.get("i"), provider=provider, unsubscribed_at__isnull=True
    ).update(unsubscribed_at=timezone.now())
    return provider
