"""A supervisor writes a newsletter issue (an empty subject first), previews it, sends it;
the member reads it in the archive and unsubscribes from the e-mailed link."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_out

pytestmark = pytest.mark.browser


def test_write_preview_send_read_and_unsubscribe(
    page, live_server, browser_user, signed_in, assert_accessible
):
    from faon import tasks
    from faon.models import NewsletterIssue, Provider
    from tests.faon.factories import ProviderFactory

    member_user = browser_user("provider")
    member = ProviderFactory(name="Reader Member", newsletter_opt_in=True, managers=[member_user])
    signed_in(browser_user("supervisor"))
    page.goto(f"{live_server.url}/faon/newsletter/")
    page.get_by_role("link", name="Write an issue").click()
    page.get_by_label("Text (Markdown)").fill("## Spring\n\n**Trainings** open in May.")
    page.get_by_role("button", name="Save and preview").click()
    expect(page.locator("#error_1_id_subject, .invalid-feedback").first).to_be_visible()
    expect(page.get_by_label("Text (Markdown)")).to_have_value(
        "## Spring\n\n**Trainings** open in May."
    )
    page.get_by_label("Subject").fill("Spring issue")
    page.get_by_role("button", name="Save and preview").click()
    expect(page.locator("#newsletter-body strong")).to_have_text("Trainings")
    assert_accessible(page)
    page.get_by_role("button", name="Send to 1 member").click()
    expect(page.locator("#newsletter-status")).to_contain_text("Sent")
    issue = NewsletterIssue.objects.get()
    tasks.newsletter_send_task(issue.pk)  # what the worker does with the batches
    page.reload()
    expect(page.locator("#count-queued")).to_have_text("1")
    sign_out(page)

    signed_in(member_user)
    page.goto(f"{live_server.url}/faon/newsletter/")
    page.get_by_role("link", name="Spring issue").click()
    expect(page.locator("#newsletter-body")).to_contain_text("Trainings open in May.")
    sign_out(page)

    from faon import newsletter

    url = newsletter.unsubscribe_url(member, issue)
    page.goto(live_server.url + url[url.index("/faon/") :])
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.locator("#unsubscribe-result")).to_contain_text("You are unsubscribed")
    assert not Provider.objects.get(pk=member.pk).newsletter_opt_in
