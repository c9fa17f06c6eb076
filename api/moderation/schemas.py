"""What the moderation API takes and sends."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from api.moderation.appeals import AppealView, DecisionView
from api.moderation.models import DecisionKind, Outcome

Side = Literal["seeker", "supporter"]


class DecisionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "hide_message",
                    "reason": "The message pressed the seeker to meet outside the agreed terms.",
                    "to_person": "We've hidden your message because it asked to meet outside "
                    "what you both agreed. Please keep to your agreement.",
                }
            ]
        },
    )

    kind: DecisionKind = Field(
        description="note (for the record only), warn, hide_message (the reported message), "
        "suspend (until suspend_until), end_relationship (for safety)"
    )
    reason: str = Field(
        min_length=1, max_length=2000, description="Recorded for the staff; never shown"
    )
    to_person: str | None = Field(
        default=None,
        max_length=1000,
        description="What the person reads, kindly (needed unless it is a note)",
    )
    about: Side | None = Field(
        default=None,
        description="Whom it is about; by default the sender of a reported message, or the "
        "other person than the one who raised the concern",
    )
    suspend_until: date | None = Field(
        default=None, description="For a suspension: the day they can log in again (UTC)"
    )


class AppealIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"text": "I was sharing where my group meets, not asking to meet."}]
        },
    )

    text: str = Field(min_length=1, max_length=1000, description="Why it should be looked at again")


class SuspendedAppealIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "email": "sam@example.org",
                    "password": "a calm walk by the river",
                    "text": "I was sharing where my group meets, not asking to meet.",
                }
            ]
        },
    )

    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=1024)
    text: str = Field(min_length=1, max_length=1000, description="Why it should be looked at again")


class AppealDecisionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "outcome": "overturned",
                    "answer": "Thank you for explaining. Your message is back in your chat.",
                }
            ]
        },
    )

    outcome: Literal["upheld", "overturned"]
    answer: str = Field(min_length=1, max_length=1000, description="What the person reads")


class AppealOut(BaseModel):
    id: UUID
    made_at: datetime
    text: str | None
    outcome: Literal["upheld", "overturned"] | None
    decided_at: datetime | None
    answer: str | None = Field(description="What the coordinator who decided it wrote")

    @classmethod
    def of(cls, a: AppealView | None) -> "AppealOut | None":
        if a is None:
            return None
        return cls.model_validate(a, from_attributes=True)


class StaffAppealOut(AppealOut):
    decided_by_name: str | None


class DecisionOut(BaseModel):
    """A decision about me."""

    id: UUID
    kind: DecisionKind
    outcome: Outcome
    decided_at: datetime
    relationship_id: UUID | None
    suspended_until: datetime | None
    reversed_at: datetime | None = Field(description="When an appeal undid it")
    to_person: str | None = Field(description="What the coordinator wrote to me")
    appeal: AppealOut | None
    can_appeal: bool

    @classmethod
    def of(cls, v: DecisionView) -> "DecisionOut":
        return cls(**{**_plain(v), "appeal": AppealOut.of(v.appeal)})


class DecisionForStaff(DecisionOut):
    concern_id: UUID | None
    person_role: Side | None
    decided_by: UUID | None
    decided_by_name: str | None
    reason: str | None
    appeal: StaffAppealOut | None
    may_decide_appeal: bool = Field(description="An appeal waits and I didn't make the decision")

    @classmethod
    def of(cls, v: DecisionView) -> "DecisionForStaff":
        appeal = (
            None
            if v.appeal is None
            else StaffAppealOut.model_validate(v.appeal, from_attributes=True)
        )
        return cls(**{**_plain(v), "appeal": appeal})


def _plain(v: DecisionView) -> dict:
    return {k: getattr(v, k) for k in v.__dataclass_fields__ if k != "appeal"}


class RecordRowOut(BaseModel):
    """One decision and its appeal, for a regulator: never anything anyone wrote."""

    model_config = ConfigDict(from_attributes=True)

    decision_id: UUID
    decided_at: datetime
    kind: DecisionKind
    outcome: Outcome
    concern_id: UUID | None
    relationship_id: UUID | None
    person_role: Side | None
    decided_by: UUID | None
    decided_by_name: str
    suspended_until: datetime | None
    reversed_at: datetime | None
    appeal_id: UUID | None
    appealed_at: datetime | None
    appeal_outcome: Literal["upheld", "overturned"] | None
    appeal_decided_at: datetime | None
    appeal_decided_by: UUID | None
    appeal_decided_by_name: str | None
