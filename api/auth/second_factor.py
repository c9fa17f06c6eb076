"""The second factor: setting up TOTP, recovery codes, the code at login, turning it off
(peers) and an administrator's reset (staff who lost their phone).

Staff must have it before the console or any staff endpoint answers (api/auth/deps.py, and
``Principal.is_coordinator``); peers may opt in. Secrets are sealed, bound to their account;
recovery codes are kept only as argon2id hashes, each good once; wrong codes count towards the
same throttle as wrong passwords.
"""

import asyncio
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth import passwords, throttle, tokens, totp
from api.auth.models import AuthSession, RecoveryCode, SecondFactor, SessionKind, User
from api.auth.principal import Principal
from api.auth.service import STAFF, Login, open_session
from api.common import utcnow
from api.config import Settings
from api.crypto import seal, unseal
from api.errors import Conflict, FieldError, Forbidden, Invalid, NotFound, Unauthorized

# Where to set it up, for the problem that says it is missing.
SET_UP_API = "/api/v1/me/second-factor"
SET_UP_PAGE = "/account/second-factor"
COMPLETE_LOGIN = "/api/v1/auth/second-factor"


class SecondFactorRequired(Forbidden):
    type = "second-factor-required"
    title = "Set up your second factor first"

    def __init__(self) -> None:
        super().__init__(
            "Staff sign in with a second factor before the console answers. Set it up at "
            f"{SET_UP_API} (in the app: {SET_UP_PAGE}); if you already have, log in again "
            "with a code from your authenticator app."
        )


class WrongCode(Invalid):
    type = "wrong-code"
    title = "That code didn't work"
    keeps_changes = True  # the failed attempt counts towards the throttle

    def __init__(self, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail, errors=[FieldError(field="code", message=detail)], headers=headers)


class StepExpired(Unauthorized):
    type = "second-factor-step-expired"
    title = "Please log in again"


@dataclass(frozen=True)
class Status:
    enabled: bool
    confirmed_at: datetime | None
    setting_up: bool
    recovery_codes_left: int
    required: bool  # staff can't turn it off


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str
    qr_svg: str  # a data: URI

    @property
    def grouped(self) -> str:
        return totp.grouped(self.secret)


def _context(user_id: UUID) -> bytes:
    return b"second_factor:" + user_id.bytes


def _hash_codes(settings: Settings, codes: list[str]) -> list[str]:
    return [passwords.hash_password(settings, totp.normalised(c)) for c in codes]


def _matching(settings: Settings, code: str, stored: list[tuple[int, str]]) -> int | None:
    """Which unused code (by id) `code` is, checking every one (no early exit)."""
    found = None
    for code_id, code_hash in stored:
        if passwords.verify_password(settings, totp.normalised(code), code_hash):
            found = code_id
    return found


def _throttle_keys(settings: Settings, user_id: UUID, address: str) -> tuple[str, str]:
    return (
        tokens.keyed_hash(settings, "second-factor-account", str(user_id)),
        tokens.keyed_hash(settings, "login-address", address),
    )


async def _factor(db: AsyncSession, user_id: UUID) -> SecondFactor | None:
    return await db.get(SecondFactor, user_id)


async def status(db: AsyncSession, me: Principal) -> Status:
    """Whether my account has a second factor, and how many recovery codes are left."""
    factor = await _factor(db, me.user_id)
    left = await db.scalar(
        select(func.count()).where(
            col(RecoveryCode.user_id) == me.user_id, col(RecoveryCode.used_at).is_(None)
        )
    )
    confirmed = factor.confirmed_at if factor else None
    return Status(
        enabled=confirmed is not None,
        confirmed_at=confirmed,
        setting_up=factor is not None and confirmed is None,
        recovery_codes_left=int(left or 0) if confirmed else 0,
        required=me.role in STAFF,
    )


def _enrolment(settings: Settings, email: str, secret: str) -> Enrolment:
    uri = totp.provisioning_uri(secret, account=email, issuer=settings.service_name)
    return Enrolment(secret=secret, uri=uri, qr_svg=totp.qr_svg(uri))


