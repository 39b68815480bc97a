"""The security review of the phone webhooks (issue 20): odd headers and parameters are
refused (403/400, audited), never a 500."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from cases import phone_services
from cases.phone_models import PhoneCall
from familysupport.lib.models import AuditEntry
from tests.cases.phone_helpers import BASE, FORM, TOKEN, call_params, twilio_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _twilio(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PHONE_WEBHOOK_BASE_URL = BASE
    settings.PHONE_TWIML_NEXT_URL = ""


@pytest.fixture
def pbx(administrator):
    return phone_services.phone_integration_create(name="Office PBX", by=administrator)


def _reasons() -> list[str]:
    return list(
        AuditEntry.objects.filter(action="cases.phonecall.webhook_refused")
        .order_by("pk")
        .values_list("changes__reason", flat=True)
    )


def _hmac_headers(integration, *, stamp: str, signature: str) -> dict[str, str]:
    return {
        phone_services.HMAC_INTEGRATION_HEADER: str(integration.public_id),
        phone_services.HMAC_TIMESTAMP_HEADER: stamp,
        phone_services.HMAC_SIGNATURE_HEADER: signature,
    }


@pytest.mark.parametrize(
    "stamp",
    ["\u00b2", "9" * 310, "9" * 4301, "-1", " 1", "1" * 13],
    ids=["superscript", "overflow", "digit-limit", "negative", "space", "13-digits"],
)
def test_odd_timestamp_is_refused_and_audited_once(pbx, stamp):
    integration, _secret = pbx
    response = Client().post(
        reverse("phone:hook_call"),
        urlencode(call_params()),
        content_type=FORM,
        headers=_hmac_headers(integration, stamp=stamp, signature="sha256=" + "0" * 64),
    )
    assert response.status_code == 403
    assert _reasons() == ["stale_timestamp"]
    assert not PhoneCall.objects.exists()


@pytest.mark.parametrize(
    "signature",
    ["sha256=" + "\u00e9" * 64, "\u00e9", "sha256=" + "0" * 63, "sha256=" + "g" * 64],
    ids=["non-ascii", "non-ascii-short", "short", "not-hex"],
)
def test_odd_signature_is_refused_and_audited_once(pbx, signature):
    integration, _secret = pbx
    response = Client().post(
        reverse("phone:hook_call"),
        urlencode(call_params()),
        content_type=FORM,
        headers=_hmac_headers(integration, stamp=str(int(time.time())), signature=signature),
    )
    assert response.status_code == 403
    assert _reasons() == ["bad_signature"]
    assert not PhoneCall.objects.exists()


@pytest.mark.parametrize("call_sid", ["CA1/2", "CA 1", "CA1\x00", "CA?x", "CA%2F", "C" * 65])
def test_call_sid_the_pop_cannot_link_to_is_refused_at_arrival(call_sid):
    response = twilio_post(Client(), "phone:hook_call", call_params(call_sid=call_sid))
    assert response.status_code == 400
    assert not PhoneCall.objects.exists()


def test_call_sid_of_every_allowed_character_is_accepted():
    call_sid = "CA-a.b_c:d@e9"
    assert twilio_post(Client(), "phone:hook_call", call_params(call_sid)).status_code == 200
    assert PhoneCall.objects.get().call_sid == call_sid


def test_superscript_duration_is_ignored_not_a_500():
    twilio_post(Client(), "phone:hook_call", call_params())
    ended = call_params(CallStatus="completed", CallDuration="\u00b2")
    assert twilio_post(Client(), "phone:hook_call_ended", ended).status_code == 204
    call = PhoneCall.objects.get()
    assert call.status == PhoneCall.Status.ENDED and call.duration_seconds is None


@pytest.mark.parametrize("field", ["Agent", "From", "To", "Direction", "CallStatus"])
def test_nul_in_a_signed_parameter_is_not_a_500(field):
    params = call_params(**{field: "ana\x00@division.test"})
    response = twilio_post(Client(), "phone:hook_call", params)
    assert response.status_code in (200, 204)
    assert PhoneCall.objects.count() <= 1
