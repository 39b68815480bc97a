from __future__ import annotations

from django import template
from django.urls import NoReverseMatch

register = template.Library()


@register.filter
def case_url(case) -> str:
    """The case page's URL, or "" while the cases app has no such page (built in parallel)."""
    try:
        return case.get_absolute_url()
    except NoReverseMatch:
        return ""
