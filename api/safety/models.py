"""Endings, pauses, concerns, blocks, feedback, safeguarding access, and notices to people.

Free text (closing messages, concern details, feedback, coordinators' reasons and notes) is
health data: it is stored sealed (AES-GCM, api/crypto.py), each value bound to its row.
"""

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import JSON, Date, Index, LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.common import UTCDateTime, created_field, id_field, when_field


class EndKind(StrEnum):
    """How a relationship ended (``relationship.end_kind``)."""

    ended_by_person = "ended_by_person"  # either of the two, at any time, no reason needed
    completed = "completed"  # the agreed sessions were held, confirmed by either
    ended_for_safety = "ended_for_safety"  # a coordinator, with a recorded reason
    blocked = "blocked"  # one blocked the other
    account_deleted = "account_deleted"  # one of the two deleted their account


class ReasonCategory(StrEnum):
    """Why someone ended it, if they want to say: only they and the coordinators ever see it."""

    got_what_i_needed = "got_what_i_needed"
    not_the_right_fit = "not_the_right_fit"
    no_time_or_energy = "no_time_or_energy"
    need_different_support = "need_different_support"
    felt_uncomfortable = "felt_uncomfortable"
    something_else = "something_else"


class Ending(SQLModel, table=True):
    """The details of an ending; who, when and how are on the relationship row itself."""

    __tablename__ = "relationship_ending"

    relationship_id: UUID = Field(
        foreign_key="relationship.id", primary_key=True, ondelete="CASCADE"
    )
    reason_category: str | None = Field(default=None, sa_type=String(30))
    # To the other person, seen by the sender before it was sent. Sealed with context
    # ``relationship_id + b"closing"``; erased if the sender deletes their account.
    closing_message_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)
    # A coordinator's recorded reason for a safety ending (context ``… + b"safety"``).
    safety_reason_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)
    concern_id: UUID | None = Field(default=None, foreign_key="concern.id", ondelete="SET NULL")


class Pause(SQLModel, table=True):
    """One pause of a relationship; the current one has ``over_at`` unset."""

    __tablename__ = "relationship_pause"
    __table_args__ = (Index("ix_relationship_pause_current", "relationship_id", "over_at"),)

    id: UUID = id_field()
    relationship_id: UUID = Field(foreign_key="relationship.id", ondelete="CASCADE")
    paused_by: UUID | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    paused_at: datetime = created_field()
    # The planned last day is the day before; from this date on, the one who paused counts as
    # having asked to carry on (the other person still acknowledges). Compared in UTC.
    until: date | None = Field(default=None, sa_type=Date)
    # A coordinator's safety hold: the two people can't resume until a coordinator lifts it.
    safety_hold: bool = False
    safety_reason_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)
    resume_requested_by: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    resume_requested_at: datetime | None = when_field()
    over_at: datetime | None = when_field()  # resumed, or the relationship ended


class ConcernKind(StrEnum):
    boundary_crossed = "boundary_crossed"
    feel_unsafe = "feel_unsafe"
    worried_about_other = "worried_about_other"
    other = "other"


class ConcernStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    closed = "closed"


class Concern(SQLModel, table=True):
    __tablename__ = "concern"

    id: UUID = id_field()
    relationship_id: UUID = Field(foreign_key="relationship.id", index=True, ondelete="CASCADE")
    raised_by: UUID | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    # Kept when the account goes, so coordinators still know which side raised it.
    raised_by_role: str = Field(sa_type=String(10))
    kind: str = Field(sa_type=String(30))
    details_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)  # context: id
    # Not to be named to the other person when coordinators follow it up.
    anonymous: bool = False
    status: str = Field(default=ConcernStatus.open, sa_type=String(20), index=True)
    created_at: datetime = created_field()
    updated_at: datetime = created_field()


class ConcernEvent(SQLModel, table=True):
    """The concern's audit trail: raised, status changes, notes, safety actions."""

    __tablename__ = "concern_event"

    id: UUID = id_field()
    concern_id: UUID = Field(foreign_key="concern.id", index=True, ondelete="CASCADE")
    at: datetime = created_field()
    actor_id: UUID | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    action: str = Field(sa_type=String(30))
    from_status: str | None = Field(default=None, sa_type=String(20))
    to_status: str | None = Field(default=None, sa_type=String(20))
    note_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)  # context: id


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


class Feedback(SQLModel, table=True):
    """Private feedback on a relationship, for the coordinators only (never the other person)."""

    __tablename__ = "relationship_feedback"

    id: UUID = id_field()
    relationship_id: UUID = Field(foreign_key="relationship.id", index=True, ondelete="CASCADE")
    author_id: UUID = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    author_role: str = Field(sa_type=String(10))
    text_sealed: bytes = Field(sa_type=LargeBinary)  # context: id
    created_at: datetime = created_field()


class SafeguardingAccess(SQLModel, table=True):
    """A coordinator's time-limited, justified access to one relationship's content."""

    __tablename__ = "safeguarding_access"

    id: UUID = id_field()
    relationship_id: UUID = Field(foreign_key="relationship.id", index=True, ondelete="CASCADE")
    coordinator_id: UUID | None = Field(
        default=None, foreign_key="user_account.id", index=True, ondelete="SET NULL"
    )
    reason_sealed: bytes = Field(sa_type=LargeBinary)  # context: id
    concern_id: UUID | None = Field(default=None, foreign_key="concern.id", ondelete="SET NULL")
    granted_at: datetime = created_field()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = when_field()


class AuditAction(StrEnum):
    granted = "granted"
    read = "read"
    revoked = "revoked"
    refused = "refused"  # a coordinator asked without an access; shown to coordinators only


class SafeguardingAuditEntry(SQLModel, table=True):
    """Every grant, read and revocation of content access; the two people can see them."""

    __tablename__ = "safeguarding_audit_entry"

    id: UUID = id_field()
    relationship_id: UUID = Field(foreign_key="relationship.id", index=True, ondelete="CASCADE")
    access_id: UUID | None = Field(
        default=None, foreign_key="safeguarding_access.id", ondelete="SET NULL"
    )
    coordinator_id: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    action: str = Field(sa_type=String(20))
    what: str = Field(sa_type=String(40))  # which content: "own_words", "messages", …
    at: datetime = created_field()


class Notice(SQLModel, table=True):
    """Something a person is told (a kind ending, a pause, …), worded when it is read.

    Only a kind and a few plain values are stored: the wording, with the other person's
    current name (or "A former member"), is made when it is shown; see api/safety/notices.py.
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
