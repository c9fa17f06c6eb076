"""One row per (principal, key): taken before the request runs, filled in once it has."""

from datetime import datetime

from sqlalchemy import Index, LargeBinary, String
from sqlmodel import Field, SQLModel

from api.common import created_field, when_field


class IdempotencyRecord(SQLModel, table=True):
    """A request made with an ``Idempotency-Key``.

    The primary key is the lock: whichever replica inserts the row first runs the request;
    the others find it. ``status`` is empty while the first request is in flight. The stored
    answer (headers and body) is sealed, bound to its row: it may carry what people wrote.
    """

    __tablename__ = "idempotency_key"
    __table_args__ = (Index("ix_idempotency_key_created_at", "created_at"),)

    principal: str = Field(primary_key=True, sa_type=String(80))
    key: str = Field(primary_key=True, sa_type=String(255))
    fingerprint: str = Field(sa_type=String(64))
    created_at: datetime = created_field()
    locked_until: datetime = created_field()
    status: int | None = None
    response_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)
    finished_at: datetime | None = when_field()
