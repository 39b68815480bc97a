"""The bad inputs the fuzz test found, pinned as plain examples."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Contact
from tests.cases.factories import CaseAlertFactory, CaseFactory, TaskFactory
from tests.cases.test_new_call import call_data

pytestmark = pytest.mark.django_db


def test_a_nul_byte_in_the_call_notes_is_a_form_error_and_keeps_what_was_typed(login, advocate):
    local = timezone.localtime() - dt.timedelta(minutes=20)
    data = call_data(
        started_at=local.strftime("%Y-%m-%dT%H:%M"), follow_up_on="", notes="before\x00after"
    )
    response = login(advocate).post(reverse("cases:new_call"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Null characters are not allowed." in page
    assert "Dana Whitfield" in page  # nothing typed is thrown away
    assert not Contact.objects.exists()


def test_a_nul_byte_in_a_search_is_a_400(login, advocate):
    response = login(advocate).get(reverse("cases:case_list"), {"q": "Whit\x00field"})
    assert response.status_code == 400


def test_a_nul_byte_in_an_alert_note_is_refused_with_a_message(login, supervisor):
    alert = CaseAlertFactory(case=CaseFactory())
    client = login(supervisor)
    response = client.post(
        reverse("cases:alert_resolve", args=[alert.pk]), {"note": "seen\x00"}, follow=True
    )
    assert response.status_code == 200
    assert "not allowed (a NUL byte)" in response.content.decode()
    alert.refresh_from_db()
    assert alert.resolved_at is None


@pytest.mark.parametrize("bad_next", ["-1", "//evil.example/", "cases:case_list", "\\evil"])
def test_task_done_with_a_bad_next_goes_back_to_the_case(login, advocate, bad_next):
    task = TaskFactory(case=CaseFactory(assigned_advocate=advocate))
    response = login(advocate).post(
        reverse("cases:task_complete", args=[task.pk]), {"next": bad_next}
    )
    assert response.status_code == 302
    assert response["Location"] == task.case.get_absolute_url()
