"""Public application, e-mail confirmation, honeypot, rate limit; document uploads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from familysupport.lib.models import Notification, OutboundEmail
from faon import uploads
from faon.models import Application, InsurancePolicy, License, Provider

from .factories import LicenseFactory, ProviderFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def _data(**overrides):
    data = {
        "app-applicant_name": "Dana Example",
        "app-applicant_email": "dana@example.test",
        "app-references": "Dr. R. Example, colleague",
        "app-agree": "on",
        "profile-kind": "individual",
        "profile-name": "Dana Example",
        "profile-credentials": "LCSW",
        "profile-email": "dana@example.test",
        "profile-phone": "(202) 555-0142",
        "profile-disciplines": ["social_worker"],
        "profile-specialties": ["trauma"],
        "profile-languages": ["en", "es"],
        "profile-service_modes": ["in_person"],
        "profile-fee_arrangements": ["pro_bono"],
        "profile-age_min": "0",
        "profile-age_max": "18",
        "profile-city": "Alexandria",
        "profile-state": "VA",
        "profile-zip_code": "22314",
        "profile-service_radius_miles": "25",
        "profile-capacity": "2",
        "profile-accepting_referrals": "on",
        "lic-TOTAL_FORMS": "2",
        "lic-INITIAL_FORMS": "0",
        "lic-MIN_NUM_FORMS": "0",
        "lic-MAX_NUM_FORMS": "5",
        "lic-0-license_type": "LCSW",
        "lic-0-state": "VA",
        "lic-0-number": "0904001234",
        "lic-0-expires_on": "2099-06-30",
        "lic-0-standing": "good",
        "lic-1-standing": "good",
        "ins-carrier": "Example Mutual",
        "ins-policy_number": "PL-1",
        "ins-covers_to": "2099-01-01",
        "ins-document": SimpleUploadedFile("coi.pdf", PDF, content_type="application/pdf"),
    }
    data.update(overrides)
    return data


def test_join_page_is_public_and_explains_requirements():
    response = Client().get(reverse("faon:join"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Attend 1 FAON event" in text and "Benefits of joining" in text


def test_application_is_stored_and_confirmed_by_email():
    response = Client().post(reverse("faon:join"), _data())
    assert response.status_code == 302, response.content.decode()[:3000]
    provider = Provider.objects.get(name="Dana Example")
    assert provider.status == Provider.Status.APPLIED
    assert provider.zip_code == "22314" and provider.latitude is not None
    assert provider.phone == "+12025550142"
    assert provider.licenses.count() == 1
    policy = provider.insurance_policies.get()
    stored = Path(policy.document.path)
    assert stored.read_bytes() == PDF and "coi" not in stored.name
    application = provider.application
    assert application.email_confirmed_at is None
    mail = OutboundEmail.objects.get(to="dana@example.test")
    token = re.search(r"/faon/join/confirm/([^/]+)/", mail.body_text).group(1)
    assert application.confirm_token_hash != token  # only a hash is stored
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(reverse("faon:join_confirm", args=[token]))
    assert page.status_code == 200
    assert b"Confirm my e-mail address" in page.content
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1)
    response = browser.post(
        reverse("faon:join_confirm", args=[token]), {"csrfmiddlewaretoken": csrf.decode()}
    )
    assert response.status_code == 200
    assert b"Your e-mail address is confirmed" in response.content
    application.refresh_from_db()
    assert application.email_confirmed_at is not None


def _submitted(make_user) -> tuple[Application, str]:
    make_user(User.Role.SUPERVISOR)
    assert Client().post(reverse("faon:join"), _data()).status_code == 302
    mail = OutboundEmail.objects.get(to="dana@example.test")
    token = re.search(r"/faon/join/confirm/([^/]+)/", mail.body_text).group(1)
    return Application.objects.get(), token


def test_opening_the_confirmation_link_confirms_nothing(make_user):
    """Mail link scanners fetch every link: a GET must not confirm or notify anyone."""
    application, token = _submitted(make_user)
    for _ in range(2):
        page = Client().get(reverse("faon:join_confirm", args=[token]))
        assert page.status_code == 200
        assert b"Confirm my e-mail address" in page.content
        assert b'method="post"' in page.content
    application.refresh_from_db()
    assert application.email_confirmed_at is None
    assert not Notification.objects.filter(event="faon.application.received").exists()


def test_posting_the_token_confirms_once_and_notifies_supervisors(make_user):
    application, token = _submitted(make_user)
    url = reverse("faon:join_confirm", args=[token])
    assert Client().post(url).status_code == 200
    assert Client().post(url).status_code == 200  # a second click: still fine, no second note
    application.refresh_from_db()
    assert application.email_confirmed_at is not None
    assert Notification.objects.filter(event="faon.application.received").count() == 1
    page = Client().get(url)  # the link opened again later says so, without a button
    assert b"Your e-mail address is confirmed" in page.content
    assert b"Confirm my e-mail address" not in page.content


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_wrong_token_is_404_and_confirms_nothing(method, make_user):
    application, _token = _submitted(make_user)
    response = getattr(Client(), method)(reverse("faon:join_confirm", args=["not-a-token"]))
    assert response.status_code == 404
    assert b"This link is not valid" in response.content
    assert b"Confirm my e-mail address" not in response.content
    application.refresh_from_db()
    assert application.email_confirmed_at is None


def test_bad_input_is_400_keeps_typed_text_and_saves_nothing():
    data = _data(**{"profile-zip_code": "ABCDE", "profile-description": "My careful words"})
    response = Client().post(reverse("faon:join"), data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Enter a 5-digit US ZIP code." in text
    assert "My careful words" in text and "Dr. R. Example, colleague" in text
    assert 'value="0904001234"' in text
    assert not Provider.objects.exists() and not Application.objects.exists()


def test_licensed_clinician_must_add_a_license():
    data = _data()
    for key in [k for k in data if k.startswith("lic-0-") and k != "lic-0-standing"]:
        data.pop(key)
    response = Client().post(reverse("faon:join"), data)
    assert response.status_code == 400
    assert "at least one current license" in response.content.decode()
    assert not Provider.objects.exists()


def test_honeypot_is_dropped_silently():
    response = Client().post(reverse("faon:join"), _data(**{"app-nickname": "bot"}))
    assert response.status_code == 302
    assert not Provider.objects.exists()


def test_rate_limit(settings):
    client = Client()
    for _ in range(10):
        client.post(reverse("faon:join"), {"app-applicant_name": "x"})
    response = client.post(reverse("faon:join"), _data())
    assert response.status_code == 429
    assert not Provider.objects.exists()


def test_renamed_executable_is_rejected_with_a_clear_message():
    data = _data(
        **{"ins-document": SimpleUploadedFile("coi.pdf", EXE, content_type="application/pdf")}
    )
    response = Client().post(reverse("faon:join"), data)
    assert response.status_code == 400
    assert "Only PDF, PNG or JPEG documents are accepted" in response.content.decode()
    assert not InsurancePolicy.objects.exists()


def test_oversize_file_is_rejected_with_a_clear_message(provider_user, login):
    provider = ProviderFactory(managers=[provider_user])
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf")
    response = login(provider_user).post(
        reverse("faon:license_add", args=[provider.pk]),
        {
            "license_type": "LPC",
            "state": "VA",
            "number": "77",
            "expires_on": "2099-01-01",
            "standing": "good",
            "document": big,
        },
    )
    assert response.status_code == 400
    assert "the limit is 10 MB" in response.content.decode()
    assert 'value="77"' in response.content.decode()
    assert not License.objects.filter(number="77").exists()


def test_upload_served_only_through_checked_view(provider_user, login, settings):
    provider = ProviderFactory(managers=[provider_user])
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    response = login(provider_user).post(
        reverse("faon:license_add", args=[provider.pk]),
        {
            "license_type": "LPC",
            "state": "VA",
            "number": "78",
            "expires_on": "2099-01-01",
            "standing": "good",
            "document": SimpleUploadedFile("scan.exe", png, "application/octet-stream"),
        },
    )
    assert response.status_code == 302
    lic = License.objects.get(number="78")
    assert lic.document.name.endswith(".png")
    assert str(settings.PRIVATE_MEDIA_ROOT) in lic.document.path
    with pytest.raises(ValueError):
        lic.document.url  # noqa: B018 - private files have no URL
    got = login(provider_user).get(reverse("faon:license_document", args=[lic.pk]))
    assert got.status_code == 200 and got["Content-Type"] == "image/png"
    assert b"".join(got.streaming_content) == png
    assert Client().get(reverse("faon:license_document", args=[lic.pk])).status_code == 302


def test_virus_scan_hook_is_called(settings):
    calls = []
    settings.FAON_VIRUS_SCANNER = "tests.faon.test_join_and_uploads.fake_scanner"
    fake_scanner.calls = calls
    uploads.validate_document(SimpleUploadedFile("a.pdf", PDF))
    assert calls == ["a.pdf"]


def fake_scanner(upload):
    fake_scanner.calls.append(upload.name)


def test_provider_renewal_is_pending_until_staff_verify(provider_user, login):
    provider = ProviderFactory(managers=[provider_user])
    LicenseFactory(provider=provider)
    login(provider_user).post(
        reverse("faon:license_add", args=[provider.pk]),
        {"license_type": "LCSW", "state": "VA", "number": "R2", "expires_on": "2099-01-01",
         "standing": "good"},
    )  # fmt: skip
    assert License.objects.get(number="R2").verification == "pending"
    assert User.objects.filter(role="supervisor").count() == 0  # no one to notify: still fine
