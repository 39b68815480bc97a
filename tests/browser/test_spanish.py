"""An applicant switches the public pages to Spanish; the choice sticks across pages and
`<html lang>` follows. The screenshot in docs/screens comes from this test."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"


def test_language_switch_to_spanish_is_remembered(page, live_server, assert_accessible):
    from django.utils import timezone

    from faon.models import Application, Provider
    from faon.selectors import confirm_token_hash
    from tests.faon.factories import ProviderFactory

    provider = ProviderFactory(status=Provider.Status.APPLIED)
    Application.objects.create(
        provider=provider,
        applicant_name=provider.name,
        applicant_email=provider.email,
        submitted_at=timezone.now(),
        confirm_token_hash=confirm_token_hash("browser-token-es"),
    )
    page.goto(f"{live_server.url}/faon/join/thanks/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Español").click()
    expect(page.get_by_role("heading", name="Gracias por su solicitud")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")

    page.goto(f"{live_server.url}/faon/join/confirm/browser-token-es/")
    expect(
        page.get_by_role("heading", name="Confirme su dirección de correo electrónico")
    ).to_be_visible()
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1000, "height": 700})
    page.screenshot(path=str(SCREENS / "application-es.png"))
    assert_accessible(page)
    page.get_by_role("button", name="Confirmar mi dirección de correo electrónico").click()
    expect(
        page.get_by_role("heading", name="Su dirección de correo electrónico está confirmada")
    ).to_be_visible()

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Your e-mail address is confirmed")).to_be_visible()
