"""Phone numbers as families give them, turned into E.164 so the same number matches."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "US"


def to_e164(raw: str, *, region: str = DEFAULT_REGION) -> str | None:
    """`(555) 010-2000` and `+1 555 010 2000` → `+15550102000`; None when not a number.

    Only the shape is checked (`is_possible_number`), not the numbering plan: the 555
    numbers used in demos and tests are "possible" but not "valid", and a real caller's
    number must never be refused because a plan table is out of date.
    """
    text = (raw or "").strip()
    if not text or sum(ch.isdigit() for ch in text) < 7:
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display(e164: str) -> str:
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 1
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)
