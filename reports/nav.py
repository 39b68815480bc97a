from __future__ import annotations

from django.urls import reverse

from familysupport.lib.access import ADMINISTRATOR, ADVOCATE, SUPERVISOR
from familysupport.lib.portal import MenuItem, Panel

from . import dashboards


def menu(user) -> list[MenuItem]:
    if not user.is_authenticated or user.role not in (SUPERVISOR, ADMINISTRATOR):
        return []
    return [MenuItem("Reports", reverse("reports:index"), order=80)]


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
