"""The second factor through the API: my set-up, recovery codes, turning it off, and the
code step of a login (the token endpoint's password grant answers 403 `mfa_required` with an
`mfa_token` when the account has one; POST it here with a code to get the tokens)."""

from datetime import datetime

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, ConfigDict, Field

from api.auth import second_factor
from api.auth.deps import CurrentPrincipal
from api.auth.schemas import TokenResponse
from api.auth.service import token_pair
from api.db import SessionDep
from api.deps import SettingsDep, client_address
from api.errors import RATE_LIMITED, problem_response_docs

router = APIRouter(tags=["accounts"])


class SecondFactorOut(BaseModel):
    enabled: bool = Field(description="A confirmed second factor is on.")
    confirmed_at: datetime | None
    setting_up: bool = Field(description="A secret was issued and awaits its first code.")
    recovery_codes_left: int
    required: bool = Field(description="Staff must keep one; peers may turn it off.")


class EnrolmentOut(BaseModel):
    secret: str = Field(description="Base32, for typing into an authenticator app by hand.")
    otpauth_uri: str = Field(description="The otpauth:// URI the QR code holds.")
    qr_svg: str = Field(description="The QR code as an SVG data: URI.")


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"code": "492039"}]})
    code: str = Field(min_length=6, max_length=20, description="Six digits from the app.")


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str] = Field(
        description="Shown this once: each works once in place of a code. Kindred keeps only "
        "hashes of them."
    )


class StepIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"mfa_token": "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl", "code": "492039"},
                {"mfa_token": "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl", "code": "k7m2q-x9fhd"},
            ]
        },
    )
    mfa_token: str = Field(max_length=2000, description="From the token endpoint's 403.")
    code: str = Field(
        min_length=6, max_length=20, description="Six digits from the app, or a recovery code."
    )


@router.get("/me/second-factor", response_model=SecondFactorOut)
async def my_second_factor(me: CurrentPrincipal, db: SessionDep) -> SecondFactorOut:
    """Whether my account has a second factor and how many recovery codes are left."""
    found = await second_factor.status(db, me)
    return SecondFactorOut(**found.__dict__)


@router.post(
    "/me/second-factor",
    status_code=status.HTTP_201_CREATED,
    response_model=EnrolmentOut,
    responses=problem_response_docs(409),
)
async def start_second_factor(
    me: CurrentPrincipal, db: SessionDep, settings: SettingsDep
) -> EnrolmentOut:
    """Start setting up TOTP (RFC 6238): scan the QR code (or type the secret), then confirm
    with a code. Starting again replaces a secret that was never confirmed."""
    found = await second_factor.start(db, me, settings=settings)
    return EnrolmentOut(secret=found.secret, otpauth_uri=found.uri, qr_svg=found.qr_svg)


@router.post(
    "/me/second-factor/confirm",
    response_model=RecoveryCodesOut,
    responses=problem_response_docs(409, 422),
    openapi_extra={RATE_LIMITED: True},
)
async def confirm_second_factor(
    body: CodeIn, request: Request, me: CurrentPrincipal, db: SessionDep, settings: SettingsDep
) -> RecoveryCodesOut:
    """Confirm with the code the app shows: the second factor is on, this session counts as
    verified, and the recovery codes come back this once. A wrong code changes nothing."""
    codes = await second_factor.confirm(
        db, me, settings=settings, code=body.code, address=client_address(request)
    )
    return RecoveryCodesOut(recovery_codes=codes)


@router.post(
    "/me/second-factor/recovery-codes",
    response_model=RecoveryCodesOut,
    responses=problem_response_docs(409),
)
async def new_recovery_codes(
    me: CurrentPrincipal, db: SessionDep, settings: SettingsDep
) -> RecoveryCodesOut:
    """A new set of recovery codes (shown this once); the old ones stop working."""
    codes = await second_factor.new_recovery_codes(db, me, settings=settings)
    return RecoveryCodesOut(recovery_codes=codes)


@router.delete(
    "/me/second-factor",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_response_docs(409),
)
async def turn_off_second_factor(me: CurrentPrincipal, db: SessionDep) -> None:
    """Turn my second factor off (peers only: staff keep theirs)."""
    await second_factor.turn_off(db, me)


@router.post(
    "/auth/second-factor",
    response_model=TokenResponse,
    responses=problem_response_docs(401, 422),
    openapi_extra={RATE_LIMITED: True},
)
async def complete_login(
    body: StepIn, request: Request, db: SessionDep, settings: SettingsDep
) -> TokenResponse:
    """The second step of a password login for an account with a second factor: the
    `mfa_token` from the token endpoint's 403 (`error: mfa_required`, valid a few minutes)
    and a code from the app, or a recovery code (each works once). Answers the usual token
    pair. Wrong codes are limited like wrong passwords."""
    login = await second_factor.complete_login(
        db,
        settings=settings,
        mfa_token=body.mfa_token,
        code=body.code,
        address=client_address(request),
    )
    return TokenResponse(**token_pair(settings, login).__dict__)
