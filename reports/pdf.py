"""The yearly report as a PDF for board packs (reportlab, fonts from lib.pdf).

Headline figures, every table with its chart, the notes and definitions with their
version, and a stamp: published (with the date) or live (computed at). The public-release
variant is made from disclosure.public_results and has no charts: bar lengths would show
the suppressed counts.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone

from familysupport.lib import dates, pdf

from . import charts, definitions

MONTHS = charts.MONTHS


def _chart_series(t: dict) -> tuple[str, list[str], list[float]] | None:
    spec = t.get("chart")
    if not spec:
        return None
    if spec["kind"] == "months":
        return spec["title"], list(MONTHS), [charts._number(v) for v in spec["values"]]
    labels = [r["label"] for r in t["rows"]]
    values = [charts._number(r["cells"].get(spec["column"])) for r in t["rows"]]
    return spec["title"], labels, values


def _chart(t: dict, width: float):
    """A bar chart drawing of the table's chart spec (same data as the page's SVG)."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
    from reportlab.graphics.shapes import Drawing, String

    series = _chart_series(t)
    if series is None:
        return None
    title, labels, values = series
    horizontal = t["chart"]["kind"] == "bars"
    height = 40 + 16 * len(values) if horizontal else 160
    drawing = Drawing(width, height + 20)
    chart = HorizontalBarChart() if horizontal else VerticalBarChart()
    chart.x, chart.y = (150 if horizontal else 40), 20
    chart.width, chart.height = width - chart.x - 10, height - 20
    chart.data = [values]
    chart.categoryAxis.categoryNames = [label[:28] for label in labels]
    chart.categoryAxis.labels.fontName = pdf.FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = pdf.FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    if not horizontal and len(labels) > 6:
        chart.categoryAxis.labels.angle = 30
        chart.categoryAxis.labels.boxAnchor = "ne"
    drawing.add(chart)
    drawing.add(String(0, height + 6, title, fontName=pdf.FONT, fontSize=9))
    return drawing


def _cell(column: dict, value: Any) -> str:
    if value is None:
        return "—"
    if column["kind"] == "money":
        return f"${value}"
    if column["kind"] == "rate" and value != "withheld":
        return f"{value}%"
    return str(value)


def stamp(*, year: int, snapshot, run, source: str) -> str:
    """Published (with date) or live (computed at), in the division's time zone."""
    tz = dates.division_tz()
    if source == "snapshot" and snapshot is not None:
        return (
            f"Published {timezone.localtime(snapshot.published_at, tz):%Y-%m-%d}"
            f" (figures as of {timezone.localtime(snapshot.as_of, tz):%Y-%m-%d %H:%M}),"
            f" definitions version {snapshot.definitions_version}"
            + (f". Note: {snapshot.note}" if snapshot.note else "")
        )
    computed = run.finished_at if run is not None else timezone.now()
    return (
        f"Live figures, not published — computed {timezone.localtime(computed, tz):%Y-%m-%d %H:%M}"
        f" ({tz.key}), definitions version {definitions.DEFINITIONS_VERSION}"
    )


def render(*, year: int, results: dict, stamp_text: str, public: bool) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.units import inch
    from reportlab.platypus import (
        KeepTogether,
        LongTable,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        TableStyle,
    )

    styles = pdf.styles()
    body = styles["BodyText"]
    small = body.clone("small", fontSize=8, leading=10)
    cell = body.clone("cell", fontSize=7, leading=8.5)
    title = f"By the Numbers {year}" + (" — public release" if public else "")

    def p(text: str, style=body) -> Paragraph:
        return Paragraph(escape(text), style)

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(pdf.FONT, 7)
        canvas.drawString(0.6 * inch, 0.4 * inch, f"{title} · {stamp_text}")
        canvas.drawRightString(7.9 * inch, 0.4 * inch, f"Page {doc.page}")
        canvas.restoreState()

    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=letter,
        title=title,
        author="Family Advocacy division",
        leftMargin=0.6 * inch,
        rightMargin=0.6 * inch,
        topMargin=0.6 * inch,
        bottomMargin=0.7 * inch,
    )
    width = doc.width
    story: list[Any] = [Paragraph(escape(title), styles["Title"]), p(stamp_text, small)]
    if public:
        story.append(
            p("Public release: small counts are suppressed as stated under Definitions.", small)
        )
    story.append(Paragraph("Headline figures", styles["Heading2"]))
    for key, meta in definitions.HEADLINES.items():
        value = results.get("headline", {}).get(key)
        story.append(Paragraph(f"<b>{escape(meta['title'])}: {escape(str(value))}</b>", body))
        story.append(p(meta["definition"], small))
    for t in results.get("tables", []):
        if t["key"] == "headline":
            continue
        header = [t.get("row_header") or "Category", *(c["label"] for c in t["columns"])]
        lines = [*t["rows"], *([t["total"]] if t.get("total") else [])]
        data = [[p(h, cell) for h in header]]
        for r in lines:
            data.append(
                [
                    p(r["label"], cell),
                    *(p(_cell(c, r["cells"].get(c["key"])), cell) for c in t["columns"]),
                ]
            )
        first = min(1.6 * inch, width * 0.3)
        rest = (width - first) / max(len(t["columns"]), 1)
        table = LongTable(data, colWidths=[first, *([rest] * len(t["columns"]))], repeatRows=1)
        style = [
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dee2e6")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        if t.get("total"):
            style.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f1f3f5")))
        table.setStyle(TableStyle(style))
        block: list[Any] = [Spacer(1, 8), Paragraph(escape(t["title"]), styles["Heading3"])]
        chart = None if public else _chart(t, width)
        if chart is not None:
            block.append(chart)
        story.append(KeepTogether(block))
        story.append(table)
        if t.get("note"):
            story.append(p(t["note"], small))
    story.append(
        Paragraph(
            f"Definitions (version {escape(definitions.DEFINITIONS_VERSION)})", styles["Heading2"]
        )
    )
    for note in definitions.NOTES:
        story.append(p(f"• {note}", small))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
