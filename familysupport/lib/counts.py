"""Counting without a query per figure: the home page's panels and the lists' totals.

- `count_many(a=qs, b=qs2)`: several counts in ONE statement (a scalar subquery each).
- `head_and_total(qs, n)`: the first n rows and how many there are, in one statement
  (a window count over the filtered rows, read from the first row).
- `capped_count(qs, cap)`: counts at most `cap` + 1 rows, so a broad filter over 300,000
  cases costs what a page costs; `Capped` prints "1,000+" past the cap.
- `CappedPaginator`: a Paginator counting that way (`paginator.total` prints "1,000+").
- `CappedIdsPaginator`: for a costly selection (a free-text search): the selection runs
  once, for the ordered ids of its first cap + 1 rows; the page's rows are read by id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Func, IntegerField, QuerySet, Subquery
from django.utils.functional import cached_property


def _sql(qs: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    return qs.order_by().values("pk").query.sql_with_params()


def count_many(**querysets: QuerySet[Any]) -> dict[str, int]:
    """{name: qs.count()} for querysets of one database, in a single round trip."""
    if not querysets:
        return {}
    parts: list[str] = []
    params: list[Any] = []
    using = "default"
    for i, qs in enumerate(querysets.values()):
        try:
            sql, p = _sql(qs)
        except EmptyResultSet:  # .none(), or a filter such as pk__in=[]
            parts.append("0")
            continue
        parts.append(f"(SELECT count(*) FROM ({sql}) AS c{i})")  # noqa: S608 - compiled SQL
        params.extend(p)
        using = qs.db
    with connections[using].cursor() as cur:
        cur.execute("SELECT " + ", ".join(parts), params)
        row = cur.fetchone()
    return dict(zip(querysets, row, strict=True))


class _CountAll(Func):
    # Not an aggregate to Django (no GROUP BY added), COUNT(*) to PostgreSQL.
    template = "COUNT(*)"
    output_field = IntegerField()


def head_and_total(qs: QuerySet[Any], n: int) -> tuple[list[Any], int]:
    """The first `n` rows of `qs` (in its order) and the number of rows it holds.

    The total is an uncorrelated scalar subquery: PostgreSQL runs it once, with its own
    plan (an index-only count), while the rows still stop after `n` (a window count would
    make it join and sort every matching row first).
    """
    total = Subquery(qs.order_by().values(n=_CountAll()))
    rows = list(qs.annotate(fsp_total=total)[:n])
    return rows, (rows[0].fsp_total if rows else 0)


@dataclass(frozen=True)
class Capped:
    """A count that stopped at `cap`: str() gives "1,234" or "1,000+"."""

    value: int
    cap: int

    @property
    def exact(self) -> bool:
        return self.value <= self.cap

    def __int__(self) -> int:
        return min(self.value, self.cap)

    def __float__(self) -> float:  # the `pluralize` filter: "100+ families"
        return float(self.value)

    def __bool__(self) -> bool:
        return self.value > 0

    def __str__(self) -> str:
        return f"{self.value:,}" if self.exact else f"{self.cap:,}+"


def capped_count(qs: QuerySet[Any], cap: int = 1000) -> Capped:
    """How many rows `qs` holds, reading at most cap + 1 of them.

    The queryset's ordering is kept on purpose: walking the index of the list's own sort
    lets PostgreSQL stop after cap + 1 rows, where an unordered count may hash everything.
    """
    return Capped(qs.values("pk")[: cap + 1].count(), cap)


class CappedPaginator(Paginator):  # type: ignore[type-arg]  # not generic at run time
    """A paginator that counts at most `cap` + 1 rows: "1,000+ cases", pages up to the cap.

    A broad filter (every active case, a common surname) otherwise pays a full COUNT on
    every page view, often more than the page itself. Nobody pages past the first
    thousand rows; they refine the filter.
    """

    def __init__(self, object_list: Any, per_page: int, *, cap: int = 1000, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def total(self) -> Capped:
        return capped_count(self.object_list, self.cap)  # type: ignore[arg-type]

    @cached_property
    def count(self) -> int:
        return int(self.total)  # at most `cap`: the last page ends at the cap

    @property
    def is_capped(self) -> bool:
        return not self.total.exact


class CappedIdsPaginator(CappedPaginator):
    """A capped paginator that runs a costly selection once, not twice.

    A plain paginator runs the selection for the COUNT and again for the page, and the page
    query joins and sorts every match before its LIMIT. Here ONE statement reads the ids of
    the first cap + 1 rows in the list's order (the total and every page's ids: only the
    sort keys of the matches are read and sorted), and `rows(ids)` reads the page's rows
    by primary key (pass a queryset that still checks access; the rows are put back in the
    ids' order).
    """

    def __init__(
        self,
        object_list: Any,
        per_page: int,
        *,
        rows: Callable[[list[Any]], QuerySet[Any]],
        cap: int = 1000,
        **kwargs: Any,
    ) -> None:
        super().__init__(object_list, per_page, cap=cap, **kwargs)
        self.rows = rows

    @cached_property
    def ids(self) -> list[Any]:
        selection: QuerySet[Any] = self.object_list  # type: ignore[assignment]  # a queryset
        return list(selection.values_list("pk", flat=True)[: self.cap + 1])

    @cached_property
    def total(self) -> Capped:
        return Capped(len(self.ids), self.cap)

    def page(self, number: Any) -> Any:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = self.ids[bottom : min(bottom + self.per_page, self.count)]
        by_pk = {row.pk: row for row in self.rows(ids)} if ids else {}
        return self._get_page(  # type: ignore[attr-defined]  # Paginator's own hook
            [by_pk[i] for i in ids if i in by_pk], number, self
        )
