from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import Resolver404, resolve

from . import selectors

# Requests the page makes on its own (session countdown, notification badge) carry this
# header; they must not count as activity or an idle session would never end.
BACKGROUND_HEADER = "HTTP_X_BACKGROUND_POLL"
SESSION_STARTED = "fsp_session_started"
MFA_PASSED = "fsp_mfa_passed"
ACTIVITY_RESOLUTION = 60  # seconds
LAST_ACTIVITY = "fsp_last_activity"
# Set on the request before a time-out's logout: the sign-out hooks record why (presence).
LOGOUT_REASON = "fsp_logout_reason"

# Pages a signed-in user may open before the second factor is set up or passed.
MFA_EXEMPT_URL_NAMES = frozenset(
    {
        "account_logout",
        "mfa_activate_totp",
        "mfa_index",
        "mfa_generate_recovery_codes",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_add_webauthn",
        "mfa_authenticate",
        "account_reauthenticate",
        "health",
        "session_status",
        "session_keepalive",
    }
)


def is_background(request) -> bool:
    return request.META.get(BACKGROUND_HEADER) == "1"


class SessionTimeoutMiddleware:
    """End sessions idle for SESSION_IDLE_TIMEOUT or older than SESSION_ABSOLUTE_TIMEOUT."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.setdefault(SESSION_STARTED, now)
            last = request.session.get(LAST_ACTIVITY, now)
            idle = now - last > settings.SESSION_IDLE_TIMEOUT
            too_old = now - started > settings.SESSION_ABSOLUTE_TIMEOUT
            if idle or too_old:
                setattr(request, LOGOUT_REASON, "idle_timeout" if idle else "session_expired")
                logout(request)
                if is_background(request) or request.headers.get("HX-Request"):
                    response = HttpResponse(status=401)
                    response["HX-Redirect"] = resolve_url(settings.LOGIN_URL)
                    return response
                messages.info(request, "You were signed out after a period of inactivity.")
                return redirect_to_login(request.get_full_path())
            # Written at most once a minute: a session save is a transaction of its own.
            if not is_background(request) and now - last >= ACTIVITY_RESOLUTION:
                request.session[LAST_ACTIVITY] = now
        return self.get_response(request)


class RequireSecondFactorMiddleware:
    """No page beyond the MFA set-up/step is reachable on a password alone, for any role."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.session.get(MFA_PASSED)
            and not self._exempt(request)
        ):
            added_at = selectors.user_second_factor_added_at(user=user)
            not_passed = added_at is None or not self._passed_in_session(
                request, added_at.timestamp()
            )
            if not_passed and (is_background(request) or request.headers.get("HX-Request")):
                # A badge or poll must not load the set-up page: that would draw a new
                # TOTP secret behind the user's back.
                return HttpResponse(status=401)
            if added_at is None:
                messages.info(request, "Set up an authenticator app to protect your account.")
                return redirect("mfa_activate_totp")
            if not self._passed_in_session(request, added_at.timestamp()):
                # Signed in without the MFA step (should not happen through the login
                # flow): start again rather than trust the session.
                logout(request)
                return redirect_to_login(request.get_full_path())
            # Passed once in this session: no authenticator query on every later request.
            request.session[MFA_PASSED] = True
        return self.get_response(request)

    @staticmethod
    def _exempt(request) -> bool:
        if request.path.startswith(settings.STATIC_URL):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return True
        return match.url_name in MFA_EXEMPT_URL_NAMES

    @staticmethod
    def _passed_in_session(request, added_at: float) -> bool:
        # Enrolling a device in this session proved it (allauth checked a code from it).
        if added_at >= request.session.get(SESSION_STARTED, float("inf")) - 1:
            return True
        methods = request.session.get("account_authentication_methods", [])
        return any(m.get("method") == "mfa" for m in methods)


class NoStoreMiddleware:
    """Pages about families must not linger in browser or proxy caches."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response
