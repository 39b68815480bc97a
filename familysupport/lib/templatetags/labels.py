"""`{{ provider|labels:"languages" }}` → "English, Spanish" (see familysupport/lib/labels.py)."""

from __future__ import annotations

from django import template
from django.db import models

from familysupport.lib import labels as lib_labels

register = template.Library()


@register.filter(name="labels")
def labels_filter(obj: models.Model, name: str) -> str:
    return ", ".join(lib_labels.field_labels(obj, name))
