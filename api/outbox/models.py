"""The outbox: one row per event, committed with the change it describes."""

from datetime import datetime

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel

from api.common import created_field, json_dict_field, json_list_field, when_field


class OutboxEvent(SQLModel, table=True):
    """Something integrators may be told about (thin: ids and states, never content).

    ``id`` is the Standard Webhooks ``webhook-id`` of every delivery of this event, so a
    receiver can drop duplicates. ``about_users`` names the people the event concerns; it is
    used to decide which integrators may hear of it and is never sent, nor is ``kept_for``.
    """

    __tablename__ = "outbox_event"
    __table_args__ = (Index("ix_outbox_event_pending", "dispatched_at", "occurred_at"),)

    id: str = Field(primary_key=True, sa_type=String(40))
    type: str = Field(sa_type=String(60))
    data: dict = json_dict_field()
    about_users: list = json_list_field()
    # Clients that referred someone this event was about, kept when that person deleted their
    # account (``forget_user``) so those referrers still hear of it; never sent.
    kept_for: list = json_list_field()
    occurred_at: datetime = created_field()
    dispatched_at: datetime | None = when_field()
