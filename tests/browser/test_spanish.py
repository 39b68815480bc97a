"""An applicant switches the public pages to Spanish; the choice sticks across pages and
`<html lang>` follows; the application form is filled, corrected and sent in Spanish.
The screenshot docs/screens/application-es.png comes from this file."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screens_dir

pytestmark = pytest.mark.browser

SCREENS = screens_dir()
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


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
    assert_accessible(page)
    page.get_by_role("button", name="Confirmar mi dirección de correo electrónico").click()
    expect(
        page.get_by_role("heading", name="Su dirección de correo electrónico está confirmada")
    ).to_be_visible()

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Your e-mail address is confirmed")).to_be_visible()


def test_application_form_in_spanish_shows_errors_and_is_saved(
    page, live_server, assert_accessible
):
    from faon.models import Application

    page.goto(f"{live_server.url}/faon/join/")
    page.get_by_role("button", name="Español").click()
    expect(
        page.get_by_role("heading", name="Únase a la Family Advocacy Outreach Network")
    ).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert_accessible(page)

    page.get_by_label("Su nombre").fill("Morgan Ejemplo")
    page.get_by_label("Su dirección de correo electrónico").fill("morgan@example.test")
    page.get_by_label("Referencias profesionales").fill("Dra. Lee Ejemplo, supervisora clínica")
    page.get_by_label(re.compile("He leído los requisitos")).check()
    page.locator("#id_profile-kind").select_option("individual")
    page.get_by_label("Nombre (persona u organización)").fill("Morgan Ejemplo")
    page.locator("#id_profile-credentials").fill("LCSW")
    page.locator("#id_profile-email").fill("morgan@example.test")
    page.get_by_label("Trabajador social", exact=True).check()
    page.get_by_label("Trauma", exact=True).check()
    page.get_by_label("Español", exact=True).check()
    page.get_by_label("En persona", exact=True).check()
    page.get_by_label("Pro bono", exact=True).check()
    page.locator("#id_profile-city").fill("Alexandria")
    page.locator("#id_profile-state").select_option("VA")
    page.get_by_label("Código postal (ZIP)").fill("223")  # too short
    page.locator("#id_profile-capacity").fill("2")
    page.locator("#id_lic-0-license_type").fill("LCSW")
    page.locator("#id_lic-0-state").select_option("VA")
    page.locator("#id_lic-0-number").fill("0904012345")
    page.locator("#id_lic-0-expires_on").fill("2099-06-30")
    page.get_by_label("Aseguradora").fill("Example Mutual")
    page.get_by_label("Número de póliza").fill("PL-778")
    page.get_by_label("Cobertura hasta").fill("2099-01-01")
    page.locator("#id_ins-document").set_input_files(
        {"name": "coi.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Enviar solicitud").click()

    # The Spanish error sits next to the field; what was typed is still there.
    error = page.locator("#error_1_id_profile-zip_code")
    expect(error).to_have_text("Escriba un código postal (ZIP) de EE. UU. de 5 dígitos.")
    expect(page.get_by_role("alert").first).to_contain_text("Corrija los campos marcados abajo.")
    expect(page.get_by_label("Su nombre")).to_have_value("Morgan Ejemplo")
    assert not Application.objects.exists()
    zip_field = page.get_by_label("Código postal (ZIP)")
    zip_field.scroll_into_view_if_needed()
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1000, "height": 700})
    page.screenshot(path=str(SCREENS / "application-es.png"))
    assert_accessible(page)

    zip_field.fill("22314")
    page.locator("#id_ins-document").set_input_files(  # files are chosen again (security)
        {"name": "coi.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Enviar solicitud").click()
    expect(page.get_by_role("heading", name="Gracias por su solicitud")).to_be_visible()
    application = Application.objects.get()
    assert application.applicant_name == "Morgan Ejemplo"
    assert application.provider.languages == ["es"]


def test_sign_in_and_password_reset_in_spanish(page, live_server, browser_user):
    from familysupport.lib.models import OutboundEmail

    user = browser_user("advocate")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Español").click()
    expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_role("link", name="¿Ha olvidado su contraseña?").click()
    expect(page.get_by_role("heading", name="Restablecer Contraseña")).to_be_visible()
    page.get_by_label("Correo electrónico").fill(user.email)
    page.get_by_role("button", name="Restablecer mi contraseña").click()
    expect(page.get_by_text("Le hemos enviado un correo electrónico.")).to_be_visible()
    assert OutboundEmail.objects.filter(to=user.email).exists()
