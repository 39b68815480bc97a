from __future__ import annotations

import pytest
from django.test import override_settings

from familysupport.lib import secretbox


def test_sealed_secret_reads_back_and_is_not_stored_in_clear() -> None:
    token = secretbox.seal("s3cret-value")
    assert "s3cret-value" not in token
    assert secretbox.unseal(token) == "s3cret-value"


def test_dedicated_key_can_be_rotated_keeping_old_secrets_readable() -> None:
    with override_settings(PHONE_SECRET_KEY="old-key"):
        token = secretbox.seal("abc")
    with override_settings(PHONE_SECRET_KEY="new-key,old-key"):
        assert secretbox.unseal(token) == "abc"
    with (
        override_settings(PHONE_SECRET_KEY="new-key"),
        pytest.raises(secretbox.SecretUnreadableError),
    ):
        secretbox.unseal(token)
