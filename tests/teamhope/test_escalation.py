"""'Needs an advocate now': the case's advocate is alerted exactly once; staff handle it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from familysupport.lib.models import Notification, OutboundEmail
from teamhope import services
from teamhope.models import Escalation, PeerCall

pytestmark = pytest.mark.django_db


def test_escalation_alerts_the_cases_advocate_exactly_once(
    login, volunteer, match, advocate, make_user
):
    bystander = make_user("advocate")
    client = login(volunteer.user)
    url = reverse("teamhope:escalate", args=[match.pk])
    first = client.post(url, {"reason": "Parent says they cannot go on"})
    second = client.post(url, {"reason": "pressed again"})
    escalation = Escalation.objects.get()
    assert first.status_code == second.status_code == 302
    assert (
        first["Location"]
        == second["Location"]
        == reverse("teamhope:escalation_sent", args=[escalation.pk])
    )
    alerts = Notification.objects.filter(event="teamhope.escalation.raised")
    assert [n.recipient for n in alerts] == [advocate]
    assert not Notification.objects.filter(recipient=bystander).exists()
    assert escalation.advocate_notified == advocate
    assert escalation.reason == "Parent says they cannot go on"
    # The e-mail (outbox) carries no family details.
    mail = OutboundEmail.objects.get(to=advocate.email)
    for detail in (match.family.contact_first_name, match.family.phone, match.family.display_name):
        assert detail not in mail.subject + mail.body_text + mail.body_html


def test_volunteer_sees_what_happens_next(login, volunteer, match):
    client = login(volunteer.user)
    response = client.post(reverse("teamhope:escalate", args=[match.pk]), {}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "The advocate has been alerted" in html and "What happens next" in html


def test_escalating_from_the_call_form(login, volunteer, match, advocate):
    client = login(volunteer.user)
    response = client.post(
        reverse("teamhope:call_log", args=[match.pk]),
        {
            "called_on": "2026-01-05",
            "duration_minutes": "40",
            "direction": "inbound",
            "escalate": "on",
            "escalation_reason": "Safety worry",
        },
    )
    call = PeerCall.objects.get()
    escalation = Escalation.objects.get()
    assert call.escalated and escalation.call == call
    assert response["Location"] == reverse("teamhope:escalation_sent", args=[escalation.pk])
    assert Notification.objects.filter(recipient=advocate).count() == 1


def test_after_resolution_a_new_escalation_alerts_again(volunteer, match, advocate):
    first, created = services.escalation_raise(match=match, by=volunteer.user)
    assert created
    again, created = services.escalation_raise(match=match, by=volunteer.user)
    assert again == first and not created
    services.escalation_resolve(escalation=first, by=advocate, note="Called the family")
    second, created = services.escalation_raise(match=match, by=volunteer.user)
    assert created and second != first
    assert Notification.objects.filter(recipient=advocate).count() == 2


def test_no_advocate_assigned_alerts_supervisors(volunteer, match, supervisor, make_user):
    other_supervisor = make_user("supervisor")
    case = match.case
    case.assigned_advocate = None
    case.save()
    match.refresh_from_db()
    escalation, _ = services.escalation_raise(match=match, by=volunteer.user)
    recipients = set(Notification.objects.values_list("recipient", flat=True))
    assert recipients == {supervisor.pk, other_supervisor.pk}
    assert escalation.advocate_notified is None


def test_only_the_matched_volunteer_can_escalate(match, other_match, volunteer):
    with pytest.raises(PermissionDenied):
        services.escalation_raise(match=other_match, by=volunteer.user)
    assert not Escalation.objects.exists()


def test_other_volunteer_cannot_see_the_escalation(login, volunteer, match, make_user):
    escalation, _ = services.escalation_raise(match=match, by=volunteer.user)
    intruder = make_user("volunteer")
    url = reverse("teamhope:escalation_sent", args=[escalation.pk])
    assert login(intruder).get(url).status_code == 404


def test_advocate_acknowledges_and_resolves(login, volunteer, match, advocate):
    escalation, _ = services.escalation_raise(match=match, by=volunteer.user)
    client = login(advocate)
    detail = client.get(escalation.get_absolute_url())
    assert detail.status_code == 200 and "I am on it" in detail.content.decode()
    client.post(reverse("teamhope:escalation_acknowledge", args=[escalation.pk]))
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == advocate and escalation.status == "acknowledged"
    client.post(reverse("teamhope:escalation_resolve", args=[escalation.pk]), {"note": "Done"})
    escalation.refresh_from_db()
    assert escalation.resolved_by == advocate and escalation.resolution_note == "Done"
    listing = client.get(reverse("teamhope:escalation_list")).content.decode()
    assert escalation.get_absolute_url() not in listing  # open only by default


def test_resolve_with_too_long_note_is_400_and_kept(login, volunteer, match, advocate):
    escalation, _ = services.escalation_raise(match=match, by=volunteer.user)
    response = login(advocate).post(
        reverse("teamhope:escalation_resolve", args=[escalation.pk]), {"note": "x" * 501}
    )
    assert response.status_code == 400
    escalation.refresh_from_db()
    assert escalation.resolved_at is None


def test_administrator_reads_but_cannot_handle(login, volunteer, match, administrator):
    escalation, _ = services.escalation_raise(match=match, by=volunteer.user)
    client = login(administrator)
    assert client.get(escalation.get_absolute_url()).status_code == 200
    url = reverse("teamhope:escalation_acknowledge", args=[escalation.pk])
    assert client.post(url).status_code == 403


def test_escalation_list_query_count(login, supervisor, make_user, django_assert_max_num_queries):
    from .factories import EscalationFactory

    client = login(supervisor)
    client.get(reverse("home"))  # steady state: the first request records the second factor
    EscalationFactory()
    with django_assert_max_num_queries(8):
        assert client.get(reverse("teamhope:escalation_list")).status_code == 200
    EscalationFactory.create_batch(8)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("teamhope:escalation_list")).status_code == 200
