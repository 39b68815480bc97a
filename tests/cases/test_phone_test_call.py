"""`manage.py phone_test_call` against a running portal (the live test server): signed the
way the portal checks, refused when the token does not match."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cases import phone_services
from cases.phone_models import PhoneCall
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def portal(live_server, settings):
    settings.TWILIO_AUTH_TOKEN = "live-token"
    settings.PHONE_WEBHOOK_BASE_URL = live_server.url
    return live_server


def test_twilio_test_call_is_accepted_and_recorded(portal):
    advocate = UserFactory(role="advocate", email="ana@division.test")
    out = StringIO()
    call_command("phone_test_call", "--agent", "ana@division.test", "--duration", "17", stdout=out)
    text = out.getvalue()
    assert "ringing  POST" in text and "HTTP 200" in text and "HTTP 204" in text
    call = PhoneCall.objects.get()
    assert call.call_sid.startswith(phone_services.TEST_CALL_PREFIX)
    assert (call.status, call.duration_seconds, call.agent) == (
        PhoneCall.Status.ENDED,
        17,
        advocate,
    )


def test_mismatched_public_url_is_reported(portal, settings):
    # The portal believes Twilio calls https://portal.example.org; the test call (like
    # Twilio) signs the address it really calls: the signatures differ.
    settings.PHONE_WEBHOOK_BASE_URL = "https://portal.example.org"
    out = StringIO()
    with pytest.raises(CommandError, match="403"):
        call_command("phone_test_call", "--url", portal.url, stdout=out)
    assert "HTTP 403" in out.getvalue()
    assert not PhoneCall.objects.exists()


def test_hmac_test_call(portal, administrator):
    integration, _secret = phone_services.phone_integration_create(name="PBX", by=administrator)
    out = StringIO()
    call_command("phone_test_call", "--integration", "PBX", stdout=out)
    assert out.getvalue().count("HTTP 204") == 2
    assert PhoneCall.objects.get().integration == integration


def test_unknown_integration_and_missing_token_stop_early(portal, settings):
    with pytest.raises(CommandError, match="No active phone integration"):
        call_command("phone_test_call", "--integration", "nope")
    settings.TWILIO_AUTH_TOKEN = ""
    with pytest.raises(CommandError, match="TWILIO_AUTH_TOKEN"):
        call_command("phone_test_call")
