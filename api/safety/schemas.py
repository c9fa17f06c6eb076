"""What the safety API takes and sends to the two people: endings, pauses, concerns, access."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from api.concerns.models import ConcernKind, ConcernStatus
from api.safety.models import ReasonCategory

Who = Literal["me", "other", "coordinator"]
Role = Literal["seeker", "supporter"]
# What a person picks when they raise a concern themselves; reports and "I haven't heard
# from them" have their own routes.
RaisedKind = Literal["boundary_crossed", "feel_unsafe", "worried_about_other", "other"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# ---- the two people ------------------------------------------------------------------------


class EndIn(_In):
    """Everything is optional: ending needs no reason."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {},
                {
                    "reason_category": "got_what_i_needed",
                    "closing_message": "Thank you for listening. I feel ready to go on my own.",
                },
            ]
        },
    )
    reason_category: ReasonCategory | None = Field(
        default=None, description="Only you and the coordinators ever see this."
    )
    closing_message: str | None = Field(
        default=None,
        max_length=1000,
        description="To the other person. Show it to the sender (see …/end/preview) first.",
    )


class CompleteIn(_In):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"closing_message": "Thank you for these weeks."}]}
    )

    closing_message: str | None = Field(default=None, max_length=1000)


class PreviewIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"closing_message": "Thank you for walking with me.", "completing": False}]
        }
    )

    closing_message: str | None = Field(default=None, max_length=1000)
    completing: StrictBool = Field(default=False, description="Preview the planned ending instead")


class PreviewOut(BaseModel):
    other_person_sees: str = Field(description="The notice the other person will get")
    closing_message: str | None = Field(description="Your message, exactly as they'll see it")


class PauseIn(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [{"until": "2027-01-15"}]})

    until: date | None = Field(
        default=None,
        description="Optional planned date to carry on (from then, the other person is asked "
        "to agree); after today and within a year.",
    )


class PauseOut(_Out):
    paused_at: datetime
    until: date | None
    by: Who | None
    for_safety: bool = Field(description="A coordinator's safety pause: only they can lift it")
    resume_asked_by: Who | None = Field(description="Who has asked to carry on, if anyone")
    planned_date_passed: bool


class EndingOut(_Out):
    at: datetime | None
    how: str = Field(
        description="ended_by_person, completed, ended_for_safety, blocked (only to the "
        "person who blocked), account_deleted"
    )
    by: Who | None
    reason_category: ReasonCategory | None = Field(description="Yours, if you gave one")
    closing_message: str | None
    closing_message_from: Who | None


class SafetyStatusOut(_Out):
    relationship_id: UUID
    state: str
    state_text: str
    my_role: Role
    other_name: str
    sessions_held: int
    sessions_planned: int | None
    pause: PauseOut | None
    ending: EndingOut | None
    blocked_by_me: bool
    glad_to_match_again: bool
    both_glad_to_match_again: bool
    can: dict[str, bool] = Field(description="What you can do now, e.g. {'end': true}")


class MatchAgainIn(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [{"glad": True}]})

    glad: StrictBool = Field(description="True: I'd be glad to be matched with them again")


class NewMatchOut(BaseModel):
    request_id: UUID
    status: str
    tag_ids: list[int]


class ConcernIn(_In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"kind": "boundary_crossed", "details": "…", "anonymous": True}]
        },
    )
    kind: RaisedKind
    details: str | None = Field(default=None, max_length=4000)
    anonymous: StrictBool = Field(
        default=False, description="Coordinators won't name you to the other person"
    )


class ReportIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"note": "This made me uncomfortable.", "anonymous": False}]
        }
    )

    note: str | None = Field(
        default=None, max_length=4000, description="Optional; only coordinators read it"
    )
    anonymous: StrictBool = Field(
        default=False, description="Coordinators won't name you to the other person"
    )


class NotHeardIn(_In):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"new_match": False, "note": "It has been two weeks."}]}
    )

    new_match: StrictBool = Field(
        default=False,
        description="Also end this support and ask for a new match, first in line",
    )
    note: str | None = Field(default=None, max_length=4000)


class SilenceOut(BaseModel):
    waiting_since: datetime | None = Field(description="When my unanswered message reached them")
    can_say_from: datetime | None = Field(description="When the agreed response time runs out")
    overdue: bool


class ConcernForRaiser(_Out):
    id: UUID
    relationship_id: UUID
    kind: ConcernKind
    anonymous: bool
    status: ConcernStatus
    created_at: datetime
    updated_at: datetime


class ReportOut(BaseModel):
    concern: ConcernForRaiser
    block_url: str = Field(description="If you'd like to block them too (this ends the support)")


class NotHeardOut(BaseModel):
    concern: ConcernForRaiser
    request_id: UUID | None = Field(description="My new request, first in line, if I asked")


class FeedbackIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"text": "It helped to talk to someone who had been there."}]
        }
    )

    text: str = Field(min_length=1, max_length=4000)


class FeedbackOut(_Out):
    id: UUID
    relationship_id: UUID
    created_at: datetime


class AuditEntryOut(_Out):
    at: datetime
    action: Literal["granted", "read", "revoked"]
    what: str
    coordinator: str | None
    expires_at: datetime | None


# ---- my safety plan ------------------------------------------------------------------------


class SafetyPlanIn(_In):
    """My whole plan, in my own words; every section is optional."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "warning_signs": "Not sleeping, skipping meals",
                    "things_that_help": "A walk, music",
                    "people_and_places": "My sister; the library",
                    "professional_contacts": "My GP",
                    "reasons_to_keep_going": "My dog",
                }
            ]
        }
    )

    warning_signs: str = Field(
        default="", max_length=2000, description="Signs that a hard time may be coming"
    )
    things_that_help: str = Field(
        default="", max_length=2000, description="Things I can do that help me cope"
    )
    people_and_places: str = Field(
        default="", max_length=2000, description="People and places that take my mind off things"
    )
    professional_contacts: str = Field(
        default="", max_length=2000, description="Professionals or services I can contact"
    )
    reasons_to_keep_going: str = Field(
        default="", max_length=2000, description="What matters to me, my reasons to keep going"
    )


class SafetyPlanOut(SafetyPlanIn):
    """My plan as I wrote it. Only ever sent to me."""

    model_config = ConfigDict(extra="ignore")

    updated_at: datetime | None = Field(description="When I last saved it; null if never")
