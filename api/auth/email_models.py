"""Links sent by e-mail: a password reset, confirming an address (only their hashes stored)."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from api.common import UTCDateTime, created_field, id_field, when_field


class Purpose(StrEnum):
    reset = "reset"  # forgot my password
    verify = "verify"  # confirm the address I signed up with
    change = "change"  # confirm the new address I changed to


class EmailToken(SQLModel, table=True):
    """A single-use link: the SHA-256 of its secret, what it is for, until when it works."""

    __tablename__ = "email_token"

    id: UUID = id_field()
    user_id: UUID = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    purpose: str = Field(sa_type=String(10))
    token_hash: str = Field(sa_type=String(64), unique=True)
    new_email: str | None = Field(default=None, sa_type=String(320))
    created_at: datetime = created_field()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = when_field()
