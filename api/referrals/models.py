"""Referrals and the summaries a referred person may agree to send back."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import Index, LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.common import created_field, id_field, json_list_field, when_field


class Referral(SQLModel, table=True):
    """A person an integrator referred. Until they answer, the invite link's hash and what
    the integrator sent for them (their e-mail, the referrer's contact, a note) are kept,
    sealed and bound to this row; joining or saying no clears them."""

    __tablename__ = "referral"
    __table_args__ = (
        UniqueConstraint("client_id", "reference", name="uq_referral_client_reference"),
        Index("ix_referral_client_created", "client_id", "created_at", "id"),
    )

    id: UUID = id_field()
    client_id: UUID = Field(foreign_key="integrator_client.id")
    # The integrator's own reference for this person (a case number), never an e-mail.
    reference: str | None = Field(default=None, sa_type=String(100))
    email_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)
    referrer_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)
    note_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)
    # Experiences the referrer suggests (taxonomy tag ids): only ever a pre-filled choice.
    suggested_tag_ids: list[int] = json_list_field()
    # SHA-256 of the invite link's token; None once it has been used.
    token_hash: str | None = Field(default=None, sa_type=String(64), unique=True)
    created_at: datetime = created_field()
    expires_at: datetime = created_field()
    user_id: UUID | None = Field(
        default=None, foreign_key="user_account.id", index=True, ondelete="SET NULL"
    )
    joined_at: datetime | None = when_field()
    refused_at: datetime | None = when_field()


class Ending(StrEnum):
    """How support ended, in the plain categories a summary may carry."""

    planned = "planned"  # the agreed sessions were held
    early = "early"  # ended before the planned end, by either person
    by_the_service = "by_the_service"  # a coordinator ended it


class Answer(StrEnum):
    yes = "yes"
    no = "no"


class ReferralSummary(SQLModel, table=True):
    """One ended relationship of a referred person, and whether they agreed to share how it
    ended and how many sessions were held (never anything said or written)."""

    __tablename__ = "referral_summary"
    __table_args__ = (
        UniqueConstraint("referral_id", "relationship_id", name="uq_referral_summary_relationship"),
    )

    id: UUID = id_field()
    referral_id: UUID = Field(foreign_key="referral.id", index=True, ondelete="CASCADE")
    relationship_id: UUID | None = Field(
        default=None, foreign_key="relationship.id", index=True, ondelete="SET NULL"
    )
    ending: str = Field(sa_type=String(20))
    sessions_held: int
    asked_at: datetime = created_field()
    answer: str | None = Field(default=None, sa_type=String(3))
    answered_at: datetime | None = when_field()
    shared_at: datetime | None = when_field()
