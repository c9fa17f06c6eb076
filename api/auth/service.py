"""Accounts and sessions: sign up, log in (throttled), refresh, log out, roles."""

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Select, bindparam, delete, update
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth import links, passwords, throttle, tokens
from api.auth.models import AuthSession, LoginAttempt, Role, SecondFactor, SessionKind, User
from api.auth.principal import Principal
from api.auth.suspension import AccountSuspended, is_suspended, suspension_text
from api.common import utcnow
from api.config import Settings
from api.db import fast_rows
from api.errors import Conflict, FieldError, Forbidden, Invalid, NotFound, Unauthorized

BAD_LOGIN = "That email and password don't match an account."


class LoginFailed(Unauthorized):
    type = "login-failed"
    title = "Log in failed"
    keeps_changes = True  # the failed attempt counts towards the throttle


@dataclass(frozen=True)
class Login:
    user: User
    session: AuthSession
    secret: str  # the cookie value or refresh token; only its hash is stored


@dataclass(frozen=True)
class SecondFactorStep:
    """The password was right and the account has a second factor: the code comes next,
    with this short-lived token (api/auth/second_factor.complete_login)."""

    mfa_token: str
    expires_in: int


STAFF = (Role.coordinator, Role.admin)


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def sign_up(
    db: AsyncSession, *, settings: Settings, email: str, password: str, display_name: str
) -> User:
    """Create a peer account."""
    email = normalise_email(email)
    display_name = display_name.strip()
    errors = []
    if not EMAIL.match(email):
        errors.append(
            FieldError(field="email", message="Enter an email address, like name@example.org.")
        )
    if not display_name:
        errors.append(
            FieldError(field="display_name", message="Choose a name to show (a pseudonym is fine).")
        )
    problem = passwords.password_problem(password, email=email, display_name=display_name)
    if problem:
        errors.append(FieldError(field="password", message=problem))
    if errors:
        raise Invalid(errors[0].message, errors=errors)
    if await db.scalar(select(User.id).where(User.email == email)):
        raise Conflict(
            "An account with that email already exists. Try logging in.",
        )
    password_hash = await asyncio.to_thread(passwords.hash_password, settings, password)
    user = User(email=email, display_name=display_name, password_hash=password_hash, role=Role.peer)
    db.add(user)
    await db.flush()
    await links.send_confirmation(db, settings=settings, user=user)
    return user


async def log_in(
    db: AsyncSession,
    *,
    settings: Settings,
    email: str,
    password: str,
    address: str,
    kind: SessionKind,
) -> Login | SecondFactorStep:
    """Check the password (throttled per account and per address) and open a session, or,
    when the account has a second factor, say that a code is needed first."""
    user = await _password_checked(db, settings, email, password, address)
    # Only someone who knows the password learns that the account is suspended, and why.
    if is_suspended(user):
        raise AccountSuspended(suspension_text(settings, user))
    confirmed = await db.scalar(
        select(SecondFactor.confirmed_at).where(SecondFactor.user_id == user.id)
    )
    if confirmed is not None:
        return SecondFactorStep(
            mfa_token=tokens.mint_step_token(settings, user.id, kind),
            expires_in=settings.second_factor_step_minutes * 60,
        )
    return await open_session(db, settings, user, kind)


async def _password_checked(
    db: AsyncSession, settings: Settings, email: str, password: str, address: str
) -> User:
    email = normalise_email(email)
    account_key = tokens.keyed_hash(settings, "login-account", email)
    address_key = tokens.keyed_hash(settings, "login-address", address)
    await throttle.check_allowed(db, settings, account_key, address_key)
    user = await db.scalar(select(User).where(User.email == email))
    if user is None:
        await asyncio.to_thread(passwords.verify_dummy, settings)
        ok = False
    else:
        ok = await asyncio.to_thread(
            passwords.verify_password, settings, password, user.password_hash
        )
    if not ok or user is None or not user.is_active:
        limits = await throttle.record_failure(db, settings, account_key, address_key)
        raise LoginFailed(BAD_LOGIN, headers={"WWW-Authenticate": "Bearer", **limits})
    await throttle.forget_failures(db, account_key)
    return user


async def suspended_account(
    db: AsyncSession, *, settings: Settings, email: str, password: str, address: str
) -> User:
    """A suspended person proves who they are with their password (throttled like a log-in)
    without getting a session, so that they can appeal while they can't log in."""
    user = await _password_checked(db, settings, email, password, address)
    if not is_suspended(user):
        raise Conflict("Your account isn't suspended: log in, and appeal from your decisions.")
    return user


async def login_limits(db: AsyncSession, *, settings: Settings, address: str) -> dict[str, str]:
    """The RateLimit headers of this address's quota of unsuccessful logins."""
    address_key = tokens.keyed_hash(settings, "login-address", address)
    return throttle.headers_for(settings, await throttle.address_quota(db, settings, address_key))


