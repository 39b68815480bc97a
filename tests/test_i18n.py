"""The public pages in Spanish: every string in their templates goes through
{% translate %}/{% blocktranslate %}, the Spanish catalogue translates all of them, the
language switch remembers the choice and `<html lang>` follows it.

PUBLIC_TEMPLATES lists the pages translated so far (issue 19); a page joins the list when
its strings are marked, and from then on an unmarked or untranslated string fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
PUBLIC_TEMPLATES = [
    "account/locked_out.html",
    "account/login.html",
    "cases/resource_feedback.html",
    "cases/resource_feedback_limited.html",
    "cases/resource_feedback_thanks.html",
    "cases/resource_public.html",
    "faon/application_confirm.html",
    "faon/application_form.html",
    "faon/application_thanks.html",
    "faon/certificate_verify.html",
    "faon/newsletter_unsubscribe.html",
    "includes/_language_switch.html",
    "base.html",
]

BLOCK = re.compile(r"{%\s*blocktranslate.*?%}.*?{%\s*endblocktranslate\s*%}", re.S)
TAG = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
HTML = re.compile(r"<[^>]*>", re.S)
LITERAL = re.compile(r"""{%\s*translate\s+"([^"]*)"|{%\s*translate\s+'([^']*)'""")


def unmarked_text(source: str) -> str:
    text = HTML.sub(" ", TAG.sub(" ", BLOCK.sub(" ", source)))
    return " ".join(w for w in text.split() if re.search(r"[A-Za-z]", w))


def test_no_string_outside_translate_tags():
    found = {t: unmarked_text((ROOT / "templates" / t).read_text()) for t in PUBLIC_TEMPLATES}
    assert {t: text for t, text in found.items() if text} == {}


def test_the_check_sees_an_unmarked_string():
    assert unmarked_text('<p>{% translate "Hello" %}</p><p>Goodbye</p>') == "Goodbye"
    assert unmarked_text("{% blocktranslate %}Hi <b>{{ n }}</b>{% endblocktranslate %}") == ""


def test_spanish_catalogue_translates_every_string_of_the_public_pages():
    po = polib.pofile(str(PO))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    ids = {e.msgid for e in po}
    for template in PUBLIC_TEMPLATES:
        for pair in LITERAL.findall((ROOT / "templates" / template).read_text()):
            assert (pair[0] or pair[1]) in ids, f"{template}: {pair} not in the catalogue"


