"""What the notices API sends."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from api.notices.preferences import Choices


class NoticeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    relationship_id: UUID | None
    kind: str
    text: str
    created_at: datetime
    read: bool


class NotificationSettings(BaseModel):
    """How I hear of my notices beyond the app (every notice is always in the app)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "email_kinds": ["message_delivered", "session_reminder"],
                    "digest": False,
                    "push_off": [],
                    "reminders_off": ["review_due"],
                    "remind_before_minutes": 120,
                    "quiet_from": "22:00",
                    "quiet_until": "07:30",
                }
            ]
        },
    )
    email_kinds: list[str] = Field(
        default=[], max_length=100, description="Kinds of notice also sent by e-mail"
    )
    digest: StrictBool = Field(default=False, description="Gather those e-mails in one a day")
    push_off: list[str] = Field(default=[], max_length=100, description="Kinds never pushed")
    reminders_off: list[str] = Field(
        default=[],
        max_length=3,
        description="Reminders not wanted at all: session_reminder, review_due, "
        "introduction_expiring",
    )
    remind_before_minutes: StrictInt = Field(default=1440, ge=15, le=7 * 24 * 60)
    quiet_from: str | None = Field(
        default=None, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="HH:MM, my time"
    )
    quiet_until: str | None = Field(
        default=None, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="HH:MM, my time"
    )

    @classmethod
    def of(cls, found: Choices) -> "NotificationSettings":
        """The stored choices as a person reads them (quiet hours as clock times)."""
        return cls(
            email_kinds=list(found.email_kinds),
            digest=found.digest,
            push_off=list(found.push_off),
            reminders_off=list(found.reminders_off),
            remind_before_minutes=found.remind_before_minutes,
            quiet_from=_clock(found.quiet_from),
            quiet_until=_clock(found.quiet_until),
        )


def _clock(minute: int | None) -> str | None:
    return None if minute is None else f"{minute // 60:02d}:{minute % 60:02d}"
