"""A supervisor confirms a provider's training completion from the queue and sees it leave."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_supervisor_confirms_a_completion_from_the_queue(
    page, live_server, browser_user, signed_in
):
    from django.utils import timezone

    from tests.faon.factories import AttendanceFactory, ProviderFactory

    provider = ProviderFactory()
    waiting = AttendanceFactory(
        provider=provider,
        completed_at=timezone.now() - timedelta(hours=20),
        confirmed_at=None,
    )
    other = AttendanceFactory(completed_at=timezone.now() - timedelta(hours=30), confirmed_at=None)
    supervisor = browser_user("supervisor")
    signed_in(supervisor)

    page.goto(f"{live_server.url}/faon/events/")
    page.get_by_role("link", name="Completions awaiting confirmation").click()
    queue = page.get_by_role("table", name="Completions awaiting confirmation, oldest first")
    row = queue.get_by_role("row").filter(has_text=provider.name)
    expect(row).to_contain_text(waiting.event.title)
    row.get_by_role("button", name=f"Confirm {provider.name}, {waiting.event.title}").click()

    expect(page.get_by_text(f"Attendance of {provider.name} confirmed.")).to_be_visible()
    expect(queue.get_by_role("row").filter(has_text=provider.name)).to_have_count(0)
    expect(queue.get_by_role("row").filter(has_text=other.provider.name)).to_have_count(1)
    waiting.refresh_from_db()
    assert waiting.confirmed_by_id == supervisor.pk