def test_language_switch_remembers_spanish_and_sets_lang(client, db):
    url = reverse("faon:certificate_verify")
    html = client.get(url).content.decode()
    assert '<html lang="en">' in html and "Verification code" in html
    response = client.post(reverse("set_language"), {"language": "es", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    html = client.get(url).content.decode()  # the cookie remembers the choice
    assert '<html lang="es">' in html
    assert "Código de verificación" in html and "Comprobar" in html
    assert "Saltar al contenido principal" in html  # the page frame too, not only its body
    html = client.get(url, {"code": "NOPE"}).content.decode()
    assert "Ningún certificado tiene este código" in html


def test_unsubscribe_page_in_spanish(client, db):
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    html = client.get(reverse("faon:newsletter_unsubscribe", args=["bad-token"])).content
    assert "Este enlace no es válido" in html.decode()


def _spanish(client):
    client.post(reverse("set_language"), {"language": "es", "next": "/"})


def test_application_form_in_spanish_labels_choices_and_help(client, db):
    _spanish(client)
    html = client.get(reverse("faon:join")).content.decode()
    assert '<html lang="es">' in html
    for text in (
        "Únase a la Family Advocacy Outreach Network",
        "Su dirección de correo electrónico",  # a form label
        "Le enviaremos aquí un enlace de confirmación.",  # a help text
        "Trabajador social",  # a choice
        "Licencia 1",  # the formset legend
        "Enviar solicitud",
    ):
        assert text in html, text
    assert "Send application" not in html and "Your e-mail address" not in html


def test_application_errors_in_spanish_next_to_the_field(client, db):
    from django.core.cache import cache

    from faon.models import Application
    from tests.faon.test_join_and_uploads import _data

    cache.clear()  # the application rate limit counts in the cache
    _spanish(client)
    response = client.post(
        reverse("faon:join"),
        _data(**{"profile-zip_code": "12", "app-applicant_email": "not-an-address"}),
    )
    assert response.status_code == 400 and not Application.objects.exists()
    html = response.content.decode()
    assert "Corrija los campos marcados abajo." in html
    zip_error = re.search(r'id="error_1_id_profile-zip_code"[^>]*>(.*?)</', html, re.S)
    assert zip_error and "Escriba un código postal (ZIP) de EE. UU. de 5 dígitos." in zip_error[1]
    assert "Introduzca una dirección de correo electrónico válida." in html  # Django's own
    assert 'value="Dana Example"' in html  # nothing typed is thrown away


# allauth's own password-reset pages (not overridden here): its Spanish catalogue covers them.
ALLAUTH_TEMPLATES = [
    "account/password_reset.html",
    "account/password_reset_done.html",
    "account/password_reset_from_key.html",
    "account/password_reset_from_key_done.html",
]
ANY_LITERAL = re.compile(r"""{%\s*trans(?:late)?\s+(?:"([^"]*)"|'([^']*)')""")


def test_allauth_password_reset_strings_all_have_a_spanish_translation():
    for name in ALLAUTH_TEMPLATES:
        source = Path(get_template(name).origin.name).read_text()
        literals = [a or b for a, b in ANY_LITERAL.findall(source)]
        assert literals, name
        with translation.override("es"):
            untranslated = [m for m in literals if translation.gettext(m) == m]
        assert untranslated == [], name


def test_sign_in_and_password_reset_pages_in_spanish(client, db):
    _spanish(client)
    html = client.get(reverse("account_login")).content.decode()
    assert '<html lang="es">' in html and 'id="language-switch"' in html
    for text in ("Iniciar sesión", "Contraseña", "¿Ha olvidado su contraseña?"):
        assert text in html, text
    assert "Forgot your password?" not in html

    html = client.get(reverse("account_reset_password")).content.decode()
    assert 'id="language-switch"' in html
    assert "Restablecer mi contraseña" in html and "Reset My Password" not in html
    response = client.post(reverse("account_reset_password"), {"email": "not-an-address"})
    assert response.status_code == 200  # allauth re-shows the form with the error
    assert "Introduzca una dirección de correo electrónico válida." in response.content.decode()


def test_resource_page_and_feedback_survey_in_spanish(client, db):
    from django.core.cache import cache

    from cases.models import ResourceFeedback
    from tests.cases.factories import ResourceFactory

    cache.clear()  # the survey's rate limit counts in the cache
    resource = ResourceFactory(url="https://example.org/guide")
    _spanish(client)
    html = client.get(reverse("cases:resource_public", args=[resource.public_id])).content
    feedback_url = reverse("cases:resource_feedback", args=[resource.public_id])
    assert "Abrir el recurso" in html.decode()
    assert f'<a href="{feedback_url}">Responda a tres preguntas breves' in html.decode()

    html = client.get(feedback_url).content.decode()
    for text in ("¿Qué tan útil le resultó este recurso?", "Muy útil", "Prefiero no decirlo"):
        assert text in html, text
    response = client.post(feedback_url, {"helpful": "9", "comment": "Palabras escritas"})
    assert response.status_code == 400 and not ResourceFeedback.objects.exists()
    html = response.content.decode()
    assert "Escoja una opción válida." in html  # Django's own Spanish message
    assert "Palabras escritas" in html
    response = client.post(feedback_url, {"helpful": "4"})
    assert "Sus respuestas nos ayudan a mejorar" in response.content.decode()
    assert ResourceFeedback.objects.get().helpful == 4
