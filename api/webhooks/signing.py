"""Standard Webhooks signing: ``whsec_`` secrets, sealed at rest, and the three headers.

Signatures come from the specification's reference library (``standardwebhooks``), so what
we send is exactly what its ``Webhook.verify`` accepts on the receiver's side.
"""

import base64
import binascii
import secrets as random
from datetime import datetime
from uuid import UUID

from standardwebhooks.webhooks import Webhook

from api.config import Settings
from api.crypto import seal, unseal
from api.errors import Invalid

PREFIX = "whsec_"
SECRET_BYTES = 32
# The specification allows secrets of 24 to 64 bytes.
SHORTEST, LONGEST = 24, 64


def new_secret() -> str:
    return PREFIX + base64.b64encode(random.token_bytes(SECRET_BYTES)).decode()


def check_secret(value: str) -> str:
    """An integrator's own secret: ``whsec_`` and 24 to 64 bytes in base64 (422 otherwise)."""
    if not value.startswith(PREFIX):
        raise Invalid.field("secret", "A signing secret starts with whsec_.")
    try:
        raw = base64.b64decode(value[len(PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise Invalid.field("secret", "After whsec_ the secret must be base64.") from None
    if not SHORTEST <= len(raw) <= LONGEST:
        raise Invalid.field("secret", f"The secret must be {SHORTEST} to {LONGEST} bytes long.")
    return value


def _context(secret_id: UUID) -> bytes:
    return b"webhook_secret:" + secret_id.bytes


def seal_secret(settings: Settings, secret_id: UUID, secret: str) -> bytes:
    sealed = seal(settings, secret, _context(secret_id))
    assert sealed is not None
    return sealed


def open_secret(settings: Settings, secret_id: UUID, sealed: bytes) -> str:
    opened = unseal(settings, sealed, _context(secret_id))
    assert opened is not None
    return opened


def signature(secrets: list[str], *, msg_id: str, at: datetime, body: str) -> str:
    """``v1,<base64>`` for each secret in use, space-separated (several during a rotation)."""
    return " ".join(Webhook(s).sign(msg_id=msg_id, timestamp=at, data=body) for s in secrets)


def headers(secrets: list[str], *, msg_id: str, at: datetime, body: str) -> dict[str, str]:
    """The request's headers: the same ``webhook-id`` on every attempt, this attempt's time."""
    return {
        "content-type": "application/json",
        "user-agent": "Kindred-Webhooks/1",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature(secrets, msg_id=msg_id, at=at, body=body),
    }
