"""Public release: every surface goes through reports.disclosure, and no suppressed count
can be recovered by subtraction from the totals the table prints."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from reports import disclosure

from . import factories as f
from .factories import ny

SMALL = re.compile(r"(?<![\d<.,:/$+-])\b[1-9]\b(?![\d.,:%/])")


# --- the rule, on generated tables --------------------------------------------------------


def _table(grid: list[list[int]]) -> dict:
    """A contacts-like table: months, a row total, a total row."""
    months = [f"m{m}" for m in range(1, 13)]
    columns = [{"key": k, "label": k, "kind": "count"} for k in [*months, "total"]]

    def line(key: str, values: list[int]) -> dict:
        return {
            "key": key,
            "label": key,
            "cells": {**dict(zip(months, values, strict=True)), "total": sum(values)},
        }

    rows = [line(f"r{i}", values) for i, values in enumerate(grid)]
    column_sums = [sum(v[i] for v in grid) for i in range(12)]
    return {
        "key": "contacts",
        "title": "t",
        "columns": columns,
        "rows": rows,
        "total": line("all", column_sums),
    }


def _recover(t: dict, public: dict) -> dict:
    """What an attacker works out: solve every printed sum with one unknown, repeatedly."""
    known = {}
    unknown = set()
    for r in [*public["rows"], public["total"]]:
        for k, v in r["cells"].items():
            (
                unknown.add((r["key"], k))
                if v in disclosure.HIDDEN
                else known.update({(r["key"], k): v})
            )
    recovered = {}
    progress = True
    while progress:
        progress = False
        for total, parts in disclosure.equations(t):
            cells = [total, *parts]
            missing = [c for c in cells if c not in known]
            if len(missing) != 1:
                continue
            (cell,) = missing
            s = sum(known[p] for p in parts if p in known)
            known[cell] = s if cell == total else known[total] - s
            recovered[cell] = known[cell]
            progress = True
    return recovered


grids = st.lists(
    st.lists(st.one_of(st.integers(0, 12), st.integers(10, 400)), min_size=12, max_size=12),
    min_size=1,
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(grids)
def test_no_suppressed_count_can_be_derived_from_totals(grid):
    t = _table(grid)
    public = disclosure.public_table(t)
    raw = {(r["key"], k): v for r in [*t["rows"], t["total"]] for k, v in r["cells"].items()}
    shown = {
        (r["key"], k): v for r in [*public["rows"], public["total"]] for k, v in r["cells"].items()
    }
    for cell, value in raw.items():
        if 1 <= value <= 9:
            assert shown[cell] == disclosure.SUPPRESSED, cell
        elif shown[cell] not in disclosure.HIDDEN:
            assert shown[cell] == value  # nothing else is changed
    assert _recover(t, public) == {}


def test_single_small_cell_in_a_column_hides_a_second_one():
    t = _table([[5] + [0] * 11, [40] + [0] * 11])
    public = disclosure.public_table(t)
    rows = {r["key"]: r["cells"] for r in public["rows"]}
    assert rows["r0"]["m1"] == "<10" and rows["r1"]["m1"] == "*"
    assert public["total"]["cells"]["m1"] == 45  # the total stays; a+b=45 has two unknowns


def test_a_rate_on_a_hidden_count_is_withheld():
    """A rate of a complementary-hidden count times its whole would give the count back."""
    t = {
        "key": "x",
        "columns": [
            {"key": "n", "label": "n", "kind": "count"},
            {"key": "rate", "label": "%", "kind": "rate", "basis": "n"},
        ],
        "rows": [
            {"key": "a", "label": "a", "cells": {"n": 4, "rate": 10.0}},
            {"key": "b", "label": "b", "cells": {"n": 36, "rate": 90.0}},
        ],
        "total": {"key": "all", "label": "all", "cells": {"n": 40, "rate": 100.0}},
    }
    rows = {r["key"]: r["cells"] for r in disclosure.public_table(t)["rows"]}
    assert rows["a"] == {"n": "<10", "rate": "withheld"}
    assert rows["b"] == {"n": "*", "rate": "withheld"}


def test_notes_are_worded_from_public_values():
    t = {
        "key": "peer_calls",
        "columns": [],
        "rows": [],
        "note": "5 families had at least one peer-support call.",
        "note_template": "{families} families had at least one peer-support call.",
        "note_values": {"families": 5},
    }
    assert disclosure.public_table(t)["note"] == "<10 families had at least one peer-support call."
    old_snapshot = {"key": "x", "columns": [], "rows": [], "note": "5 families had a call."}
    assert disclosure.public_table(old_snapshot)["note"] == ""


# --- every public surface of a small data set -----------------------------------------------


def _page_numbers(html: str) -> list[str]:
    """Texts of the page's table cells, headline values and table notes."""
    texts = re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)
    texts += re.findall(r'class="display-6[^"]*"[^>]*>(.*?)</p>', html, re.S)
    texts += re.findall(r'<p class="small text-body-secondary">(.*?)</p>', html, re.S)
    return [re.sub(r"<[^>]+>", "", t).strip() for t in texts]


