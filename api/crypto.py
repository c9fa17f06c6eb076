"""Encryption at rest for free text (own-words experiences, messages, concerns): AES-256-GCM."""

import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from api.config import Settings

_VERSION = b"\x01"


@lru_cache
def _key(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"kindred-data-v1").derive(
        secret.encode()
    )


def data_key(settings: Settings) -> bytes:
    return _key(settings.data_encryption_key.get_secret_value())


def seal(settings: Settings, text: str | None, context: bytes = b"") -> bytes | None:
    """Encrypt ``text``; ``context`` (e.g. the owning row's id) binds it to its place."""
    if text is None:
        return None
    nonce = os.urandom(12)
    return _VERSION + nonce + AESGCM(data_key(settings)).encrypt(nonce, text.encode(), context)


def unseal(settings: Settings, blob: bytes | None, context: bytes = b"") -> str | None:
    if blob is None:
        return None
    if blob[:1] != _VERSION:
        raise ValueError("unknown ciphertext version")
    return AESGCM(data_key(settings)).decrypt(blob[1:13], blob[13:], context).decode()
