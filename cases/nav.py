from __future__ import annotations

from django.urls import reverse

from familysupport.lib.access import ADMINISTRATOR, CASEWORKERS, STAFF, SUPERVISOR
from familysupport.lib.portal import MenuItem, Panel

from . import selectors

HOME_LIST_LIMIT = 10


def menu(user) -> list[MenuItem]:
    items: list[MenuItem] = []
    if user.role in CASEWORKERS:
        items.append(MenuItem("New call", reverse("cases:new_call"), order=1, shortcut="N"))
    if user.role in STAFF:
        items.append(MenuItem("Cases", reverse("cases:case_list"), order=10))
        items.append(MenuItem("Family resources", reverse("cases:resource_list"), order=40))
    if user.role == SUPERVISOR:
        # Supervisors are told of missed calls nobody could be given (issue 20).
        items.append(MenuItem("Missed calls", reverse("phone:missed_list"), order=45))
    if user.role == ADMINISTRATOR:
        # Where administrators set the phone system up (next to the other admin pages).
        items.append(MenuItem("Phone system", reverse("phone:integration_list"), order=99))
    return items


def home_panels(request) -> list[Panel]:
    from django.utils import timezone

    user = request.user
    panels: list[Panel] = []
    if user.role == SUPERVISOR:
        alerts = list(selectors.alert_list_open_for_supervisor(user=user)[:HOME_LIST_LIMIT])
        panels.append(
            Panel("Open risk alerts", "cases/includes/_panel_alerts.html", {"alerts": alerts}, 5)
        )
    if user.role in CASEWORKERS:
        drafts = list(selectors.contact_draft_list_for_author(user=user)[:HOME_LIST_LIMIT])
        clear = request.session.pop("cases_clear_local_draft", "")
        if drafts or clear:
            panels.append(
                Panel(
                    "Unsaved calls",
                    "cases/includes/_panel_drafts.html",
                    {
                        "drafts": drafts,
                        "clear_local_draft": clear,
                        "today": timezone.localdate().isoformat(),
                    },
                    1,
                )
            )
        today = timezone.localdate()
        tasks = list(
            selectors.task_list_open_for_owner(user=user).order_by("due_on", "pk")[:HOME_LIST_LIMIT]
        )
        panels.append(
            Panel(
                "My tasks",
                "cases/includes/_panel_tasks.html",
                {"tasks": tasks, "today": today},
                10,
            )
        )
        cases = list(
            selectors.case_list_open_for_advocate(user=user).order_by("-updated_at")[
                :HOME_LIST_LIMIT
            ]
        )
        panels.append(
            Panel(
                "My open cases",
                "cases/includes/_panel_cases.html",
                {"cases": cases, "all_url": reverse("cases:case_list") + "?mine=on"},
                20,
            )
        )
    return panels
