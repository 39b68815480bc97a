from __future__ import annotations

from django.urls import reverse

from familysupport.lib.access import ADMINISTRATOR, SUPERVISOR
from familysupport.lib.portal import MenuItem, Panel

from . import selectors


def menu(user) -> list[MenuItem]:
    items = [MenuItem("My work", reverse("home"), order=0)]
    if user.role == ADMINISTRATOR:
        items.append(MenuItem("Users", reverse("accounts:user_list"), order=90))
    if user.role in (ADMINISTRATOR, SUPERVISOR):
        items.append(MenuItem("Audit log", reverse("accounts:audit_list"), order=95))
        # Supervisors read it (they hear about expiries); only administrators "run now".
        items.append(MenuItem("Scheduled jobs", reverse("accounts:job_list"), order=96))
        # Privacy (cases/privacy_views.py): holds for both, the access review for supervisors,
        # the retention schedule for administrators.
        items.append(MenuItem("Legal holds", reverse("privacy:hold_list"), order=97))
    if user.role == SUPERVISOR:
        items.append(MenuItem("Access review", reverse("privacy:access_review"), order=98))
    if user.role == ADMINISTRATOR:
        items.append(MenuItem("Retention", reverse("privacy:retention"), order=99))
    return items


def home_panels(request) -> list[Panel]:
    """Supervisors: who is taking calls now (the screen pop's presence, issue 20)."""
    if request.user.role != SUPERVISOR:
        return []
    people = selectors.users_taking_calls(viewer=request.user)
    return [
        Panel(
            "Taking calls now", "accounts/includes/_panel_taking_calls.html", {"people": people}, 6
        )
    ]
