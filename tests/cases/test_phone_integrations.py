"""Administrators' HMAC integrations: secret shown once, kept encrypted, rotated, deactivated;
requests signed with it are accepted, others refused."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from cases import phone_services
from cases.phone_models import PhoneCall, PhoneIntegration
from familysupport.lib.models import AuditEntry
from tests.cases.phone_helpers import call_params, hmac_post

pytestmark = pytest.mark.django_db

SECRET = re.compile(r'data-testid="phone-secret">([^<]+)<')


def _create(client: Client, name: str = "Office PBX") -> tuple[PhoneIntegration, str]:
    response = client.post(reverse("phone:integration_list"), {"name": name})
    assert response.status_code == 200
    secret = SECRET.search(response.content.decode()).group(1)
    return PhoneIntegration.objects.get(name=name), secret


def test_administrator_creates_an_integration_and_sees_the_secret_once(login, administrator):
    client = login(administrator)
    integration, secret = _create(client)
    assert len(secret) >= 40
    assert secret not in integration.secret_encrypted  # stored encrypted, not in clear
    assert integration.created_by == administrator and integration.active
    page = client.get(reverse("phone:integration_list"))
    assert page.status_code == 200
    assert "Office PBX" in page.content.decode() and secret not in page.content.decode()
    assert AuditEntry.objects.filter(
        action="cases.phoneintegration.created", object_id=str(integration.pk)
    ).exists()
    assert not AuditEntry.objects.filter(changes__icontains=secret).exists()


def test_name_is_required_and_unique(login, administrator):
    client = login(administrator)
    _create(client, "Office PBX")
    response = client.post(reverse("phone:integration_list"), {"name": "office pbx"})
    assert response.status_code == 400
    assert "exists already" in response.content.decode()
    assert 'value="office pbx"' in response.content.decode()  # what was typed is kept
    response = client.post(reverse("phone:integration_list"), {"name": "   "})
    assert response.status_code == 400
    assert PhoneIntegration.objects.count() == 1


def test_request_signed_with_the_secret_is_accepted(login, administrator):
    integration, secret = _create(login(administrator))
    response = hmac_post(
        Client(), "phone:hook_call", call_params(), integration=integration, secret=secret
    )
    assert response.status_code == 204  # not TwiML: this is not Twilio
    call = PhoneCall.objects.get()
    assert call.integration == integration and call.from_number == "+15550104242"
    ended = call_params(CallStatus="completed", CallDuration="31")
    hmac_post(Client(), "phone:hook_call_ended", ended, integration=integration, secret=secret)
    call.refresh_from_db()
    assert call.duration_seconds == 31 and call.status == PhoneCall.Status.ENDED


def test_wrong_secret_stale_timestamp_and_unknown_integration_are_refused(login, administrator):
    import time
    import uuid

    integration, secret = _create(login(administrator))
    client = Client()
    wrong = hmac_post(
        client, "phone:hook_call", call_params(), integration=integration, secret="guess"
    )
    stale = hmac_post(
        client,
        "phone:hook_call",
        call_params(),
        integration=integration,
        secret=secret,
        timestamp=int(time.time()) - 3600,
    )
    integration.public_id = uuid.uuid4()  # not saved: an id the portal does not know
    unknown = hmac_post(
        client, "phone:hook_call", call_params(), integration=integration, secret=secret
    )
    assert [wrong.status_code, stale.status_code, unknown.status_code] == [403, 403, 403]
    assert not PhoneCall.objects.exists()
    reasons = list(
        AuditEntry.objects.filter(action="cases.phonecall.webhook_refused")
        .order_by("pk")
        .values_list("changes__reason", flat=True)
    )
    assert reasons == ["bad_signature", "stale_timestamp", "unknown_integration"]


def test_rotation_shows_a_new_secret_and_refuses_the_old_one(login, administrator):
    client = login(administrator)
    integration, old = _create(client)
    response = client.post(reverse("phone:integration_rotate", args=[integration.pk]))
    assert response.status_code == 200
    new = SECRET.search(response.content.decode()).group(1)
    assert new != old
    integration.refresh_from_db()
    assert integration.rotated_at is not None
    refused = hmac_post(
        Client(), "phone:hook_call", call_params(), integration=integration, secret=old
    )
    accepted = hmac_post(
        Client(), "phone:hook_call", call_params(), integration=integration, secret=new
    )
    assert (refused.status_code, accepted.status_code) == (403, 204)
    assert AuditEntry.objects.filter(action="cases.phoneintegration.rotated").count() == 1


def test_deactivated_integration_is_refused_and_cannot_be_rotated(login, administrator):
    client = login(administrator)
    integration, secret = _create(client)
    response = client.post(reverse("phone:integration_deactivate", args=[integration.pk]))
    assert response.status_code == 302
    integration.refresh_from_db()
    assert not integration.active and integration.deactivated_at is not None
    refused = hmac_post(
        Client(), "phone:hook_call", call_params(), integration=integration, secret=secret
    )
    assert refused.status_code == 403
    response = client.post(reverse("phone:integration_rotate", args=[integration.pk]))
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="cases.phoneintegration.deactivated").count() == 1


@pytest.mark.parametrize("role", ["advocate", "supervisor", "provider", "volunteer"])
def test_other_roles_may_not_manage_integrations(login, make_user, administrator, role):
    integration, _secret = phone_services.phone_integration_create(name="PBX", by=administrator)
    client = login(make_user(role))
    assert client.get(reverse("phone:integration_list")).status_code == 403
    assert client.post(reverse("phone:integration_list"), {"name": "X"}).status_code == 403
    rotate = reverse("phone:integration_rotate", args=[integration.pk])
    deactivate = reverse("phone:integration_deactivate", args=[integration.pk])
    assert client.post(rotate).status_code == 403
    assert client.post(deactivate).status_code == 403
    integration.refresh_from_db()
    assert integration.active and integration.rotated_at is None
    assert PhoneIntegration.objects.count() == 1


def test_anonymous_is_sent_to_sign_in(administrator):
    integration, _secret = phone_services.phone_integration_create(name="PBX", by=administrator)
    client = Client()
    response = client.get(reverse("phone:integration_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(reverse("phone:integration_rotate", args=[integration.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_administrator_finds_the_page_in_the_menu(login, administrator, advocate):
    home = login(administrator).get(reverse("home")).content.decode()
    assert reverse("phone:integration_list") in home
    assert (
        reverse("phone:integration_list")
        not in login(advocate).get(reverse("home")).content.decode()
    )
