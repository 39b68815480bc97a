"""Query expressions the apps share."""

from __future__ import annotations

from django.db.models import BooleanField, Func


class AnyOf(Func):
    """`column = ANY(ARRAY(subquery))`: the subquery runs once, the column's index does the rest.

    Under an OR, `column IN (subquery)` becomes a filter evaluated on every row; `= ANY` of
    an array computed once lets PostgreSQL combine index scans (a BitmapOr).
    """

    arg_joiner = " = ANY("
    template = "%(expressions)s)"
    output_field = BooleanField()


class FirstNonEmpty(Func):
    """`COALESCE(NULLIF(a, '{}'), b)` for two arrays: `b` only when `a` is empty.

    PostgreSQL evaluates COALESCE lazily, so a costly fallback subquery in `b` (a
    similarity search for a typo) runs only when the cheap one in `a` found nothing.
    """

    arg_joiner = ", '{}'), "
    template = "COALESCE(NULLIF(%(expressions)s)"
    arity = 2
