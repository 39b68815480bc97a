"""The family's itinerary: page context, cost totals and the PDF (reportlab)."""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO
from typing import Any

from django.utils import timezone

from familysupport.lib import pdf

from .models import ZERO, Segment, TravelRequest

GROUPS = (
    ("transport", "Transport"),
    ("lodging", "Lodging"),
    ("ground", "Ground"),
    ("other", "Other"),
)


def totals(segments: Iterable[Segment]) -> dict[str, Any]:
    """Estimated and actual cost by group (transport, lodging, ground, other) and overall."""
    rows = {key: {"label": label, "estimated": ZERO, "actual": ZERO} for key, label in GROUPS}
    for s in segments:
        row = rows[s.cost_group]
        row["estimated"] += s.estimated_cost
        row["actual"] += s.actual_cost if s.actual_cost is not None else ZERO
    return {
        "groups": [rows[key] for key, _ in GROUPS],
        "estimated": sum((r["estimated"] for r in rows.values()), ZERO),
        "actual": sum((r["actual"] for r in rows.values()), ZERO),
    }


def context(tr: TravelRequest) -> dict[str, Any]:
    segments = list(tr.segments.all())
    return {
        "tr": tr,
        "segments": segments,
        "travellers": list(tr.travellers.all()),
        "checklist": list(tr.checklist.all()) if tr.is_international else [],
        "generated_at": timezone.localtime(),
    }


def render_pdf(tr: TravelRequest) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.units import inch
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    ctx = context(tr)
    buf = BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=LETTER,
        title=f"Travel itinerary {tr.reference}",
        author="Family Advocacy division",
        leftMargin=0.7 * inch,
        rightMargin=0.7 * inch,
    )
    styles = pdf.styles()  # an embedded font: travellers' names print in any script
    body = styles["BodyText"]

    def p(text: str) -> Paragraph:
        from xml.sax.saxutils import escape

        return Paragraph(escape(text), body)

    story: list[Any] = [
        Paragraph(f"Travel itinerary {tr.reference}", styles["Title"]),
        p(
            f"Destination: {tr.destination_city}"
            f"{', ' + tr.destination_state if tr.destination_state else ''}, "
            f"{tr.destination_country}"
        ),
        p(f"Travellers: {', '.join(str(t) for t in ctx['travellers']) or 'see your advocate'}"),
    ]
    if tr.escorts:
        story.append(p(f"Escorts: {tr.escorts}"))
    story.append(Spacer(1, 12))
    data = [["What", "When", "From / to", "Provider", "Confirmation"]]
    for s in ctx["segments"]:
        when = s.when_display
        where = " to ".join(x for x in (s.from_place, s.to_place) if x)
        data.append(
            [
                p(s.get_kind_display()),
                p(when),
                p(where),
                p(s.provider),
                p(s.confirmation_code),
            ]
        )
    if len(data) == 1:
        data.append(["", "No segments booked yet.", "", "", ""])
    table = Table(data, colWidths=[0.9 * inch, 1.9 * inch, 1.9 * inch, 1.3 * inch, 1.1 * inch])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), pdf.FONT),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dee2e6")),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [Paragraph("Your trip", styles["Heading2"]), table]
    if ctx["checklist"]:
        story += [Spacer(1, 12), Paragraph("Documents to bring", styles["Heading2"])]
        for item in ctx["checklist"]:
            mark = "[x]" if item.is_done else "[ ]"
            note = f" - {item.note}" if item.note else ""
            story.append(p(f"{mark} {item.get_kind_display()}{note}"))
    story += [
        Spacer(1, 12),
        p("Keep this itinerary with you. Call your advocate if anything changes."),
        p(f"Printed {ctx['generated_at']:%d %b %Y %H:%M}."),
    ]
    doc.build(story)
    return buf.getvalue()
