"""A Django `Q` evaluated in Python against one object: one rule, two evaluators.

A rule written once as a `Q` filters in SQL and checks loaded objects (prefetched rows, a
form's instance) without a query, so the two can never drift apart. Supported lookups are
the plain ones rules use: exact, gt, gte, lt, lte, in, isnull, overlap (arrays), with
`__` traversing relations already loaded. Values must be constants (no F/OuterRef).
Comparisons with None are False, as a NULL comparison is in SQL.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from django.db.models import Q

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "in": lambda value, options: value in options,
    "overlap": lambda value, other: bool(set(value) & set(other)),
}


def _lookup(obj: Any, lookup: str, expected: Any) -> bool:
    *path, last = lookup.split("__")
    if last == "isnull" or last in _COMPARE:
        op = last
    else:
        path.append(last)
        op = "exact"
    value = obj
    for name in path:
        value = None if value is None else getattr(value, name)
    if op == "isnull":
        return (value is None) == bool(expected)
    if hasattr(expected, "resolve_expression"):
        raise ValueError(f"{lookup}: only constant values can be evaluated in Python")
    if value is None or expected is None:
        return False
    return _COMPARE[op](value, expected)


def holds(q: Q, obj: Any) -> bool:
    """Whether `obj` matches `q`, the way `filter(q)` would keep it."""
    if q.connector not in (Q.AND, Q.OR):
        raise ValueError(f"connector {q.connector} is not supported")
    results = (
        holds(child, obj) if isinstance(child, Q) else _lookup(obj, *_pair(child))
        for child in q.children
    )
    matched = all(results) if q.connector == Q.AND else any(results)
    return not matched if q.negated else matched


def prefixed(q: Q, prefix: str) -> Q:
    """The same rule seen from a related model: `prefixed(Q(a=1), "rel__")` is Q(rel__a=1)."""
    out = Q(
        *(
            prefixed(child, prefix) if isinstance(child, Q) else _prefix_lookup(prefix, child)
            for child in q.children
        ),
        _connector=q.connector,
        _negated=q.negated,
    )
    return out


def _pair(child: Any) -> tuple[str, Any]:
    lookup, value = child
    return lookup, value


def _prefix_lookup(prefix: str, child: Any) -> tuple[str, Any]:
    lookup, value = _pair(child)
    return prefix + lookup, value
