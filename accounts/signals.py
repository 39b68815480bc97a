"""Session hooks: the ones allauth and Django offer for login and MFA enrolment."""

from __future__ import annotations

import time

from allauth.mfa.signals import authenticator_added
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from familysupport.lib import audit

from .middleware import LAST_ACTIVITY, LOGOUT_REASON, SESSION_STARTED


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_STARTED] = now
        request.session[LAST_ACTIVITY] = now
    audit.record(action="accounts.user.logged_in", obj=user, actor=user)


@receiver(authenticator_added)
def audit_authenticator_added(sender, request, user, authenticator, **kwargs):
    audit.record(action="accounts.user.mfa_added", obj=user, actor=user)


@receiver(user_logged_in)
def password_just_given_counts_for_mfa_setup(sender, request, user, **kwargs):
    """A new user who just typed their password goes straight to setting up the
    authenticator: allauth asks for the password again before that set-up unless the
    sign-in is recorded as a (re)authentication. Only without a second factor: anyone
    who has one still confirms before changing it."""
    from allauth.account.internal.flows.login import record_authentication

    from . import selectors

    if request is None or not hasattr(request, "session"):
        return
    if selectors.user_second_factor_added_at(user=user) is None:
        record_authentication(request, user, method="password", reauthenticated=True)


@receiver(user_logged_out)
def stop_taking_calls_at_sign_out(sender, request, user, **kwargs):
    """Nobody signed out (on purpose or by the idle time-out) is offered a caller."""
    from . import services

    if user is not None and getattr(user, "taking_calls", False):
        reason = getattr(request, LOGOUT_REASON, "signed_out") if request else "signed_out"
        services.user_taking_calls_set(user=user, on=False, reason=reason)


@receiver(user_logged_in)
def drop_stale_presence_at_sign_in(sender, request, user, **kwargs):
    """A session that ended without a request (tab closed, then expired) left presence on:
    a new sign-in starts with it off, unless another open page still keeps it fresh."""
    from . import selectors, services

    if user.taking_calls and not selectors.presence_is_fresh(user=user):
        services.user_taking_calls_set(user=user, on=False, reason="stale_at_sign_in")
