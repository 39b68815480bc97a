"""Requests a page makes by itself (htmx, fetch) get a 401, never the login page.

A signed-out htmx or fetch request used to be redirected to the login page like a page
load; the browser follows the redirect silently and the caller receives a full login page
with status 200 — swapped into a fragment, or taken as a successful autosave (the
crisis-call page lost notes that way). Here, for every fragment endpoint of the portal,
such an answer becomes `401 {"signed_in": false, "login_url": ...}` so the page can keep
what was typed and ask the user to sign in again.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import resolve_url

REDIRECTS = frozenset({301, 302, 303, 307, 308})


def is_fragment_request(request: HttpRequest) -> bool:
    headers = request.headers
    return bool(
        headers.get("HX-Request")
        or headers.get("X-Background-Poll")
        or headers.get("X-Requested-With")
        or headers.get("Accept", "").startswith("application/json")
    )


class SignedOutFragmentMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not is_fragment_request(request):
            return response
        login = resolve_url(settings.LOGIN_URL)
        to_login = (
            response.status_code in REDIRECTS
            and urlsplit(response.get("Location", "")).path == login
        )
        if to_login or response.status_code == 401:
            signed_out = JsonResponse({"signed_in": False, "login_url": login}, status=401)
            signed_out["Cache-Control"] = "no-store"
            return signed_out
        return response