def _leaks(texts) -> list[str]:
    return [t for t in texts if SMALL.search(str(t).replace("&lt;10", "<10"))]


@pytest.mark.django_db
def test_no_public_surface_prints_a_small_count(edge_year, administrator, login):
    client = login(administrator)
    year = reverse("reports:year", args=[2024])
    client.post(reverse("reports:publish", args=[2024]))
    # A late entry after publication: the changes table has something to show.
    f.contact(f.case(f.family(), opened_at=ny(2023, 5, 1, 9)), at=ny(2024, 9, 9, 9))
    from reports.models import ReportRun

    ReportRun.objects.all().delete()  # rollback-only test: the data version is bumped on commit

    internal = client.get(year).content.decode()
    assert _leaks(_page_numbers(internal))  # the data set does have small counts
    assert "Changes since publication" in internal and "+1" in internal

    for query in ({"public": "1"}, {"public": "1", "view": "live"}):
        html = client.get(year, query).content.decode()
        assert "public release" in html
        assert _leaks(_page_numbers(html)) == [], query
        assert "families had at least one peer-support call" in html
    public_published = client.get(year, {"public": "1"}).content.decode()
    assert "Changes since publication" in public_published
    assert "Difference" not in public_published

    for query in ({"public": "1"}, {"public": "1", "view": "live"}):
        response = client.get(reverse("reports:export", args=[2024, "all", "csv"]), query)
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        cells = [c for r in csv.reader(io.StringIO(body)) for c in r[1:]]
        assert _leaks(cells) == [], query
        response = client.get(reverse("reports:export", args=[2024, "all", "xlsx"]), query)
        book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        values = [
            v
            for ws in book
            for r in ws.iter_rows(min_row=2, min_col=2, values_only=True)
            for v in r
        ]
        assert [v for v in values if isinstance(v, int) and 1 <= v <= 9] == [], query
        assert _leaks(v for v in values if isinstance(v, str)) == [], query

    # The PDF, published and live: its text less the labels, the stamp, page numbers and
    # the definitions (which name the rule's numbers) holds no small count.
    from pypdf import PdfReader

    from reports import services

    run, _ = services.report_live(year=2024, user=administrator)
    labels = sorted(
        {
            text
            for t in run.results["tables"]
            for text in [
                t["title"],
                t.get("row_header") or "",
                *(c["label"] for c in t["columns"]),
                *(r["label"] for r in [*t["rows"], *([t["total"]] if t.get("total") else [])]),
            ]
            if text
        },
        key=len,
        reverse=True,
    )
    for query in ({"public": "1"}, {"public": "1", "view": "live"}):
        response = client.get(reverse("reports:export", args=[2024, "all", "pdf"]), query)
        reader = PdfReader(io.BytesIO(response.content))
        text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
        text = text.split("Definitions (version", 1)[0]
        text = re.sub(r"Page \d+", "", text)
        # Titles, stamps and footers: the year, dates and times (the pattern skips those).
        text = text.replace("By the Numbers 2024", "")
        for label in labels:
            text = text.replace(" ".join(label.split()), "")
        assert "<10" in text
        assert SMALL.findall(text) == [], (query, text)
