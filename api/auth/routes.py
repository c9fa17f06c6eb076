"""Accounts: sign up, refresh, log out (roles are granted in api/admin). The token endpoint
(both grants) is in api/clients/token_routes.py, the one layer that knows people and
integrators' clients."""

from fastapi import APIRouter, status

from api.auth import service as auth
from api.auth.deps import CurrentPrincipal
from api.auth.schemas import (
    RefreshRequest,
    SignUp,
    TokenResponse,
    UserPublic,
)
from api.db import SessionDep
from api.deps import SettingsDep
from api.errors import problem_response_docs

router = APIRouter(tags=["accounts"])


@router.post(
    "/auth/signup",
    status_code=status.HTTP_201_CREATED,
    response_model=UserPublic,
    responses=problem_response_docs(409),
)
async def sign_up(body: SignUp, db: SessionDep, settings: SettingsDep) -> UserPublic:
    """Create a peer account. Passwords: 8+ characters (15+ better), not a common one."""
    user = await auth.sign_up(
        db,
        settings=settings,
        email=body.email,
        password=body.password,
        display_name=body.display_name,
    )
    return UserPublic.model_validate(user.model_dump())  # nobody supports on their first day


@router.post("/auth/refresh", response_model=TokenResponse)
async def refresh(body: RefreshRequest, db: SessionDep, settings: SettingsDep) -> TokenResponse:
    """Swap a refresh token for a new pair; the old refresh token stops working."""
    pair = await auth.refresh(db, settings=settings, refresh_token=body.refresh_token)
    return TokenResponse(**pair.__dict__)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(me: CurrentPrincipal, db: SessionDep) -> None:
    """End this session: its refresh token and every access token from it stop working."""
    await auth.log_out(db, session_id=me.session_id)
