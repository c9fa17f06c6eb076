"""The service's settings as data, and the audit of every change to them."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, String
from sqlmodel import Field, SQLModel

from api.common import created_field, id_field


class ServiceSetting(SQLModel, table=True):
    """One setting's current value. A key with no row uses the default from the environment."""

    __tablename__ = "service_setting"

    key: str = Field(sa_type=String(40), primary_key=True)
    value: Any = Field(sa_type=JSON)
    updated_at: datetime = created_field()
    updated_by: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )


class SettingChange(SQLModel, table=True):
    """Who changed which setting, when, from what to what (appended, never edited)."""

    __tablename__ = "service_setting_change"

    id: UUID = id_field()
    key: str = Field(sa_type=String(40), index=True)
    old_value: Any = Field(sa_type=JSON)
    new_value: Any = Field(sa_type=JSON)
    at: datetime = created_field(index=True)
    changed_by: UUID | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