def session_lifetime(settings: Settings, role: str, kind: str) -> timedelta:
    """How long a login lasts at most: staff's end sooner than peers' (docs/security.md)."""
    if role in STAFF:
        return timedelta(hours=settings.staff_session_absolute_hours)
    if kind == SessionKind.web:
        return timedelta(days=settings.web_session_absolute_days)
    return timedelta(days=settings.refresh_token_days)


def idle_limit(settings: Settings, role: str) -> timedelta:
    if role in STAFF:
        return timedelta(minutes=settings.staff_session_idle_minutes)
    return timedelta(minutes=settings.web_session_idle_minutes)


async def open_session(
    db: AsyncSession,
    settings: Settings,
    user: User,
    kind: SessionKind | str,
    *,
    second_factor: bool = False,
) -> Login:
    """A new login for `user` (after the password, and the code where there is one)."""
    secret = tokens.new_secret()
    now = utcnow()
    session = AuthSession(
        user_id=user.id,
        kind=kind,
        secret_hash=tokens.hash_secret(secret),
        expires_at=now + session_lifetime(settings, user.role, kind),
        second_factor_at=now if second_factor else None,
    )
    db.add(session)
    await db.flush()
    return Login(user=user, session=session, secret=secret)


def token_pair(settings: Settings, login: Login) -> TokenPair:
    return TokenPair(
        access_token=tokens.mint_access_token(settings, login.user.id, login.session.id),
        refresh_token=login.secret,
        expires_in=settings.access_token_minutes * 60,
    )


async def refresh(db: AsyncSession, *, settings: Settings, refresh_token: str) -> TokenPair:
    """Rotate the refresh token; a rotated one presented again revokes the whole session."""
    hashed = tokens.hash_secret(refresh_token)
    now = utcnow()
    session = await db.scalar(
        select(AuthSession).where(
            AuthSession.secret_hash == hashed, AuthSession.kind == SessionKind.api
        )
    )
    if session is None:
        reused = await db.scalar(
            select(AuthSession).where(AuthSession.previous_secret_hash == hashed)
        )
        if reused is not None and reused.revoked_at is None:
            reused.revoked_at = now
            raise _RefreshReused()
        raise Unauthorized("That refresh token is not valid. Please log in again.")
    user = await db.get(User, session.user_id)
    if (
        session.revoked_at
        or session.expires_at <= now
        or user is None
        or not user.is_active
        or _staff_session_over(settings, user.role, session.created_at, session.last_used_at)
    ):
        raise Unauthorized("That session has ended. Please log in again.")
    secret = tokens.new_secret()
    session.previous_secret_hash = session.secret_hash
    session.secret_hash = tokens.hash_secret(secret)
    session.last_used_at = now
    return token_pair(settings, Login(user=user, session=session, secret=secret))


class _RefreshReused(Unauthorized):
    type = "refresh-reused"
    keeps_changes = True  # the revocation must stick

    def __init__(self) -> None:
        super().__init__("That refresh token was already used. Please log in again.")


