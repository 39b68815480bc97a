"""The portal's URLs plus the signed-in floor (bench only: bench/settings.py points here)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from familysupport.lib import audit
from familysupport.urls import handler403, handler404, handler500
from familysupport.urls import urlpatterns as portal

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


@login_required
def signed_in_floor(request: HttpRequest) -> HttpResponse:
    """What every signed-in page pays before its own work: the session, the user, the
    second-factor and time-out checks, a CSP nonce and one audited read (the user's own
    record stands in for the family or case a detail page reads). It renders nothing."""
    audit.record_read(request.user)
    nonce = getattr(request, "csp_nonce", "")
    return HttpResponse(f"ok {len(str(nonce))}", content_type="text/plain")


urlpatterns = [path("bench/signed-in/", signed_in_floor, name="bench_signed_in"), *portal]
