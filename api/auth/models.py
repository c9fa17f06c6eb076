"""Accounts, their sessions, and login attempts."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import BigInteger, LargeBinary, String
from sqlmodel import Field, SQLModel

from api.common import UTCDateTime, created_field, id_field, when_field


class Role(StrEnum):
    peer = "peer"
    coordinator = "coordinator"
    admin = "admin"


class SessionKind(StrEnum):
    web = "web"  # the PWA's cookie
    api = "api"  # a refresh token and the access tokens minted from it


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: UUID = id_field()
    email: str = Field(sa_type=String(320), unique=True, index=True)
    # Copied to supporter_offer.display_name (the roster's order): a way to change a name
    # would change it there too.
    display_name: str = Field(sa_type=String(60))
    password_hash: str = Field(sa_type=String(255))
    role: str = Field(default=Role.peer, sa_type=String(20))
    # Granted by an administrator to a coordinator or administrator (api/auth/service.py).
    safeguarding_lead: bool = False
    is_active: bool = True
    # Suspended by a coordinator's moderation decision: no log-in until then (it lifts by
    # itself when the moment passes). The words the person reads when they try are sealed,
    # bound to the account (context: id + b"suspension").
    suspended_until: datetime | None = when_field()
    suspension_note_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)
    created_at: datetime = created_field()
    # Set when the person followed the link sent to their address (api/auth/addresses.py);
    # until then they are never introduced to anyone.
    email_verified_at: datetime | None = when_field()


class AuthSession(SQLModel, table=True):
    """A login. Access tokens name it (``sid``); revoking it ends them all at once."""

    __tablename__ = "auth_session"

    id: UUID = id_field()
    user_id: UUID = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    kind: str = Field(sa_type=String(10))
    secret_hash: str = Field(sa_type=String(64), unique=True, index=True)
    # A rotated refresh token presented again means it leaked: the session is revoked.
    previous_secret_hash: str | None = Field(default=None, sa_type=String(64), index=True)
    created_at: datetime = created_field()
    last_used_at: datetime = created_field()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = when_field()
    # When this login proved the second factor (a code at login, or setting it up). Staff
    # sessions without it reach nothing of the console (api/auth/deps.py).
    second_factor_at: datetime | None = when_field()


class LoginAttempt(SQLModel, table=True):
    """A failed login, keyed by keyed hashes of the account and the address (no raw values)."""

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    account_key: str = Field(sa_type=String(64), index=True)
    address_key: str = Field(sa_type=String(64), index=True)
    at: datetime = created_field(index=True)


class SecondFactor(SQLModel, table=True):
    """An account's TOTP secret (RFC 6238), sealed, bound to the account. Unconfirmed while
    being set up: it counts only once a code from it has been checked."""

    __tablename__ = "second_factor"

    user_id: UUID = Field(primary_key=True, foreign_key="user_account.id", ondelete="CASCADE")
    secret_sealed: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = created_field()
    confirmed_at: datetime | None = when_field()
    # The last time step a code was accepted for: a code is never taken twice (RFC 6238 §5.2).
    last_step: int = Field(default=0, sa_type=BigInteger)


class RecoveryCode(SQLModel, table=True):
    """A one-time recovery code: kept only as an argon2id hash (with its own random salt, as
    ASVS 5.0 6.5.2 asks of lookup secrets under 112 bits); used once, then spent."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: UUID = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(sa_type=String(255))
    used_at: datetime | None = when_field()
