"""Autosave and the idle time-out: an advocate typing a long note is not signed out mid-call.

The new-call page (static/cases/new_call.js) sends an autosave only when the notes changed
since the last save, and sends it as an ordinary request (activity), not as a background
poll; with nothing typed nothing is sent and the session ends after 15 idle minutes.
"""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from cases.models import ContactDraft

pytestmark = pytest.mark.django_db

CALL_ID = "6f1c2a52-3f0e-4c8e-9d55-0a4a5f0e7b11"
NEW_CALL = reverse("cases:call", args=[CALL_ID])
AUTOSAVE = reverse("cases:draft_save", args=[CALL_ID])
BACKGROUND = {"HTTP_X_BACKGROUND_POLL": "1"}
HTMX = {"HTTP_HX_REQUEST": "true"}
START = "2026-05-04 14:00:00Z"


def _minutes(traveller, start_offset: float, at: float) -> float:
    traveller.shift((at - start_offset) * 60)
    return at


def _signed_out(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_autosave_is_not_marked_as_a_background_poll(login, advocate):
    body = login(advocate).get(NEW_CALL).content.decode()
    status = re.search(r'<div id="draft-status".*?>', body, re.S).group(0)
    assert 'hx-post="' + AUTOSAVE + '"' in status
    assert "X-Background-Poll" not in status


def test_autosaves_of_changed_notes_keep_the_session_alive(login, advocate):
    with time_machine.travel(START, tick=False) as traveller:
        client = login(advocate)
        assert client.get(NEW_CALL).status_code == 200
        now = _minutes(traveller, 0, 10)
        first = client.post(AUTOSAVE, {"notes": "Mother called, son missing since"}, **HTMX)
        assert first.status_code == 200
        now = _minutes(traveller, now, 20)
        second = client.post(
            AUTOSAVE, {"notes": "Mother called, son missing since Friday night"}, **HTMX
        )
        assert second.status_code == 200
        now = _minutes(traveller, now, 25)  # 25 minutes after the page opened
        # Asked as a background poll (not activity itself): alive, 10 minutes left, counted
        # from the autosave at minute 20.
        status = client.get(reverse("session_status"), **BACKGROUND)
        assert status.status_code == 200
        assert 595 <= status.json()["idle_seconds_left"] <= 600
        # The ordinary idle limit still applies after the last saved change.
        _minutes(traveller, now, 20 + 15 + 1 / 60)
        assert _signed_out(client.get(NEW_CALL))
    # The draft is kept for when the advocate signs in again.
    assert ContactDraft.objects.get(author=advocate).data["notes"].endswith("Friday night")


def test_without_typing_the_session_ends_after_fifteen_minutes(login, advocate):
    with time_machine.travel(START, tick=False) as traveller:
        client = login(advocate)
        assert client.get(NEW_CALL).status_code == 200
        # The page only polls the session's countdown meanwhile (background requests).
        now = _minutes(traveller, 0, 14)
        assert client.get(reverse("session_status"), **BACKGROUND).status_code == 200
        _minutes(traveller, now, 15 + 1 / 60)
        assert _signed_out(client.get(NEW_CALL))


def test_a_background_autosave_does_not_keep_an_idle_session(login, advocate):
    """What the page used to send: marked as background, it does not count as activity."""
    with time_machine.travel(START, tick=False) as traveller:
        client = login(advocate)
        assert client.get(NEW_CALL).status_code == 200
        now = _minutes(traveller, 0, 10)
        assert client.post(AUTOSAVE, {"notes": "typed"}, **HTMX, **BACKGROUND).status_code == 200
        _minutes(traveller, now, 15 + 1 / 60)
        expired = client.post(AUTOSAVE, {"notes": "typed more"}, **HTMX, **BACKGROUND)
    # A 401 with a small JSON body, never a redirect whose login page could be swapped in.
    assert expired.status_code == 401 and "HX-Redirect" not in expired
    assert expired.json() == {"signed_in": False, "login_url": reverse("account_login")}
