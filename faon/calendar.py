"""iCalendar (RFC 5545) files for trainings and events, written by hand (no extra package)."""

from __future__ import annotations

from datetime import UTC, timedelta

from django.conf import settings
from django.utils import timezone

from .models import TrainingEvent


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    # Lines longer than 75 octets are folded with CRLF + space.
    out, raw = [], line.encode()
    while len(raw) > 75:
        cut = 75
        while (raw[cut] & 0xC0) == 0x80:  # do not split a UTF-8 sequence
            cut -= 1
        out.append(raw[:cut].decode())
        raw = b" " + raw[cut:]
    out.append(raw.decode())
    return "\r\n".join(out)


def _utc(dt) -> str:
    return timezone.localtime(dt, UTC).strftime("%Y%m%dT%H%M%SZ")


def ics(events: list[TrainingEvent]) -> str:
    host = settings.SITE_URL.split("//")[-1].split("/")[0] or "localhost"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Family Support Portal//FAON//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    now = _utc(timezone.now())
    for e in events:
        end = e.ends_at or e.starts_at + timedelta(hours=1)
        description = e.description
        if e.ce_credits:
            description += f"\n{e.ce_credits} CE credits."
        lines += [
            "BEGIN:VEVENT",
            f"UID:faon-event-{e.pk}@{host}",
            f"DTSTAMP:{now}",
            f"DTSTART:{_utc(e.starts_at)}",
            f"DTEND:{_utc(end)}",
            f"SUMMARY:{_escape(e.title)}",
            f"DESCRIPTION:{_escape(description)}",
        ]
        if e.location:
            lines.append(f"LOCATION:{_escape(e.location)}")
        if e.online_url:
            lines.append(f"URL:{e.online_url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
