"""The one-page yearly membership certificate, drawn with reportlab on demand."""

from __future__ import annotations

import io

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas

from familysupport.lib import dates
from familysupport.lib import pdf as pdf_fonts

from .models import Certificate


def certificate_pdf(cert: Certificate) -> bytes:
    font = pdf_fonts.register_fonts()  # embedded: a member's name prints in any script
    buffer = io.BytesIO()
    width, height = landscape(letter)
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=0)
    pdf.setTitle(f"FAON membership certificate {cert.year}")
    pdf.setAuthor(settings.ORGANISATION_NAME)
    pdf.setLineWidth(3)
    pdf.rect(0.5 * inch, 0.5 * inch, width - inch, height - inch)
    pdf.setLineWidth(1)
    pdf.rect(0.62 * inch, 0.62 * inch, width - 1.24 * inch, height - 1.24 * inch)

    pdf.setFont(font, 16)
    pdf.drawCentredString(width / 2, height - 1.5 * inch, settings.ORGANISATION_NAME)
    pdf.setFont(font, 30)
    pdf.drawCentredString(width / 2, height - 2.3 * inch, "Certificate of Membership")
    pdf.setFont(font, 14)
    pdf.drawCentredString(width / 2, height - 2.9 * inch, "This certifies that")
    pdf.setFont(font, 24)
    pdf.drawCentredString(width / 2, height - 3.6 * inch, cert.name_on_certificate)
    pdf.setFont(font, 14)
    pdf.drawCentredString(
        width / 2,
        height - 4.3 * inch,
        f"was a member in good standing of the Family Advocacy Outreach Network in {cert.year}.",
    )
    pdf.drawCentredString(
        width / 2,
        height - 4.7 * inch,
        "Thank you for serving the families of missing and exploited children.",
    )
    pdf.setFont(font, 11)
    verify_url = settings.SITE_URL.rstrip("/") + reverse("faon:certificate_verify")
    pdf.drawCentredString(width / 2, 1.45 * inch, f"Verification code: {cert.code}")
    pdf.drawCentredString(width / 2, 1.2 * inch, f"Verify at {verify_url}")
    pdf.drawCentredString(
        width / 2,
        0.95 * inch,
        f"Issued {timezone.localtime(cert.issued_at, dates.division_tz()):%B %d, %Y}",
    )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
