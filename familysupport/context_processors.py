from __future__ import annotations

from django.conf import settings

from familysupport.lib import portal as portal_lib
from familysupport.lib.access import CASEWORKERS


def portal(request):
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "nav_items": portal_lib.fit(portal_lib.menu(user)) if signed_in else [],
        "session_idle_seconds": settings.SESSION_IDLE_TIMEOUT,
        "demo_mode": getattr(settings, "DEMO_MODE", False),
        "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
        # The "taking calls" switch and the screen-pop poller (cases/phone_pop.py).
        "can_take_calls": signed_in and user.role in CASEWORKERS,
        "taking_calls": signed_in and user.role in CASEWORKERS and user.taking_calls,
    }
