"""Months that are over keep their figures: a read takes them from here instead of counting
all of history again, and only counts what is still changing (this month).

A month is kept once it has been over for a day (``SETTLED``), so a change still under way when
it ended can't be missed. After that, a change to something a month that is over counted (an
introduction answered after its month ended, a session marked held afterwards, an account
deleted) calls ``forget`` in its own transaction, which records a ``MonthChange``. Figures are
kept with the number of changes recorded before they were counted; when more have been
recorded since, they are out of date and counted again.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, cast, func, literal, null, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.common import utcnow
from api.db import among
from api.monthly.models import MonthChange, MonthFigures

SETTLED = timedelta(days=1)


@dataclass(frozen=True)
class Kept:
    changes: int  # changes recorded for the month so far
    figures: dict[str, Any] | None  # None: never kept, or out of date


def month_of(at: datetime) -> str:
    """'YYYY-MM' of a moment, in UTC."""
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return f"{at.year:04d}-{at.month:02d}"


def can_keep(month: str, *, now: datetime | None = None) -> bool:
    """Whether a month has been over long enough for its figures to be kept."""
    return month < month_of((now or utcnow()) - SETTLED)


def forget(db: AsyncSession, at: Iterable[datetime | None]) -> None:
    """Something counted in the months of these moments changed: those that are over are
    counted again at the next read (this month is never kept, so it needs nothing)."""
    current = month_of(utcnow())
    for month in sorted({month_of(t) for t in at if t is not None} - {current}):
        if month < current:
            db.add(MonthChange(month=month))


async def forget_kept(db: AsyncSession) -> None:
    """Every month kept so far is counted again at the next read (after history was written
    some other way than through the domains, such as loading demo data)."""
    for month in (await db.scalars(select(MonthFigures.month))).all():
        db.add(MonthChange(month=month))


async def kept(db: AsyncSession, *, months: list[str]) -> dict[str, Kept]:
    """For each of these months, its kept figures if they are up to date (one round trip:
    the figures and the changes recorded since, side by side)."""
    if not months:
        return {}
    changes: Any = (
        select(
            literal("change").label("part"),
            col(MonthChange.month).label("month"),
            func.count().label("number"),
            cast(null(), JSON).label("figures"),
        )
        .where(among(db, col(MonthChange.month), months))
        .group_by(col(MonthChange.month))
    )
    figures: Any = select(
        literal("figures").label("part"),
        col(MonthFigures.month).label("month"),
        col(MonthFigures.changes_seen).label("number"),
        col(MonthFigures.figures).label("figures"),
    ).where(among(db, col(MonthFigures.month), months))
    rows = (await db.execute(union_all(figures, changes))).all()
    recorded = {r.month: int(r.number) for r in rows if r.part == "change"}
    up_to_date = {
        r.month: r.figures
        for r in rows
        if r.part == "figures" and r.number == recorded.get(r.month, 0)
    }
    return {m: Kept(recorded.get(m, 0), up_to_date.get(m)) for m in months}


async def keep(db: AsyncSession, *, month: str, figures: dict[str, Any], seen: Kept) -> None:
    """Keep a month's figures, counted after ``seen`` was read (so they include at least the
    changes it saw). Call in month order: two reads keeping months at once never deadlock."""
    table = MonthFigures.__table__  # type: ignore[attr-defined]
    dialect = db.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(MonthFigures)
    statement = insert.values(
        month=month, figures=figures, changes_seen=seen.changes, computed_at=utcnow()
    )
    await db.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.month],
            set_={
                "figures": statement.excluded.figures,
                "changes_seen": statement.excluded.changes_seen,
                "computed_at": statement.excluded.computed_at,
            },
            # Never replace figures that saw more changes with some that saw fewer.
            where=table.c.changes_seen <= statement.excluded.changes_seen,
        )
    )
