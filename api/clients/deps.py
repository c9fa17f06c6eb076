"""Who is asking when an integrator calls: ``require_scopes(...)`` gives the ClientPrincipal
behind a client-credentials token that holds every scope named, or refuses (401 without a
client's token, 403 naming the missing scope)."""

from typing import Annotated, Any

from fastapi import Depends, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import OAuth2, SecurityScopes
from fastapi.security.utils import get_authorization_scheme_param
from starlette.requests import HTTPConnection

from api.clients import grant
from api.clients.principal import ClientPrincipal
from api.clients.scopes import SCOPES
from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import Forbidden, Unauthorized

TOKEN_URL = "/api/v1/auth/token"  # noqa: S105 - a path, not a secret


class ClientCredentialsBearer(OAuth2):
    """A bearer token from the client-credentials grant (documented as such in OpenAPI)."""

    def __init__(self) -> None:
        flow = OAuthFlowClientCredentials(tokenUrl=TOKEN_URL, scopes=SCOPES)
        super().__init__(
            flows=OAuthFlows(clientCredentials=flow),
            scheme_name="IntegratorClient",
            description="An integrator client's token (grant_type=client_credentials).",
            auto_error=False,
        )

    async def __call__(self, request: HTTPConnection) -> str | None:
        scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
        return token if scheme.lower() == "bearer" and token else None


_client_bearer = ClientCredentialsBearer()


class InsufficientScope(Forbidden):
    type = "insufficient-scope"
    title = "This client's token doesn't have the scope this needs"

    def __init__(self, missing: list[str]) -> None:
        named, scope = " and ".join(missing), " ".join(missing)
        super().__init__(
            f"This needs the {named} scope{'s' if len(missing) > 1 else ''}, which this "
            "token doesn't have. An administrator can give the client the scope; then ask "
            "for a new token.",
            headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'},
        )


async def current_client(
    security_scopes: SecurityScopes,
    db: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(_client_bearer)],
) -> ClientPrincipal:
    if not token:
        raise Unauthorized(  # no error code when no token was sent (RFC 6750 §3.1)
            "Send a client access token: Authorization: Bearer <token>, from "
            "POST /api/v1/auth/token with grant_type=client_credentials."
        )
    client = await grant.client_principal(db, settings=settings, token=token)
    if missing := [s for s in security_scopes.scopes if not client.has(s)]:
        raise InsufficientScope(missing)
    return client


def require_scopes(*scopes: str) -> Any:
    """``client: Annotated[ClientPrincipal, require_scopes("referrals:read")]``."""
    if unknown := [s for s in scopes if s not in SCOPES]:
        raise ValueError(f"unknown scopes {unknown}")
    return Security(current_client, scopes=list(scopes))
