from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from api.supporters.models import DEFAULT_CAPACITY, MAX_CAPACITY, OfferStatus


class OfferCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"capacity": 2}]})
    capacity: int = Field(default=DEFAULT_CAPACITY, ge=1, le=MAX_CAPACITY)


class OfferUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"paused": True}, {"capacity": 3}]}
    )
    capacity: int | None = Field(default=None, ge=1, le=MAX_CAPACITY)
    paused: StrictBool | None = None


class OfferPublic(BaseModel):
    id: UUID
    status: OfferStatus
    capacity: int
    paused: bool
    created_at: datetime
    decided_at: datetime | None
    decision_note: str | None = Field(
        default=None, description="The coordinator's note with their decision, if they wrote one"
    )
