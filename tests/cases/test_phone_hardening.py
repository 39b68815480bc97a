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
from tests.cases.phone_helpers import BASE, FORM, TOKEN, call_params, hmac_post, twilio_post

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


# --- the signature covers the method, path and query (finding 2) ------------------------


def test_hmac_ringing_request_replayed_to_call_ended_is_refused(pbx):
    integration, secret = pbx
    params = call_params(CallStatus="")  # no CallStatus: the URL says which event it is
    ringing_path = reverse("phone:hook_call")
    assert (
        hmac_post(Client(), "phone:hook_call", params, integration=integration, secret=secret)
    ).status_code == 204
    replay = hmac_post(
        Client(),
        "phone:hook_call_ended",
        params,
        integration=integration,
        secret=secret,
        signed_path=ringing_path,
    )
    assert replay.status_code == 403
    assert _reasons() == ["bad_signature"]
    assert PhoneCall.objects.get().status == PhoneCall.Status.RINGING


def test_hmac_agent_in_the_query_is_signed(pbx, advocate):
    integration, secret = pbx
    signed = f"{reverse('phone:hook_call')}?Agent=someone%40division.test"
    rerouted = hmac_post(
        Client(),
        "phone:hook_call",
        call_params(),
        integration=integration,
        secret=secret,
        query=f"?Agent={advocate.email.replace('@', '%40')}",
        signed_path=signed,
    )
    assert rerouted.status_code == 403
    assert not PhoneCall.objects.exists()
    routed = hmac_post(
        Client(),
        "phone:hook_call",
        call_params(),
        integration=integration,
        secret=secret,
        query=f"?Agent={advocate.email.replace('@', '%40')}",
    )
    assert routed.status_code == 204
    assert PhoneCall.objects.get().agent == advocate


# --- replays after the purge (finding 3) ------------------------------------------------


def test_twilio_ringing_replayed_after_the_calls_purge_is_ignored(settings):
    import datetime as dt

    import time_machine

    from cases.models import Task
    from familysupport.lib import retention
    from tests.cases.factories import CaseFactory

    CaseFactory(family__phone="+15550104242")
    settings.RETENTION = {**settings.RETENTION, "phone_call_days": 90}
    t0 = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
    with time_machine.travel(t0, tick=False):
        twilio_post(Client(), "phone:hook_call", call_params())
        twilio_post(Client(), "phone:hook_call_ended", call_params(CallStatus="completed"))
    later = t0 + dt.timedelta(days=91)
    with time_machine.travel(later, tick=False):
        retention.sweep(now=later, only=["cases.phone_calls"])
        assert not PhoneCall.objects.exists()
        replay = twilio_post(Client(), "phone:hook_call", call_params())
        assert replay.status_code == 200  # Twilio gets its TwiML; nothing happens
        assert not PhoneCall.objects.exists()
        assert phone_services.phone_missed_calls(now=later + dt.timedelta(minutes=30)) == 0
    assert not Task.objects.exists()


def test_replayed_ended_keeps_the_first_end_and_duration():
    import datetime as dt

    import time_machine

    from cases.phone_models import PhoneCallEvent

    t0 = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
    ended = call_params(CallStatus="completed", CallDuration="60")
    with time_machine.travel(t0, tick=False):
        twilio_post(Client(), "phone:hook_call", call_params())
        twilio_post(Client(), "phone:hook_call_ended", ended)
    PhoneCallEvent.objects.filter(event="ended").delete()  # as if its replay record were gone
    with time_machine.travel(t0 + dt.timedelta(hours=1), tick=False):
        late = call_params(CallStatus="completed", CallDuration="3599")
        assert twilio_post(Client(), "phone:hook_call_ended", late).status_code == 204
    call = PhoneCall.objects.get()
    assert (call.ended_at, call.duration_seconds) == (t0, 60)


# --- one source may not change another's calls (finding 4) -------------------------------


def test_a_source_cannot_change_another_sources_call(pbx):
    integration, secret = pbx
    assert twilio_post(Client(), "phone:hook_call", call_params()).status_code == 200
    ended = call_params(CallStatus="completed", CallDuration="5")
    response = hmac_post(
        Client(), "phone:hook_call_ended", ended, integration=integration, secret=secret
    )
    assert response.status_code == 403
    assert _reasons() == ["other_source"]
    call = PhoneCall.objects.get()
    assert call.status == PhoneCall.Status.RINGING and call.ended_at is None
    # The rightful source's own "ended" still applies (nothing was recorded for the other).
    assert twilio_post(Client(), "phone:hook_call_ended", ended).status_code == 204
    call.refresh_from_db()
    assert call.status == PhoneCall.Status.ENDED and call.duration_seconds == 5


# --- refusals do not flood the audit log (finding 7) ------------------------------------


def test_refusals_are_audited_once_per_client_and_reason_per_minute():
    import datetime as dt

    import time_machine

    t0 = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
    url = reverse("phone:hook_call")
    with time_machine.travel(t0, tick=False):
        for _ in range(5):
            assert Client().post(url, call_params()).status_code == 403
        other = Client(REMOTE_ADDR="192.0.2.7").post(url, call_params())
        assert other.status_code == 403
        wrong = twilio_post(Client(), "phone:hook_call", call_params(), token="guess")
        assert wrong.status_code == 403
    assert _reasons() == ["missing_signature", "missing_signature", "bad_signature"]
    with time_machine.travel(t0 + dt.timedelta(seconds=61), tick=False):
        assert Client().post(url, call_params()).status_code == 403
    last = AuditEntry.objects.filter(action="cases.phonecall.webhook_refused").latest("pk")
    assert last.changes == {"reason": "missing_signature", "refused_unrecorded_before": 4}
