"""Contact between the two people: sessions, messages, calendar feeds, push subscriptions.

Free text (message bodies, a note left when cancelling) is health data: it is stored sealed
(AES-GCM, api/crypto.py), each value bound to its row, and never logged.
"""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import Index, LargeBinary, String, text
from sqlmodel import Field, SQLModel

from api.common import UTCDateTime, created_field, id_field, when_field


class SessionStatus(StrEnum):
    proposed = "proposed"  # waiting for the other person to confirm (or suggest another time)
    confirmed = "confirmed"
    cancelled = "cancelled"  # by either person, never penalised; or because the support ended
    held = "held"
    missed = "missed"


# Sessions still to happen: they can be confirmed, moved or cancelled.
OPEN = (SessionStatus.proposed, SessionStatus.confirmed)
# Sessions that take up their time: nothing else of the pair may overlap them.
TAKES_TIME = (SessionStatus.proposed, SessionStatus.confirmed, SessionStatus.held)
# Sessions that use one of the agreed sessions (and a place in the week's limit).
COUNTED = (SessionStatus.confirmed, SessionStatus.held)


class ContactSession(SQLModel, table=True):
    """A planned contact: inside the agreed windows, on an agreed channel, within the counts."""

    __tablename__ = "contact_session"
    __table_args__ = (
        Index("ix_contact_session_relationship_start", "relationship_id", "start_at"),
        # Held sessions of a period by relationship, from the index alone (statistics, roster).
        Index("ix_contact_session_status_start", "status", "start_at", "relationship_id"),
        Index(
            "ix_contact_session_relationship_status_start", "relationship_id", "status", "start_at"
        ),
        # Held sessions of a period by supporter, from the index alone (statistics' supporters
        # active, the roster's burnout flag), without looking up each session's relationship.
        Index("ix_contact_session_status_start_supporter", "status", "start_at", "supporter_id"),
    )

    id: UUID = id_field()
    relationship_id: UUID = Field(foreign_key="relationship.id", ondelete="CASCADE")
    # The relationship's supporter, kept here when the session is made (a relationship never
    # changes supporter) so that sessions can be counted by supporter from an index; like
    # the relationship's, it goes (NULL) with the supporter's account.
    supporter_id: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    # Who proposed the time now on the table (a new time proposed by the other person
    # makes them the proposer, and the first person confirms).
    proposed_by: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    start_at: datetime = Field(sa_type=UTCDateTime)
    minutes: int  # the agreed session length when it was proposed
    channel: str = Field(sa_type=String(20))
    status: str = Field(default=SessionStatus.proposed, sa_type=String(20))
    # Bumped on every change by a conditional UPDATE: of two changes made at once, one wins.
    revision: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    agreement_version: int  # the version in force its time was checked against
    created_at: datetime = created_field()
    confirmed_at: datetime | None = when_field()
    cancelled_at: datetime | None = when_field()
    cancelled_by: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    # Optional, from whoever cancelled; sealed with context ``id + b"note"``.
    note_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)
    outcome_at: datetime | None = when_field()  # when it was marked held or missed
    outcome_by: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )


WAITING = text("notified_at IS NULL AND dropped_at IS NULL")


class Message(SQLModel, table=True):
    """One chat message. Sent outside the agreed windows it is held until ``deliver_at``.

    Delivery is decided when it is read (``deliver_at <= now``, not dropped), so no worker has
    to run for a message to arrive; ``notified_at`` marks that the recipient has been told.
    """

    __tablename__ = "message"
    __table_args__ = (
        Index("ix_message_relationship_sent", "relationship_id", "sent_at"),
        Index("ix_message_undelivered", "notified_at", "deliver_at"),
        # Waiting messages of a relationship (held.waiting): few, however long the conversation.
        Index(
            "ix_message_waiting",
            "relationship_id",
            "deliver_at",
            postgresql_where=WAITING,
            sqlite_where=WAITING,
        ),
    )

    id: UUID = id_field()
    relationship_id: UUID = Field(foreign_key="relationship.id", ondelete="CASCADE")
    # The text is its sender's: it goes with their account.
    sender_id: UUID = Field(foreign_key="user_account.id", ondelete="CASCADE")
    recipient_id: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    body_sealed: bytes = Field(sa_type=LargeBinary)  # context: id
    sent_at: datetime = created_field()
    deliver_at: datetime = Field(sa_type=UTCDateTime)  # == sent_at inside a window
    held: bool = False  # sent outside the agreed windows
    notified_at: datetime | None = when_field()  # the recipient was told (or saw it)
    read_at: datetime | None = when_field()
    dropped_at: datetime | None = when_field()  # the support ended first: never delivered
    # The agreement version whose windows ``deliver_at`` follows; when another version comes
    # into force, held messages are timed again (api/contact/held.py).
    windows_version: int | None = None
    # Contact details the agreement doesn't allow sharing ("phone,email"): kept back, not
    # delivered, until both people's agreed limits allow them (api/contact/contact_details.py).
    withheld: str | None = Field(default=None, sa_type=String(40))
    # A coordinator hid it (api/moderation): neither person sees its text any more, the
    # sender sees that it was hidden; the sealed text stays for the record.
    hidden_at: datetime | None = when_field()


class CalendarFeed(SQLModel, table=True):
    """A private iCalendar feed of one person's sessions; the URL's token is kept as a hash."""

    __tablename__ = "calendar_feed"

    id: UUID = id_field()
    user_id: UUID = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(sa_type=String(64), unique=True)  # sha256 hex of the token
    created_at: datetime = created_field()
    revoked_at: datetime | None = when_field()


class PushSubscription(SQLModel, table=True):
    """A browser's Web Push subscription (RFC 8030/8291), for the person signed in on it."""

    __tablename__ = "push_subscription"

    id: UUID = id_field()
    user_id: UUID = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    endpoint: str = Field(sa_type=String(1024), unique=True)
    p256dh: str = Field(sa_type=String(128))  # the browser's public key, base64url
    auth: str = Field(sa_type=String(64))  # the browser's auth secret, base64url
    created_at: datetime = created_field()
    last_sent_at: datetime | None = when_field()
    failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


__all__ = [
    "COUNTED",
    "OPEN",
    "TAKES_TIME",
    "CalendarFeed",
    "ContactSession",
    "Message",
    "PushSubscription",
    "SessionStatus",
]
