"""Staff confirm training completions from the provider's page and from a queue; the
event page shows "Attended" once the provider recorded its completion."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from familysupport.lib.models import AuditEntry
from faon.models import Attendance

from .factories import AttendanceFactory, EventFactory, ProviderFactory

pytestmark = pytest.mark.django_db
QUEUE = reverse("faon:attendance_queue")


def _awaiting(**kwargs) -> Attendance:
    """A completion the provider recorded yesterday, not yet confirmed."""
    return AttendanceFactory(
        completed_at=timezone.now() - timedelta(hours=20), confirmed_at=None, **kwargs
    )


@pytest.mark.parametrize("role", [User.Role.SUPERVISOR, User.Role.ADMINISTRATOR])
def test_the_queue_lists_unconfirmed_completions_only(role, make_user, login):
    waiting = _awaiting()
    done = AttendanceFactory()  # confirmed already
    registered = AttendanceFactory(completed_at=None, confirmed_at=None)  # nothing to confirm
    response = login(make_user(role)).get(QUEUE)
    assert response.status_code == 200
    body = response.content.decode()
    assert waiting.provider.name in body
    assert reverse("faon:attendance_confirm", args=[waiting.pk]) in body
    assert reverse("faon:attendance_confirm", args=[done.pk]) not in body
    assert reverse("faon:attendance_confirm", args=[registered.pk]) not in body


@pytest.mark.parametrize("role", [User.Role.ADVOCATE, User.Role.PROVIDER, User.Role.VOLUNTEER])
def test_the_queue_is_refused_to_other_roles(role, make_user, login):
    _awaiting()
    assert login(make_user(role)).get(QUEUE).status_code == 403


def test_the_queue_sends_anonymous_users_to_sign_in(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_confirming_from_the_queue_returns_to_the_queue_and_is_audited(make_user, login):
    supervisor = make_user(User.Role.SUPERVISOR)
    waiting = _awaiting()
    client = login(supervisor)
    response = client.post(
        reverse("faon:attendance_confirm", args=[waiting.pk]), {"next": QUEUE}, follow=True
    )
    assert response.redirect_chain[-1][0] == QUEUE
    waiting.refresh_from_db()
    assert waiting.confirmed_by == supervisor and waiting.confirmed_at is not None
    assert reverse("faon:attendance_confirm", args=[waiting.pk]) not in response.content.decode()
    assert "Nothing is waiting for confirmation." in response.content.decode()
    assert AuditEntry.objects.filter(
        action="faon.attendance.confirmed", object_id=str(waiting.pk)
    ).exists()


def test_confirming_from_the_provider_page(make_user, login):
    admin = make_user(User.Role.ADMINISTRATOR)
    provider = ProviderFactory()
    waiting = _awaiting(provider=provider)
    page = reverse("faon:provider_detail", args=[provider.pk])
    client = login(admin)
    body = client.get(page).content.decode()
    confirm = reverse("faon:attendance_confirm", args=[waiting.pk])
    assert confirm in body
    response = client.post(confirm, {"next": page}, follow=True)
    assert response.redirect_chain[-1][0] == page
    waiting.refresh_from_db()
    assert waiting.confirmed_by == admin
    assert confirm not in response.content.decode()


def test_the_provider_and_an_advocate_see_no_confirm_button_on_the_provider_page(
    make_user, login, provider_user
):
    provider = ProviderFactory()
    provider.managers.add(provider_user)
    waiting = _awaiting(provider=provider)
    confirm = reverse("faon:attendance_confirm", args=[waiting.pk])
    page = reverse("faon:provider_detail", args=[provider.pk])
    for user in (provider_user, make_user(User.Role.ADVOCATE)):
        client = login(user)
        assert confirm not in client.get(page).content.decode()
        assert client.post(confirm, {"next": page}).status_code in (403, 404)
    waiting.refresh_from_db()
    assert waiting.confirmed_at is None


def test_a_refused_confirmation_says_why_on_the_page_it_came_from(make_user, login):
    # A registration for a training that has not happened yet cannot be confirmed.
    event = EventFactory(starts_at=timezone.now() + timedelta(days=3))
    attendance = AttendanceFactory(event=event, completed_at=None, confirmed_at=None)
    page = reverse("faon:provider_detail", args=[attendance.provider_id])
    client = login(make_user(User.Role.SUPERVISOR))
    response = client.post(
        reverse("faon:attendance_confirm", args=[attendance.pk]), {"next": page}, follow=True
    )
    assert response.redirect_chain[-1][0] == page
    assert "once the event has taken place" in response.content.decode()
    attendance.refresh_from_db()
    assert attendance.confirmed_at is None


def test_a_foreign_next_falls_back_to_the_event(make_user, login):
    waiting = _awaiting()
    client = login(make_user(User.Role.SUPERVISOR))
    response = client.post(
        reverse("faon:attendance_confirm", args=[waiting.pk]), {"next": "https://evil.test/"}
    )
    assert response["Location"] == waiting.event.get_absolute_url()


def test_the_event_pages_show_attended_after_completion(provider_user, login):
    provider = ProviderFactory()
    provider.managers.add(provider_user)
    attended = _awaiting(provider=provider, event=EventFactory(kind="online"))
    client = login(provider_user)
    body = client.get(reverse("faon:event_detail", args=[attended.event_id])).content.decode()
    assert 'data-testid="participation">Attended<' in body
    assert reverse("faon:event_register", args=[attended.event_id]) not in body
    listing = client.get(reverse("faon:event_list")).content.decode()
    assert "Attended" in listing


def test_a_registration_without_completion_shows_registered(provider_user, login):
    provider = ProviderFactory()
    provider.managers.add(provider_user)
    event = EventFactory(starts_at=timezone.now() + timedelta(days=2))
    AttendanceFactory(provider=provider, event=event, completed_at=None, confirmed_at=None)
    body = login(provider_user).get(event.get_absolute_url()).content.decode()
    assert 'data-testid="participation">Registered<' in body
    assert "Attended" not in body
