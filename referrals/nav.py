from __future__ import annotations

from django.urls import reverse

from familysupport.lib.access import ADVOCATE, PROVIDER, STAFF, SUPERVISOR, has_role
from familysupport.lib.counts import head_and_total
from familysupport.lib.portal import MenuItem, Panel

from . import selectors


def menu(user) -> list[MenuItem]:
    if has_role(user, {PROVIDER}):
        return [MenuItem("Referral requests", reverse("referrals:incoming"), order=10)]
    if has_role(user, STAFF):
        return [
            MenuItem("Referrals", reverse("referrals:list"), order=20),
            MenuItem("Legal assistance", reverse("referrals:legal_list"), order=35),
        ]
    return []


def home_panels(request) -> list[Panel]:
    user = request.user
    if has_role(user, {PROVIDER}):
        waiting = selectors.referral_list_for_provider(user=user).filter(status="sent")
        return [
            Panel(
                "Referral requests waiting for your answer",
                "referrals/includes/_panel_incoming.html",
                dict(zip(("referrals", "total"), head_and_total(waiting, 5), strict=True)),
                order=5,
            )
        ]
    if has_role(user, {ADVOCATE, SUPERVISOR}):
        waiting = selectors.referral_list_awaiting_answer(user=user)
        return [
            Panel(
                "Referrals awaiting an answer",
                "referrals/includes/_panel_awaiting.html",
                dict(zip(("referrals", "total"), head_and_total(waiting, 5), strict=True)),
                order=20,
            )
        ]
    return []
