"""Home-page dashboards: this month's work of a supervisor's team or of an advocate.

One aggregate statement whatever the volume (familysupport.lib.counts), scoped through
the owning apps' selectors (and then to the team or the advocate).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from familysupport.lib import dates
from familysupport.lib.counts import count_many


@dataclass
class Dashboard:
    scope: str
    month_label: str
    contacts_this_month: int
    open_by_risk: list[tuple[str, str, int]] = field(default_factory=list)
    open_total: int = 0
    referrals_awaiting: int = 0
    tasks_overdue: int = 0


def _month_range(today: date):
    return dates.month_bounds(today.year, today.month)


def dashboard_for(user) -> Dashboard | None:
    from cases import report as cases_report
    from cases import selectors as cases_selectors
    from familysupport.lib.access import ADVOCATE, SUPERVISOR

    from .drilldown import referral_list_visible_to

    if not user.is_authenticated or user.role not in (ADVOCATE, SUPERVISOR):
        return None
    today = dates.today()
    start, end = _month_range(today)
    # Counts include restricted families' records (cases/restricted.py); lists do not.
    contacts = cases_selectors.contact_list_visible_to(user=user, with_restricted=True)
    cases = cases_selectors.case_list_visible_to(user=user, with_restricted=True)
    tasks = cases_selectors.task_list_visible_to(user=user, with_restricted=True)
    referrals = referral_list_visible_to(user, with_restricted=True)
    if user.role == SUPERVISOR:
        # The supervisor's team (advocates reporting to them) and their own work; a
        # supervisor who leads no team sees the whole division. The team's ids are read
        # once: `advocate_id IN (...)` uses the (advocate, started_at) index, where an OR
        # across a join to the users (advocate__supervisor = me OR advocate = me) cannot.
        team = user.team_member_ids
        if team:
            scope = "your team"
            ids = [user.pk, *team]
            contacts = contacts.filter(advocate_id__in=ids)
            cases = cases.filter(assigned_advocate_id__in=ids)
            tasks = tasks.filter(owner_id__in=ids)
            referrals = referrals.filter(created_by_id__in=ids)
        else:
            scope = "the division"
    else:
        scope = "you"
        contacts = contacts.filter(advocate=user)
        cases = cases.filter(assigned_advocate=user)
        tasks = tasks.filter(owner=user)
        referrals = referrals.filter(created_by=user)
    open_cases = cases.exclude(status=cases_report.CaseStatus.CLOSED)
    figures = count_many(
        contacts=contacts.filter(started_at__gte=start, started_at__lt=end),
        referrals=referrals.filter(status="sent"),
        overdue=tasks.filter(done_at__isnull=True, due_on__lt=today),
        **{
            f"risk_{value}": open_cases.filter(risk_level=value)
            for value in cases_report.CaseRisk.values
        },
    )
    by_risk = {value: figures[f"risk_{value}"] for value in cases_report.CaseRisk.values}
    return Dashboard(
        scope=scope,
        month_label=today.strftime("%B %Y"),
        contacts_this_month=figures["contacts"],
        open_by_risk=[
            (value, label, by_risk.get(value, 0))
            for value, label in reversed(cases_report.CaseRisk.choices)
        ],
        open_total=sum(by_risk.values()),
        referrals_awaiting=figures["referrals"],
        tasks_overdue=figures["overdue"],
    )
