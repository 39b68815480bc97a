"""Where to send the browser after an action: a `next` the user may have tampered with."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback: Any, *, field: str = "next") -> str:
    """The `next` of the request (POST, then GET) when it is a path on this site, else the
    fallback (a URL, a model with get_absolute_url or a URL name).

    Never handed to `redirect()` raw: it would try a value like "-1" as a view name.
    """
    candidate = request.POST.get(field) or request.GET.get(field) or ""
    if (
        candidate
        and "\x00" not in candidate
        and candidate.startswith("/")
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return resolve_url(fallback)
