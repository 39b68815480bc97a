"""Template filters available on every page (a TEMPLATES builtin): `{{ family.phone|phone }}`."""

from __future__ import annotations

from django import template

from . import phones

register = template.Library()


@register.filter
def phone(value: str | None) -> str:
    """E.164 as people read it: `(555) 010-7788`, foreign numbers with their country code."""
    return phones.display(value or "")
