"""Kept figures of months that are over, and the changes that made any out of date."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, String
from sqlmodel import Field, SQLModel

from api.common import created_field, id_field


class MonthFigures(SQLModel, table=True):
    """The console's statistics of one calendar month (UTC) that is over, worked out once
    (api/coordination/stats.py), with how many changes to the month had been recorded then."""

    __tablename__ = "month_figures"

    month: str = Field(primary_key=True, sa_type=String(7))  # "YYYY-MM"
    figures: dict = Field(sa_type=JSON)
    changes_seen: int
    computed_at: datetime = created_field()


class MonthChange(SQLModel, table=True):
    """Something a month that is over counted has changed (only ever added: a change never
    waits for another, and figures kept while it was under way are found out of date)."""

    __tablename__ = "month_change"

    id: UUID = id_field()
    month: str = Field(sa_type=String(7), index=True)
    at: datetime = created_field()
