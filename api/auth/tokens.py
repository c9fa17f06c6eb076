"""Access tokens (PyJWT, HS256 pinned, exp/iat/sub/jti/aud/iss required) and opaque secrets."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID, uuid4

import jwt

from api.common import utcnow
from api.config import Settings

ALGORITHM = "HS256"
ACCESS_TYPE = "access"
REQUIRED_CLAIMS = ["exp", "iat", "sub", "jti", "aud", "iss", "sid", "typ"]


@dataclass(frozen=True)
class AccessClaims:
    user_id: UUID
    session_id: UUID


def signing_key(settings: Settings, purpose: str) -> bytes:
    """A separate key per purpose, derived from the one secret."""
    secret = settings.secret_key.get_secret_value().encode()
    return hmac.new(secret, purpose.encode(), hashlib.sha256).digest()


def mint_access_token(settings: Settings, user_id: UUID, session_id: UUID) -> str:
    now = utcnow()
    claims = {
        "sub": str(user_id),
        "sid": str(session_id),
        "typ": ACCESS_TYPE,
        "jti": uuid4().hex,
        "iat": now,
        "exp": now + timedelta(minutes=settings.access_token_minutes),
        "aud": settings.jwt_audience,
        "iss": settings.jwt_issuer,
    }
    return jwt.encode(claims, signing_key(settings, "jwt"), algorithm=ALGORITHM)


def read_access_token(settings: Settings, token: str) -> AccessClaims | None:
    """The claims of a valid access token, or None for anything else."""
    try:
        claims = jwt.decode(
            token,
            signing_key(settings, "jwt"),
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": REQUIRED_CLAIMS},
            leeway=5,
        )
        if claims["typ"] != ACCESS_TYPE:
            return None
        return AccessClaims(user_id=UUID(claims["sub"]), session_id=UUID(claims["sid"]))
    except (jwt.PyJWTError, ValueError, TypeError):
        return None


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def keyed_hash(settings: Settings, purpose: str, value: str) -> str:
    return hmac.new(signing_key(settings, purpose), value.encode(), hashlib.sha256).hexdigest()
