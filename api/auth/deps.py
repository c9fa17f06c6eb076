"""Who is asking: the request dependencies that turn a bearer token into a principal."""

from typing import Annotated

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer

from api.auth import service as auth
from api.auth.models import Role
from api.auth.principal import Principal
from api.auth.second_factor import SecondFactorRequired
from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import Forbidden, Unauthorized

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


async def bearer_token(token: Annotated[str | None, Depends(_bearer)]) -> str:
    """The access token sent; for a route that re-checks the session in its own statement
    (``auth.principal_and``) rather than through ``CurrentPrincipal``."""
    if not token:
        raise Unauthorized("Send an access token: Authorization: Bearer <token>.")
    return token


BearerToken = Annotated[str, Depends(bearer_token)]


async def current_principal(db: SessionDep, settings: SettingsDep, token: BearerToken) -> Principal:
    return await auth.principal_from_access_token(db, settings=settings, token=token)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def current_coordinator(me: CurrentPrincipal) -> Principal:
    if not me.is_staff:
        raise Forbidden("This needs a coordinator.")
    if not me.second_factor:
        raise SecondFactorRequired()
    return me


async def current_admin(me: CurrentPrincipal) -> Principal:
    if me.role != Role.admin:
        raise Forbidden("This needs an administrator.")
    if not me.second_factor:
        raise SecondFactorRequired()
    return me


CurrentCoordinator = Annotated[Principal, Depends(current_coordinator)]
CurrentAdmin = Annotated[Principal, Depends(current_admin)]
