"""NUL (U+0000): PostgreSQL refuses it in any text column, JSON included.

Forms refuse it field by field with a message (Django's CharField validator, "Null characters
are not allowed."). What a page reads straight from the query string — searches, filters,
the audit of a list's filter — never passes a form, so the query string is cleaned here, in
one place for every page: a NUL in a search is dropped rather than turned into a 500.
"""

from __future__ import annotations

NUL = "\x00"


def strip_nul(value: str) -> str:
    return value.replace(NUL, "")


class StripNulFromQueryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.GET.urlencode() or "%00" in request.META.get("QUERY_STRING", ""):
            cleaned = request.GET.copy()
            for key in list(cleaned.keys()):
                cleaned.setlist(key, [strip_nul(v) for v in cleaned.getlist(key)])
            request.GET = cleaned
        return self.get_response(request)
