"""The OAuth 2.0 client-credentials grant (RFC 6749 §4.4), and turning a client's token back
into a ``ClientPrincipal`` on every request (a revoked client stops at once).

Errors are problem+json like every other error, carrying RFC 6749 §5.2's ``error`` and
``error_description`` as extension members, so OAuth libraries read them too.
"""

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth import throttle
from api.auth.tokens import keyed_hash
from api.clients import credentials, tokens
from api.clients.models import ClientSecret, IntegratorClient
from api.clients.principal import ClientPrincipal
from api.common import utcnow
from api.config import Settings
from api.db import core_rows
from api.errors import DomainError, Problem, Unauthorized


class OAuthProblem(Problem):
    """A token endpoint error: problem details with RFC 6749's members."""

    error: str
    error_description: str | None = None


class OAuthError(DomainError):
    status = 400
    type = "invalid-request"
    title = "The token request could not be handled"
    error = "invalid_request"

    def problem(self, instance: str | None = None) -> Problem:
        return OAuthProblem(
            **super().problem(instance).model_dump(),
            error=self.error,
            error_description=self.detail,
        )


class InvalidRequest(OAuthError):
    pass


class SecondFactorProblem(OAuthProblem):
    """The password was right; the account's second factor comes next."""

    mfa_token: str
    expires_in: int
    complete_at: str


class SecondFactorNeeded(OAuthError):
    """The password grant's answer for an account with a second factor (as Auth0's
    `mfa_required`): no tokens yet, an `mfa_token` to send with the code."""

    status = 403
    type = "mfa-required"
    title = "Enter the code from your authenticator app"
    error = "mfa_required"
    keeps_changes = True  # the right password clears the account's failed attempts

    def __init__(self, mfa_token: str, expires_in: int, complete_at: str) -> None:
        super().__init__(
            f"This account has a second factor. POST the mfa_token and a code to "
            f"{complete_at} within {expires_in // 60} minutes."
        )
        self.mfa_token, self.expires_in, self.complete_at = mfa_token, expires_in, complete_at

    def problem(self, instance: str | None = None) -> Problem:
        return SecondFactorProblem(
            **super().problem(instance).model_dump(),
            mfa_token=self.mfa_token,
            expires_in=self.expires_in,
            complete_at=self.complete_at,
        )


class InvalidClient(OAuthError):
    status = 401
    type = "invalid-client"
    title = "Client authentication failed"
    error = "invalid_client"
    keeps_changes = True  # the failed attempt counts towards the throttle

    def __init__(self) -> None:
        super().__init__(
            "That client id and secret don't match a client that is in use.",
            headers={"WWW-Authenticate": 'Basic realm="kindred", charset="UTF-8"'},
        )


class InvalidScope(OAuthError):
    type = "invalid-scope"
    title = "That scope can't be granted"
    error = "invalid_scope"


class UnsupportedGrantType(OAuthError):
    type = "unsupported-grant-type"
    title = "That grant type isn't supported"
    error = "unsupported_grant_type"


@dataclass(frozen=True)
class ClientToken:
    access_token: str
    expires_in: int
    scope: str


def _throttle_keys(settings: Settings, client_id: str, address: str) -> tuple[str, str]:
    # Per client *and* address: the secrets can't be guessed, so the per-client limit is only
    # there to slow a broken integration down; keyed with the address, nobody elsewhere can
    # lock a client out by failing on purpose. The per-address limit is the password grant's.
    client_key = keyed_hash(settings, "login-client", f"{client_id.lower()}|{address}")
    return client_key, keyed_hash(settings, "login-address", address)


async def client_credentials(
    db: AsyncSession,
    *,
    settings: Settings,
    client_id: str,
    client_secret: str,
    scope: str | None,
    address: str,
) -> ClientToken:
    """A short-lived token for a client that proves its secret; `scope` may narrow it."""
    client_key, address_key = _throttle_keys(settings, client_id, address)
    await throttle.check_allowed(db, settings, client_key, address_key)
    try:
        wanted_id = UUID(client_id)
    except ValueError:
        wanted_id = None
    client = await db.get(IntegratorClient, wanted_id) if wanted_id else None
    secret: ClientSecret | None = None
    if client is not None and client.revoked_at is None:
        now = utcnow()
        for candidate in await db.scalars(
            select(ClientSecret).where(col(ClientSecret.client_id) == client.id)
        ):
            live = candidate.expires_at is None or candidate.expires_at > now
            if live and credentials.matches(settings, client_secret, candidate.secret_hash):
                secret = candidate
    else:
        credentials.hash_secret(settings, client_secret)  # the same work either way
    if client is None or secret is None:
        await throttle.record_failure(db, settings, client_key, address_key)
        raise InvalidClient()
    await throttle.forget_failures(db, client_key)
    granted = _narrow(client.scopes, scope)
    client.last_token_at = utcnow()
    access = tokens.mint(settings, client_id=client.id, secret_id=secret.id, scopes=granted)
    return ClientToken(
        access_token=access, expires_in=settings.client_token_minutes * 60, scope=" ".join(granted)
    )


def _narrow(held: list[str], scope: str | None) -> list[str]:
    if not scope or not scope.strip():
        return list(held)
    wanted = scope.split()
    if missing := [s for s in wanted if s not in held]:
        raise InvalidScope(
            f"This client can't have {', '.join(missing)}. It may ask for: {' '.join(held)}."
        )
    return [s for s in held if s in wanted]


# SQLModel sets __table__ on table models but does not declare it.
_C = IntegratorClient.__table__.c  # type: ignore[attr-defined]
_S = ClientSecret.__table__.c  # type: ignore[attr-defined]
# Every integrator request runs this: a Core statement built once (as api/auth/service.py).
_LIVE = (
    sa_select(_C.name, _C.scopes, _C.revoked_at, _S.expires_at)
    .select_from(IntegratorClient.__table__)  # type: ignore[attr-defined]
    .join(ClientSecret.__table__, _S.client_id == _C.id)  # type: ignore[attr-defined]
    .where(_C.id == bindparam("client_id"), _S.id == bindparam("secret_id"))
)


class ClientTokenRefused(Unauthorized):
    type = "invalid-token"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


async def client_principal(db: AsyncSession, *, settings: Settings, token: str) -> ClientPrincipal:
    """The client behind a token, if the token, the client and the secret it was made with
    are all still good; the token's scopes, less any the client has lost since."""
    claims = tokens.read(settings, token)
    if claims is None:
        raise ClientTokenRefused(
            "This needs a client access token from the client-credentials grant; "
            "this one is missing, expired or not a client's."
        )
    rows = await core_rows(
        db, _LIVE, {"client_id": claims.client_id, "secret_id": claims.secret_id}
    )
    now = utcnow()
    if not rows or rows[0].revoked_at or (rows[0].expires_at and rows[0].expires_at <= now):
        raise ClientTokenRefused("This client's access has ended. Ask for a new token.")
    held = set(rows[0].scopes or [])
    return ClientPrincipal(
        client_id=claims.client_id, name=rows[0].name, scopes=claims.scopes & held
    )
