"""Sign-in lockout: wrong passwords (django-axes) and wrong second factors (here, into axes).

A wrong TOTP code, recovery code or WebAuthn answer counts as a failed sign-in for the
account in axes, so passwords and codes share one counter, one lock and one cool-off
(AXES_FAILURE_LIMIT, AXES_COOLOFF_TIME). Second-factor failures are also counted per
client address (from the audit trail; MFA_ADDRESS_FAILURE_LIMIT within the cool-off): an
attacker holding several passwords cannot try codes against each account in turn. The
address limit is higher than the account's, so one person's typos behind an office NAT
lock only their own account. Passwords alone stay locked by account only (STACK.md).
"""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.utils import timezone

from familysupport.lib import audit

SECOND_FACTOR_FAILED = "accounts.user.second_factor_failed"
SECOND_FACTOR_REFUSED = "accounts.user.second_factor_refused"


def username_from_request(request, credentials: dict | None) -> str | None:
    """Axes locks by the e-mail typed, lower-cased, whichever form or backend sent it."""
    credentials = credentials or {}
    value = (
        credentials.get("email")
        or credentials.get("username")
        or credentials.get("login")
        or request.POST.get("login")
        or ""
    )
    return value.strip().lower() or None


def _credentials(user) -> dict:
    return {"login": user.email}


def _address_failures(ip: str | None) -> int:
    """Second-factor failures from this address within the cool-off (a sliding window)."""
    from familysupport.lib.models import AuditEntry

    if not ip:
        return 0
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AuditEntry.objects.filter(action=SECOND_FACTOR_FAILED, ip=ip, at__gte=since).count()


def _lock_response(request, user) -> None:
    # AxesMiddleware turns the response into the lockout page (HTTP 429).
    request.axes_locked_out = True
    request.axes_credentials = _credentials(user)


def second_factor_refused(request, user) -> bool:
    """True (and the request marked locked) if this account or address may not try a code."""
    locked = AxesProxyHandler.is_locked(request, _credentials(user)) or (
        _address_failures(audit.client_ip(request)) >= settings.MFA_ADDRESS_FAILURE_LIMIT
    )
    if locked:
        _lock_response(request, user)
        audit.record(action=SECOND_FACTOR_REFUSED, obj=user)
    return locked


def second_factor_failed(request, user, *, kind: str) -> None:
    """Count a wrong code for the account (axes) and the address (audit), lock at the limit."""
    audit.record(action=SECOND_FACTOR_FAILED, obj=user, changes={"kind": kind})
    # axes' own receiver counts it against the account and sets request.axes_locked_out.
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
    if _address_failures(audit.client_ip(request)) >= settings.MFA_ADDRESS_FAILURE_LIMIT:
        _lock_response(request, user)
