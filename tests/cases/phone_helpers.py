"""Signed requests to the phone webhooks, as Twilio or an HMAC phone system sends them."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.test import Client
from django.urls import reverse
from twilio.request_validator import RequestValidator

from cases import phone_services

TOKEN = "test-twilio-auth-token"
# The public URL Twilio was given; the test client's own is http://testserver (a proxy's).
BASE = "https://portal.example.org"
FORM = "application/x-www-form-urlencoded"


def call_params(call_sid: str = "CA" + "1" * 32, **extra: str) -> dict[str, str]:
    return {
        "CallSid": call_sid,
        "AccountSid": "AC" + "0" * 32,
        "From": "+15550104242",
        "To": "+15550100000",
        "CallStatus": "ringing",
        "Direction": "inbound",
        **extra,
    }


def twilio_post(
    client: Client,
    name: str,
    params: dict[str, str],
    *,
    token: str = TOKEN,
    query: str = "",
    signed_url: str | None = None,
    headers: dict[str, str] | None = None,
):
    path = reverse(name) + query
    signature = RequestValidator(token).compute_signature(signed_url or BASE + path, params)
    return client.post(
        path,
        urlencode(params),
        content_type=FORM,
        headers={phone_services.TWILIO_SIGNATURE_HEADER: signature, **(headers or {})},
    )


def hmac_post(
    client: Client,
    name: str,
    params: dict[str, str],
    *,
    integration,
    secret: str,
    timestamp: int | None = None,
    query: str = "",
    signed_path: str | None = None,
):
    body = urlencode(params).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    path = reverse(name) + query
    return client.post(
        path,
        body,
        content_type=FORM,
        headers={
            phone_services.HMAC_INTEGRATION_HEADER: str(integration.public_id),
            phone_services.HMAC_TIMESTAMP_HEADER: stamp,
            phone_services.HMAC_SIGNATURE_HEADER: phone_services.hmac_signature(
                secret=secret, timestamp=stamp, full_path=signed_path or path, body=body
            ),
        },
    )
