"""Advocate contacts by purpose and month; new cases by type."""

from __future__ import annotations

from django.db.models import (
    Count,
)

from .common import (
    MONTH_CELLS,
    MONTHS,
    _month,
    cell_links,
    col,
    link,
    month_cells,
    row,
    table,
)

# --- contacts, cases -----------------------------------------------------------------------


def _contacts(year: int) -> dict:
    from cases import report as cases_report

    counts = (
        cases_report.contacts_in_year(year)
        .annotate(m=_month("started_at"))
        .values("purpose", "m")
        # COUNT(*), not COUNT(id): the covering index (started_at) INCLUDE (purpose) then
        # answers it alone (index-only scan over millions of contacts).
        .annotate(n=Count("*"))
        .order_by()
    )
    grid: dict[str, list[int]] = {p: [0] * 12 for p in cases_report.ContactPurpose.values}
    for r in counts:  # at most 6 purposes x 12 months: the grid, not the records
        grid.setdefault(r["purpose"], [0] * 12)[r["m"] - 1] = r["n"]
    columns = [col(f"m{m}", MONTHS[m - 1]) for m in range(1, 13)] + [col("total", "Year")]
    labels = dict(cases_report.ContactPurpose.choices)

    rows = [
        row(labels.get(p, p), month_cells(v), cell_links("contacts", MONTH_CELLS, purpose=p), p)
        for p, v in grid.items()
    ]
    monthly = [sum(v[i] for v in grid.values()) for i in range(12)]
    return table(
        "contacts",
        "Advocate contacts by purpose and month",
        columns,
        rows,
        total=row("All purposes", month_cells(monthly), cell_links("contacts", MONTH_CELLS)),
        chart={"kind": "months", "values": monthly, "title": "Advocate contacts per month"},
    )


def _cases(year: int) -> dict:
    from cases import report as cases_report

    counts = dict(
        cases_report.cases_opened_in_year(year)
        .values_list("case_type")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = [
        row(
            label,
            {"cases": counts.get(value, 0)},
            {"cases": link("cases", case_type=value)},
            key=value,
        )
        for value, label in cases_report.CaseType.choices
    ]
    return table(
        "cases",
        "New cases by type",
        [col("cases", "New cases")],
        rows,
        total=row("All types", {"cases": sum(counts.values())}, {"cases": link("cases")}),
        chart={"kind": "bars", "column": "cases", "title": "New cases by type"},
    )
