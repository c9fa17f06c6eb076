"""What the screening, supervision and debrief routes take and send."""

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ScreeningRecordIn(_In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"item": "references", "done_on": "2026-11-02", "note": "Two, both good."}]
        },
    )

    item: str = Field(max_length=40, description="The checklist item's key")
    done_on: date = Field(description="When it was done (today or before)")
    note: str | None = Field(default=None, max_length=1000, description="Sealed at rest")


class ChecklistItemOut(_Out):
    key: str
    name: str
    required: bool
    expires_after_months: int | None
    state: str = Field(description="missing, done, due_soon or expired")
    done_on: date | None
    expires_on: date | None
    recorded_at: datetime | None
    recorded_by: str | None
    note: str | None


class ScreeningOut(_Out):
    user_id: UUID
    ready_to_approve: bool
    missing: list[str] = Field(description="Required items not recorded or out of date")
    items: list[ChecklistItemOut]


class DueOut(_Out):
    user_id: UUID
    display_name: str
    item_key: str
    item_name: str
    expires_on: date
    state: str = Field(description="due_soon or expired")


class SupervisionIn(_In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"held_on": "2026-11-20", "with_whom": "Sam (volunteer lead)"}]
        },
    )

    held_on: date
    with_whom: str = Field(max_length=80, description="A name or role")
    next_due: date | None = Field(
        default=None, description="When the next is due (the service's interval if left out)"
    )
    note: str | None = Field(default=None, max_length=1000, description="Sealed at rest")


class SupervisionOut(_Out):
    id: UUID
    held_on: date
    with_whom: str
    next_due: date
    note: str | None
    recorded_at: datetime
    recorded_by: str | None


class OverdueOut(_Out):
    user_id: UUID
    display_name: str
    due_on: date
    never: bool = Field(description="No supervision logged since they were approved")


class DebriefIn(_In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "session_id": "3f0c5d3e-8f53-4a0e-9d0b-5a8e1f0f6c1a",
                    "text": "It went well; I felt a bit drained after.",
                }
            ]
        },
    )

    session_id: UUID = Field(description="A session you held as the supporter")
    text: str = Field(min_length=1, max_length=2000)


class DebriefOut(_Out):
    id: UUID
    session_id: UUID
    relationship_id: UUID
    session_at: datetime
    other_person: str | None = Field(description="Only in the author's own list")
    text: str
    created_at: datetime


class AccessRequestOut(_Out):
    id: UUID
    relationship_id: UUID
    concern_id: UUID | None
    requested_by: str | None
    requested_by_id: UUID | None
    reason: str | None
    minutes: int
    asked_at: datetime
    answer_by: datetime


class AccessRefusalIn(_In):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "The report doesn't need it."}]}
    )

    reason: str | None = Field(default=None, max_length=2000)
