"""Support requests, who is kept apart (blocks, "glad to be matched again"), coordinators'
batch-assignment drafts and the notes coordinators send with an introduction."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import Float, Index, LargeBinary, String, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from api.common import created_field, id_field, json_dict_field, json_list_field, when_field


class RequestStatus(StrEnum):
    waiting = "waiting"  # on the waiting list (no open introduction yet)
    introduced = "introduced"  # an introduction is waiting for a supporter's answer
    matched = "matched"  # a supporter accepted
    withdrawn = "withdrawn"


class SupportRequest(SQLModel, table=True):
    __tablename__ = "support_request"
    __table_args__ = (
        Index("ix_support_request_status_created", "status", "created_at", "id"),
        Index("ix_support_request_status_line", "status", "first_in_line_at", "created_at"),
    )

    id: UUID = id_field()
    seeker_id: UUID = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    status: str = Field(default=RequestStatus.waiting, sa_type=String(20), index=True)
    # Which of their experiences they want support with (taxonomy tag ids).
    tag_ids: list[int] = json_list_field()
    # Soft preferences: {"gender": str|None, "age_band": str|None, "further_along": bool}
    preferences: dict = json_dict_field()
    # The seeker lets the supporter who accepts read their own words about these experiences.
    share_own_words: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    created_at: datetime = created_field()
    updated_at: datetime = created_field()
    # "Ask a coordinator to choose for me": the seeker would rather not pick from a shortlist.
    coordinator_chooses: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # First in line on the waiting list (api/matching/requests.waiting_order): set when the
    # seeker's supporter never answered within the agreed time and they asked for a new match.
    first_in_line_at: datetime | None = when_field()


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
    stats: dict = json_dict_field()
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
    reasons: list[str] = json_list_field()


class Block(SQLModel, table=True):
    """One person blocked another: the pair is never matched again, in either role."""

    __tablename__ = "person_block"
    __table_args__ = (UniqueConstraint("blocker_id", "blocked_id", name="uq_person_block_pair"),)

    id: UUID = id_field()
    blocker_id: UUID = Field(foreign_key="user_account.id", ondelete="CASCADE")
    blocked_id: UUID = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    relationship_id: UUID | None = Field(
        default=None, foreign_key="relationship.id", ondelete="SET NULL"
    )
    created_at: datetime = created_field()


class MatchAgain(SQLModel, table=True):
    """After an ending, one person would be glad to be matched with the other again.

    The pair can be matched again only when both have said so (and nothing else keeps them
    apart); neither learns the other's answer until then.
    """

    __tablename__ = "match_again"

    relationship_id: UUID = Field(
        foreign_key="relationship.id", primary_key=True, ondelete="CASCADE"
    )
    user_id: UUID = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    created_at: datetime = created_field()


class IntroductionNote(SQLModel, table=True):
    """A coordinator's short notes with an introduction they proposed: one for the supporter
    (why they thought of them), and one for the seeker if they chose to write it. Each is
    sealed, bound to the introduction (context: relationship id + whose note it is)."""

    __tablename__ = "introduction_note"

    relationship_id: UUID = Field(
        foreign_key="relationship.id", primary_key=True, ondelete="CASCADE"
    )
    written_by: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    to_supporter_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)
    to_seeker_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)
    created_at: datetime = created_field()
