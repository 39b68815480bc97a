"""CE transcripts: the year's confirmed credits as a PDF, checked on the public page."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from familysupport.lib import dates
from faon.models import Transcript
from faon.transcripts import transcript_pdf
from tests.faon.factories import AttendanceFactory, EventFactory, ProviderFactory

pytestmark = pytest.mark.django_db

YEAR = dates.today().year - 1


def _at(month: int, day: int, year: int = YEAR) -> datetime:
    return datetime(year, month, day, 15, tzinfo=dates.division_tz())


@pytest.fixture
def member(make_user):
    user = make_user("provider")
    provider = ProviderFactory(name="Renée Ødegård", credentials="LCSW", managers=[user])
    online = EventFactory(title="CONNECT online training", kind="online", ce_credits=Decimal("1.5"))
    meeting = EventFactory(title="Annual FAON meeting", kind="meeting", ce_credits=3)
    AttendanceFactory(provider=provider, event=online, completed_at=_at(2, 3))
    AttendanceFactory(provider=provider, event=meeting, completed_at=_at(10, 9))
    # Not on the transcript: unconfirmed, and completed the year after.
    AttendanceFactory(
        provider=provider, event=EventFactory(), completed_at=_at(5, 5), confirmed_at=None
    )
    AttendanceFactory(provider=provider, event=EventFactory(), completed_at=_at(1, 2, YEAR + 1))
    return user, provider


def _issue(client, provider, year=YEAR):
    return client.post(reverse("faon:transcript_issue", args=[provider.pk]), {"year": year})


def test_member_issues_own_transcript_and_the_code_verifies_publicly(member, login, client):
    user, provider = member
    response = _issue(login(user), provider)
    assert response.status_code == 302
    t = Transcript.objects.get(provider=provider)
    assert t.credit_hours == Decimal("4.5") and t.issued_by == user
    assert [line["title"] for line in t.lines] == ["CONNECT online training", "Annual FAON meeting"]

    pdf = login(user).get(reverse("faon:transcript_pdf", args=[t.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    for expected in ("Renée Ødegård, LCSW", "CONNECT online training", "4.5", t.code):
        assert expected in text
    assert "Total credit hours" in text and "For the" in text  # the signature line

    html = client.get(reverse("faon:certificate_verify"), {"code": t.code.lower()}).content
    html = html.decode()
    assert "continuing-education transcript" in html and "Renée Ødegård, LCSW" in html
    assert "<strong>4.5</strong> credit hours" in html
    html = client.get(reverse("faon:certificate_verify"), {"code": "FAONT-2025-ZZZZ-ZZZZ"})
    assert "No certificate has this code" in html.content.decode()


def test_staff_issue_for_any_member_others_may_not(member, login, make_user):
    _user, provider = member
    assert _issue(login(make_user("supervisor")), provider).status_code == 302
    assert _issue(login(make_user("advocate")), provider).status_code == 403
    assert _issue(login(make_user("provider")), provider).status_code == 404
    assert Transcript.objects.filter(provider=provider).count() == 1


def test_a_year_without_credits_is_refused_next_to_the_year(member, login):
    user, provider = member
    response = _issue(login(user), provider, year=YEAR - 3)
    assert response.status_code == 400
    html = response.content.decode()
    assert f"No confirmed trainings or events in {YEAR - 3}." in html
    assert f'value="{YEAR - 3}"' in html  # what was typed is kept
    assert not Transcript.objects.exists()
    assert _issue(login(user), provider, year="next").status_code == 400


def test_pdf_spills_onto_more_pages_for_a_long_year(member):
    _user, provider = member
    t = Transcript.objects.create(
        provider=provider,
        year=YEAR,
        code="FAONT-2025-LONG-PDF2",
        name_on_transcript="Long Year",
        credit_hours=60,
        lines=[{"date": f"{YEAR}-01-01", "title": "T" * 200, "kind": "Online", "credits": "1.0"}]
        * 60,
    )
    assert len(PdfReader(io.BytesIO(transcript_pdf(t))).pages) >= 2
