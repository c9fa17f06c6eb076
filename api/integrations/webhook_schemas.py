"""What integrators send and read to manage their webhook endpoints and read the delivery log."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from api.outbox.service import EVENT_TYPES
from api.webhooks.deliveries import LogEntry
from api.webhooks.models import WebhookEndpoint

EVENT_TYPE_ITEMS: JsonDict = {"items": {"type": "string", "enum": list(EVENT_TYPES)}}
URL_EXAMPLE = "https://crm.riverside.example/kindred/webhooks"
SECRET_PATTERN = r"^whsec_[A-Za-z0-9+/=]{32,}$"  # noqa: S105 - a pattern, not a secret


class EndpointIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": URL_EXAMPLE,
                    "event_types": ["referral.joined", "relationship.active", "session.held"],
                    "description": "Our CRM",
                }
            ]
        },
    )
    url: str = Field(
        max_length=2000,
        description="Where to send events: an https:// URL on the public internet (redirects "
        "are never followed).",
    )
    event_types: list[str] = Field(
        min_length=1,
        max_length=len(EVENT_TYPES),
        description="The event types to send here.",
        json_schema_extra=EVENT_TYPE_ITEMS,
    )
    description: str = Field(default="", max_length=200, description="Your own note.")
    secret: str | None = Field(
        default=None,
        description="Your own whsec_ secret (24 to 64 random bytes, base64); one is made "
        "for you when left out.",
        json_schema_extra={"pattern": SECRET_PATTERN},
    )


class EndpointChange(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"enabled": True}, {"event_types": ["session.held"]}]},
    )
    url: str | None = Field(default=None, max_length=2000)
    event_types: list[str] | None = Field(
        default=None, min_length=1, max_length=len(EVENT_TYPES), json_schema_extra=EVENT_TYPE_ITEMS
    )
    description: str | None = Field(default=None, max_length=200)
    enabled: bool | None = Field(
        default=None,
        description="false stops sending; true starts again (after Kindred disabled it, "
        "send again from the delivery log what it missed).",
        strict=True,
    )


class EndpointOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0b8f8f0e-6c55-4a5a-9d2e-8c1d2f3a4b5c",
                    "url": URL_EXAMPLE,
                    "description": "Our CRM",
                    "event_types": ["referral.joined", "session.held"],
                    "enabled": False,
                    "disabled_reason": "The endpoint answered 410 Gone, which means it no "
                    "longer accepts webhooks.",
                    "disabled_at": "2026-12-02T10:00:00Z",
                    "created_at": "2026-12-01T10:00:00Z",
                    "updated_at": "2026-12-02T10:00:00Z",
                }
            ]
        }
    )
    id: UUID
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None = Field(
        description="Why it is disabled: by you, or by Kindred (410 Gone, or failing for days)."
    )
    disabled_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> "EndpointOut":
        return cls.model_validate(endpoint.model_dump())


class EndpointCreated(EndpointOut):
    secret: str = Field(
        description="The endpoint's whsec_ signing secret: shown only in this answer."
    )


class SecretRotated(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                    "previous_expires_at": "2026-12-03T10:00:00Z",
                }
            ]
        }
    )
    secret: str = Field(description="The new whsec_ secret: shown only in this answer.")
    previous_expires_at: datetime | None = Field(
        description="Until then the previous secret signs too (both signatures are sent)."
    )


class SecretIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{}, {"secret": None}]}
    )
    secret: str | None = Field(
        default=None,
        description="Your own new whsec_ secret; one is made for you when left out.",
        json_schema_extra={"pattern": SECRET_PATTERN},
    )


class DeliveryOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "5d7e2f9a-1b3c-4d5e-8f90-a1b2c3d4e5f6",
                    "event_id": "msg_3kS9yQ1pX0aZ7bC2dE4fG6hJ",
                    "event_type": "session.held",
                    "status": "delivered",
                    "attempts": 1,
                    "created_at": "2026-12-01T10:00:00Z",
                    "last_attempt_at": "2026-12-01T10:00:01Z",
                    "last_status_code": 204,
                    "last_error": None,
                    "next_attempt_at": None,
                    "delivered_at": "2026-12-01T10:00:01Z",
                }
            ]
        }
    )
    id: UUID
    event_id: str = Field(description="The event's id: the webhook-id of every attempt.")
    event_type: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    created_at: datetime
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None

    @classmethod
    def of(cls, entry: LogEntry) -> "DeliveryOut":
        d = entry.delivery
        return cls.model_validate(
            {**d.model_dump(), "event_type": entry.event_type, "status": entry.status}
        )
