"""Client access tokens: PyJWT, HS256 pinned, their own signing key, audience and type, so a
person's token can never pass for a client's (or the other way round)."""

import time
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from uuid import UUID, uuid4

import jwt

from api.auth.tokens import LEEWAY_SECONDS, signing_key
from api.common import utcnow
from api.config import Settings

ALGORITHM = "HS256"
CLIENT_TYPE = "client"
REQUIRED_CLAIMS = ["exp", "iat", "sub", "jti", "aud", "iss", "sid", "typ", "scope"]
KEY_PURPOSE = "client-jwt"


@dataclass(frozen=True)
class ClientClaims:
    client_id: UUID
    secret_id: UUID  # the secret it was made with: retiring that secret ends the token
    scopes: frozenset[str]


def mint(settings: Settings, *, client_id: UUID, secret_id: UUID, scopes: list[str]) -> str:
    now = utcnow()
    claims = {
        "sub": str(client_id),
        "sid": str(secret_id),
        "typ": CLIENT_TYPE,
        "scope": " ".join(scopes),
        "jti": uuid4().hex,
        "iat": now,
        "exp": now + timedelta(minutes=settings.client_token_minutes),
        "aud": settings.jwt_client_audience,
        "iss": settings.jwt_issuer,
    }
    return jwt.encode(claims, signing_key(settings, KEY_PURPOSE), algorithm=ALGORITHM)


def read(settings: Settings, token: str) -> ClientClaims | None:
    """The claims of a valid client token, or None for anything else."""
    key = signing_key(settings, KEY_PURPOSE)
    try:
        claims, expires = _verified(key, settings.jwt_client_audience, settings.jwt_issuer, token)
    except (jwt.PyJWTError, ValueError, TypeError, KeyError, AttributeError):
        return None
    if time.time() > expires + LEEWAY_SECONDS:
        return None
    return claims


@lru_cache(maxsize=1024)
def _verified(key: bytes, audience: str, issuer: str, token: str) -> tuple[ClientClaims, int]:
    """What can never change about a token, checked once per process (see api/auth/tokens.py);
    expiry is checked on every use, and whether the client and secret still live by the
    database."""
    claims = jwt.decode(
        token,
        key,
        algorithms=[ALGORITHM],
        audience=audience,
        issuer=issuer,
        options={"require": REQUIRED_CLAIMS},
        leeway=LEEWAY_SECONDS,
    )
    if claims["typ"] != CLIENT_TYPE:
        raise ValueError("not a client token")
    found = ClientClaims(
        client_id=UUID(claims["sub"]),
        secret_id=UUID(claims["sid"]),
        scopes=frozenset(str(claims["scope"]).split()),
    )
    return found, int(claims["exp"])
