"""Forgot my password, and confirming or changing my address (docs/notifications.md)."""

from fastapi import APIRouter, Request, Response, status

from api.auth import addresses, recovery
from api.auth.address_schemas import (
    Accepted,
    AddressChange,
    AddressConfirm,
    AddressOut,
    ResetAsk,
    ResetConfirm,
)
from api.auth.deps import CurrentPrincipal
from api.db import SessionDep
from api.deps import SettingsDep, client_address
from api.errors import RATE_LIMITED, problem_response_docs

router = APIRouter(tags=["accounts"])


@router.post(
    "/auth/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    responses=problem_response_docs(429),
    openapi_extra={RATE_LIMITED: True},
)
async def ask_for_reset(
    body: ResetAsk, request: Request, response: Response, db: SessionDep, settings: SettingsDep
) -> Accepted:
    """Forgot my password: a link goes to the address if it has an account. The answer is the
    same whether it has one or not; limited per address and per client."""
    limits = await recovery.ask_for_reset(
        db, settings=settings, email=body.email, address=client_address(request)
    )
    response.headers.update(limits)
    return Accepted(detail=recovery.SENT)


@router.post(
    "/auth/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_response_docs(422),
)
async def reset_password(body: ResetConfirm, db: SessionDep, settings: SettingsDep) -> None:
    """Choose a new password with the link's token (once, within 30 minutes): every session
    of the account ends and the person is told by e-mail."""
    await recovery.reset_password(db, settings=settings, token=body.token, password=body.password)


@router.post(
    "/auth/email-confirmation",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_response_docs(409, 422),
)
async def confirm_address(body: AddressConfirm, db: SessionDep, settings: SettingsDep) -> None:
    """Confirm an address with the link's token (a new address replaces the old one, which is
    told)."""
    await addresses.confirm(db, settings=settings, token=body.token)


@router.get("/me/email", response_model=AddressOut)
async def my_address(me: CurrentPrincipal, db: SessionDep) -> AddressOut:
    """My address and whether I have confirmed it."""
    email, verified = await addresses.status(db, me)
    return AddressOut(email=email, verified=verified)


@router.post(
    "/me/email-confirmation",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    responses=problem_response_docs(409, 429),
)
async def send_again(me: CurrentPrincipal, db: SessionDep, settings: SettingsDep) -> Accepted:
    """Send me another link to confirm my address (a few an hour)."""
    await addresses.send_again(db, me, settings=settings)
    return Accepted(detail="We've sent a new link to your address.")


@router.put(
    "/me/email",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    responses=problem_response_docs(409, 422, 429),
)
async def change_address(
    body: AddressChange, me: CurrentPrincipal, db: SessionDep, settings: SettingsDep
) -> Accepted:
    """Change my address (my password again): it changes once I follow the link sent to the
    new address, and the old address is told."""
    await addresses.change_address(
        db, me, settings=settings, email=body.email, password=body.password
    )
    return Accepted(detail="We've sent a link to your new address. It changes once you follow it.")
