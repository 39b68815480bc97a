"""Password rules: length, not composition (NIST SP 800-63B)."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Words an attacker would try first against this organisation's accounts.
ORGANISATION_WORDS = (
    "familysupport",
    "family support",
    "familyadvocacy",
    "advocacy",
    "teamhope",
    "team hope",
    "faon",
    "ncmec",
    "missingchild",
    "missing child",
    "exploited",
    "reunification",
)


class MaximumLengthValidator:
    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                _("This password is too long: use at most %(max)d characters.")
                % {"max": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _("At most %(max)d characters; spaces and any characters are welcome.") % {
            "max": self.max_length
        }


class OrganisationWordValidator:
    """Refuse passwords built around the organisation's own names."""

    def validate(self, password: str, user=None) -> None:
        folded = re.sub(r"[\s_\-.]+", "", password.lower())
        words = [*ORGANISATION_WORDS, getattr(settings, "ORGANISATION_NAME", "")]
        for word in words:
            w = re.sub(r"[\s_\-.]+", "", word.lower())
            # Only when the word is most of the password: a long passphrase may mention it.
            if w and w in folded and len(folded) - len(w) < 8:
                raise ValidationError(
                    _("This password is built around the organisation's name; choose another."),
                    code="password_organisation_word",
                )

    def get_help_text(self) -> str:
        return _("It must not be built around the organisation's names.")
