"""NUL (U+0000): PostgreSQL refuses it in any text column, JSON included.

Forms refuse it field by field with a message (Django's CharField validator, "Null characters
are not allowed."). What a page reads straight from the query string — searches, filters,
the audit of a list's filter — never passes a form, so the query string is cleaned here, in
one place for every page: a NUL in a search is dropped rather than turned into a 500.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase

NUL = "\x00"


def strip_nul(value: str) -> str:
    return value.replace(NUL, "")


class StripNulFromQueryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if any(NUL in v for values in request.GET.lists() for v in values[1]) or any(
            NUL in k for k in request.GET
        ):
            cleaned = request.GET.copy()
            for key in list(cleaned.keys()):
                cleaned.setlist(key, [strip_nul(v) for v in cleaned.getlist(key)])
            cleaned._mutable = False  # as Django's own request.GET
            request.GET = cleaned  # type: ignore[assignment]
        return self.get_response(request)
