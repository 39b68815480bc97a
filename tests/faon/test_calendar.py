"""The `.ics` downloads: an iCalendar file of trainings and events only — never anything
about the families a provider serves — served as text/calendar to signed-in users."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cases.models import Person
from referrals.models import Referral
from tests.cases.factories import PersonFactory
from tests.referrals.factories import ReferralFactory

from .factories import AttendanceFactory, EventFactory, ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(make_user, login):
    user = make_user(User.Role.PROVIDER)
    provider = ProviderFactory(
        managers=[user], email="member-private@example.test", phone="+12025550199"
    )
    return provider, login(user)


def _family_strings(referral: Referral) -> list[str]:
    family = referral.family
    values = [
        family.display_name,
        family.contact_name,
        family.contact_first_name,
        family.phone,
        family.safe_contact_notes,
        referral.note_for_provider,
        *(p.first_name for p in Person.objects.filter(family=family)),
    ]
    return [v for v in values if v]


def _unfold(body: str) -> str:
    return body.replace("\r\n ", "")


def test_provider_calendar_is_icalendar_with_events_and_no_family_data(member, make_user):
    provider, client = member
    mine = EventFactory(
        title="Trauma-informed care, part 1",
        description="Bring your questions, we cover grief, too.",
        location="Online; link sent on registration",
        starts_at=timezone.now() + timedelta(days=7),
    )
    also_mine = EventFactory(kind="online", title="CONNECT module 2")
    AttendanceFactory(provider=provider, event=mine, completed_at=None, confirmed_at=None)
    AttendanceFactory(provider=provider, event=also_mine)
    not_mine = EventFactory(title="Someone else's networking night")
    AttendanceFactory(event=not_mine)
    # The provider has an accepted referral: a family it now knows about.
    referral = ReferralFactory(provider=provider, status=Referral.Status.ACCEPTED)
    PersonFactory(family=referral.family, first_name="Quillon")
    secrets = _family_strings(referral)
    assert secrets  # the check below must have something to look for

    response = client.get(reverse("faon:provider_calendar", args=[provider.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="faon-my-events.ics"'
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode("utf-8")
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert body.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))  # RFC 5545 folding
    text = _unfold(body)
    uids = [line.split("@")[0] for line in text.split("\r\n") if line.startswith("UID:")]
    assert sorted(uids) == sorted([f"UID:faon-event-{mine.pk}", f"UID:faon-event-{also_mine.pk}"])
    assert len(uids) == 2
    assert "SUMMARY:Trauma-informed care\\, part 1" in text
    assert "Someone else" not in text
    for secret in secrets:
        assert secret not in text, f"family data in the calendar: {secret!r}"
    # Nothing about people at all: no attendees, organiser or the member's own contact details.
    for marker in ("ATTENDEE", "ORGANIZER", "CONTACT", provider.email, provider.phone):
        assert marker not in text
    for line in text.split("\r\n"):
        key = line.split(":", 1)[0].split(";", 1)[0]
        assert key in {
            "BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "METHOD", "UID", "DTSTAMP",
            "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "LOCATION", "URL", "",
        }, line  # fmt: skip


def test_event_ics_is_icalendar(member):
    _provider, client = member
    event = EventFactory(title="Networking, evening")
    response = client.get(reverse("faon:event_ics", args=[event.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="faon-event-{event.pk}.ics"'
    text = _unfold(response.content.decode())
    assert text.count("BEGIN:VEVENT") == 1 and "SUMMARY:Networking\\, evening" in text


def test_calendars_need_a_signed_in_user(member):
    provider, _client = member
    for url in (
        reverse("faon:provider_calendar", args=[provider.pk]),
        reverse("faon:event_ics", args=[EventFactory().pk]),
    ):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_providers_calendar_is_404(member, make_user):
    _provider, client = member
    other = ProviderFactory(managers=[make_user(User.Role.PROVIDER)])
    AttendanceFactory(provider=other, event=EventFactory(title="Other member's training"))
    response = client.get(reverse("faon:provider_calendar", args=[other.pk]))
    assert response.status_code == 404
    assert b"Other member" not in response.content
