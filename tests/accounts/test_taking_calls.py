"""'Taking calls' presence: the user menu's switch, off at sign-out, idle time-out and
deactivation, stale presence dropped at the next sign-in; every change audited, the
pop poll's heartbeat never."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts import selectors, services
from familysupport.lib.models import AuditEntry

URL = reverse("accounts:taking_calls")


def _presence_entries(user):
    return list(
        AuditEntry.objects.filter(
            object_id=str(user.pk), action__startswith="accounts.user.taking_calls"
        )
        .order_by("pk")
        .values_list("action", "changes")
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["advocate", "supervisor"])
def test_caseworker_switches_taking_calls_on_and_off_from_the_menu(login, make_user, role):
    user = make_user(role)
    client = login(user)
    page = client.get(reverse("cases:case_list")).content.decode()
    assert 'id="taking-calls-toggle"' in page and "Take calls" in page
    assert 'id="phone-pop"' not in page  # no poller while not taking calls

    response = client.post(URL, {"taking_calls": "on", "next": "/cases/"})
    assert response.status_code == 302 and response["Location"] == "/cases/"
    user.refresh_from_db()
    assert user.taking_calls and selectors.presence_is_fresh(user=user)
    page = client.get(reverse("cases:case_list")).content.decode()
    assert 'id="phone-pop"' in page and "Stop taking calls" in page
    assert 'id="taking-calls-badge"' in page

    client.post(URL, {"taking_calls": "off"})
    user.refresh_from_db()
    assert not user.taking_calls
    assert _presence_entries(user) == [
        ("accounts.user.taking_calls_on", {"reason": "menu"}),
        ("accounts.user.taking_calls_off", {"reason": "menu"}),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["administrator", "provider", "volunteer"])
def test_other_roles_cannot_take_calls(login, make_user, role):
    user = make_user(role)
    client = login(user)
    assert client.post(URL, {"taking_calls": "on"}).status_code == 403
    user.refresh_from_db()
    assert not user.taking_calls
    assert 'id="taking-calls-toggle"' not in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client):
    response = client.post(URL, {"taking_calls": "on"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_get_is_refused(login, advocate):
    assert login(advocate).get(URL).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", "yes", "ON", "on\x00"])
def test_bad_value_is_a_400_and_changes_nothing(login, advocate, value):
    response = login(advocate).post(URL, {"taking_calls": value})
    assert response.status_code == 400
    advocate.refresh_from_db()
    assert not advocate.taking_calls


@pytest.mark.django_db
def test_an_offsite_next_is_ignored(login, advocate):
    response = login(advocate).post(URL, {"taking_calls": "on", "next": "https://evil.test/"})
    assert response["Location"] == reverse("home")


@pytest.mark.django_db
def test_signing_out_stops_taking_calls(login, advocate):
    client = login(advocate)
    client.post(URL, {"taking_calls": "on"})
    client.post(reverse("account_logout"))
    advocate.refresh_from_db()
    assert not advocate.taking_calls
    assert _presence_entries(advocate)[-1] == (
        "accounts.user.taking_calls_off",
        {"reason": "signed_out"},
    )


@pytest.mark.django_db
def test_idle_time_out_stops_taking_calls_even_when_only_the_pop_polls(login, advocate):
    background = {"HTTP_X_BACKGROUND_POLL": "1"}
    with time_machine.travel("2026-05-04 14:00:00Z", tick=False) as traveller:
        client = login(advocate)
        client.post(URL, {"taking_calls": "on"})
        for _ in range(15):  # the pop polls for 15 minutes; nobody touches the page
            traveller.shift(60)
            response = client.get(reverse("cases:phone_pop"), **background)
            assert response.status_code == 200 and response.content == b""  # nothing to pop
        traveller.shift(2)
        response = client.get(reverse("cases:phone_pop"), **background)
    assert response.status_code == 401  # the poll itself ended the idle session
    advocate.refresh_from_db()
    assert not advocate.taking_calls
    assert _presence_entries(advocate)[-1] == (
        "accounts.user.taking_calls_off",
        {"reason": "idle_timeout"},
    )


@pytest.mark.django_db
def test_heartbeat_is_written_once_a_minute_and_never_audited(advocate):
    services.user_taking_calls_set(user=advocate, on=True, reason="menu")
    entries = AuditEntry.objects.count()
    start = advocate.taking_calls_seen_at
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        assert not services.user_presence_heartbeat(user=advocate)
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        assert services.user_presence_heartbeat(user=advocate)
    advocate.refresh_from_db()
    assert advocate.taking_calls_seen_at == start + dt.timedelta(seconds=61)
    assert AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_presence_goes_stale_without_heartbeat_and_is_dropped_at_next_sign_in(login, advocate):
    services.user_taking_calls_set(user=advocate, on=True, reason="menu")
    advocate.refresh_from_db()
    later = timezone.now() + dt.timedelta(seconds=selectors.PRESENCE_STALE_SECONDS + 5)
    with time_machine.travel(later, tick=False):
        assert not selectors.presence_is_fresh(user=advocate)
        login(advocate)  # the tab was closed and the session died without a request
    advocate.refresh_from_db()
    assert not advocate.taking_calls
    assert _presence_entries(advocate)[-1][1] == {"reason": "stale_at_sign_in"}


@pytest.mark.django_db
def test_fresh_presence_survives_a_second_sign_in(login, advocate):
    services.user_taking_calls_set(user=advocate, on=True, reason="menu")
    login(advocate)  # another device, while the first page still polls
    advocate.refresh_from_db()
    assert advocate.taking_calls


@pytest.mark.django_db
def test_deactivation_stops_taking_calls(advocate, administrator):
    services.user_taking_calls_set(user=advocate, on=True, reason="menu")
    services.user_deactivate(user=advocate, by=administrator)
    advocate.refresh_from_db()
    assert not advocate.taking_calls


@pytest.mark.django_db
def test_a_role_that_takes_no_calls_stops_taking_calls(advocate, make_user, administrator):
    services.user_taking_calls_set(user=advocate, on=True, reason="menu")
    services.user_change_role(
        user=advocate, role="provider", supervisor=None, full_name="A", by=administrator
    )
    advocate.refresh_from_db()
    assert not advocate.taking_calls
    assert _presence_entries(advocate)[-1] == (
        "accounts.user.taking_calls_off",
        {"reason": "role_changed"},
    )
    # Advocate to supervisor: still takes calls.
    other = make_user("advocate")
    services.user_taking_calls_set(user=other, on=True, reason="menu")
    services.user_change_role(
        user=other, role="supervisor", supervisor=None, full_name="B", by=administrator
    )
    other.refresh_from_db()
    assert other.taking_calls


@pytest.mark.django_db
def test_supervisor_sees_who_is_taking_calls(login, supervisor, make_user):
    present, away = make_user("advocate"), make_user("advocate")
    services.user_taking_calls_set(user=present, on=True, reason="menu")
    services.user_taking_calls_set(user=away, on=True, reason="menu")
    away.taking_calls_seen_at = timezone.now() - dt.timedelta(minutes=10)
    away.save(update_fields=["taking_calls_seen_at"])
    assert selectors.users_taking_calls(viewer=supervisor) == [present]
    assert selectors.users_taking_calls(viewer=present) == []
    page = login(supervisor).get(reverse("home")).content.decode()
    assert "Taking calls now" in page and present.full_name in page
    assert away.full_name not in page
