"""Request dependencies every router shares: the settings and the client's address.
Who is asking (``CurrentPrincipal`` and friends) lives with accounts, in api/auth/deps.py."""

from typing import Annotated

from fastapi import Depends, Request

from api.config import Settings


async def app_settings(request: Request) -> Settings:
    # async: FastAPI runs a plain def dependency in the thread pool, a hop per request.
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(app_settings)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
