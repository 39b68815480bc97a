"""The phone system's webhooks in Twilio's format: signatures, replays, numbers, routing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from cases.phone_models import PhoneCall, PhoneCallEvent
from familysupport.lib.models import AuditEntry
from tests.cases.factories import CaseFactory, FamilyFactory
from tests.cases.phone_helpers import BASE, FORM, TOKEN, call_params, twilio_post
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _twilio(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PHONE_WEBHOOK_BASE_URL = BASE
    settings.PHONE_TWIML_NEXT_URL = ""


def _refusals() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="cases.phonecall.webhook_refused"))


def test_signed_ringing_call_is_recorded_and_the_answer_says_nothing_about_the_family():
    family = FamilyFactory(phone="+15550104242")
    response = twilio_post(Client(), "phone:hook_call", call_params())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    body = response.content.decode()
    assert body.endswith("<Response></Response>")
    assert family.display_name not in body and "4242" not in body
    call = PhoneCall.objects.get()
    assert (call.call_sid, call.from_number, call.to_number) == (
        "CA" + "1" * 32,
        "+15550104242",
        "+15550100000",
    )
    assert call.status == PhoneCall.Status.RINGING
    assert call.direction == PhoneCall.Direction.INBOUND
    assert call.integration is None and call.agent is None and call.started_at is None


def test_configured_call_flow_gets_the_call_next(settings):
    settings.PHONE_TWIML_NEXT_URL = "https://webhooks.twilio.com/v1/Accounts/AC0/Flows/FW1"
    response = twilio_post(Client(), "phone:hook_call", call_params())
    assert (
        '<Redirect method="POST">https://webhooks.twilio.com/v1/Accounts/AC0/Flows/FW1</Redirect>'
        in response.content.decode()
    )


def test_bad_signature_is_refused_and_audited_without_the_callers_details():
    response = twilio_post(Client(), "phone:hook_call", call_params(), token="not-the-token")
    assert response.status_code == 403
    assert not PhoneCall.objects.exists()
    (entry,) = _refusals()
    assert entry.changes == {"reason": "bad_signature"}
    assert entry.actor is None
    flat = f"{entry.changes} {entry.object_label} {entry.path}"
    assert "4242" not in flat and "CA111" not in flat


def test_missing_signature_is_refused_and_audited():
    response = Client().post(reverse("phone:hook_call"), call_params())
    assert response.status_code == 403
    assert not PhoneCall.objects.exists()
    assert [e.changes["reason"] for e in _refusals()] == ["missing_signature"]


def test_without_a_configured_token_twilio_requests_are_refused(settings):
    settings.TWILIO_AUTH_TOKEN = ""
    response = twilio_post(Client(), "phone:hook_call", call_params(), token="")
    assert response.status_code == 403
    assert [e.changes["reason"] for e in _refusals()] == ["twilio_not_configured"]


def test_signature_is_checked_against_the_public_url_not_the_proxys():
    # Signed over the URL the portal saw (http://testserver): not what Twilio called.
    path = reverse("phone:hook_call")
    response = twilio_post(
        Client(), "phone:hook_call", call_params(), signed_url=f"http://testserver{path}"
    )
    assert response.status_code == 403


def test_tampered_parameters_break_the_signature():
    from twilio.request_validator import RequestValidator

    params = call_params()
    signature = RequestValidator(TOKEN).compute_signature(BASE + reverse("phone:hook_call"), params)
    from urllib.parse import urlencode

    tampered = {**params, "From": "+15550109999"}
    response = Client().post(
        reverse("phone:hook_call"),
        urlencode(tampered),
        content_type=FORM,
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 403


def test_sha256_signature_settings_header_is_honoured():
    from urllib.parse import urlencode

    from twilio.request_validator import RequestValidator

    params = call_params()
    url = BASE + reverse("phone:hook_call")
    signature = RequestValidator(TOKEN).compute_signature(url, params, algorithm="HMAC_SHA256")
    response = Client().post(
        reverse("phone:hook_call"),
        urlencode(params),
        content_type=FORM,
        headers={
            "X-Twilio-Signature": signature,
            "X-Twilio-Webhooks-Signature-Settings": "key=k1,algorithm=HMAC_SHA256",
        },
    )
    assert response.status_code == 200
    assert PhoneCall.objects.count() == 1


def test_get_is_not_allowed():
    assert Client().get(reverse("phone:hook_call")).status_code == 405
    assert Client().get(reverse("phone:hook_call_ended")).status_code == 405


def test_replayed_event_does_nothing_twice():
    client = Client()
    start = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
    ended = call_params(CallStatus="completed", CallDuration="60")
    with time_machine.travel(start, tick=False):
        twilio_post(client, "phone:hook_call", call_params())
        assert twilio_post(client, "phone:hook_call_ended", ended).status_code == 204
    with time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
        # The same signed requests again (a retry, or someone replaying a captured one).
        assert twilio_post(client, "phone:hook_call", call_params()).status_code == 200
        assert twilio_post(client, "phone:hook_call_ended", ended).status_code == 204
    call = PhoneCall.objects.get()
    assert call.ringing_at == start and call.ended_at == start
    assert call.status == PhoneCall.Status.ENDED
    assert PhoneCallEvent.objects.filter(call_sid=call.call_sid).count() == 2


@pytest.mark.parametrize("withheld", ["anonymous", "Anonymous", "+266696687", "", "restricted"])
def test_withheld_numbers_are_stored_empty(withheld):
    response = twilio_post(Client(), "phone:hook_call", call_params(From=withheld))
    assert response.status_code == 200
    assert PhoneCall.objects.get().from_number == ""


def test_unknown_number_is_kept_in_e164():
    twilio_post(Client(), "phone:hook_call", call_params(From="(555) 010-7777"))
    assert PhoneCall.objects.get().from_number == "+15550107777"


def test_agent_named_in_the_request_is_matched_to_an_active_advocate():
    advocate = UserFactory(role="advocate", email="Ana.Lopez@division.test")
    params = call_params(Agent="ana.lopez@division.test")
    twilio_post(Client(), "phone:hook_call", params)
    assert PhoneCall.objects.get().agent == advocate


def test_agent_can_be_named_in_the_configured_url():
    advocate = UserFactory(role="supervisor", email="sam@division.test")
    twilio_post(Client(), "phone:hook_call", call_params(), query="?Agent=sam%40division.test")
    assert PhoneCall.objects.get().agent == advocate


@pytest.mark.parametrize(
    "user_kwargs",
    [{"role": "advocate", "is_active": False}, {"role": "provider"}, {"role": "administrator"}],
)
def test_agent_who_takes_no_calls_leaves_the_call_for_everyone(user_kwargs):
    UserFactory(email="someone@division.test", **user_kwargs)
    twilio_post(Client(), "phone:hook_call", call_params(Agent="someone@division.test"))
    assert PhoneCall.objects.get().agent is None


def test_answered_then_ended_fills_times_and_duration():
    client = Client()
    t0 = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
    with time_machine.travel(t0, tick=False):
        twilio_post(client, "phone:hook_call", call_params())
    with time_machine.travel(t0 + dt.timedelta(seconds=8), tick=False):
        twilio_post(client, "phone:hook_call", call_params(CallStatus="in-progress"))
    call = PhoneCall.objects.get()
    assert call.status == PhoneCall.Status.ANSWERED
    assert call.answered_at == t0 + dt.timedelta(seconds=8)
    with time_machine.travel(t0 + dt.timedelta(seconds=133), tick=False):
        response = twilio_post(
            client,
            "phone:hook_call_ended",
            call_params(CallStatus="completed", CallDuration="125"),
        )
    assert response.status_code == 204 and response.content == b""
    call.refresh_from_db()
    assert call.status == PhoneCall.Status.ENDED
    assert call.ended_at == t0 + dt.timedelta(seconds=133)
    assert call.duration_seconds == 125


def test_ended_event_keeps_the_advocates_start():
    advocate = UserFactory(role="advocate")
    twilio_post(Client(), "phone:hook_call", call_params())
    call = PhoneCall.objects.get()
    call.started_by, call.started_at = advocate, call.ringing_at
    call.save()
    twilio_post(Client(), "phone:hook_call_ended", call_params(CallStatus="completed"))
    call.refresh_from_db()
    assert call.started_by == advocate and call.status == PhoneCall.Status.ENDED


def test_ended_event_arriving_first_still_records_the_call():
    twilio_post(Client(), "phone:hook_call_ended", call_params(CallStatus="no-answer"))
    call = PhoneCall.objects.get()
    assert call.status == PhoneCall.Status.ENDED and call.from_number == "+15550104242"


@pytest.mark.parametrize(
    "extra",
    [
        {"CallSid": ""},
        {"CallSid": "C" * 500},
        {"CallDuration": "-1"},
        {"CallDuration": "9" * 40},
        {"CallStatus": "exploded"},
        {"From": "\u202e\u0644" * 50},
        {"To": "x" * 10_000},
        {"Agent": "' OR 1=1 --@x"},
    ],
)
def test_signed_nonsense_never_breaks_the_endpoint(extra):
    response = twilio_post(Client(), "phone:hook_call_ended", call_params(**extra))
    assert response.status_code in (204, 400)


def test_unsigned_request_of_a_signed_in_advocate_is_refused(login):
    client = login(UserFactory(role="advocate"))
    assert client.post(reverse("phone:hook_call"), call_params()).status_code == 403
    assert not PhoneCall.objects.exists()


def test_case_of_the_caller_is_not_touched():
    case = CaseFactory(family__phone="+15550104242")
    before = case.updated_at
    twilio_post(Client(), "phone:hook_call", call_params())
    case.refresh_from_db()
    assert case.updated_at == before


def test_status_callbacks_are_not_handed_on_to_the_call_flow(settings):
    settings.PHONE_TWIML_NEXT_URL = "https://webhooks.twilio.com/v1/Accounts/AC0/Flows/FW1"
    twilio_post(Client(), "phone:hook_call", call_params())
    answered = twilio_post(Client(), "phone:hook_call", call_params(CallStatus="in-progress"))
    assert answered.status_code == 200 and "Redirect" not in answered.content.decode()


@pytest.mark.django_db(transaction=True)
def test_ringing_and_answered_of_a_new_call_arriving_at_once_make_one_call():
    import threading

    from django.db import connection

    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def send(status: str) -> None:
        try:
            barrier.wait(timeout=10)
            statuses.append(
                twilio_post(Client(), "phone:hook_call", call_params(CallStatus=status)).status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(s,)) for s in ("ringing", "in-progress")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200, 200]
    call = PhoneCall.objects.get()
    assert call.status == PhoneCall.Status.ANSWERED and call.answered_at is not None
    assert PhoneCallEvent.objects.count() == 2
