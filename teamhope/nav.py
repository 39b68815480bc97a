from __future__ import annotations

from django.urls import reverse

from familysupport.lib.access import ADVOCATE, STAFF, SUPERVISOR, VOLUNTEER, has_role
from familysupport.lib.counts import capped_count, head_and_total
from familysupport.lib.portal import MenuItem, Panel

from . import selectors

WAITING_CAP = 100


def menu(user) -> list[MenuItem]:
    if has_role(user, {VOLUNTEER}):
        return [
            MenuItem("My families", reverse("teamhope:my_families"), order=10),
            MenuItem("My calls", reverse("teamhope:my_calls"), order=20),
        ]
    if has_role(user, STAFF):
        return [MenuItem("Team HOPE", reverse("teamhope:volunteer_list"), order=40)]
    return []


def home_panels(request) -> list[Panel]:
    user = request.user
    if has_role(user, {VOLUNTEER}):
        return [
            Panel(
                "My Team HOPE families",
                "teamhope/includes/_panel_volunteer.html",
                {"cards": selectors.family_cards_for_volunteer(user=user)},
                order=10,
            )
        ]
    panels = []
    if has_role(user, {ADVOCATE, SUPERVISOR}):
        open_qs = selectors.escalations_open(user=user)
        if user.role == ADVOCATE:
            open_qs = open_qs.filter(advocate_notified=user)
        panels.append(
            Panel(
                "Team HOPE escalations open",
                "teamhope/includes/_panel_escalations.html",
                dict(zip(("escalations", "total"), head_and_total(open_qs, 5), strict=True)),
                order=15,
            )
        )
    if has_role(user, {SUPERVISOR}):
        waiting = selectors.cases_waiting_for_match(user=user)
        panels.append(
            Panel(
                "Families waiting for a Team HOPE match",
                "teamhope/includes/_panel_waiting.html",
                # Capped ("100+"): an exact count reads every open case (≈ 50 ms at
                # 300,000 cases); the waiting list has the full count.
                {"cases": list(waiting[:5]), "total": capped_count(waiting, WAITING_CAP)},
                order=45,
            )
        )
    return panels
