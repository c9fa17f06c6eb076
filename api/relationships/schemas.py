"""What the relationships API sends: relationships, their history, and agreement versions."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from api.relationships.history import Actor, EventKind
from api.relationships.models import ConsentKind, State, VersionStatus
from api.relationships.terms import AgreementTerms, Channel, Person, default_terms
from api.relationships.wording import TermChange

_TERMS = default_terms(date(2026, 12, 1), "Europe/London").model_dump(mode="json")
TERMS_EXAMPLE: dict[str, Any] = {
    **_TERMS,
    "channels": ["chat", "video"],
    "topics_to_avoid": {"seeker": ["my brother"], "supporter": []},
    "acknowledgements": {"confidentiality_and_exception": True, "not_a_crisis_service": True},
}
_AT = "2026-11-22T18:30:00Z"
_PERSON_EXAMPLE = {
    "role": "supporter",
    "display_name": "Bob",
    "pronouns": "he/him",
    "timezone": "Europe/London",
    "channels": ["chat", "video"],
    "topics_to_avoid": ["politics"],
}
_VERSION_EXAMPLE = {
    "number": 1,
    "status": "pending",
    "proposed_by": "supporter",
    "terms": TERMS_EXAMPLE,
    "created_at": _AT,
    "agreed_at": None,
    "closed_at": None,
    "consents": [{"by": "supporter", "kind": "consent", "at": _AT}],
    "changes": [],
}
_BRIEF_EXAMPLE = {
    "revision": 1,
    "in_force": None,
    "pending": 1,
    "pending_from": "supporter",
    "review": False,
}
_SUMMARY_EXAMPLE = {
    "id": "0b7a4c1e-3f7d-4c55-9d3a-6f0c2a9b8e11",
    "state": "agreeing",
    "state_text": "agreeing terms",
    "my_role": "seeker",
    "other": _PERSON_EXAMPLE,
    "created_at": "2026-11-21T09:00:00Z",
    "answered_at": "2026-11-21T12:00:00Z",
    "ended_at": None,
    "agreement": _BRIEF_EXAMPLE,
}
_EVENT_EXAMPLE = {
    "id": "0b7e3c1a-5f7d-4e8e-9a51-2f4f3b8f1c11",
    "at": "2026-11-21T12:00:00Z",
    "kind": "state",
    "by": "supporter",
    "from_state": "introduced",
    "to_state": "agreeing",
    "version": None,
}


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class PersonOut(BaseModel):
    """One of the two people, as the other sees them (no contact details, ever)."""

    model_config = _examples(_PERSON_EXAMPLE)

    role: Person
    display_name: str
    pronouns: str | None
    timezone: str | None = Field(description="From their profile; contact times use it")
    channels: list[Channel] = Field(description="Ways they are willing to be in contact")
    topics_to_avoid: list[str] = Field(
        default_factory=list,
        description="What they'd rather not talk about (their profile); a first agreement "
        "starts from these",
    )


class AgreementBrief(BaseModel):
    model_config = _examples(_BRIEF_EXAMPLE)

    revision: int = Field(description="The agreement's ETag is this number in quotes")
    in_force: int | None = Field(description="Number of the version in force")
    pending: int | None = Field(description="Number of the proposal waiting for an answer")
    pending_from: Person | None = Field(description="Who proposed the waiting version")
    review: bool = Field(description="Both people are asked to check the terms still fit")


class RelationshipSummary(BaseModel):
    model_config = _examples(_SUMMARY_EXAMPLE)

    id: UUID
    state: State
    state_text: str = Field(description="The state in plain words")
    my_role: Person
    other: PersonOut
    created_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    agreement: AgreementBrief


class EventOut(BaseModel):
    """One change: of state (from_state → to_state) or of the terms (a version number)."""

    model_config = _examples(_EVENT_EXAMPLE)

    id: UUID = Field(description="Stable; use it to page through the history")
    at: datetime
    kind: EventKind
    by: Actor | None = Field(description="Who did it; null for a former member")
    from_state: State | None = None
    to_state: State | None = None
    version: int | None = None


class RelationshipOut(RelationshipSummary):
    model_config = _examples(
        {
            **_SUMMARY_EXAMPLE,
            "me": {**_PERSON_EXAMPLE, "role": "seeker", "display_name": "Sam"},
            "events": [_EVENT_EXAMPLE],
        }
    )

    me: PersonOut
    events: list[EventOut]


class ConsentOut(BaseModel):
    by: Person | None
    kind: ConsentKind = Field(
        description="consent: agrees to this version; review: it still fits at the review point"
    )
    at: datetime


class VersionOut(BaseModel):
    model_config = _examples(_VERSION_EXAMPLE)

    number: int
    status: VersionStatus
    proposed_by: Person | None
    terms: AgreementTerms
    created_at: datetime
    agreed_at: datetime | None
    closed_at: datetime | None = Field(description="When it was withdrawn, declined or replaced")
    consents: list[ConsentOut]
    changes: list[TermChange] = Field(
        description="What differs from the version before it (contact times on your clock)"
    )


class AgreementOut(BaseModel):
    """Every version and consent; the one in force, and the proposal waiting for an answer."""

    model_config = _examples(
        {
            "relationship_id": _SUMMARY_EXAMPLE["id"],
            "state": "agreeing",
            "revision": 1,
            "in_force": None,
            "pending": _VERSION_EXAMPLE,
            "versions": [_VERSION_EXAMPLE],
            "review": False,
            "review_at_session": None,
            "sessions_held": 0,
            "reviewed_by": [],
        }
    )

    relationship_id: UUID
    state: State
    revision: int = Field(description="Also sent as the ETag header, in quotes")
    in_force: VersionOut | None
    pending: VersionOut | None
    versions: list[VersionOut] = Field(description="Oldest first")
    review: bool = Field(description="The review point is reached: check the terms still fit")
    review_at_session: int | None = Field(description="The session the review falls after")
    sessions_held: int
    reviewed_by: list[Person] = Field(description="Who has said the terms still fit")
