"""What the notices API sends."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class NoticeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    relationship_id: UUID | None
    kind: str
    text: str
    created_at: datetime
    read: bool
