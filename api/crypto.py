"""Encryption at rest for free text (own words, messages, concerns) and vectors derived from it.

AES-256-GCM, each blob bound to its place (its row's id) so it can't be moved to another.

Keys rotate: ``DATA_ENCRYPTION_KEY`` seals everything new, and the keys it replaced
(``DATA_ENCRYPTION_KEYS_OLD``) still open what they sealed until ``python -m api.tasks rekey``
has re-sealed it all with the new one (docs/operations.md).
"""

import os
from collections.abc import Callable, Sequence
from functools import lru_cache, partial

from cryptography.exceptions import InvalidTag
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


@lru_cache
def _cipher(secret: str) -> AESGCM:
    return AESGCM(_key(secret))


def data_key(settings: Settings) -> bytes:
    return _key(settings.data_encryption_key.get_secret_value())


def _ciphers(settings: Settings) -> tuple[AESGCM, ...]:
    """The current key's cipher first, then the old keys' (newest first)."""
    secrets = (settings.data_encryption_key, *settings.data_encryption_keys_old)
    return tuple(_cipher(s.get_secret_value()) for s in secrets)


def seal(settings: Settings, text: str | None, context: bytes = b"") -> bytes | None:
    """Encrypt ``text``; ``context`` (e.g. the owning row's id) binds it to its place."""
    if text is None:
        return None
    return seal_bytes(settings, text.encode(), context)


def unseal(settings: Settings, blob: bytes | None, context: bytes = b"") -> str | None:
    if blob is None:
        return None
    return _open(_ciphers(settings), blob, context).decode()


def seal_bytes(settings: Settings, data: bytes, context: bytes = b"") -> bytes:
    """Encrypt bytes derived from people's words (own-words vectors) just like the words."""
    nonce = os.urandom(12)
    return _VERSION + nonce + _ciphers(settings)[0].encrypt(nonce, data, context)


def unsealer(settings: Settings) -> Callable[[bytes, bytes], bytes]:
    """``open(blob, context) -> bytes`` with the ciphers made once for many blobs."""
    return partial(_open, _ciphers(settings))


def reseal(settings: Settings, blob: bytes, context: bytes) -> bytes | None:
    """The blob sealed again with the current key, or None when it already is."""
    ciphers = _ciphers(settings)
    try:
        _open(ciphers[:1], blob, context)
        return None
    except InvalidTag:
        return seal_bytes(settings, _open(ciphers[1:], blob, context), context)


def _open(ciphers: Sequence[AESGCM], blob: bytes, context: bytes) -> bytes:
    if blob[:1] != _VERSION:
        raise ValueError("unknown ciphertext version")
    for cipher in ciphers:
        try:
            return cipher.decrypt(blob[1:13], blob[13:], context)
        except InvalidTag:
            continue
    raise InvalidTag
