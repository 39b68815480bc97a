"""Reunification travel and its cost against the budget."""

from __future__ import annotations

from decimal import Decimal

from .common import (
    _money,
    col,
    link,
    row,
    table,
)

# --- reunification -------------------------------------------------------------------------


def _reunification(year: int) -> list[dict]:
    from reunification import report as reunification_report
    from reunification import selectors as reunification_selectors

    counts = reunification_report.travel_event_counts(year)
    trips = table(
        "travel",
        "Reunification travel",
        [col("requests", "Requests / trips")],
        [
            row(label, {"requests": counts[key]}, {"requests": link("travel", event=key)}, key=key)
            for key, label in reunification_report.TRAVEL_EVENTS
        ],
    )
    groups = {key: label for key, label, _q in reunification_report.COST_GROUPS}
    segments = reunification_report.segment_costs(year)
    budget = reunification_selectors.budget_status(year=year)
    money_cols = [col("estimated", "Estimated", "money"), col("actual", "Actual", "money")]
    rows = [
        row(
            groups[key],
            {"estimated": _money(segments[f"{key}_est"]), "actual": _money(segments[f"{key}_act"])},
            key=key,
        )
        for key in groups
    ]
    rows += [
        row(
            "Booked and completed trips",
            {"estimated": _money(budget.booked), "actual": _money(budget.spent)},
            key="booked",
        ),
        row(
            "Approved, not yet booked",
            {"estimated": _money(budget.approved), "actual": None},
            key="approved",
        ),
        row(
            "Committed (best known cost)",
            {"estimated": _money(budget.committed), "actual": None},
            key="committed",
        ),
        row(
            "Budget",
            {"estimated": None if budget.amount is None else _money(budget.amount), "actual": None},
            key="budget",
        ),
        row(
            "Remaining",
            {
                "estimated": None if budget.remaining is None else _money(budget.remaining),
                "actual": None,
            },
            key="remaining",
        ),
    ]
    cost = table(
        "travel_cost",
        "Reunification cost against budget (trips approved in the year)",
        money_cols,
        rows,
        note=_budget_note(budget.committed, budget.amount),
        note_template=_budget_note(budget.committed, budget.amount),  # no counts in it
    )
    return [trips, cost]


def _budget_note(committed: Decimal, amount: Decimal | None) -> str:
    if not amount:
        return "No travel budget is set for this year."
    return f"{(100 * committed / amount).quantize(Decimal('0.1'))}% of the budget committed."
