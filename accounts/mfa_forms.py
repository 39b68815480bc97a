"""allauth's second-factor forms with the sign-in lockout in front (accounts/lockout.py).

Wired through MFA_FORMS: codes (TOTP and recovery codes share one form) and WebAuthn, at
sign-in and at re-authentication. A locked account or address is refused before the code
is even checked, so the right code does not get in during the cool-off.
"""

from __future__ import annotations

from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.webauthn.forms import AuthenticateWebAuthnForm, ReauthenticateWebAuthnForm
from django.core.exceptions import ValidationError

from . import lockout

LOCKED_MESSAGE = "Too many failed attempts. Try again later or ask an administrator."


# A forged WebAuthn answer can break the parser (fido2 raises KeyError on a missing
# "rawId"): that is a wrong answer, not a server error.
MALFORMED = (KeyError, TypeError, ValueError, AttributeError)


def _limited(clean, form, kind: str):
    request = context.request
    if lockout.second_factor_refused(request, form.user):
        raise ValidationError(LOCKED_MESSAGE, code="locked")
    try:
        return clean()
    except ValidationError:
        lockout.second_factor_failed(request, form.user, kind=kind)
        raise
    except MALFORMED as exc:
        if kind != "webauthn":
            raise
        lockout.second_factor_failed(request, form.user, kind=kind)
        raise ValidationError("Incorrect security key answer.", code="incorrect_code") from exc


class LimitedAuthenticateForm(AuthenticateForm):
    def clean_code(self) -> str:
        return _limited(super().clean_code, self, "code")


class LimitedReauthenticateForm(ReauthenticateForm):
    def clean_code(self) -> str:
        return _limited(super().clean_code, self, "code")


class LimitedAuthenticateWebAuthnForm(AuthenticateWebAuthnForm):
    def clean_credential(self):
        return _limited(super().clean_credential, self, "webauthn")


class LimitedReauthenticateWebAuthnForm(ReauthenticateWebAuthnForm):
    def clean_credential(self):
        return _limited(super().clean_credential, self, "webauthn")
