"""Encryption at rest for free text (own words, messages, concerns) and vectors derived from it.

AES-256-GCM, each blob bound to its place (its row's id) so it can't be moved to another.
"""

import os
from collections.abc import Callable
from functools import lru_cache, partial

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
    return seal_bytes(settings, text.encode(), context)


def unseal(settings: Settings, blob: bytes | None, context: bytes = b"") -> str | None:
    if blob is None:
        return None
    return _open(AESGCM(data_key(settings)), blob, context).decode()


def seal_bytes(settings: Settings, data: bytes, context: bytes = b"") -> bytes:
    """Encrypt bytes derived from people's words (own-words vectors) just like the words."""
    nonce = os.urandom(12)
    return _VERSION + nonce + AESGCM(data_key(settings)).encrypt(nonce, data, context)


def unsealer(settings: Settings) -> Callable[[bytes, bytes], bytes]:
    """``open(blob, context) -> bytes`` with one cipher for many blobs (half the cost of each)."""
    return partial(_open, AESGCM(data_key(settings)))


def _open(cipher: AESGCM, blob: bytes, context: bytes) -> bytes:
    if blob[:1] != _VERSION:
        raise ValueError("unknown ciphertext version")
    return cipher.decrypt(blob[1:13], blob[13:], context)