async def start(db: AsyncSession, me: Principal, *, settings: Settings) -> Enrolment:
    """Begin setting up: a new secret to scan (replacing one not yet confirmed)."""
    factor = await _factor(db, me.user_id)
    if factor is not None and factor.confirmed_at is not None:
        raise Conflict(
            "You already have a second factor. To move it to a new phone, turn it off first "
            "(staff: ask an administrator to reset it)."
        )
    secret = totp.new_secret()
    sealed = seal(settings, secret, _context(me.user_id))
    assert sealed is not None
    if factor is None:
        db.add(SecondFactor(user_id=me.user_id, secret_sealed=sealed))
    else:
        factor.secret_sealed, factor.created_at, factor.last_step = sealed, utcnow(), 0
    await db.flush()
    user = await db.get(User, me.user_id)
    return _enrolment(settings, user.email if user else "", secret)


async def setting_up(db: AsyncSession, me: Principal, *, settings: Settings) -> Enrolment | None:
    """The secret being set up (not yet confirmed), to show again; None if there is none."""
    factor = await _factor(db, me.user_id)
    if factor is None or factor.confirmed_at is not None:
        return None
    user = await db.get(User, me.user_id)
    secret = unseal(settings, factor.secret_sealed, _context(me.user_id)) or ""
    return _enrolment(settings, user.email if user else "", secret)


async def _check_totp(
    db: AsyncSession, settings: Settings, factor: SecondFactor, code: str, address: str
) -> bool:
    """Whether `code` is right now and not used before; a right one is spent."""
    account_key, address_key = _throttle_keys(settings, factor.user_id, address)
    await throttle.check_allowed(db, settings, account_key, address_key)
    secret = unseal(settings, factor.secret_sealed, _context(factor.user_id)) or ""
    step = totp.accepted_step(secret, code, last_step=factor.last_step)
    if step is None:
        return False
    factor.last_step = step
    await throttle.forget_failures(db, account_key)
    return True


async def _refuse(
    db: AsyncSession, settings: Settings, user_id: UUID, address: str, message: str
) -> WrongCode:
    account_key, address_key = _throttle_keys(settings, user_id, address)
    limits = await throttle.record_failure(db, settings, account_key, address_key)
    return WrongCode(message, headers=limits)


async def _new_codes(db: AsyncSession, settings: Settings, user_id: UUID) -> list[str]:
    await db.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    codes = [totp.new_recovery_code() for _ in range(settings.recovery_code_count)]
    hashes = await asyncio.to_thread(_hash_codes, settings, codes)
    db.add_all(RecoveryCode(user_id=user_id, code_hash=h) for h in hashes)
    await db.flush()
    return codes


async def confirm(
    db: AsyncSession, me: Principal, *, settings: Settings, code: str, address: str
) -> list[str]:
    """Check a first code from the app; the factor is then on, this session counts as
    verified, and the recovery codes are returned (shown this once)."""
    factor = await _factor(db, me.user_id)
    if factor is None or factor.confirmed_at is not None:
        raise Conflict("There is no second factor being set up. Start setting it up first.")
    if not await _check_totp(db, settings, factor, code, address):
        raise await _refuse(
            db,
            settings,
            me.user_id,
            address,
            "That code didn't match. Check the app shows Kindred and type the six digits it "
            "shows now.",
        )
    now = utcnow()
    factor.confirmed_at = now
    await db.execute(
        update(AuthSession).where(col(AuthSession.id) == me.session_id).values(second_factor_at=now)
    )
    return await _new_codes(db, settings, me.user_id)


def _require_verified(me: Principal) -> None:
    if not me.second_factor:
        raise Forbidden("Log in again with a code from your app first.")


async def new_recovery_codes(db: AsyncSession, me: Principal, *, settings: Settings) -> list[str]:
    """A new set of recovery codes; the old ones stop working."""
    _require_verified(me)
    factor = await _factor(db, me.user_id)
    if factor is None or factor.confirmed_at is None:
        raise Conflict("Set up a second factor first.")
    return await _new_codes(db, settings, me.user_id)


async def _remove(db: AsyncSession, user_id: UUID) -> None:
    await db.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    await db.execute(delete(SecondFactor).where(col(SecondFactor.user_id) == user_id))


async def turn_off(db: AsyncSession, me: Principal) -> None:
    """A peer turns their second factor off (staff can't: an administrator resets it)."""
    if me.role in STAFF:
        raise Conflict("Staff keep their second factor. An administrator can reset it.")
    factor = await _factor(db, me.user_id)
    if factor is not None and factor.confirmed_at is not None:
        _require_verified(me)
    await _remove(db, me.user_id)


