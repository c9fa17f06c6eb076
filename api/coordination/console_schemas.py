"""What the coordinators' console API sends: today, the roster, relationships' health,
statistics and settings."""

from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from api.config import CrisisResource
from api.policies.governance import ChecklistItem, Supervision, TwoPersonAccess
from api.policies.retention import RetentionPeriods
from api.policies.service import DefaultAgreement, DependencyLimits

T = TypeVar("T")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class TodayItem(_Out):
    id: UUID
    title: str
    since: datetime | None
    detail: str


class TodaySection(_Out):
    total: int
    items: list[TodayItem]


class TodayOut(_Out):
    concerns_to_triage: TodaySection
    introductions_expiring: TodaySection
    longest_waiting: TodaySection
    reviews_due: TodaySection
    supporters_needing_attention: TodaySection
    screening_due: TodaySection = Field(description="Screening items expiring within 30 days")
    supervision_overdue: TodaySection
    access_requests: TodaySection = Field(
        description="Requests for safeguarding access waiting for a second coordinator"
    )
    offers_to_review: int


class RosterEntryOut(_Out):
    id: UUID = Field(validation_alias="user_id", description="The supporter's account id")
    display_name: str
    status: str
    capacity: int
    places_used: int
    paused: bool
    approved_at: datetime | None
    suspended_at: datetime | None
    last_active_at: datetime | None
    sessions_last_4_weeks: int
    flags: list[str]


class RelationshipHealthRow(_Out):
    id: UUID
    state: str
    seeker_name: str | None
    supporter_name: str | None
    created_at: datetime
    sessions_held: int
    sessions_agreed: int | None
    last_contact_at: datetime | None
    days_since_contact: int | None
    review_due: bool
    ending_soon: bool
    stalled: bool
    paused: bool
    open_concerns: int


class TimelineEventOut(_Out):
    at: datetime
    what: str


class StatisticsOut(_Out):
    months: list[str]
    waiting: list[dict[str, Any]]
    introductions: list[dict[str, Any]]
    endings: list[dict[str, Any]]
    activity: list[dict[str, Any]]


class ServiceSettingsOut(BaseModel):
    crisis_resources: list[CrisisResource]
    introduction_ttl_hours: int
    default_agreement: DefaultAgreement
    dependency_limits: DependencyLimits
    retention: RetentionPeriods
    screening_checklist: list[ChecklistItem]
    supervision: Supervision
    two_person_access: TwoPersonAccess


class SettingChangeIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"value": 48}]}, extra="forbid")

    value: Any = Field(description="The whole new value of this setting")


class SettingChangeOut(_Out):
    id: UUID
    key: str
    old_value: Any
    new_value: Any
    at: datetime
    changed_by: str | None
