from __future__ import annotations

import pytest

from accounts.models import User
from tests.factories import UserFactory
from tests.faon.factories import InsuranceFactory, LicenseFactory, ProviderFactory


@pytest.fixture
def staff(db):
    """The supervisors who hear about expiries and ignored reminders."""
    return UserFactory(role=User.Role.SUPERVISOR, totp=False)


@pytest.fixture
def member():
    """`member(expires_on=..., covers_to=...)`: an active clinician with one manager user."""

    def make(*, expires_on=None, covers_to=None, **kwargs):
        manager = UserFactory(role=User.Role.PROVIDER, totp=False)
        provider = ProviderFactory(managers=[manager], **kwargs)
        if expires_on is not None:
            LicenseFactory(provider=provider, expires_on=expires_on)
        if covers_to is not None:
            InsuranceFactory(provider=provider, covers_to=covers_to)
        provider.manager = manager
        return provider

    return make
