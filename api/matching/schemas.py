from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from api.matching.models import DraftStatus, RequestStatus, SupportRequest
from api.matching.views import RequestView, SeekerIntroduction
from api.profiles.models import Stage
from api.profiles.schemas import AgeBand


class Preferences(BaseModel):
    """Soft preferences: they change the order of the shortlist, never who is on it."""

    model_config = ConfigDict(extra="forbid")
    gender: str | None = Field(default=None, max_length=30)
    age_band: AgeBand | None = None
    further_along: StrictBool = Field(
        default=False, description="Prefer someone further along with these experiences"
    )


class RequestIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"tag_ids": [3, 17], "preferences": {"further_along": True}}]
        },
    )
    tag_ids: list[int] = Field(min_length=1, max_length=10)
    preferences: Preferences = Field(default_factory=Preferences)
    share_own_words: StrictBool = Field(
        default=False,
        description="Let the supporter who accepts read what I wrote in my own words about "
        "these experiences (off unless I say so; I can change it later)",
    )


class SharingIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"share_own_words": True}]}, extra="forbid"
    )
    share_own_words: StrictBool


class IntroductionForSeeker(BaseModel):
    id: UUID
    supporter_display_name: str
    supporter_topics_to_avoid: list[str] = Field(
        default_factory=list,
        description="Topics your supporter would rather not talk about (set by them only)",
    )
    status: str = Field(
        description='"waiting for their answer", "accepted", "not available right now" or '
        '"withdrawn" (the seeker stopped looking before an answer)'
    )
    created_at: datetime
    coordinator_note: str | None = Field(
        default=None, description="A coordinator's note to you with this introduction, if any"
    )


class RequestOut(BaseModel):
    id: UUID
    status: RequestStatus
    tag_ids: list[int]
    preferences: Preferences
    coordinator_chooses: bool = Field(
        description="The seeker asked a coordinator to choose a supporter for them"
    )
    first_in_line: bool = Field(
        description="At the front of the waiting list: their supporter never answered within "
        "the agreed time"
    )
    share_own_words: bool = False
    created_at: datetime
    introductions: list[IntroductionForSeeker] = []


class CoordinatorChoiceIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"ask": True}]}, extra="forbid")
    ask: StrictBool = Field(
        description="true: a coordinator chooses a supporter for me; false: I'll choose myself"
    )


class Candidate(BaseModel):
    """A possible supporter: only what both may see before an introduction."""

    supporter_id: UUID
    display_name: str
    pronouns: str | None
    languages: list[str]
    shared_channels: list[str]
    score: float
    reasons: list[str]


class Choice(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"supporter_id": "9b2e4c1d-3f5a-4e6b-8c7d-0a1b2c3d4e5f"}]},
        extra="forbid",
    )
    supporter_id: UUID


class SeekerExperience(BaseModel):
    """One experience the seeker asked for support with, and where they are with it."""

    tag_id: int
    label: str
    category_label: str
    stage: Stage
    own_words: str | None = Field(
        default=None,
        description="Only after the supporter accepted, and only if the seeker chose to share",
    )


class IntroductionForSupporter(BaseModel):
    id: UUID
    seeker_display_name: str
    seeker_pronouns: str | None
    seeker_experiences: list[SeekerExperience] = Field(
        description="What they'd like support with, and whether they're going through it now"
    )
    seeker_topics_to_avoid: list[str] = Field(
        description="Topics they'd rather not talk about (set by them only)"
    )
    reasons: list[str] = Field(description="Why you were suggested, said to you")
    coordinator_note: str | None = Field(
        default=None, description="Why the coordinator who proposed it thought of you, if said"
    )
    source: str
    created_at: datetime
    expires_at: datetime | None


class SupportAsked(BaseModel):
    """What the seeker asked for support with, as both people in the relationship see it."""

    request_id: UUID
    share_own_words: bool
    experiences: list[SeekerExperience]


class RelationshipBrief(BaseModel):
    id: UUID
    state: str
    created_at: datetime


class Proposal(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "request_id": "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
                    "supporter_id": "9b2e4c1d-3f5a-4e6b-8c7d-0a1b2c3d4e5f",
                }
            ]
        },
        extra="forbid",
    )
    request_id: UUID
    supporter_id: UUID = Field(description="One of the shortlist, or any available supporter")
    note: str | None = Field(
        default=None,
        max_length=600,
        description="For the supporter, with the introduction: why you thought of them",
    )
    note_to_seeker: str | None = Field(
        default=None,
        max_length=600,
        description="For the seeker, if you'd like them to read something from you (they "
        "never read the supporter's note)",
    )


class DraftItemOut(BaseModel):
    id: UUID
    request_id: UUID
    seeker_id: UUID
    seeker_display_name: str
    supporter_id: UUID
    supporter_display_name: str
    score: float
    reasons: list[str]


class DraftOut(BaseModel):
    id: UUID
    status: DraftStatus
    total_score: float
    stats: dict
    created_at: datetime
    items: list[DraftItemOut]


class DraftItemChange(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"supporter_id": "9b2e4c1d-3f5a-4e6b-8c7d-0a1b2c3d4e5f"}]},
        extra="forbid",
    )
    supporter_id: UUID


def introduction_out(found: SeekerIntroduction) -> IntroductionForSeeker:
    return IntroductionForSeeker(
        id=found.relationship.id,
        supporter_display_name=found.supporter_display_name,
        supporter_topics_to_avoid=found.supporter_topics_to_avoid,
        status=found.status,
        created_at=found.relationship.created_at,
        coordinator_note=found.coordinator_note,
    )


def request_out(request: SupportRequest, view: RequestView) -> RequestOut:
    """A request as the API shows it, with its introductions as the seeker sees them."""
    return RequestOut.model_validate(
        {
            **request.model_dump(),
            "first_in_line": request.first_in_line_at is not None,
            "introductions": [introduction_out(i) for i in view.introductions],
        }
    )
