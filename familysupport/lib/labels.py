"""Human labels for stored choice values: one place, for every page and export.

`in_person` → "In person", `sliding_scale` → "Sliding scale", `en` → "English": the label
comes from the model field's choices (an ArrayField's inner field for lists); a value no
choice names is shown tidied ("peer_call" → "Peer call") rather than raw.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import global_settings
from django.db import models

SECRET_FIELDS = frozenset({"password", "totp_secret", "secret", "key_hash", "token"})


def tidy(value: Any) -> str:
    text = str(value)
    return text.replace("_", " ").capitalize() if "_" in text or text.islower() else text


# Language codes stored without choices (volunteers', agencies' languages): Django's names.
LANGUAGE_NAMES = {code: str(name) for code, name in global_settings.LANGUAGES}


def field_choices(model: type[models.Model] | models.Model, name: str) -> dict[str, str]:
    field = model._meta.get_field(name)
    inner = getattr(field, "base_field", None)  # ArrayField of choices
    choices = getattr(inner if inner is not None else field, "choices", None) or []
    if not choices and name.endswith(("languages", "language")):
        return LANGUAGE_NAMES
    return {str(k): str(v) for k, v in choices}


def label(value: Any, choices: dict[str, str]) -> str:
    return choices.get(str(value), tidy(value))


def labels(values: Iterable[Any], choices: dict[str, str]) -> list[str]:
    return [label(v, choices) for v in values]


def field_labels(obj: models.Model, name: str) -> list[str]:
    """The labels of `obj.<name>` (a choice field or a list of choices)."""
    value = getattr(obj, name)
    choices = field_choices(obj, name)
    if isinstance(value, list | tuple):
        return labels(value, choices)
    return [] if value in (None, "") else [label(value, choices)]