async def log_out(db: AsyncSession, *, session_id: UUID) -> None:
    """End a session server-side: its cookie, refresh token and access tokens stop working."""
    await db.execute(
        update(AuthSession)
        .where(col(AuthSession.id) == session_id, col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


# SQLModel sets __table__ on table models but does not declare it.
_S, _U = AuthSession.__table__.c, User.__table__.c  # type: ignore[attr-defined]
# Who is behind a session, with when it was last used: every request runs one of these, so
# they are Core statements built once (the ORM, or building them per call, would triple the
# cost: shared/performance.md).
_WHO = sa_select(
    _S.id,
    _S.revoked_at,
    _S.expires_at,
    _S.last_used_at,
    _S.created_at,
    _S.second_factor_at,
    _U.id,
    _U.role,
    _U.display_name,
    _U.is_active,
    _U.safeguarding_lead,
    _U.suspended_until,
).join(User.__table__, _U.id == _S.user_id)  # type: ignore[attr-defined]
_BY_SESSION = _WHO.where(_S.id == bindparam("session_id"))
_BY_COOKIE = _WHO.where(_S.secret_hash == bindparam("secret_hash"), _S.kind == SessionKind.web)


def _staff_session_over(
    settings: Settings, role: str, created_at: datetime, last_used_at: datetime
) -> bool:
    """A staff member's login ends after its absolute time or a short idle time, whatever
    its kind and whenever the role was granted."""
    if role not in STAFF:
        return False
    now = utcnow()
    return now - created_at > timedelta(
        hours=settings.staff_session_absolute_hours
    ) or now - last_used_at > idle_limit(settings, role)


def with_session_check(*columns: Any) -> Select:
    """The session re-check and what a route reads, as one statement (built once, at
    import): ``columns`` may name the session's account (``User``'s columns) or be
    subqueries correlated to it. Read it with ``principal_and``."""
    return _WHO.add_columns(*columns).where(_S.id == bindparam("session_id"))


def _live(
    settings: Settings, row: Sequence[Any], user_id: UUID | None
) -> tuple[Principal, datetime] | None:
    """Who is behind a live session (the first 12 columns of ``_WHO``), with when it was
    last used; None when it has ended."""
    session_id, revoked_at, expires_at, last_used_at, created_at, verified_at = row[:6]
    uid, role, name, active, lead, until = row[6:12]
    now = utcnow()
    if revoked_at or expires_at <= now or not active or (until is not None and until > now):
        return None
    if role in STAFF and utcnow() - created_at > timedelta(
        hours=settings.staff_session_absolute_hours
    ):
        return None
    if user_id is not None and uid != user_id:
        return None
    principal = Principal(
        user_id=uid,
        role=Role(role),
        session_id=session_id,
        display_name=name,
        safeguarding_lead=bool(lead),
        second_factor=verified_at is not None,
    )
    return principal, last_used_at


async def _principal(
    db: AsyncSession,
    settings: Settings,
    statement: Select,
    parameters: dict,
    user_id: UUID | None = None,
) -> tuple[Principal, datetime] | None:
    """Who is behind a live session, with when it was last used."""
    found = await fast_rows(db, statement, parameters)
    return _live(settings, found[0], user_id) if found else None


async def principal_from_access_token(
    db: AsyncSession, *, settings: Settings, token: str
) -> Principal:
    return (await principal_and(db, settings=settings, token=token, statement=_BY_SESSION))[0]


async def principal_and(
    db: AsyncSession, *, settings: Settings, token: str, statement: Select
) -> tuple[Principal, Sequence[Any]]:
    """Who is behind an access token (the session re-checked in the database, as on every
    request) and the rest of ``statement``'s row (``with_session_check``): one round trip."""
    claims = tokens.read_access_token(settings, token)
    if claims is None:
        raise Unauthorized("Your access token is missing, expired or not valid.")
    found = await fast_rows(db, statement, {"session_id": claims.session_id})
    live = _live(settings, found[0], claims.user_id) if found else None
    if live is None:
        raise Unauthorized("That session has ended. Please log in again.")
    return live[0], found[0][12:]


async def principal_from_cookie(
    db: AsyncSession, *, settings: Settings, secret: str
) -> Principal | None:
    """The person behind a PWA session cookie, or None; slides the idle timeout."""
    found = await _principal(db, settings, _BY_COOKIE, {"secret_hash": tokens.hash_secret(secret)})
    if found is None:
        return None
    principal, last_used_at = found
    now = utcnow()
    if now - last_used_at > idle_limit(settings, principal.role):
        await log_out(db, session_id=principal.session_id)
        return None
    if now - last_used_at > timedelta(minutes=5):  # avoid a write on every request
        await db.execute(
            update(AuthSession)
            .where(col(AuthSession.id) == principal.session_id)
            .values(last_used_at=now)
        )
    return principal


async def get_user(db: AsyncSession, *, user_id: UUID) -> User:
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound("No such account.")
    return user


async def set_account(
    db: AsyncSession,
    actor: Principal,
    *,
    user_id: UUID,
    role: Role | None,
    is_active: bool | None,
    safeguarding_lead: bool | None = None,
) -> User:
    """Admins grant roles and disable accounts; disabling ends every session of the account.
    Nobody changes their own roles or access: another administrator does."""
    if not actor.is_admin:
        raise Forbidden("Only an administrator can change roles or disable accounts.")
    user = await get_user(db, user_id=user_id)
    if user.id == actor.user_id and (
        is_active is False
        or (role and role != Role.admin)
        or (safeguarding_lead is not None and safeguarding_lead != user.safeguarding_lead)
    ):
        raise Conflict("You can't change your own roles or access; ask another administrator.")
    if role is not None:
        user.role = role
        if role == Role.peer:
            user.safeguarding_lead = False
    if safeguarding_lead is not None:
        if safeguarding_lead and user.role == Role.peer:
            raise Invalid.field(
                "safeguarding_lead", "Only a coordinator or an administrator can be the lead."
            )
        user.safeguarding_lead = safeguarding_lead
    if is_active is not None:
        user.is_active = is_active
        if not is_active:
            await db.execute(
                update(AuthSession)
                .where(col(AuthSession.user_id) == user.id, col(AuthSession.revoked_at).is_(None))
                .values(revoked_at=utcnow())
            )
    await db.flush()
    return user


async def delete_account(db: AsyncSession, *, user_id: UUID, account_key: str) -> None:
    """Delete the account row and its login throttling; the database's ON DELETE rules
    remove or anonymise everything that refers to it."""
    await db.execute(delete(LoginAttempt).where(col(LoginAttempt.account_key) == account_key))
    await db.execute(
        delete(User).where(col(User.id) == user_id).execution_options(synchronize_session=False)
    )
