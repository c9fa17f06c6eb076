"""A peer's offer to support others; approval by a coordinator makes them a peer supporter."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import CheckConstraint, Index, LargeBinary, String
from sqlmodel import Field, SQLModel

from api.common import created_field, id_field, when_field

DEFAULT_CAPACITY = 2
MAX_CAPACITY = 5


class OfferStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    declined = "declined"
    withdrawn = "withdrawn"
    # Suspended by a coordinator: no new introductions; their relationships carry on.
    suspended = "suspended"


class SupporterOffer(SQLModel, table=True):
    __tablename__ = "supporter_offer"
    __table_args__ = (
        CheckConstraint(f"capacity >= 1 AND capacity <= {MAX_CAPACITY}", name="ck_offer_capacity"),
        CheckConstraint("active_count >= 0", name="ck_offer_active_count"),
        Index("ix_supporter_offer_load", "active_count", "user_id"),
        Index("ix_supporter_offer_name", "display_name", "user_id"),
    )

    id: UUID = id_field()
    user_id: UUID = Field(foreign_key="user_account.id", unique=True, ondelete="CASCADE")
    # Their account's name, copied when they offer, so that coordinators' roster is read in
    # name order from this table's own index rather than sorted out of every account.
    display_name: str = Field(sa_type=String(60))
    status: str = Field(default=OfferStatus.pending, sa_type=String(20), index=True)
    # How many people at once: the supporter's own choice.
    capacity: int = DEFAULT_CAPACITY
    # Not taking new people for now (existing relationships go on).
    paused: bool = False
    # Relationships holding one of their places now. Changed only by a conditional UPDATE
    # (``active_count < capacity``), so concurrent accepts can never over-assign.
    active_count: int = 0
    # Bumped on every change that affects matching, so each replica's index can catch up.
    updated_at: datetime = created_field(index=True)
    created_at: datetime = created_field()
    decided_at: datetime | None = when_field()
    decided_by: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    # The coordinator's note to them with the decision (sealed, context: the offer's id).
    decision_note_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)
    suspended_at: datetime | None = when_field()
    suspended_by: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
