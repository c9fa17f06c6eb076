"""What the service checked about each supporter, their supervision, and their debriefs."""

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import Index, LargeBinary, String
from sqlmodel import Field, SQLModel

from api.common import created_field, id_field


class ScreeningRecord(SQLModel, table=True):
    """One checklist item done for one supporter, recorded by a coordinator. A newer record
    of the same item (refresher training) supersedes the older; both are kept."""

    __tablename__ = "screening_record"
    __table_args__ = (Index("ix_screening_record_person_item", "user_id", "item_key", "done_on"),)

    id: UUID = id_field()
    user_id: UUID = Field(foreign_key="user_account.id", ondelete="CASCADE")
    item_key: str = Field(sa_type=String(40))
    done_on: date
    # Copied from the checklist when recorded, so a later change to it never rewrites history.
    expires_on: date | None = None
    note_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)  # context: id
    recorded_at: datetime = created_field()
    recorded_by: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )


class SupervisionSession(SQLModel, table=True):
    """A supervision session a supporter had, logged by a coordinator."""

    __tablename__ = "supervision_session"
    __table_args__ = (Index("ix_supervision_session_person", "user_id", "held_on"),)

    id: UUID = id_field()
    user_id: UUID = Field(foreign_key="user_account.id", ondelete="CASCADE")
    held_on: date
    with_whom: str = Field(sa_type=String(80))
    next_due: date
    note_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)  # context: id
    recorded_at: datetime = created_field()
    recorded_by: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )


class DebriefNote(SQLModel, table=True):
    """A supporter's short private note for coordinators after a session they held. Never
    shown to the other person of the relationship; the author reads and deletes it."""

    __tablename__ = "debrief_note"

    id: UUID = id_field()
    author_id: UUID = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    relationship_id: UUID = Field(foreign_key="relationship.id", ondelete="CASCADE")
    session_id: UUID = Field(foreign_key="contact_session.id", unique=True, ondelete="CASCADE")
    body_sealed: bytes = Field(sa_type=LargeBinary)  # context: id
    created_at: datetime = created_field()
