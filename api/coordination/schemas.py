"""What the coordination API takes and sends: concerns, relationship health, safety actions,
safeguarding access."""

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from api.concerns.models import ConcernKind, ConcernStatus

Role = Literal["seeker", "supporter"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ConcernEventOut(_Out):
    at: datetime
    action: str
    by: str | None
    from_status: str | None
    to_status: str | None
    note: str | None


class ConcernForCoordinators(BaseModel):
    id: UUID
    relationship_id: UUID
    relationship_state: str
    seeker_name: str | None
    supporter_name: str | None
    raised_by_role: Role
    kind: ConcernKind
    details: str | None
    anonymous: bool
    message_id: UUID | None = Field(
        default=None,
        description="A reported message: read it at /coordination/concerns/{id}/message",
    )
    status: ConcernStatus
    assigned_to: UUID | None
    assigned_to_name: str | None
    created_at: datetime
    updated_at: datetime
    events: list[ConcernEventOut]


class ConcernUpdate(_In):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "in_progress", "note": "Called the supporter."}]}
    )

    status: ConcernStatus | None = None
    note: str | None = Field(default=None, max_length=4000)
    assigned_to: UUID | None = Field(default=None, description="A coordinator's account id")
    unassign: StrictBool = Field(default=False, description="Take it off whoever has it")


class SafetyActionIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"reason": "A concern about contact outside the agreed times.", "concern_id": None}
            ]
        }
    )

    reason: str = Field(min_length=1, max_length=2000, description="Recorded; never shown")
    concern_id: UUID | None = None


class ConcernBrief(_Out):
    id: UUID
    kind: ConcernKind
    status: ConcernStatus
    raised_by_role: Role
    created_at: datetime


class RelationshipHealth(_Out):
    relationship_id: UUID
    state: str
    seeker_name: str | None
    supporter_name: str | None
    created_at: datetime
    answered_at: datetime | None
    sessions_held: int
    paused_at: datetime | None
    paused_until: date | None
    paused_by: str | None
    safety_hold: bool
    safety_pause_reason: str | None
    ended_at: datetime | None
    end_kind: str | None
    ended_by: str | None
    reason_category: str | None
    safety_end_reason: str | None
    concerns: list[ConcernBrief]


class AccessIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "relationship_id": "3f0c5d3e-8f53-4a0e-9d0b-5a8e1f0f6c1a",
                    "reason": "A reported message needs reading.",
                    "minutes": 60,
                }
            ]
        }
    )

    relationship_id: UUID
    reason: str = Field(
        min_length=1, max_length=2000, description="The safeguarding reason, in writing"
    )
    minutes: int = Field(default=60, ge=1, le=1440, description="How long it lasts")
    concern_id: UUID | None = None


class AccessOut(_Out):
    id: UUID
    relationship_id: UUID
    concern_id: UUID | None
    granted_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    approved_at: datetime | None = Field(
        default=None, description="When it opened (none: waiting for a second coordinator)"
    )
    request_expires_at: datetime | None = Field(
        default=None, description="Two-person rule: approve by then, or it never opens"
    )
    refused_at: datetime | None = None


class CoordinatorAuditEntryOut(_Out):
    at: datetime
    action: str
    what: str
    coordinator: str | None
    expires_at: datetime | None
    reason: str | None


class OwnWordsOut(_Out):
    role: Role
    category: str
    experience: str
    stage: str
    description: str | None


class FeedbackForCoordinators(_Out):
    id: UUID
    relationship_id: UUID
    author_role: Role
    text: str
    created_at: datetime


class WaitingSeekerOut(_Out):
    id: UUID = Field(validation_alias="request_id", description="The support request's id")
    seeker_id: UUID
    seeker_display_name: str
    waiting_since: datetime
    days_waiting: int
    experiences: list[str] = Field(description="What they asked support with, by name")
    preferences: dict[str, Any]
    coordinator_chooses: bool = Field(description="They asked a coordinator to choose for them")
    first_in_line: bool = Field(
        description="At the front of the list: their supporter never answered in time"
    )
    address_confirmed: bool = Field(
        description=(
            "They have confirmed their e-mail address. Nobody is introduced before they do: "
            "proposing a match for them is refused (409) until then."
        )
    )


class OfferExperienceOut(_Out):
    label: str
    stage: str
    willing_to_talk: bool
    in_own_words: bool = Field(description="They described it in their own words (not shown)")


class OfferToReviewOut(_Out):
    id: UUID
    user_id: UUID
    display_name: str
    status: str
    capacity: int
    created_at: datetime
    decided_at: datetime | None
    experiences: list[OfferExperienceOut]


class OfferDecisionIn(_In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"note": "Thank you for offering your time to others."}]},
    )
    note: str | None = Field(
        default=None,
        max_length=1000,
        description="For the person who offered; they read it on their supporter page",
    )
