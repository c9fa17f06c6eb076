"""The notice table: what a person has been told, as a kind and a few plain values."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, Index, String
from sqlmodel import Field, SQLModel

from api.common import created_field, id_field, when_field


class Notice(SQLModel, table=True):
    """Something a person is told (a kind ending, a pause, …), worded when it is read.

    Only a kind and a few plain values are stored: the wording, with the other person's
    current name (or "A former member"), is made when it is shown; see api/notices/wording.py.
    """

    __tablename__ = "notice"
    __table_args__ = (Index("ix_notice_user_created", "user_id", "created_at"),)

    id: UUID = id_field()
    user_id: UUID = Field(foreign_key="user_account.id", ondelete="CASCADE")
    relationship_id: UUID | None = Field(
        default=None, foreign_key="relationship.id", ondelete="CASCADE"
    )
    kind: str = Field(sa_type=String(40))
    params: dict = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = created_field()
    read_at: datetime | None = when_field()
