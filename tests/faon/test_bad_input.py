"""Bad input on every FAON form a member or staff fills in: HTTP 400, the message next to the
field it concerns, everything typed shown again, and nothing saved."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from faon import services
from faon.models import Attendance, InsurancePolicy, License, Provider, TrainingEvent

from .factories import AttendanceFactory, EventFactory, ProviderFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100
NOW = "2026-03-10 15:00:00+00:00"


def field_error(page: str, field: str) -> str:
    """The error text crispy renders under one field (its id ties it to that field)."""
    found = re.findall(rf'id="error_\d+_id_{field}"[^>]*>(.*?)</(?:p|span|div)>', page, re.S)
    assert found, f"no error shown next to {field!r}"
    return html.unescape(re.sub(r"<[^>]+>", "", " ".join(found))).strip()


def assert_kept(page: str, *typed: str) -> None:
    for text in typed:
        assert html.escape(text) in page or text in page, f"typed text lost: {text!r}"


# --- provider profile ------------------------------------------------------------------


def _profile(**overrides) -> dict:
    data = {
        "kind": "individual",
        "name": "Typed Name Kept",
        "credentials": "LCSW",
        "organisation_name": "",
        "contact_name": "",
        "email": "typed@example.test",
        "phone": "(202) 555-0142",
        "website": "",
        "description": "A long profile text the member typed, kept on error.",
        "disciplines": ["social_worker"],
        "specialties": ["trauma"],
        "languages": ["en"],
        "service_modes": ["in_person"],
        "telehealth_states": [],
        "fee_arrangements": ["pro_bono"],
        "insurance_plans": "",
        "age_min": "0",
        "age_max": "18",
        "address_line": "1 Main Street",
        "city": "Alexandria",
        "state": "VA",
        "zip_code": "22314",
        "service_radius_miles": "25",
        "capacity": "4",
        "accepting_referrals": "on",
    }
    data.update(overrides)
    return data


PROFILE_CASES = [
    ({"zip_code": "ABCDE"}, "zip_code", "5-digit US ZIP"),
    ({"zip_code": "00000"}, "zip_code", "not a known US ZIP"),
    ({"phone": "12"}, "phone", "10-digit US phone"),
    ({"email": "not-an-email"}, "email", "valid email"),
    ({"website": "not a url"}, "website", "valid URL"),
    ({"age_min": "40", "age_max": "10"}, "age_max", "must not be below the youngest"),
    ({"service_modes": ["telehealth"]}, "telehealth_states", "states where you offer telehealth"),
    ({"fee_arrangements": ["insurance"]}, "insurance_plans", "insurance plans you accept"),
    ({"capacity": "-1"}, "capacity", "greater than or equal to 0"),
    ({"service_radius_miles": "99999"}, "service_radius_miles", "less than or equal to"),
    ({"disciplines": []}, "disciplines", "required"),
    ({"languages": ["xx"]}, "languages", "valid choice"),
    ({"name": ""}, "name", "required"),
]


# The provider's own form has no vetted fields (kind, disciplines, credentials): staff only.
PROFILE_PARAMS = [
    pytest.param(overrides, field, message, who, id=f"{who}-{field}-{i}")
    for i, (overrides, field, message) in enumerate(PROFILE_CASES)
    for who in ("own", "staff")
    if not (who == "own" and field in services.VETTED_FIELDS)
]


@pytest.mark.parametrize(("overrides", "field", "message", "who"), PROFILE_PARAMS)
def test_profile_edit_bad_input(overrides, field, message, who, make_user, login):
    user = make_user(User.Role.PROVIDER if who == "own" else User.Role.SUPERVISOR)
    provider = ProviderFactory(
        managers=[user] if who == "own" else [], name="Saved Name", capacity=3
    )
    before = Provider.objects.values().get(pk=provider.pk)
    response = login(user).post(
        reverse("faon:provider_edit", args=[provider.pk]), _profile(**overrides)
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message.lower() in field_error(page, field).lower()
    posted = _profile(**overrides)
    assert_kept(page, *(posted[f] for f in ("description", "name", "email") if posted[f]))
    for key, value in overrides.items():
        if isinstance(value, str) and value:
            assert f'value="{html.escape(value)}"' in page, f"{key} not shown again"
    # The heading still names the saved record, not the half-typed one.
    assert "<h1>Edit profile: Saved Name</h1>" in page
    after = Provider.objects.values().get(pk=provider.pk)
    after.pop("updated_at"), before.pop("updated_at")
    assert after == before


def test_profile_edit_good_input_saves(provider_user, login):
    provider = ProviderFactory(managers=[provider_user])
    response = login(provider_user).post(
        reverse("faon:provider_edit", args=[provider.pk]), _profile(capacity="7")
    )
    assert response.status_code == 302
    provider.refresh_from_db()
    assert (provider.name, provider.capacity) == ("Typed Name Kept", 7)


def test_profile_page_shows_the_phone_as_people_read_it(provider_user, login):
    provider = ProviderFactory(managers=[provider_user], phone="+12025550142")
    page = login(provider_user).get(reverse("faon:provider_detail", args=[provider.pk]))
    assert "(202) 555-0142" in page.content.decode()
    assert "+12025550142" not in page.content.decode()


# --- events ----------------------------------------------------------------------------


def _event(**overrides) -> dict:
    data = {
        "kind": "training",
        "title": "Typed event title",
        "description": "Typed agenda that must survive an error.",
        "starts_at": "2026-05-01T10:00",
        "ends_at": "2026-05-01T12:00",
        "location": "Typed Hall, Alexandria",
        "online_url": "",
        "ce_credits": "2.0",
        "capacity": "30",
    }
    data.update(overrides)
    return data


EVENT_CASES = [
    ({"title": ""}, "title", "required"),
    ({"kind": "party"}, "kind", "valid choice"),
    ({"starts_at": "next tuesday"}, "starts_at", "valid date/time"),
    ({"ends_at": "2026-05-01T09:00"}, "ends_at", "end must be after the start"),
    ({"ce_credits": "abc"}, "ce_credits", "number"),
    ({"ce_credits": "12345"}, "ce_credits", "digits"),
    ({"capacity": "-3"}, "capacity", "greater than or equal to 0"),
    ({"online_url": "not a url"}, "online_url", "valid URL"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), EVENT_CASES)
def test_event_create_bad_input(overrides, field, message, supervisor, login):
    response = login(supervisor).post(reverse("faon:event_create"), _event(**overrides))
    assert response.status_code == 400
    page = response.content.decode()
    assert message.lower() in field_error(page, field).lower()
    assert_kept(page, "Typed agenda that must survive an error.", "Typed Hall, Alexandria")
    if field != "kind":  # an unknown choice cannot be shown selected
        for value in overrides.values():
            if value:
                assert f'value="{html.escape(value)}"' in page
    assert not TrainingEvent.objects.exists()


@pytest.mark.parametrize(("overrides", "field", "message"), EVENT_CASES)
def test_event_edit_bad_input(overrides, field, message, administrator, login):
    event = EventFactory(title="Saved title", description="Saved agenda")
    before = TrainingEvent.objects.values().get(pk=event.pk)
    response = login(administrator).post(
        reverse("faon:event_edit", args=[event.pk]), _event(**overrides)
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message.lower() in field_error(page, field).lower()
    assert_kept(page, "Typed agenda that must survive an error.")
    assert "<h1>Edit Saved title</h1>" in page
    assert TrainingEvent.objects.values().get(pk=event.pk) == before


# --- training registration and completion ----------------------------------------------


@pytest.fixture
def member(make_user, login):
    user = make_user(User.Role.PROVIDER)
    return ProviderFactory(managers=[user]), login(user)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("31/31/2026", "valid date"),
        ("", "required"),
        ("2026-03-11", "cannot be in the future"),
        ("2026-02-01", "cannot be completed before it starts"),
    ],
)
def test_completion_bad_input(typed, message, member):
    provider, client = member
    event = EventFactory(kind="online", starts_at=timezone.now() - timedelta(days=5))
    att = AttendanceFactory(provider=provider, event=event, completed_at=None, confirmed_at=None)
    response = client.post(
        reverse("faon:attendance_complete", args=[att.pk]), {"completed_on": typed}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in field_error(page, "completed_on")
    if typed:
        assert f'value="{typed}"' in page
    att.refresh_from_db()
    assert att.completed_at is None and att.confirmed_at is None


@time_machine.travel(NOW, tick=False)
def test_completion_of_a_confirmed_training_is_refused(member, supervisor):
    provider, client = member
    event = EventFactory(kind="online", starts_at=timezone.now() - timedelta(days=5))
    done = timezone.now() - timedelta(days=2)
    att = AttendanceFactory(
        provider=provider,
        event=event,
        completed_at=done,
        confirmed_at=done,
        confirmed_by=supervisor,
    )
    response = client.post(
        reverse("faon:attendance_complete", args=[att.pk]), {"completed_on": "2026-03-09"}
    )
    assert response.status_code == 400
    assert "already confirmed" in field_error(response.content.decode(), "completed_on")
    att.refresh_from_db()
    assert att.completed_at == done


@time_machine.travel(NOW, tick=False)
def test_completion_good_input_records_it(member):
    provider, client = member
    event = EventFactory(kind="online", starts_at=timezone.now() - timedelta(days=5))
    att = AttendanceFactory(provider=provider, event=event, completed_at=None, confirmed_at=None)
    response = client.post(
        reverse("faon:attendance_complete", args=[att.pk]), {"completed_on": "2026-03-09"}
    )
    assert response.status_code == 302
    att.refresh_from_db()
    assert att.completed_at is not None and att.confirmed_at is None


def test_registration_for_a_full_event_is_refused_on_the_page(member):
    provider, client = member
    event = EventFactory(capacity=1, starts_at=timezone.now() + timedelta(days=3))
    AttendanceFactory(event=event, completed_at=None, confirmed_at=None)
    response = client.post(reverse("faon:event_register", args=[event.pk]))
    assert response.status_code == 400
    page = response.content.decode()
    # Shown in the "Your participation" box, next to the Register button.
    box = re.search(r'aria-labelledby="you-h".*?</section>', page, re.S).group(0)
    assert "This event is full." in box
    assert not Attendance.objects.filter(provider=provider).exists()


def test_registration_for_an_ended_event_is_refused(member):
    provider, client = member
    event = EventFactory(
        starts_at=timezone.now() - timedelta(days=3), ends_at=timezone.now() - timedelta(days=2)
    )
    response = client.post(reverse("faon:event_register", args=[event.pk]))
    assert response.status_code == 400
    assert "registration is closed" in response.content.decode()
    assert not Attendance.objects.filter(provider=provider).exists()


def test_registration_good_input_registers(member):
    provider, client = member
    event = EventFactory(capacity=1, starts_at=timezone.now() + timedelta(days=3))
    response = client.post(reverse("faon:event_register", args=[event.pk]))
    assert response.status_code == 302
    assert Attendance.objects.filter(provider=provider, event=event).exists()


# --- license and insurance renewals ----------------------------------------------------


def _upload(value):
    """A fresh upload per request (parametrize values are shared between test runs)."""
    if value == "<renamed executable>":
        return SimpleUploadedFile("scan.pdf", EXE, "application/pdf")
    return value


def _license(**overrides) -> dict:
    data = {
        "license_type": "Typed LPC",
        "state": "VA",
        "number": "TYPED-0042",
        "expires_on": "2099-01-01",
        "standing": "good",
    }
    data.update({k: _upload(v) for k, v in overrides.items()})
    return data


LICENSE_CASES = [
    ({"license_type": ""}, "license_type", "required"),
    ({"number": ""}, "number", "required"),
    ({"state": "ZZ"}, "state", "valid choice"),
    ({"expires_on": "someday"}, "expires_on", "valid date"),
    ({"expires_on": "2026-03-09"}, "expires_on", "already expired"),
    ({"standing": "excellent"}, "standing", "valid choice"),
    ({"number": "9" * 41}, "number", "at most 40 characters"),
    ({"document": "<renamed executable>"}, "document", "Only PDF, PNG or JPEG"),
]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("overrides", "field", "message"), LICENSE_CASES)
@pytest.mark.parametrize("who", ["own", "staff"])
def test_license_renewal_bad_input(overrides, field, message, who, make_user, login):
    user = make_user(User.Role.PROVIDER if who == "own" else User.Role.SUPERVISOR)
    provider = ProviderFactory(managers=[user] if who == "own" else [])
    response = login(user).post(
        reverse("faon:license_add", args=[provider.pk]), _license(**overrides)
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message.lower() in field_error(page, field).lower()
    for key, value in _license(**overrides).items():
        if isinstance(value, str) and value and key not in ("state", "standing"):
            assert f'value="{html.escape(value)}"' in page, f"{key} not shown again"
    assert not License.objects.filter(provider=provider).exists()


def _insurance(**overrides) -> dict:
    data = {
        "carrier": "Typed Mutual",
        "policy_number": "TYPED-PL-7",
        "covers_from": "2026-01-01",
        "covers_to": "2027-01-01",
        "document": SimpleUploadedFile("coi.pdf", PDF, "application/pdf"),
    }
    data.update({k: _upload(v) for k, v in overrides.items()})
    return data


INSURANCE_CASES = [
    ({"carrier": ""}, "carrier", "required"),
    ({"policy_number": ""}, "policy_number", "required"),
    ({"covers_to": "2025-12-01"}, "covers_to", "after its start"),
    ({"covers_from": "", "covers_to": "2026-03-01"}, "covers_to", "already ended"),
    ({"covers_to": "tomorrow"}, "covers_to", "valid date"),
    ({"document": ""}, "document", "required"),
    ({"document": "<renamed executable>"}, "document", "Only PDF, PNG or JPEG"),
]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("overrides", "field", "message"), INSURANCE_CASES)
@pytest.mark.parametrize("who", ["own", "staff"])
def test_insurance_renewal_bad_input(overrides, field, message, who, make_user, login):
    user = make_user(User.Role.PROVIDER if who == "own" else User.Role.ADMINISTRATOR)
    provider = ProviderFactory(managers=[user] if who == "own" else [])
    response = login(user).post(
        reverse("faon:insurance_add", args=[provider.pk]), _insurance(**overrides)
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message.lower() in field_error(page, field).lower()
    for key, value in _insurance(**overrides).items():
        if isinstance(value, str) and value:
            assert f'value="{html.escape(value)}"' in page, f"{key} not shown again"
    assert not InsurancePolicy.objects.filter(provider=provider).exists()


@time_machine.travel(NOW, tick=False)
def test_renewals_good_input_saves(member):
    provider, client = member
    assert (
        client.post(reverse("faon:license_add", args=[provider.pk]), _license()).status_code == 302
    )
    assert (
        client.post(reverse("faon:insurance_add", args=[provider.pk]), _insurance()).status_code
        == 302
    )
    assert License.objects.filter(provider=provider, number="TYPED-0042").exists()
    assert InsurancePolicy.objects.filter(provider=provider, policy_number="TYPED-PL-7").exists()