async def _use_recovery_code(
    db: AsyncSession, settings: Settings, user_id: UUID, code: str
) -> bool:
    """Spend the recovery code `code` if it is one of the account's unused ones."""
    rows = await db.execute(
        select(RecoveryCode.id, RecoveryCode.code_hash).where(
            col(RecoveryCode.user_id) == user_id, col(RecoveryCode.used_at).is_(None)
        )
    )
    stored = [(int(i), str(h)) for i, h in rows.all() if i is not None]
    code_id = await asyncio.to_thread(_matching, settings, code, stored)
    if code_id is None:
        return False
    spent = await db.execute(  # once: a second use at the same moment finds it spent
        update(RecoveryCode)
        .where(col(RecoveryCode.id) == code_id, col(RecoveryCode.used_at).is_(None))
        .values(used_at=utcnow())
    )
    return bool(spent.rowcount)  # type: ignore[attr-defined]


async def complete_login(
    db: AsyncSession, *, settings: Settings, mfa_token: str, code: str, address: str
) -> Login:
    """The second step of a login: a code from the app (or a recovery code, once) with the
    token the password step gave; opens the session, marked as verified."""
    claims = tokens.read_step_token(settings, mfa_token)
    if claims is None or claims.kind not in set(SessionKind):
        raise StepExpired("That sign-in has expired. Please log in again.")
    user = await db.get(User, claims.user_id)
    factor = await _factor(db, claims.user_id)
    if user is None or not user.is_active or factor is None or factor.confirmed_at is None:
        raise StepExpired("That sign-in has expired. Please log in again.")
    if totp.is_totp_shape(code):
        ok = await _check_totp(db, settings, factor, code, address)
    else:
        account_key, address_key = _throttle_keys(settings, user.id, address)
        await throttle.check_allowed(db, settings, account_key, address_key)
        ok = await _use_recovery_code(db, settings, user.id, code)
    if not ok:
        raise await _refuse(
            db,
            settings,
            user.id,
            address,
            "That code didn't work. Type the six digits your app shows now, or one of your "
            "recovery codes.",
        )
    return await open_session(db, settings, user, SessionKind(claims.kind), second_factor=True)


async def reset(db: AsyncSession, me: Principal, *, user_id: UUID) -> User:
    """An administrator removes someone else's second factor (a lost phone): it is set up
    again at their next login, and every session of theirs ends now."""
    if not me.is_admin:
        raise Forbidden("Only an administrator can reset a second factor.")
    if user_id == me.user_id:
        raise Conflict("You can't reset your own second factor; ask another administrator.")
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound("No such account.")
    if await _factor(db, user_id) is None:
        raise Conflict("That account has no second factor to reset.")
    await _remove(db, user_id)
    await db.execute(
        update(AuthSession)
        .where(col(AuthSession.user_id) == user_id, col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    return user


async def enabled_for(db: AsyncSession, user_ids: list[UUID]) -> set[UUID]:
    """Which of these accounts have a confirmed second factor (for administrators' pages)."""
    if not user_ids:
        return set()
    rows = await db.scalars(
        select(SecondFactor.user_id).where(
            col(SecondFactor.user_id).in_(user_ids), col(SecondFactor.confirmed_at).is_not(None)
        )
    )
    return set(rows.all())


async def set_up_directly(db: AsyncSession, settings: Settings, *, user_id: UUID) -> str:
    """A confirmed second factor made without a code: only the demo's loader uses it (its
    staff's secrets are printed, so a newcomer can sign in with ``api.auth.totp_code``)."""
    secret = totp.new_secret()
    sealed = seal(settings, secret, _context(user_id))
    assert sealed is not None
    db.add(SecondFactor(user_id=user_id, secret_sealed=sealed, confirmed_at=utcnow()))
    await db.flush()
    return secret


async def secret_of(db: AsyncSession, settings: Settings, *, user_id: UUID) -> str | None:
    """The demo's staff's secret, to print again on a later run (development only)."""
    factor = await _factor(db, user_id)
    return unseal(settings, factor.secret_sealed, _context(user_id)) if factor else None
