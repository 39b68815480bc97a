"""Session hooks: the ones allauth and Django offer for login and MFA enrolment."""

from __future__ import annotations

import time

from allauth.mfa.signals import authenticator_added
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from familysupport.lib import audit

from .middleware import LAST_ACTIVITY, MFA_ENROLLED_NOW, SESSION_STARTED


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_STARTED] = now
        request.session[LAST_ACTIVITY] = now
    audit.record(action="accounts.user.logged_in", obj=user, actor=user)


@receiver(authenticator_added)
def enrolment_counts_as_second_factor(sender, request, user, authenticator, **kwargs):
    # Activating TOTP/WebAuthn required a valid code/assertion from the new device.
    if request is not None:
        request.session[MFA_ENROLLED_NOW] = True
    audit.record(action="accounts.user.mfa_added", obj=user, actor=user)
