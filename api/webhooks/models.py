"""Webhook endpoints, their signing secrets, and one delivery per event and endpoint."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Index, LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.common import created_field, id_field, json_list_field, when_field


class WebhookEndpoint(SQLModel, table=True):
    """Where an integrator's client wants to hear about the event types it subscribed to."""

    __tablename__ = "webhook_endpoint"

    id: UUID = id_field()
    # The integrator client that owns it; deleting the client deletes its endpoints.
    client_id: UUID = Field(foreign_key="integrator_client.id", index=True, ondelete="CASCADE")
    url: str = Field(sa_type=String(2000))
    description: str = Field(default="", sa_type=String(200))
    event_types: list = json_list_field()
    enabled: bool = True
    # Why it was disabled, in words the integrator's developer can act on (shown by the API).
    disabled_reason: str | None = Field(default=None, sa_type=String(300))
    disabled_at: datetime | None = when_field()
    # When the client was told it was disabled by Kindred (None: not yet, or not needed).
    client_told_at: datetime | None = when_field()
    # The first failed attempt since the last delivery taken (None while all is well).
    failing_since: datetime | None = when_field()
    created_at: datetime = created_field()
    updated_at: datetime = created_field()


class WebhookSecret(SQLModel, table=True):
    """A ``whsec_`` signing secret, sealed. After a rotation the old one signs too, until it
    expires, so receivers can switch without missing a delivery."""

    __tablename__ = "webhook_secret"

    id: UUID = id_field()
    endpoint_id: UUID = Field(foreign_key="webhook_endpoint.id", index=True, ondelete="CASCADE")
    secret_sealed: bytes = Field(sa_type=LargeBinary)  # context: id
    created_at: datetime = created_field()
    expires_at: datetime | None = when_field()


class WebhookDelivery(SQLModel, table=True):
    """One event for one endpoint: every attempt of it carries the event's id as webhook-id."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id", name="uq_webhook_delivery_event_endpoint"),
        Index("ix_webhook_delivery_log", "endpoint_id", "created_at"),
    )

    id: UUID = id_field()
    event_id: str = Field(sa_type=String(40), foreign_key="outbox_event.id", ondelete="CASCADE")
    endpoint_id: UUID = Field(foreign_key="webhook_endpoint.id", ondelete="CASCADE")
    created_at: datetime = created_field()
    # Attempts in all (the log); `step` is the place in the retry schedule of this round
    # (a manual redelivery starts a new round).
    attempts: int = 0
    step: int = 0
    # When the next attempt is due; None once delivered or given up.
    next_attempt_at: datetime | None = when_field(index=True)
    last_attempt_at: datetime | None = when_field()
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, sa_type=String(200))
    delivered_at: datetime | None = when_field()
    failed_at: datetime | None = when_field()
