"""Roster: supervisors and administrators add, edit, pause and retire; advocates read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from familysupport.lib.models import OutboundEmail
from teamhope.models import Volunteer

from .factories import PeerMatchFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

# Roster page, steady state (after the session's first request): measured + 2 headroom.
QUERIES_LIST = 8

ADD = {
    "full_name": "Casey Peer",
    "email": "Casey.Peer@example.test",
    "experience_types": ["family_abduction", "recovered_follow_up"],
    "experience_outcome": "recovered",
    "languages": "en, ES",
    "time_zone": "America/Chicago",
    "capacity": "4",
    "training_completed_on": "2025-05-01",
    "background_check_on": "2025-04-01",
}


def test_supervisor_adds_a_volunteer_and_invites_them(login, supervisor):
    response = login(supervisor).post(reverse("teamhope:volunteer_add"), ADD)
    volunteer = Volunteer.objects.get()
    assert response.status_code == 302 and response["Location"] == volunteer.get_absolute_url()
    assert volunteer.user.role == User.Role.VOLUNTEER
    assert volunteer.user.email == "casey.peer@example.test"
    assert not volunteer.user.has_usable_password()
    assert volunteer.languages == ["en", "es"]
    assert volunteer.experience_types == ["family_abduction", "recovered_follow_up"]
    assert OutboundEmail.objects.filter(to="casey.peer@example.test").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"capacity": "-1"}, "capacity"),
        ({"capacity": "50"}, "capacity"),
        ({"languages": " , "}, "languages"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"training_completed_on": "2999-01-01"}, "training_completed_on"),
    ],
)
def test_bad_roster_input_is_400_and_kept(login, supervisor, change, field):
    response = login(supervisor).post(reverse("teamhope:volunteer_add"), {**ADD, **change})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "Casey Peer" in response.content.decode()
    assert not Volunteer.objects.exists()
    assert not User.objects.filter(email__iexact=ADD["email"]).exists()


def test_existing_email_is_refused(login, administrator, make_user):
    make_user("advocate", email="casey.peer@example.test")
    response = login(administrator).post(reverse("teamhope:volunteer_add"), ADD)
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


def test_edit_volunteer(login, administrator):
    volunteer = VolunteerFactory()
    client = login(administrator)
    page = client.get(reverse("teamhope:volunteer_edit", args=[volunteer.pk]))
    assert 'value="en"' in page.content.decode()
    data = {**ADD, "capacity": "6"}
    del data["full_name"], data["email"]
    response = client.post(reverse("teamhope:volunteer_edit", args=[volunteer.pk]), data)
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.capacity == 6 and volunteer.time_zone == "America/Chicago"


def test_pause_and_retire(login, supervisor):
    volunteer = VolunteerFactory()
    client = login(supervisor)
    url = reverse("teamhope:volunteer_status", args=[volunteer.pk])
    client.post(url, {"status": "paused"})
    volunteer.refresh_from_db()
    assert volunteer.status == "paused"
    client.post(url, {"status": "retired"})
    volunteer.refresh_from_db()
    assert volunteer.status == "retired"
    client.post(url, {"status": "nonsense"})
    volunteer.refresh_from_db()
    assert volunteer.status == "retired"


def test_advocate_reads_roster_but_cannot_change_it(login, advocate):
    volunteer = VolunteerFactory()
    client = login(advocate)
    roster = client.get(reverse("teamhope:volunteer_list"))
    assert roster.status_code == 200 and "Add a volunteer" not in roster.content.decode()
    assert client.get(reverse("teamhope:volunteer_add")).status_code == 403
    assert client.get(reverse("teamhope:volunteer_edit", args=[volunteer.pk])).status_code == 403
    url = reverse("teamhope:volunteer_status", args=[volunteer.pk])
    assert client.post(url, {"status": "retired"}).status_code == 403


def test_roster_shows_why_a_volunteer_cannot_be_matched(
    login, supervisor, django_assert_max_num_queries
):
    VolunteerFactory(user__full_name="Pat Stale", background_check_on=None)
    full = VolunteerFactory(user__full_name="Lee Full", capacity=1)
    PeerMatchFactory(volunteer=full)
    client = login(supervisor)
    client.get(reverse("home"))  # steady state: the first request records the second factor
    with django_assert_max_num_queries(QUERIES_LIST):
        html = client.get(reverse("teamhope:volunteer_list")).content.decode()
    assert "Background check not recorded" in html
    assert "At capacity (1 of 1 families)" in html
    for v in VolunteerFactory.create_batch(10):
        PeerMatchFactory(volunteer=v)
    with django_assert_max_num_queries(QUERIES_LIST):
        assert client.get(reverse("teamhope:volunteer_list")).status_code == 200


def test_volunteer_detail_query_count(login, advocate, django_assert_max_num_queries):
    volunteer = VolunteerFactory(capacity=10)
    PeerMatchFactory(volunteer=volunteer)
    client = login(advocate)
    url = reverse("teamhope:volunteer_detail", args=[volunteer.pk])
    client.get(reverse("home"))  # steady state: the first request records the second factor
    with django_assert_max_num_queries(9):
        assert client.get(url).status_code == 200
    PeerMatchFactory.create_batch(6, volunteer=volunteer)
    with django_assert_max_num_queries(9):
        assert client.get(url).status_code == 200
