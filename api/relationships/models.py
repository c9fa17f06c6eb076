"""The one-to-one support relationship (from introduction to ending) and its history."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import JSON, Float, Index, String
from sqlmodel import Field, SQLModel

from api.common import created_field, id_field, when_field


class State(StrEnum):
    introduced = "introduced"  # waiting for the supporter's answer
    agreeing = "agreeing"  # accepted; agreeing terms
    active = "active"
    paused = "paused"
    ended = "ended"
    declined = "declined"  # the seeker only ever sees "not available right now"
    expired = "expired"
    withdrawn = "withdrawn"  # the seeker chose someone else before an answer


# States in which the relationship holds one of the supporter's places.
HOLDS_A_PLACE = (State.agreeing, State.active, State.paused)
OPEN_STATES = (State.introduced, *HOLDS_A_PLACE)


class Source(StrEnum):
    seeker_choice = "seeker_choice"
    coordinator = "coordinator"
    batch = "batch"


class Relationship(SQLModel, table=True):
    __tablename__ = "relationship"
    __table_args__ = (
        Index("ix_relationship_supporter_state", "supporter_id", "state"),
        Index("ix_relationship_seeker_state", "seeker_id", "state"),
        Index("ix_relationship_state_expires", "state", "expires_at"),
    )

    id: UUID = id_field()
    # Nullable: after an account is deleted the other person keeps an anonymised history.
    seeker_id: UUID | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    supporter_id: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    request_id: UUID | None = Field(
        default=None, foreign_key="support_request.id", ondelete="SET NULL"
    )
    state: str = Field(default=State.introduced, sa_type=String(20))
    source: str = Field(default=Source.seeker_choice, sa_type=String(20))
    score: float = Field(default=0.0, sa_type=Float)
    reasons: list[str] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = created_field()
    expires_at: datetime | None = when_field()
    answered_at: datetime | None = when_field()
    ended_at: datetime | None = when_field()
    ended_by: UUID | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    end_kind: str | None = Field(default=None, sa_type=String(30))


class RelationshipEvent(SQLModel, table=True):
    """Every change of state: who, when, from what to what. Readable by both people."""

    __tablename__ = "relationship_event"

    id: UUID = id_field()
    relationship_id: UUID = Field(foreign_key="relationship.id", index=True, ondelete="CASCADE")
    at: datetime = created_field()
    actor_id: UUID | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    from_state: str | None = Field(default=None, sa_type=String(20))
    to_state: str = Field(sa_type=String(20))
