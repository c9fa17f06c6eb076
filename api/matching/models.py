"""Support requests, coordinators' batch-assignment drafts, and own-words vectors."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import JSON, Float, LargeBinary, String
from sqlmodel import Field, SQLModel

from api.common import created_field, id_field, when_field


class RequestStatus(StrEnum):
    waiting = "waiting"  # on the waiting list (no open introduction yet)
    introduced = "introduced"  # an introduction is waiting for a supporter's answer
    matched = "matched"  # a supporter accepted
    withdrawn = "withdrawn"


class SupportRequest(SQLModel, table=True):
    __tablename__ = "support_request"

    id: UUID = id_field()
    seeker_id: UUID = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    status: str = Field(default=RequestStatus.waiting, sa_type=String(20), index=True)
    # Which of their experiences they want support with (taxonomy tag ids).
    tag_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    # Soft preferences: {"gender": str|None, "age_band": str|None, "further_along": bool}
    preferences: dict = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = created_field()
    updated_at: datetime = created_field()


class DraftStatus(StrEnum):
    draft = "draft"
    sent = "sent"
    discarded = "discarded"


class BatchDraft(SQLModel, table=True):
    """A coordinator's batch assignment, reviewed and edited before any introduction is sent."""

    __tablename__ = "batch_draft"

    id: UUID = id_field()
    created_by: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    status: str = Field(default=DraftStatus.draft, sa_type=String(20))
    total_score: float = Field(default=0.0, sa_type=Float)
    stats: dict = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = created_field()
    sent_at: datetime | None = when_field()


class BatchDraftItem(SQLModel, table=True):
    __tablename__ = "batch_draft_item"

    id: UUID = id_field()
    draft_id: UUID = Field(foreign_key="batch_draft.id", index=True, ondelete="CASCADE")
    request_id: UUID = Field(foreign_key="support_request.id", ondelete="CASCADE")
    seeker_id: UUID = Field(foreign_key="user_account.id", ondelete="CASCADE")
    supporter_id: UUID = Field(foreign_key="user_account.id", ondelete="CASCADE")
    score: float = Field(default=0.0, sa_type=Float)
    reasons: list[str] = Field(default_factory=list, sa_type=JSON)


class OwnWordsVector(SQLModel, table=True):
    """One person's own words as one embedding, for similarity (api/matching/similarity.py).

    Derived from their descriptions and rebuilt from them at any time. Sealed like the words
    themselves, because an embedding can be turned back into something close to what was
    written; it goes with the account (ON DELETE CASCADE).
    """

    __tablename__ = "own_words_vector"

    user_id: UUID = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    # float16 little-endian, AES-GCM sealed, bound to user_id.
    vector_sealed: bytes = Field(sa_type=LargeBinary)
    # Vectors of different models can't be compared: only the current model's are used.
    model: str = Field(sa_type=String(80))
    updated_at: datetime = created_field()
