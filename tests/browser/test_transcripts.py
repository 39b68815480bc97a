"""A member issues its CE transcript (a refused year first), downloads the PDF, and a
stranger checks the code on the public verification page."""

from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_out

pytestmark = pytest.mark.browser


def test_member_issues_downloads_and_the_public_verifies(
    page, live_server, browser_user, signed_in, assert_accessible, tmp_path
):
    from familysupport.lib import dates
    from faon.models import Transcript
    from tests.faon.factories import AttendanceFactory, EventFactory, ProviderFactory

    year = dates.today().year - 1
    user = browser_user("provider")
    provider = ProviderFactory(name="Browser Member", credentials="", managers=[user])
    AttendanceFactory(
        provider=provider,
        event=EventFactory(title="CONNECT online training", ce_credits=2),
        completed_at=datetime(year, 3, 3, 12, tzinfo=dates.division_tz()),
    )
    signed_in(user)
    page.goto(f"{live_server.url}/faon/members/{provider.pk}/")
    section = page.locator("section[aria-labelledby=transcripts-h]")
    section.get_by_label("Year").fill(str(year - 2))
    section.get_by_role("button", name="Issue transcript").click()
    expect(
        page.locator("section[aria-labelledby=transcripts-h] .invalid-feedback")
    ).to_contain_text(f"No confirmed trainings or events in {year - 2}.")
    section = page.locator("section[aria-labelledby=transcripts-h]")
    section.get_by_label("Year").fill(str(year))
    section.get_by_role("button", name="Issue transcript").click()
    expect(page.locator("#transcript-list")).to_contain_text("2.0 credit hours")
    assert_accessible(page)
    with page.expect_download() as info:
        page.get_by_role("link", name=f"{year} transcript (PDF)").click()
    path = tmp_path / "t.pdf"
    info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")

    code = Transcript.objects.get(provider=provider).code
    sign_out(page)
    page.goto(f"{live_server.url}/faon/certificates/verify/")
    page.get_by_label("Verification code").fill(code)
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#verify-result")).to_contain_text("2.0")
    expect(page.locator("#verify-result")).to_contain_text("Browser Member")
    assert_accessible(page)
