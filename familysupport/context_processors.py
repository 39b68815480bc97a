from __future__ import annotations

from django.conf import settings

from familysupport.lib import portal as portal_lib


def portal(request):
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "nav_items": portal_lib.fit(portal_lib.menu(user)) if signed_in else [],
        "session_idle_seconds": settings.SESSION_IDLE_TIMEOUT,
        "demo_mode": getattr(settings, "DEMO_MODE", False),
        "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
    }
