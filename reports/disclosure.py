"""What a number looks like in the public release: the one place that decides it.

The page, its table notes, the "changes since publication" table, CSV, XLSX and PDF all
take public figures from `public_results` (or `public_value` for one loose count), never
from the raw results.

Rules (stated for readers in definitions.NOTES):
- primary: a count from 1 to 9 is shown as "<10"; a median or rate resting on fewer than
  10 records, or on a hidden count, is withheld;
- complementary: no suppressed count may be worked out from the totals it adds up to. In
  each sum a table holds (a column and its total row; a row and its row total), the number
  of suppressed cells must not be exactly one; where it is, the smallest other non-zero
  count of that sum (a part, not the total, when there is one) is suppressed too ("*"),
  repeated until no sum has a single suppressed cell.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

SUPPRESSED = "<10"
COMPLEMENTARY = "*"
WITHHELD = "withheld"
HIDDEN = (SUPPRESSED, COMPLEMENTARY)

# Sums across a row, by table key: (the total column, the columns it adds up).
# Sums down a column are implied by a table's total row.
ROW_SUMS: dict[str, list[tuple[str, list[str]]]] = {
    "contacts": [("total", [f"m{m}" for m in range(1, 13)])],
    "referrals": [("sent", ["accepted", "declined", "expired", "awaiting", "closed"])],
}


def is_small(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 9


def public_value(value: Any, kind: str = "count") -> Any:
    """A loose count (a headline, a note) as the public sees it (primary rule only:
    the tables' sums are handled by `public_table`)."""
    if kind == "count" and is_small(value):
        return SUPPRESSED
    return value


# --- complementary suppression ------------------------------------------------------------

Cell = tuple[str, str]  # (row key, column key)


def equations(t: dict) -> list[tuple[Cell, list[Cell]]]:
    """The sums a table shows: (the total cell, the cells it adds up)."""
    counts = [c["key"] for c in t["columns"] if c["kind"] == "count"]
    rows = [r["key"] for r in t["rows"]]
    total = t.get("total")
    out: list[tuple[Cell, list[Cell]]] = []
    if total:
        for key in counts:
            out.append(((total["key"], key), [(r, key) for r in rows]))
    for total_col, parts in ROW_SUMS.get(t["key"], []):
        parts = [p for p in parts if p in counts]
        if total_col not in counts or not parts:
            continue
        for r in [*rows, *([total["key"]] if total else [])]:
            out.append(((r, total_col), [(r, p) for p in parts]))
    return out


def suppressed_cells(values: dict[Cell, int], eqs: Iterable[tuple[Cell, list[Cell]]]) -> dict:
    """{cell: SUPPRESSED | COMPLEMENTARY} for a table's counts, to a fixed point."""
    eqs = list(eqs)
    hidden = {cell: SUPPRESSED for cell, v in values.items() if is_small(v)}
    changed = True
    while changed:
        changed = False
        for total, parts in eqs:
            members = [c for c in [total, *parts] if c in values]
            if sum(1 for c in members if c in hidden) != 1:
                continue
            # Prefer a part (a total is often printed elsewhere too, e.g. as a headline).
            candidates = [c for c in parts if c in values and c not in hidden and values[c]]
            if not candidates and total in values and total not in hidden and values[total]:
                candidates = [total]
            if not candidates:
                continue  # every other cell is 0: the sum reveals nothing more
            pick = min(candidates, key=lambda c: (values[c], c))
            hidden[pick] = COMPLEMENTARY
            changed = True
    return hidden


def public_table(t: dict) -> dict:
    """A table as released: counts suppressed (primary and complementary), medians and
    rates on fewer than 10 records withheld, the note from public values only."""
    columns = t["columns"]
    lines = [*t["rows"], *([t["total"]] if t.get("total") else [])]
    counts = {c["key"] for c in columns if c["kind"] == "count"}
    values = {
        (r["key"], k): v
        for r in lines
        for k, v in r["cells"].items()
        if k in counts and isinstance(v, int) and not isinstance(v, bool)
    }
    hidden = suppressed_cells(values, equations(t))

    def cells(r: dict) -> dict:
        out = dict(r["cells"])
        for c in columns:
            key, value = c["key"], out.get(c["key"])
            if (r["key"], key) in hidden:
                out[key] = hidden[(r["key"], key)]
            elif c["kind"] in ("hours", "rate") and value is not None and c.get("basis"):
                basis = r["cells"].get(c["basis"])
                # A rate on a hidden count would give the count back (rate x whole).
                if (isinstance(basis, int) and basis < 10) or (r["key"], c["basis"]) in hidden:
                    out[key] = WITHHELD
        # Cells no column shows (e.g. "answered", a median's basis) are not released.
        return {c["key"]: out.get(c["key"]) for c in columns}

    total = t.get("total")
    return {
        **t,
        "rows": [{**r, "cells": cells(r)} for r in t["rows"]],
        "total": {**total, "cells": cells(total)} if total else total,
        # Applying this twice changes nothing: the public note is its own template.
        "note": public_note(t),
        "note_template": public_note(t).replace("{", "{{").replace("}", "}}"),
        "note_values": {},
        "chart": None,
    }


def public_note(t: dict) -> str:
    """A table's note from public values; a note without its values (older snapshots) is
    left out if it holds any digit, rather than risk printing a small count."""
    template = t.get("note_template")
    if template is not None:
        return template.format(**{k: public_value(v) for k, v in t.get("note_values", {}).items()})
    note = t.get("note") or ""
    return "" if any(ch.isdigit() for ch in note) else note


def public_results(results: dict) -> dict:
    """The whole report as released: every table, the headline figures, nothing raw."""
    tables = [public_table(t) for t in results.get("tables", [])]
    headline = {k: public_value(v) for k, v in results.get("headline", {}).items()}
    return {**results, "headline": headline, "tables": tables}
