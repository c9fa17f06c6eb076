"""Endings, pauses, feedback and safeguarding access.

Free text (closing messages, feedback, coordinators' reasons and notes) is
health data: it is stored sealed (AES-GCM, api/crypto.py), each value bound to its row.
"""

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import Date, Index, LargeBinary, String
from sqlmodel import Field, SQLModel

from api.common import UTCDateTime, created_field, id_field, when_field


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
    # Under the two-person rule an access is first a request: closed until a second
    # coordinator (or the safeguarding lead) approves it before `request_expires_at`. Without
    # the rule it is approved as it is granted. The access then lasts as long as was asked,
    # from its approval.
    approved_at: datetime | None = when_field()
    approved_by: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    request_expires_at: datetime | None = when_field()
    refused_at: datetime | None = when_field()
    refused_by: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )


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


class SafetyPlan(SQLModel, table=True):
    """A person's own safety plan. Only they ever read it: never the other person, never staff.

    Every section is in their own words, sealed together (context ``user_id + b"safety-plan"``);
    it goes with their account (ON DELETE CASCADE).
    """

    __tablename__ = "safety_plan"

    user_id: UUID = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    sections_sealed: bytes = Field(sa_type=LargeBinary)
    updated_at: datetime = created_field()
