"""Secrets the portal must read back (to verify a phone system's HMAC), stored encrypted.

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`). The key comes from
PHONE_SECRET_KEY when set, else it is derived from SECRET_KEY: a dedicated key lets an
operator rotate SECRET_KEY (sessions, password-reset links) without making every stored
integration secret unreadable. PHONE_SECRET_KEY may list several comma-separated keys:
the first encrypts, all decrypt, so that key can be rotated too.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretUnreadableError(RuntimeError):
    """The stored secret was encrypted with a key the portal no longer has."""


def _fernet_key(source: str) -> bytes:
    # Any string works as a source: hashed to the 32 bytes Fernet wants, domain-separated
    # so the key differs from anything else derived from SECRET_KEY.
    digest = hashlib.sha256(b"familysupport.secretbox:" + source.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def _box() -> MultiFernet:
    configured = [k.strip() for k in settings.PHONE_SECRET_KEY.split(",") if k.strip()]
    sources = configured or [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet([Fernet(_fernet_key(source)) for source in sources])


def seal(secret: str) -> str:
    return _box().encrypt(secret.encode()).decode()


def unseal(token: str) -> str:
    try:
        return _box().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadableError(
            "stored secret cannot be decrypted with the current keys"
        ) from exc
