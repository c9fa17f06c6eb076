"""The outgoing e-mail queue: one row per e-mail, sent by the job queue (api/tasks/mail.py)."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import Index, LargeBinary, String
from sqlmodel import Field, SQLModel

from api.common import UTCDateTime, created_field, id_field, when_field


class MailState(StrEnum):
    waiting = "waiting"  # due from send_after
    sending = "sending"  # claimed by a worker until claimed_until
    sent = "sent"
    failed = "failed"  # the server refused it every time: given up


class MailOut(SQLModel, table=True):
    """An e-mail to send. Its ``key`` names what it is about (a notice, a reset link), so it is
    queued at most once; its body (which may carry a link's token) is sealed and erased once
    sent. Gone with the account it was for."""

    __tablename__ = "mail_out"
    __table_args__ = (Index("ix_mail_out_state_send_after", "state", "send_after"),)

    id: UUID = id_field()
    key: str = Field(sa_type=String(200), unique=True)
    user_id: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="CASCADE", index=True
    )
    to_address: str = Field(sa_type=String(320))
    subject: str = Field(sa_type=String(200))
    body_sealed: bytes = Field(sa_type=LargeBinary)
    state: str = Field(default=MailState.waiting, sa_type=String(10))
    send_after: datetime = Field(sa_type=UTCDateTime)
    attempts: int = 0
    claimed_until: datetime | None = when_field()
    sent_at: datetime | None = when_field()
    created_at: datetime = created_field()
