"""Small pieces of SQL that differ between SQLite and PostgreSQL (months, durations, the
later of two times), so every coordination read runs the same on both."""

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, literal
from sqlalchemy.ext.asyncio import AsyncSession


def dialect(db: AsyncSession) -> str:
    return db.get_bind().dialect.name


def month_of(db: AsyncSession, column: Any) -> ColumnElement[Any]:
    """The month of a UTC timestamp, to group by: cheap to compare on PostgreSQL (the first
    moment of the month, not text); read it back with ``month_key``."""
    if dialect(db) == "postgresql":
        return func.date_trunc(literal("month"), func.timezone("UTC", column))
    return func.strftime(literal("%Y-%m"), column)


def month_key(value: datetime | str) -> str:
    """'YYYY-MM' of what ``month_of`` gave back."""
    return value if isinstance(value, str) else f"{value.year:04d}-{value.month:02d}"


def joined_in(dialect: str, column: Any) -> Any:
    """A group's texts joined by commas, in no particular order, in this dialect."""
    if dialect == "postgresql":
        return func.string_agg(column, literal(","))
    return func.group_concat(column, literal(","))


def days_between(db: AsyncSession, start: Any, end: Any) -> Any:
    """(end - start) in days, as a float."""
    if dialect(db) == "postgresql":
        return func.extract("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)


def months_back(months: int, today: date | None = None) -> list[str]:
    """The last `months` calendar months, oldest first, as 'YYYY-MM'."""
    today = today or datetime.now(UTC).date()
    year, month = today.year, today.month
    found = []
    for _ in range(months):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]


def month_start(month: str) -> datetime:
    year, number = month.split("-")
    return datetime(int(year), int(number), 1, tzinfo=UTC)


def month_after(month: str) -> str:
    year, number = (int(x) for x in month.split("-"))
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
