"""A concern and its audit trail. The details and notes are health data: sealed (AES-GCM,
api/crypto.py), each value bound to its row."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import LargeBinary, String
from sqlmodel import Field, SQLModel

from api.common import created_field, id_field


class ConcernKind(StrEnum):
    boundary_crossed = "boundary_crossed"
    feel_unsafe = "feel_unsafe"
    worried_about_other = "worried_about_other"
    other = "other"
    message_reported = "message_reported"  # "Report this message": that message is attached
    no_reply = "no_reply"  # "I haven't heard from them" after the agreed response time


class ConcernStatus(StrEnum):
    """new → triaged → in progress → resolved (a resolved concern can be reopened)."""

    new = "new"
    triaged = "triaged"
    in_progress = "in_progress"
    resolved = "resolved"


OPEN_CONCERN = (ConcernStatus.new, ConcernStatus.triaged, ConcernStatus.in_progress)


class Concern(SQLModel, table=True):
    __tablename__ = "concern"

    id: UUID = id_field()
    relationship_id: UUID = Field(foreign_key="relationship.id", index=True, ondelete="CASCADE")
    raised_by: UUID | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    # Kept when the account goes, so coordinators still know which side raised it.
    raised_by_role: str = Field(sa_type=String(10))
    kind: str = Field(sa_type=String(30))
    details_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)  # context: id
    # Not to be named to the other person when coordinators follow it up.
    anonymous: bool = False
    # A reported message: the report is the recorded reason coordinators may read it.
    message_id: UUID | None = Field(default=None, foreign_key="message.id", ondelete="SET NULL")
    status: str = Field(default=ConcernStatus.new, sa_type=String(20), index=True)
    # The coordinator looking after it, if any.
    assigned_to: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL", index=True
    )
    created_at: datetime = created_field()
    updated_at: datetime = created_field()


class ConcernEvent(SQLModel, table=True):
    """The concern's audit trail: raised, status changes, notes, safety actions."""

    __tablename__ = "concern_event"

    id: UUID = id_field()
    concern_id: UUID = Field(foreign_key="concern.id", index=True, ondelete="CASCADE")
    at: datetime = created_field()
    actor_id: UUID | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    action: str = Field(sa_type=String(30))
    from_status: str | None = Field(default=None, sa_type=String(20))
    to_status: str | None = Field(default=None, sa_type=String(20))
    note_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)  # context: id
