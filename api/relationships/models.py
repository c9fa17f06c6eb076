"""The one-to-one support relationship (from introduction to ending) and its history."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import JSON, Float, Index, LargeBinary, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from api.common import created_field, id_field, json_list_field, when_field


class State(StrEnum):
    introduced = "introduced"  # waiting for the supporter's answer
    agreeing = "agreeing"  # accepted; agreeing terms
    active = "active"
    paused = "paused"
    ended = "ended"
    declined = "declined"  # the seeker only ever sees "not available right now"
    expired = "expired"
    withdrawn = "withdrawn"  # the seeker chose someone else before an answer


# States in which the relationship holds one of the supporter's places.
HOLDS_A_PLACE = (State.agreeing, State.active, State.paused)
OPEN_STATES = (State.introduced, *HOLDS_A_PLACE)


class EndKind(StrEnum):
    """How a relationship ended (``relationship.end_kind``)."""

    ended_by_person = "ended_by_person"  # either of the two, at any time, no reason needed
    completed = "completed"  # the agreed sessions were held, confirmed by either
    ended_for_safety = "ended_for_safety"  # a coordinator, with a recorded reason
    blocked = "blocked"  # one blocked the other
    account_deleted = "account_deleted"  # one of the two deleted their account


# A review is due from the agreed session on (with the state active or paused: the index on
# it leads with the state).
REVIEW_DUE = "review_at_session IS NOT NULL AND sessions_held >= review_at_session"
# A relationship that ended some other way than completed (the partial index's condition).
ENDED_EARLY = "state = 'ended' AND end_kind <> 'completed'"


class Source(StrEnum):
    seeker_choice = "seeker_choice"
    coordinator = "coordinator"
    batch = "batch"


class Relationship(SQLModel, table=True):
    __tablename__ = "relationship"
    __table_args__ = (
        # Also answers "answered lately?" for a supporter from the index alone (the roster).
        Index("ix_relationship_supporter_state_answered", "supporter_id", "state", "answered_at"),
        Index("ix_relationship_seeker_state", "seeker_id", "state"),
        Index("ix_relationship_state_expires", "state", "expires_at"),
        # Pages by creation; the introductions of a month from the index alone (statistics).
        Index("ix_relationship_created", "created_at", "id", "state"),
        # A relationship's supporter from the index alone (held sessions by supporter).
        Index("ix_relationship_supporter_of", "id", "supporter_id"),
        Index("ix_relationship_state_created", "state", "created_at", "id"),
        # Endings by month and by whom, early endings lately by supporter: from the index alone.
        Index(
            "ix_relationship_ended",
            "state",
            "ended_at",
            "end_kind",
            "supporter_id",
            "seeker_id",
            "ended_by",
        ),
        # Early endings lately by supporter (the burnout flag), without the completed ones.
        Index(
            "ix_relationship_ended_early",
            "ended_at",
            "supporter_id",
            postgresql_where=text(ENDED_EARLY),
            sqlite_where=text(ENDED_EARLY),
        ),
        # Reviews due, oldest first (api/coordination/health_list.review_due).
        Index(
            "ix_relationship_review_due",
            "state",
            "created_at",
            "id",
            postgresql_where=text(REVIEW_DUE),
            sqlite_where=text(REVIEW_DUE),
        ),
        # Acceptances of a period with their request and supporter, from the index alone
        # (waiting times; supporters answered lately, for "full for long").
        Index("ix_relationship_answered", "answered_at", "state", "request_id", "supporter_id"),
        # A request's introductions; its first acceptance, from the index alone.
        Index("ix_relationship_request_answered", "request_id", "answered_at", "state"),
    )

    id: UUID = id_field()
    # Nullable: after an account is deleted the other person keeps an anonymised history.
    seeker_id: UUID | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    supporter_id: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    request_id: UUID | None = Field(
        default=None, foreign_key="support_request.id", ondelete="SET NULL"
    )
    state: str = Field(default=State.introduced, sa_type=String(20))
    source: str = Field(default=Source.seeker_choice, sa_type=String(20))
    score: float = Field(default=0.0, sa_type=Float)
    reasons: list[str] = json_list_field()
    created_at: datetime = created_field()
    expires_at: datetime | None = when_field()
    answered_at: datetime | None = when_field()
    ended_at: datetime | None = when_field()
    ended_by: UUID | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    end_kind: str | None = Field(default=None, sa_type=String(30))
    # The agreement's ETag: bumped by a conditional UPDATE (``agreement_revision = expected``)
    # on every proposal, consent, withdrawal and review, so of two edits made at once one wins
    # and the other is refused (412); see api/relationships/agreements.py.
    agreement_revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # The number of the agreement version in force (both consented), if any.
    agreed_version: int | None = None
    # Sessions held so far; kept by api/contact/sessions.py, read by review_due().
    sessions_held: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # The session after which both people check the agreed terms still fit; None when no
    # review is planned or both have done it (see api/relationships/review.py).
    review_at_session: int | None = None


class RelationshipEvent(SQLModel, table=True):
    """Every change of state: who, when, from what to what. Readable by both people."""

    __tablename__ = "relationship_event"

    id: UUID = id_field()
    relationship_id: UUID = Field(foreign_key="relationship.id", index=True, ondelete="CASCADE")
    at: datetime = created_field()
    actor_id: UUID | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    from_state: str | None = Field(default=None, sa_type=String(20))
    to_state: str = Field(sa_type=String(20))


class VersionStatus(StrEnum):
    pending = "pending"  # proposed, waiting for the other person's consent
    agreed = "agreed"  # both consented: the version in force
    superseded = "superseded"  # was in force until a later version was agreed
    withdrawn = "withdrawn"  # its proposer took it back (or replaced it with a newer one)
    declined = "declined"  # the other person answered with a counter-proposal


class ConsentKind(StrEnum):
    consent = "consent"  # agrees to this exact version (proposing it counts)
    review = "review"  # at the review point: these terms still fit


class AgreementVersion(SQLModel, table=True):
    """One proposed version of a relationship's terms; in force only when both consented."""

    __tablename__ = "agreement_version"
    __table_args__ = (
        UniqueConstraint("relationship_id", "number", name="uq_agreement_version_number"),
    )

    id: UUID = id_field()
    relationship_id: UUID = Field(foreign_key="relationship.id", index=True, ondelete="CASCADE")
    number: int  # 1, 2, 3, … within the relationship
    proposed_by: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    # AgreementTerms.model_dump(mode="json"): exactly what both people see and consent to,
    # except each person's topics to avoid, which are their own words: those are sealed in
    # topics_sealed (api/relationships/sealed_topics.py, bound to id) and put back on reading.
    terms: dict = Field(sa_type=JSON)
    topics_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)
    status: str = Field(default=VersionStatus.pending, sa_type=String(20))
    created_at: datetime = created_field()
    agreed_at: datetime | None = when_field()
    # When it stopped being pending or in force (withdrawn, declined, superseded), and by whom.
    closed_at: datetime | None = when_field()
    closed_by: UUID | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")


class AgreementConsent(SQLModel, table=True):
    """One person's consent to one version (or, at the review point, that it still fits)."""

    __tablename__ = "agreement_consent"

    id: UUID = id_field()
    version_id: UUID = Field(foreign_key="agreement_version.id", index=True, ondelete="CASCADE")
    user_id: UUID | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    kind: str = Field(default=ConsentKind.consent, sa_type=String(20))
    at: datetime = created_field()
