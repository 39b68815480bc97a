"""The new-call duplicate search in one SQL statement (see `selectors.family_suggest`).

It runs on every pause in the advocate's typing, so it is written for speed at 250,000
families: one round trip for every lookup and the open cases of what was found (under
load each round trip waits for a CPU), only the columns shown, every lookup an index path
that stops after a few rows, and the slow trigram ranking only on a capped candidate set.
Built with the ORM the same lookups took 30-50 ms of Python per keystroke. Who may see
which family still comes from cases/restricted.py, compiled into the statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from accounts.models import User

from . import restricted
from .models import Case, Family

SUGGEST_LIMIT = 8
# A typed name matches a family's contact name when the name contains it (any case) or,
# failing a screenful of those, when it is "word-similar" to a part of the name: pg_trgm
# word_similarity ≥ 0.6 ("Okonkwa" → "Margaret Okonkwo", "Rosa Scett" → "Rosa Scott").
# Plain similarity ≥ 0.3, used before, let every family sharing only a first name through
# the trigram index (5,000 "Rosa …" fetched, scored and sorted per keystroke, 100+ ms).
WORD_SIMILARITY = 0.6
# At most this many word-similar names are scored per search: a typo in a common surname
# ("Garcio") matches thousands of families equally well.
SIMILAR_CANDIDATES = 100
LETTERS_IN_A_ROW = re.compile(r"[^\W_]{3}")
REASONS = ("same phone", "same case number", "similar name")
OPEN_STATUSES = (Case.Status.OPEN, Case.Status.ACTIVE, Case.Status.ON_HOLD)


def _in_model_order(model, *names: str) -> tuple[str, ...]:
    """`Model.from_db` takes a subset of the fields in the model's own order."""
    order = [f.attname for f in model._meta.concrete_fields]
    return tuple(sorted(names, key=order.index))


# What a suggestion shows.
FAMILY_COLUMNS = _in_model_order(Family, "id", "display_name", "contact_name", "phone")
CASE_COLUMNS = _in_model_order(
    Case, "id", "family_id", "case_type", "status", "external_case_number"
)
ADVOCATE_COLUMNS = _in_model_order(User, "id", "full_name", "email")


@dataclass
class Found:
    family: Family
    reasons: list[str] = field(default_factory=list)
    open_cases: list[Case] = field(default_factory=list)


def find_families(*, user, phone_e164: str | None, number: str, name: str) -> list[Found]:
    """Families the user may see that match, best first: phone, case number, then names
    containing what was typed, then word-similar names, closest first."""
    searches_name = sum(ch.isalnum() for ch in name) >= 3
    if not (phone_e164 or number or searches_name):
        return []  # the first keystrokes: nothing to search yet
    params: list[Any] = [str(WORD_SIMILARITY)]
    ctes, branches = [], []
    visible = "f.merged_into_id IS NULL"
    hidden = restricted.hidden_family_ids(user)
    if hidden is not None:
        hidden_sql, hidden_params = hidden.query.sql_with_params()
        ctes.append(f"hidden (family_id) AS ({hidden_sql})")
        params += hidden_params
        visible += " AND f.id NOT IN (SELECT family_id FROM hidden)"

    def branch(label: str, reason: int, where: str, *values: Any) -> None:
        ctes.append(
            f"{label} AS (SELECT f.id, {reason} AS reason, 1.0::real AS closeness"  # noqa: S608
            f" FROM cases_family f WHERE {where} AND {visible} LIMIT {SUGGEST_LIMIT})"
        )
        branches.append(label)
        params.extend(values)

    if phone_e164:
        branch("by_phone", 0, "(f.phone = %s OR f.phone_alt = %s)", phone_e164, phone_e164)
    if number:
        where = (
            "f.id IN (SELECT c.family_id FROM cases_case c"
            " WHERE UPPER(c.external_case_number) = UPPER(%s))"
        )
        branch("by_number", 1, where, number)
    if searches_name:
        # Word-similar names only when fewer than a screenful contain the name (a count of
        # at most 8 rows).
        only_if_few = ""
        # LIKE '%…%' goes through the trigram index only with 3 letters in a row in it
        # (without, PostgreSQL reads the whole index); the word-similar search pads words.
        if LETTERS_IN_A_ROW.search(name):
            where = "UPPER(f.contact_name) LIKE UPPER(%s)"
            branch("containing", 2, where, _like_pattern(name))
            only_if_few = (
                " AND f.id NOT IN (SELECT id FROM containing)"  # noqa: S608
                f" AND (SELECT count(*) FROM containing) < {SUGGEST_LIMIT}"
            )
        # A LIMITed candidate set first, ranked after: ordering every word-similar name by
        # similarity would fetch and score them all.
        ctes.append(
            "similar_name AS (SELECT id, 2 AS reason, similarity(contact_name, %s) AS closeness"  # noqa: S608
            " FROM (SELECT f.id, f.contact_name FROM cases_family f"
            f" WHERE %s <%% f.contact_name AND {visible}{only_if_few}"
            f" LIMIT {SIMILAR_CANDIDATES}) AS candidate"
            f" ORDER BY closeness DESC LIMIT {SUGGEST_LIMIT})"
        )
        branches.append("similar_name")
        params += [name, name]
    # S608 on these f-strings: they join constants and the ORM's compiled SQL; every typed
    # value is a bind parameter.
    found = " UNION ALL ".join(f"SELECT * FROM {b}" for b in branches)  # noqa: S608
    params += OPEN_STATUSES
    # The families are visible, and a restriction covers a whole family, so their cases
    # are too.
    sql = (
        # The threshold of `<%`, for this transaction only.
        "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true);"  # noqa: S608
        f" WITH {', '.join(ctes)}, found AS ({found})"
        f" SELECT found.reason, {', '.join(f'f.{c}' for c in FAMILY_COLUMNS)},"
        "  (SELECT json_agg(json_build_array("
        + ", ".join(f"c.{c}" for c in CASE_COLUMNS)
        + ", "
        + ", ".join(f"u.{c}" for c in ADVOCATE_COLUMNS)
        + ") ORDER BY c.opened_at DESC)"
        "   FROM cases_case c LEFT JOIN accounts_user u ON u.id = c.assigned_advocate_id"
        "   WHERE c.family_id = f.id AND c.status IN (%s, %s, %s))"
        " FROM found JOIN cases_family f ON f.id = found.id"
        " ORDER BY found.reason, found.closeness DESC, f.display_name, f.id"
    )
    with connection.cursor() as cursor:
        # Two statements in one round trip (client-side binding): the setting, the search.
        cursor.execute(sql, params)
        cursor.cursor.nextset()
        rows = cursor.fetchall()
    return _build(rows)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _build(rows: list[tuple]) -> list[Found]:
    alias = connection.alias
    found: dict[int, Found] = {}
    for reason, *family_values, cases in rows:
        family_id = family_values[0]
        if family_id in found:
            found[family_id].reasons.append(REASONS[reason])
            continue
        family = Family.from_db(alias, FAMILY_COLUMNS, family_values)
        item = found[family_id] = Found(family, [REASONS[reason]])
        for values in cases or []:  # json arrays: the case's columns, then its advocate's
            case = Case.from_db(alias, CASE_COLUMNS, values[: len(CASE_COLUMNS)])
            advocate = values[len(CASE_COLUMNS) :]
            if advocate[0] is not None:
                case.assigned_advocate = User.from_db(alias, ADVOCATE_COLUMNS, advocate)
            case.family = family
            item.open_cases.append(case)
    return list(found.values())
