from __future__ import annotations

from django.urls import reverse

from familysupport.lib.access import ADMINISTRATOR, ADVOCATE, STAFF, SUPERVISOR
from familysupport.lib.portal import MenuItem, Panel

from . import selectors

PANEL_ROWS = 10


def menu(user) -> list[MenuItem]:
    if not user.is_authenticated or user.role not in STAFF:
        return []
    items = [MenuItem("Travel", reverse("reunification:list"), order=60)]
    if user.role in (SUPERVISOR, ADMINISTRATOR):
        items.append(MenuItem("Travel budget", reverse("reunification:budget"), order=61))
    return items


def home_panels(request) -> list[Panel]:
    user = request.user
    if not user.is_authenticated:
        return []
    if user.role == SUPERVISOR:
        qs = selectors.travel_request_list_awaiting_decision(user=user)
        rows = list(qs[:PANEL_ROWS])
        return [
            Panel(
                "Travel requests awaiting a decision",
                "reunification/includes/_panel_requests.html",
                {
                    "rows": rows,
                    "more_url": reverse("reunification:list") + "?status=submitted",
                    "empty": "No travel request is waiting for a decision.",
                },
                order=40,
            )
        ]
    if user.role == ADVOCATE:
        qs = selectors.travel_request_list_of_requester(user=user).filter(selectors.open_filter())
        rows = list(qs[:PANEL_ROWS])
        return [
            Panel(
                "My travel requests",
                "reunification/includes/_panel_requests.html",
                {
                    "rows": rows,
                    "more_url": reverse("reunification:list") + "?mine=on",
                    "empty": "You have no open travel requests.",
                },
                order=40,
            )
        ]
    return []
