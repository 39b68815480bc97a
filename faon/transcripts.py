"""The continuing-education transcript PDF, drawn with reportlab like the certificate
(same embedded font, so names and titles print in any script)."""

from __future__ import annotations

import io
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas

from familysupport.lib import dates
from familysupport.lib import pdf as pdf_fonts

from .models import Transcript


def _fit(pdf: canvas.Canvas, text: str, font: str, size: float, width: float) -> str:
    """Shorten `text` with an ellipsis until it fits `width` points."""
    if pdf.stringWidth(text, font, size) <= width:
        return text
    while text and pdf.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def transcript_pdf(transcript: Transcript) -> bytes:
    font = pdf_fonts.register_fonts()
    buffer = io.BytesIO()
    width, height = letter
    pdf = canvas.Canvas(buffer, pagesize=letter, pageCompression=0)
    pdf.setTitle(f"FAON continuing-education transcript {transcript.year}")
    pdf.setAuthor(settings.ORGANISATION_NAME)
    left, right = inch, width - inch

    def header(y: float) -> float:
        pdf.setFont(font, 9)
        pdf.drawString(left, y, "Date")
        pdf.drawString(left + 1.0 * inch, y, "Training or event")
        pdf.drawString(right - 1.6 * inch, y, "Kind")
        pdf.drawRightString(right - 0.1 * inch, y, "Credits")
        pdf.line(left, y - 4, right, y - 4)
        return y - 18

    pdf.setFont(font, 13)
    pdf.drawString(left, height - inch, settings.ORGANISATION_NAME)
    pdf.setFont(font, 20)
    pdf.drawString(left, height - 1.45 * inch, f"Continuing-education transcript {transcript.year}")
    pdf.setFont(font, 12)
    pdf.drawString(left, height - 1.8 * inch, transcript.name_on_transcript)
    y = header(height - 2.3 * inch)
    pdf.setFont(font, 10)
    for line in transcript.lines:
        if y < 2.2 * inch:  # leave room for the signature block
            pdf.showPage()
            y = header(height - inch)
            pdf.setFont(font, 10)
        pdf.drawString(left, y, line["date"])
        pdf.drawString(
            left + 1.0 * inch, y, _fit(pdf, line["title"], font, 10, right - left - 2.8 * inch)
        )
        pdf.drawString(right - 1.6 * inch, y, _fit(pdf, line["kind"], font, 10, 1.0 * inch))
        pdf.drawRightString(right - 0.1 * inch, y, f"{Decimal(line['credits']):.1f}")
        y -= 15
    pdf.line(left, y + 8, right, y + 8)
    pdf.setFont(font, 11)
    pdf.drawString(left, y - 6, "Total credit hours")
    pdf.drawRightString(right - 0.1 * inch, y - 6, f"{transcript.credit_hours:.1f}")

    # The division's signature line, the code and where to check it.
    pdf.setFont(font, 10)
    pdf.line(left, 1.55 * inch, left + 3 * inch, 1.55 * inch)
    pdf.drawString(left, 1.38 * inch, f"For the {settings.ORGANISATION_NAME}")
    issued = timezone.localtime(transcript.issued_at, dates.division_tz())
    pdf.drawString(left, 1.18 * inch, f"Issued {issued:%B %d, %Y}")
    verify_url = settings.SITE_URL.rstrip("/") + reverse("faon:certificate_verify")
    pdf.drawRightString(right, 1.38 * inch, f"Verification code: {transcript.code}")
    pdf.drawRightString(right, 1.18 * inch, f"Verify at {verify_url}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
