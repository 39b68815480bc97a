"""Bad input is a 4xx, never a 500.

PostgreSQL cannot store a NUL byte in text (nor "\\u0000" in jsonb). Forms refuse it with a
message next to the field (Django's CharField does); what views read without a form goes
through `posted_text`; a query string with a NUL (a search, a filter, `next`) is refused
whole by the middleware: nobody types one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

NUL = "\x00"
NUL_MESSAGE = "The text contains a character that is not allowed (a NUL byte)."


def posted_text(request: HttpRequest, name: str) -> str:
    """A free-text POST value read without a form; a NUL byte is a ValidationError."""
    value = request.POST.get(name, "")
    if NUL in value:
        raise ValidationError(NUL_MESSAGE)
    return value


def without_nul(value: Any) -> Any:
    """The same value with NUL bytes dropped (drafts, audit details: kept, not refused)."""
    if isinstance(value, str):
        return value.replace(NUL, "")
    if isinstance(value, list | tuple):
        return [without_nul(v) for v in value]
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    return value


class RefuseNulQueryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.META.get("QUERY_STRING", "") or any(
            NUL in key or any(NUL in v for v in values) for key, values in request.GET.lists()
        ):
            return HttpResponse(
                "Bad request: the address contains a character that is not allowed.",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
