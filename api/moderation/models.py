"""Moderation decisions and their appeals: the record the Online Safety Act asks a service to
keep. Free text (the coordinator's reason, what the person is told, the appeal and its answer)
is sealed, each value bound to its row; ids, kinds, dates and outcomes are plain, so the
record can be exported without any of it.

A decision outlives the accounts and the message it is about (their links are set to NULL),
so the record stays whole when someone deletes their account.
"""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import LargeBinary, String
from sqlmodel import Field, SQLModel

from api.common import created_field, id_field, when_field


class DecisionKind(StrEnum):
    note = "note"  # recorded only; nobody is told and there is nothing to appeal
    warn = "warn"  # a kind written warning to the person
    hide_message = "hide_message"  # the reported message, hidden from both people
    suspend = "suspend"  # no log-in (so no contact) until a date
    end_relationship = "end_relationship"  # ended for safety (api/safety/endings)


class Outcome(StrEnum):
    """Where a decision stands: in force (perhaps appealed), upheld or overturned on appeal."""

    in_force = "in_force"
    appealed = "appealed"  # an appeal waits for another coordinator
    upheld = "upheld"
    overturned = "overturned"


# What each kind's appeal can change when it is overturned.
REVERSIBLE = (DecisionKind.hide_message, DecisionKind.suspend)
TOLD = (
    DecisionKind.warn,
    DecisionKind.hide_message,
    DecisionKind.suspend,
    DecisionKind.end_relationship,
)


class ModerationDecision(SQLModel, table=True):
    __tablename__ = "moderation_decision"

    id: UUID = id_field()
    decided_at: datetime = created_field(index=True)
    kind: str = Field(sa_type=String(20), index=True)
    outcome: str = Field(default=Outcome.in_force, sa_type=String(20), index=True)
    concern_id: UUID | None = Field(
        default=None, foreign_key="concern.id", ondelete="SET NULL", index=True
    )
    relationship_id: UUID | None = Field(
        default=None, foreign_key="relationship.id", ondelete="SET NULL"
    )
    # The person the decision is about ("seeker" or "supporter" kept when their account goes).
    person_id: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL", index=True
    )
    person_role: str | None = Field(default=None, sa_type=String(10))
    message_id: UUID | None = Field(default=None, foreign_key="message.id", ondelete="SET NULL")
    suspended_until: datetime | None = when_field()
    decided_by: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    decided_by_name: str = Field(sa_type=String(60))  # copied: the record outlives the account
    reason_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)  # id + b"reason"
    # What the person reads, in the coordinator's words (id + b"to_person").
    to_person_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)
    reversed_at: datetime | None = when_field()  # an appeal overturned it and it was undone


class Appeal(SQLModel, table=True):
    """The one appeal a person may make against a decision, decided by another coordinator."""

    __tablename__ = "moderation_appeal"

    id: UUID = id_field()
    # Unique: one appeal per decision, however many requests arrive at once.
    decision_id: UUID = Field(foreign_key="moderation_decision.id", unique=True, ondelete="CASCADE")
    made_at: datetime = created_field(index=True)
    appellant_id: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    text_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)  # id + b"appeal"
    outcome: str | None = Field(default=None, sa_type=String(20))  # upheld / overturned
    decided_at: datetime | None = when_field()
    decided_by: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    decided_by_name: str | None = Field(default=None, sa_type=String(60))
    answer_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)  # id + b"answer"
