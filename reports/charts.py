"""Server-side SVG bar charts: geometry computed here, drawn by a template, no script.

Each chart is shown next to its table (the data table alternative); the SVG itself has a
title, a description and a <title> per bar for pointer users.
"""

from __future__ import annotations

from typing import Any

from .figures import MONTHS

WIDTH = 640
BAR_AREA = 200  # height of the bars' area in vertical charts
ROW_HEIGHT = 22  # per bar in horizontal charts
LEFT = 250  # label room in horizontal charts


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000):
        top = -(-value // step) * step
        if top / step <= 5:
            return float(top)
    magnitude = 10 ** (len(str(int(value))) - 1)
    return float(-(-value // magnitude) * magnitude)


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def vertical(title: str, labels: list[str], values: list[Any]) -> dict:
    top = _nice_max(max([_number(v) for v in values] or [0]))
    slot = (WIDTH - 60) / max(len(values), 1)
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = BAR_AREA * _number(value) / top
        x = 50 + i * slot + slot * 0.15
        bars.append(
            {
                "label": label,
                "value": value,
                "x": round(x, 1),
                "y": round(20 + BAR_AREA - h, 1),
                "w": round(slot * 0.7, 1),
                "h": round(h, 1),
                "label_x": round(x + slot * 0.35, 1),
                "value_y": round(20 + BAR_AREA - h - 4, 1),
            }
        )
    ticks = [
        {
            "value": int(top * k / 4) if top >= 4 else round(top * k / 4, 2),
            "y": round(20 + BAR_AREA - BAR_AREA * k / 4, 1),
        }
        for k in range(5)
    ]
    return {
        "kind": "vertical",
        "title": title,
        "width": WIDTH,
        "height": 20 + BAR_AREA + 30,
        "base_y": 20 + BAR_AREA,
        "label_y": 20 + BAR_AREA + 18,
        "bars": bars,
        "ticks": ticks,
        "summary": ", ".join(f"{b['label']}: {b['value']}" for b in bars),
    }


def horizontal(title: str, labels: list[str], values: list[Any]) -> dict:
    top = _nice_max(max([_number(v) for v in values] or [0]))
    span = WIDTH - LEFT - 50
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        w = span * _number(value) / top
        y = 10 + i * ROW_HEIGHT
        bars.append(
            {
                "label": label,
                "value": value,
                "x": LEFT,
                "y": y,
                "w": round(w, 1),
                "h": ROW_HEIGHT - 6,
                "label_x": LEFT - 6,
                "text_y": y + ROW_HEIGHT - 10,
                "value_x": round(LEFT + w + 4, 1),
            }
        )
    return {
        "kind": "horizontal",
        "title": title,
        "width": WIDTH,
        "height": 20 + len(bars) * ROW_HEIGHT,
        "bars": bars,
        "summary": ", ".join(f"{b['label']}: {b['value']}" for b in bars),
    }


def for_table(t: dict) -> dict | None:
    """The chart a table asks for (its `chart` spec), or None."""
    spec = t.get("chart")
    if not spec:
        return None
    if spec["kind"] == "months":
        return vertical(spec["title"], MONTHS, spec["values"])
    column = spec["column"]
    labels = [r["label"] for r in t["rows"]]
    values = [r["cells"].get(column) for r in t["rows"]]
    if spec["kind"] == "rows":
        return vertical(spec["title"], labels, values)
    return horizontal(spec["title"], labels, values)
