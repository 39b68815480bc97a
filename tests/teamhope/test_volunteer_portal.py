"""The volunteer's phone pages: own families only, only the allowed fields, calls, IDOR."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from cases.models import Contact
from teamhope.models import PeerCall

from .factories import PeerCallFactory

pytestmark = pytest.mark.django_db

# Steady state (after the session's first request, which also records the passed second
# factor): session, user, and the page's own; + 2 headroom for shared middleware.
MAX_QUERIES = 8
NOW = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)  # 11:00 in New York


def test_volunteer_sees_own_family_with_only_allowed_fields(
    login, volunteer, match, other_match, advocate
):
    family = match.family
    # Distinctive values, so a match in the page cannot be a coincidence.
    family.display_name = "Vandersloot-Household"
    family.contact_name = "Marisol Vandersloot"
    family.contact_first_name = "Marisol"
    family.city = "Xylotown"
    family.zip_code = "99501"
    family.address_line = "742 Evergreen Terrace"
    family.safe_contact_notes = "Only after 6pm; no voicemail"
    family.save()
    match.case.status_reason = "CASE-STATUS-SECRET"
    match.case.save()
    Contact.objects.create(
        case=match.case,
        advocate=advocate,
        started_at=NOW,
        direction="inbound",
        purpose="emotional_support",
        notes="CASE-NOTE-SECRET mentions the child",
    )
    client = login(volunteer.user)
    pages = [
        client.get(reverse("teamhope:my_families")),
        client.get(reverse("teamhope:my_family", args=[match.pk])),
        client.get(reverse("teamhope:call_log", args=[match.pk])),
        client.get(reverse("home")),
    ]
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        assert family.contact_first_name in html
        # Nothing else from the family or the case.
        for secret in (
            "742 Evergreen Terrace",
            family.city,
            family.zip_code,
            family.display_name,
            family.contact_name,
            "Zebediah",
            "Quillfeather",
            "CASE-NOTE-SECRET",
            "CASE-STATUS-SECRET",
            match.case.reference,
            match.case.get_case_type_display(),
            match.why_matched,
            "Ottoline",
        ):
            assert secret not in html, secret
    families_html = pages[0].content.decode()
    for allowed in (family.phone, "English", "America/New_York", "no voicemail"):
        assert allowed in families_html
    assert other_match.family.phone not in families_html


@pytest.mark.parametrize("name", ["teamhope:my_family", "teamhope:call_log", "teamhope:escalate"])
def test_volunteer_of_match_a_gets_404_on_match_b(login, volunteer, match, other_match, name):
    client = login(volunteer.user)
    assert client.get(reverse(name, args=[other_match.pk])).status_code == 404
    if name != "teamhope:my_family":
        assert client.post(reverse(name, args=[other_match.pk]), {}).status_code == 404


def test_volunteer_cannot_log_a_call_on_match_b(login, volunteer, match, other_match):
    client = login(volunteer.user)
    response = client.post(
        reverse("teamhope:call_log", args=[other_match.pk]),
        {"called_on": "2026-03-01", "duration_minutes": "15", "direction": "outbound"},
    )
    assert response.status_code == 404
    assert not PeerCall.objects.exists()


def test_ended_match_disappears_from_the_volunteer(login, volunteer, match, supervisor):
    from teamhope import services

    services.match_end(match=match, reason="goals_met", by=supervisor)
    client = login(volunteer.user)
    assert client.get(reverse("teamhope:my_family", args=[match.pk])).status_code == 404
    assert match.family.phone not in client.get(reverse("teamhope:my_families")).content.decode()


@time_machine.travel(NOW, tick=False)
def test_log_a_call_in_a_few_taps(login, volunteer, match):
    client = login(volunteer.user)
    response = client.post(
        reverse("teamhope:call_log", args=[match.pk]),
        {
            "called_on": "2026-03-10",
            "duration_minutes": "25",
            "direction": "inbound",
            "topics": ["media", "coping"],
            "note": "Talked through the news story.",
        },
    )
    assert response.status_code == 302
    call = PeerCall.objects.get()
    assert call.match == match
    assert call.duration_minutes == 25
    assert call.topics == ["coping", "media"]
    assert call.called_at == NOW  # today without a time → now
    assert not call.escalated


@time_machine.travel(NOW, tick=False)
def test_earlier_day_with_time_is_in_the_volunteers_time_zone(login, volunteer, match):
    client = login(volunteer.user)
    client.post(
        reverse("teamhope:call_log", args=[match.pk]),
        {
            "called_on": "2026-03-09",
            "called_time": "20:30",
            "duration_minutes": "10",
            "direction": "outbound",
        },
    )
    assert PeerCall.objects.get().called_at == dt.datetime(2026, 3, 10, 0, 30, tzinfo=dt.UTC)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"duration_minutes": "-5"}, "duration_minutes", "at least 1 minute"),
        ({"duration_minutes": "0"}, "duration_minutes", "at least 1 minute"),
        ({"duration_minutes": "abc"}, "duration_minutes", "Enter a whole number"),
        ({"called_on": "2026-03-11"}, "called_on", "cannot be in the future"),
        ({"called_time": "18:00"}, "called_time", "cannot be in the future"),
        ({"called_on": "not a date"}, "called_on", "Enter a valid date"),
        ({"direction": "sideways"}, "direction", "Select a valid choice"),
    ],
)
def test_bad_call_input_is_rejected_and_typed_text_kept(
    login, volunteer, match, data, field, message
):
    client = login(volunteer.user)
    post = {
        "called_on": "2026-03-10",
        "duration_minutes": "20",
        "direction": "outbound",
        "topics": ["siblings"],
        "note": "A note I do not want to type twice",
        **data,
    }
    response = client.post(reverse("teamhope:call_log", args=[match.pk]), post)
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    html = response.content.decode()
    assert "A note I do not want to type twice" in html
    assert message in html
    siblings = re.search(r'<input[^>]*value="siblings"[^>]*>', html).group(0)
    assert "checked" in siblings
    assert not PeerCall.objects.exists()


def test_my_calls_lists_only_own_calls(login, volunteer, match, other_match):
    PeerCallFactory(match=match, note="mine")
    PeerCallFactory(match=other_match, note="theirs")
    response = login(volunteer.user).get(reverse("teamhope:my_calls"))
    html = response.content.decode()
    assert "mine" in html
    assert "theirs" not in html
    assert match.family.contact_first_name in html


def test_volunteer_pages_query_counts_do_not_grow(
    login, volunteer, match, supervisor, django_assert_max_num_queries
):
    from .factories import CaseFactory, PeerMatchFactory

    client = login(volunteer.user)
    client.get(reverse("home"))  # steady state: the first request records the second factor
    urls = [reverse("teamhope:my_families"), reverse("teamhope:my_calls")]
    PeerCallFactory(match=match)
    for url in urls:
        with django_assert_max_num_queries(MAX_QUERIES):
            assert client.get(url).status_code == 200
    volunteer.capacity = 10
    volunteer.save()
    for _ in range(5):
        m = PeerMatchFactory(volunteer=volunteer, case=CaseFactory(), created_by=supervisor)
        PeerCallFactory.create_batch(3, match=m)
    for url in urls:
        with django_assert_max_num_queries(MAX_QUERIES):
            assert client.get(url).status_code == 200


def test_call_history_stops_naming_a_family_after_the_match_ends(
    login, volunteer, match, supervisor
):
    from teamhope import services

    family = match.family
    family.contact_first_name = "Evangelina"
    family.save()
    PeerCallFactory(match=match, note="kept in my history")
    client = login(volunteer.user)
    assert (
        match.family.contact_first_name in client.get(reverse("teamhope:my_calls")).content.decode()
    )
    services.match_end(match=match, reason="goals_met", by=supervisor)
    html = client.get(reverse("teamhope:my_calls")).content.decode()
    assert "kept in my history" in html
    assert match.family.contact_first_name not in html
