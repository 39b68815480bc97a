"""Session hooks: the ones allauth and Django offer for login and MFA enrolment."""

from __future__ import annotations

import time

from allauth.mfa.signals import authenticator_added
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from familysupport.lib import audit

from .middleware import LAST_ACTIVITY, SESSION_STARTED


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
