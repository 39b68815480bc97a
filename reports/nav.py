from __future__ import annotations

from django.urls import reverse

from familysupport.lib.access import ADMINISTRATOR, ADVOCATE, PROVIDER, SUPERVISOR
from familysupport.lib.portal import MenuItem, Panel

from . import dashboards


def menu(user) -> list[MenuItem]:
    if not user.is_authenticated:
        return []
    items = []
    if user.role in (SUPERVISOR, ADMINISTRATOR):
        items.append(MenuItem("Reports", reverse("reports:index"), order=80))
    elif user.role in (ADVOCATE, PROVIDER):  # supervisors: a link on the report's page
        items.append(MenuItem("Coverage map", reverse("reports:coverage"), order=81))
    return items


def home_panels(request) -> list[Panel]:
    user = request.user
    if not user.is_authenticated or user.role not in (ADVOCATE, SUPERVISOR):
        return []
    board = dashboards.dashboard_for(user)
    if board is None:
        return []
    title = "This month: your team" if board.scope == "your team" else "This month"
    if user.role == ADVOCATE:
        title = "My month"
    return [
        Panel(
            title,
            "reports/includes/_panel_dashboard.html",
            {
                "board": board,
                "cases_url": reverse("cases:case_list")
                + ("?mine=on" if user.role == ADVOCATE else ""),
                "report_url": reverse("reports:index") if user.role == SUPERVISOR else "",
            },
            order=3,
        )
    ]
