"""Build INSERT … SELECT statements from the Django models (table and column names, defaults).

The benchmark loader writes millions of rows with PostgreSQL-side generation. Reading table
and column names from the models keeps it working while apps add fields: a new NOT NULL
column gets its model default (or an empty value of its type) without touching the loader.
"""

# Statements are built from model metadata and constants, never from input:
from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Iterable, Mapping

from django.db import models


def quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def literal(field: models.Field, value) -> str:
    """A SQL literal for a Python default value of `field`."""
    kind = field.get_internal_type()
    if value is None:
        return "NULL"
    if kind == "JSONField":
        return quote(json.dumps(value)) + "::jsonb"
    if kind == "ArrayField" or isinstance(value, list | tuple):
        return "'{" + ",".join(f'"{v}"' for v in value) + "}'"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return "now()"
    if isinstance(value, dt.date):
        return "current_date"
    if isinstance(value, uuid.UUID):
        return "gen_random_uuid()"
    return quote(str(value))


def empty(field: models.Field) -> str:
    """A value for a required column the loader does not know about (added since)."""
    kind = field.get_internal_type()
    if field.is_relation:
        raise ValueError(f"{field.model.__name__}.{field.name}: required relation not filled")
    if kind in ("CharField", "TextField", "EmailField", "URLField", "SlugField", "FileField"):
        return "''"
    if kind == "BooleanField":
        return "FALSE"
    if kind == "DateTimeField":
        return "now()"
    if kind == "DateField":
        return "current_date"
    if kind == "UUIDField":
        return "gen_random_uuid()"
    if kind == "JSONField":
        return "'{}'::jsonb"
    if kind == "ArrayField":
        return "'{}'"
    if "Integer" in kind or kind in ("FloatField", "DecimalField", "DurationField"):
        return "0"
    return "''"


def column_values(
    model: type[models.Model], exprs: Mapping[str, str], *, warn=print
) -> tuple[list[str], list[str]]:
    """Columns and SQL expressions: the given ones plus defaults for other NOT NULL columns."""
    names = {f.name for f in model._meta.concrete_fields} | {
        f.attname for f in model._meta.concrete_fields
    }
    for name in exprs:
        if name not in names:
            warn(f"  note: {model.__name__} has no field {name!r} any more; skipped")
    cols, vals = [], []
    for f in model._meta.concrete_fields:
        expr = exprs.get(f.name, exprs.get(f.attname))
        if expr is not None:
            cols.append(f.column)
            vals.append(expr)
        elif isinstance(f, models.AutoField) or f.null:
            continue
        elif f.has_default():
            cols.append(f.column)
            vals.append(
                "gen_random_uuid()"
                if f.get_internal_type() == "UUIDField"
                else literal(f, f.get_default())
            )
        else:
            cols.append(f.column)
            vals.append(empty(f))
    return cols, vals


def insert_select(
    model: type[models.Model], exprs: Mapping[str, str], source: str, *, warn=print
) -> str:
    """`INSERT INTO <table> (<cols>) SELECT <exprs> FROM <source>`."""
    cols, vals = column_values(model, exprs, warn=warn)
    table = model._meta.db_table
    select = ",\n       ".join(vals)
    return f"INSERT INTO {table} ({', '.join(cols)})\nSELECT {select}\nFROM {source}"


def m2m_table(model: type[models.Model], field: str) -> tuple[str, str, str]:
    """(table, column of `model`'s side, column of the other side) of a many-to-many."""
    f = model._meta.get_field(field)
    through = f.remote_field.through
    return through._meta.db_table, f.m2m_column_name(), f.m2m_reverse_name()


def pick(weights: Mapping[str, float], rnd: str, allowed: Iterable[str] | None = None) -> str:
    """A SQL CASE picking a value by weight from the random column `rnd` (0 ≤ rnd < 1)."""
    items = [(v, w) for v, w in weights.items() if allowed is None or v in set(allowed)]
    if not items:
        items = [(v, 1.0) for v in (allowed or ["other"])]
    total = sum(w for _, w in items)
    acc, parts = 0.0, []
    for value, weight in items[:-1]:
        acc += weight / total
        parts.append(f"WHEN {rnd} < {acc:.6f} THEN {quote(value)}")
    parts.append(f"ELSE {quote(items[-1][0])}")
    return "(CASE " + " ".join(parts) + " END)"


def choose(values: list[str], rnd: str) -> str:
    """One of `values`, uniformly, from the random column `rnd`."""
    arr = "ARRAY[" + ",".join(quote(v) for v in values) + "]"
    return f"({arr})[1 + floor(({rnd}) * {len(values)})::int]"
