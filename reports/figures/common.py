"""What every figure family shares: the SQL aggregates, year bounds and the JSON table shape."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.db.models import (
    Aggregate,
    FloatField,
    Func,
    Q,
)
from django.db.models.functions import ExtractMonth

from familysupport.lib import dates

Progress = Callable[[int, str], None]


MONTHS = [calendar.month_abbr[m] for m in range(1, 13)]
ZERO = Decimal("0.00")


class Median(Aggregate):
    """percentile_cont(0.5) WITHIN GROUP (ORDER BY expr) — the exact median, in SQL."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False


class EpochHours(Func):
    """An interval as hours (float)."""

    template = "(EXTRACT(EPOCH FROM %(expressions)s) / 3600.0)"
    output_field = FloatField()


# --- time ----------------------------------------------------------------------------------


def in_year(field: str, year: int, month: int | None = None) -> Q:
    start, end = dates.month_bounds(year, month) if month else dates.year_bounds(year)
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _month(field: str) -> ExtractMonth:
    return ExtractMonth(field, tzinfo=dates.division_tz())


# --- table helpers ---------------------------------------------------------------------------


def col(key: str, label: str, kind: str = "count", basis: str | None = None) -> dict:
    """kind: count | money | hours | rate | text; basis: the count a median/rate rests on."""
    return {"key": key, "label": label, "kind": kind, "basis": basis}


def link(figure: str, **params: Any) -> dict:
    return {"figure": figure, **{k: v for k, v in params.items() if v not in (None, "")}}


def cell_links(figure: str, cells: dict[str, dict], **params: Any) -> dict:
    """A drill-down link under each cell: the cell's own filter plus the row's (`params`)."""
    return {key: link(figure, **own, **params) for key, own in cells.items()}


def counts(values: dict, keys: Iterable[str]) -> dict:
    """The row's count cells: 0 where the query returned no row (or NULL) for it."""
    return {k: values.get(k) or 0 for k in keys}


# A month grid: one cell a month (m1..m12) and the year's total, each its own drill-down.
MONTH_CELLS: dict[str, dict] = {**{f"m{m}": {"month": m} for m in range(1, 13)}, "total": {}}


def month_cells(values: list[int]) -> dict:
    return {**{f"m{i + 1}": v for i, v in enumerate(values)}, "total": sum(values)}


def row(label: str, cells: dict, links: dict | None = None, key: str = "") -> dict:
    return {"key": key or label, "label": label, "cells": cells, "links": links or {}}


def table(key: str, title: str, columns: list[dict], rows: list[dict], **extra: Any) -> dict:
    return {"key": key, "title": title, "columns": columns, "rows": rows, **extra}


def _money(value: Decimal | None) -> str:
    return str((value or ZERO).quantize(Decimal("0.01")))


def _hours(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _rate(part: int, whole: int) -> float | None:
    return None if not whole else round(100.0 * part / whole, 1)
