"""Encryption at rest for personal data (NIK).

The Fernet key is settings.FIELD_ENCRYPTION_KEY (a key made by `Fernet.generate_key()`); when
it is empty, one is derived from SECRET_KEY with HKDF so that the embedded mode works with no
set-up. Production must set FIELD_ENCRYPTION_KEY (a deploy check warns otherwise): rotating
SECRET_KEY would otherwise make the stored NIKs unreadable.

A second key, derived with HKDF from the same secret, keys an HMAC of the NIK: equal NIKs give
equal hashes, so the database can refuse a second account with the same NIK without ever
holding it in clear.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "decrypt", "encrypt", "keyed_hash"]


def _hkdf(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"kotapintar", info=info).derive(secret)


@functools.lru_cache(maxsize=4)
def _keys(configured: str, secret_key: str) -> tuple[Fernet, bytes]:
    if configured:
        try:
            raw = base64.urlsafe_b64decode(configured.encode())
        except ValueError as exc:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEY must be a Fernet key (urlsafe base64 of 32 bytes)"
            ) from exc
        if len(raw) != 32:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be a Fernet key (urlsafe base64 of 32 bytes)")
        fernet_key = configured.encode()
        master = raw
    else:
        master = _hkdf(secret_key.encode(), b"kotapintar.field-encryption.master")
        fernet_key = base64.urlsafe_b64encode(_hkdf(master, b"kotapintar.field-encryption.fernet"))
    return Fernet(fernet_key), _hkdf(master, b"kotapintar.field-encryption.hmac")


def _current() -> tuple[Fernet, bytes]:
    return _keys(settings.FIELD_ENCRYPTION_KEY or "", settings.SECRET_KEY)


def encrypt(value: str) -> str:
    return _current()[0].encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """The clear text of an encrypted value; raises InvalidToken if the key does not fit."""
    return _current()[0].decrypt(token.encode()).decode()


def keyed_hash(value: str, *, purpose: str) -> str:
    """Hex HMAC-SHA256 of `value`, separated by purpose (e.g. "nik")."""
    key = _current()[1]
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()
