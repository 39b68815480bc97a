"""The member newsletter: sanitised Markdown, batches through the outbox sent once per
member, the signed one-click unsubscribe honoured before the next issue, the archive."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from familysupport.lib import outbox
from familysupport.lib.models import OutboundEmail
from faon import newsletter, services, tasks
from faon.models import NewsletterDelivery, NewsletterIssue, Provider
from tests.faon.factories import ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def members():
    return {
        "ann": ProviderFactory(name="Ann", newsletter_opt_in=True, state="VA"),
        "bo": ProviderFactory(name="Bo", newsletter_opt_in=True, state="NY"),
        "cy": ProviderFactory(name="Cy", newsletter_opt_in=False),
        "di": ProviderFactory(name="Di", newsletter_opt_in=True, status=Provider.Status.LAPSED),
    }


def _issue(by, **kw) -> NewsletterIssue:
    fields = {
        "subject": "Spring issue",
        "body_markdown": "## News\n\n**Training** in May.",
        "segment_disciplines": [],
        "segment_states": [],
    }
    return services.newsletter_save(by=by, **{**fields, **kw})


def _deliver_all() -> None:
    for pk in OutboundEmail.objects.filter(status="pending").values_list("pk", flat=True):
        outbox.outbound_email_deliver(pk=pk)


def test_markdown_is_sanitised():
    html = newsletter.render_html(
        "Hi **all** <script>alert(1)</script> [x](javascript:alert(1)) "
        "<img src=x onerror=alert(1)> [site](https://example.org)"
    )
    assert "<strong>all</strong>" in html
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert '<a href="https://example.org" rel="noopener noreferrer">site</a>' in html


def test_sending_twice_sends_once_with_unsubscribe_headers(members, make_user):
    staff = make_user("supervisor")
    issue = _issue(staff)
    services.newsletter_send(issue=issue, by=staff)
    tasks.newsletter_send_task(issue.pk)
    services.newsletter_send(issue=issue, by=staff)  # a second click, a retried task
    tasks.newsletter_send_task(issue.pk)
    assert newsletter.queue_batch(issue) == 0
    _deliver_all()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [members["ann"].email, members["bo"].email]
    )
    message = mail.outbox[0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert "/faon/newsletter/unsubscribe/" in message.body
    assert newsletter.counts(issue) == {
        "queued": 2, "sent": 2, "pending": 0, "failed": 0, "unsubscribed": 0,
    }  # fmt: skip


def test_batches_cover_everyone_once(members, make_user, monkeypatch):
    monkeypatch.setattr(newsletter, "BATCH", 1)
    issue = _issue(make_user("supervisor"))
    assert tasks.newsletter_send_task(issue.pk) == 2
    assert NewsletterDelivery.objects.filter(issue=issue).count() == 2


def test_unsubscribe_link_stops_the_next_issue(members, make_user, client):
    staff = make_user("supervisor")
    first = _issue(staff)
    tasks.newsletter_send_task(first.pk)
    url = newsletter.unsubscribe_url(members["ann"], first)
    path = url[url.index("/faon/") :]
    assert client.get(path).status_code == 200  # asks, changes nothing
    assert Provider.objects.get(pk=members["ann"].pk).newsletter_opt_in
    # The mail client's one-click POST: no session, no CSRF token.
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "unsubscribed" in response.content.decode()
    assert not Provider.objects.get(pk=members["ann"].pk).newsletter_opt_in
    assert newsletter.counts(first)["unsubscribed"] == 1

    second = _issue(staff, subject="Summer issue")
    tasks.newsletter_send_task(second.pk)
    assert list(
        NewsletterDelivery.objects.filter(issue=second).values_list("provider__name", flat=True)
    ) == ["Bo"]
    assert client.post(path[:-5] + "XXXX/").status_code == 404


def test_segment_by_state(members, make_user, login):
    staff = make_user("supervisor")
    issue = _issue(staff, segment_states=["NY"], segment_disciplines=["social_worker"])
    page = login(staff).get(reverse("faon:newsletter_detail", args=[issue.pk])).content.decode()
    assert "segment: Social worker, NY" in page and "Send to 1 member" in page
    tasks.newsletter_send_task(issue.pk)
    assert [d.provider.name for d in NewsletterDelivery.objects.filter(issue=issue)] == ["Bo"]


def test_write_preview_send_and_archive_pages(members, make_user, login):
    staff = login(make_user("supervisor"))
    url = reverse("faon:newsletter_new")
    bad = staff.post(url, {"subject": "", "body_markdown": "Typed text"})
    assert bad.status_code == 400 and "This field is required." in bad.content.decode()
    assert "Typed text" in bad.content.decode() and not NewsletterIssue.objects.exists()
    response = staff.post(
        url, {"subject": "Autumn", "body_markdown": "Hello <script>x()</script>**members**"}
    )
    issue = NewsletterIssue.objects.get()
    assert response.status_code == 302
    preview = staff.get(reverse("faon:newsletter_detail", args=[issue.pk])).content.decode()
    assert "<strong>members</strong>" in preview and "<script>x()" not in preview
    assert "Send to 2 members" in preview

    member_user = make_user("provider")
    member = login(member_user)
    assert member.get(reverse("faon:newsletter_detail", args=[issue.pk])).status_code == 404
    assert login(make_user("advocate")).get(url).status_code == 403
    assert staff.post(reverse("faon:newsletter_send", args=[issue.pk])).status_code == 302
    tasks.newsletter_send_task(issue.pk)
    archive = member.get(reverse("faon:newsletter_list")).content.decode()
    assert "Autumn" in archive
    assert member.get(reverse("faon:newsletter_detail", args=[issue.pk])).status_code == 200
    edit = staff.post(
        reverse("faon:newsletter_edit", args=[issue.pk]),
        {"subject": "Changed", "body_markdown": "x"},
    )
    assert edit.status_code == 400 and "A sent issue cannot be changed." in edit.content.decode()
