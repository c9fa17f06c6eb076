"""The notice table: what a person has been told, as a kind and a few plain values."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel

from api.common import (
    UTCDateTime,
    created_field,
    id_field,
    json_dict_field,
    json_list_field,
    when_field,
)


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
    params: dict = json_dict_field()
    created_at: datetime = created_field()
    read_at: datetime | None = when_field()


class NoticeDelivery(SQLModel, table=True):
    """A notice owed to one more channel (``push``, ``email``, ``digest``), due from ``due_at``
    (the end of the person's quiet hours); made with the notice, in its transaction, once per
    channel. ``done_at`` is set when a worker takes it: it is never sent twice."""

    __tablename__ = "notice_delivery"
    __table_args__ = (Index("ix_notice_delivery_due", "done_at", "due_at"),)

    notice_id: UUID = Field(foreign_key="notice.id", primary_key=True, ondelete="CASCADE")
    channel: str = Field(sa_type=String(10), primary_key=True)
    user_id: UUID = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    due_at: datetime = Field(sa_type=UTCDateTime)
    done_at: datetime | None = when_field()


class NoticePreference(SQLModel, table=True):
    """How a person wants to hear of their notices (no row: the defaults). Notices are always
    in the app; push and e-mail are chosen per kind."""

    __tablename__ = "notice_preference"

    user_id: UUID = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    # Kinds sent by e-mail (each at once, or gathered in a daily digest).
    email_kinds: list = json_list_field()
    digest: bool = False
    # Kinds never pushed (push goes only to devices that subscribed).
    push_off: list = json_list_field()
    # Reminders (session, review point, introduction closing) that are not wanted at all.
    reminders_off: list = json_list_field()
    remind_before_minutes: int = 24 * 60
    # Quiet hours, minutes after local midnight; pushes and e-mails wait until they end.
    quiet_from: int | None = None
    quiet_until: int | None = None
    updated_at: datetime = created_field()
