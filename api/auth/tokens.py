"""Access tokens (PyJWT, HS256 pinned, exp/iat/sub/jti/aud/iss required) and opaque secrets."""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from uuid import UUID, uuid4

import jwt

from api.common import utcnow
from api.config import Settings

ALGORITHM = "HS256"
ACCESS_TYPE = "access"
REQUIRED_CLAIMS = ["exp", "iat", "sub", "jti", "aud", "iss", "sid", "typ"]
LEEWAY_SECONDS = 5


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
    key = signing_key(settings, "jwt")
    try:
        claims, expires = _verified(key, settings.jwt_audience, settings.jwt_issuer, token)
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        return None
    if time.time() > expires + LEEWAY_SECONDS:
        return None
    return claims


@lru_cache(maxsize=4096)
def _verified(key: bytes, audience: str, issuer: str, token: str) -> tuple[AccessClaims, int]:
    """Check what can never change about a token (signature, pinned algorithm, audience,
    issuer, type, required claims) once per process, not on every request: PyJWT costs
    ~0.3 ms a call. Failures raise, so only good tokens are remembered; expiry is checked by
    the caller on every use, and whether the session still lives by the database."""
    claims = jwt.decode(
        token,
        key,
        algorithms=[ALGORITHM],
        audience=audience,
        issuer=issuer,
        options={"require": REQUIRED_CLAIMS},
        leeway=LEEWAY_SECONDS,
    )
    if claims["typ"] != ACCESS_TYPE:
        raise ValueError("not an access token")
    found = AccessClaims(user_id=UUID(claims["sub"]), session_id=UUID(claims["sid"]))
    return found, int(claims["exp"])


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def keyed_hash(settings: Settings, purpose: str, value: str) -> str:
    return hmac.new(signing_key(settings, purpose), value.encode(), hashlib.sha256).hexdigest()


STEP_TYPE = "second_factor_step"
STEP_CLAIMS = ["exp", "iat", "sub", "jti", "aud", "iss", "typ", "kind"]


@dataclass(frozen=True)
class StepClaims:
    user_id: UUID
    kind: str  # the SessionKind the login will open


def _step_audience(settings: Settings) -> str:
    return f"{settings.jwt_audience}:second-factor"


def mint_step_token(settings: Settings, user_id: UUID, kind: str) -> str:
    """Between a right password and the code: says only "this account, for a few minutes".
    Its own key, audience and type, so it is never taken for an access token."""
    now = utcnow()
    claims = {
        "sub": str(user_id),
        "typ": STEP_TYPE,
        "kind": kind,
        "jti": uuid4().hex,
        "iat": now,
        "exp": now + timedelta(minutes=settings.second_factor_step_minutes),
        "aud": _step_audience(settings),
        "iss": settings.jwt_issuer,
    }
    return jwt.encode(claims, signing_key(settings, "second-factor-step"), algorithm=ALGORITHM)


def read_step_token(settings: Settings, token: str) -> StepClaims | None:
    try:
        claims = jwt.decode(
            token,
            signing_key(settings, "second-factor-step"),
            algorithms=[ALGORITHM],
            audience=_step_audience(settings),
            issuer=settings.jwt_issuer,
            options={"require": STEP_CLAIMS},
            leeway=LEEWAY_SECONDS,
        )
        if claims["typ"] != STEP_TYPE:
            return None
        return StepClaims(user_id=UUID(claims["sub"]), kind=str(claims["kind"]))
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        return None
