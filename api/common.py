"""Small shared pieces of the data model: ids, UTC timestamps."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import JSON, DateTime
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def id_field() -> Any:
    return Field(default_factory=uuid4, primary_key=True)


def json_list_field() -> Any:
    """A JSON column holding a list, empty by default."""
    return Field(default_factory=_empty_list, sa_type=JSON)


def json_dict_field() -> Any:
    """A JSON column holding an object, empty by default."""
    return Field(default_factory=_empty_dict, sa_type=JSON)


# Python functions, not the builtins `list` and `dict`: SQLModel asks pydantic for a table
# row's defaults every time it makes one, and pydantic reads the factory's signature each
# time; a builtin's is parsed from text (~0.3 ms a field, ~1.2 ms a notice preference).
def _empty_list() -> list:
    return []


def _empty_dict() -> dict:
    return {}


def created_field(**kwargs: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kwargs)


def when_field(**kwargs: Any) -> Any:
    """An optional moment (decided at, revoked at, …)."""
    return Field(default=None, sa_type=UTCDateTime, **kwargs)


__all__ = ["UUID", "UTCDateTime", "created_field", "id_field", "utcnow", "when_field"]
