"""Statistics by month, counted in SQL: waiting time (median, 90th percentile), introductions
(proposed, accepted, not available, expired), endings (completed, ended early and by whom),
sessions held and supporters active. Each table exports as CSV."""

import csv
import io
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, case, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth.principal import Principal
from api.concerns.service import require_coordinator
from api.contact.models import ContactSession, SessionStatus
from api.coordination.sql import (
    days_between,
    dialect,
    month_of,
    month_start,
    months_back,
    percentile,
)
from api.errors import Invalid, NotFound
from api.matching.models import SupportRequest
from api.relationships.models import EndKind, Relationship, State

ACCEPTED = (State.agreeing, State.active, State.paused, State.ended)
TABLES = ("waiting", "introductions", "endings", "activity")
_R, _S = Relationship, ContactSession


@dataclass(frozen=True)
class Statistics:
    months: list[str]
    waiting: list[dict[str, Any]]
    introductions: list[dict[str, Any]]
    endings: list[dict[str, Any]]
    activity: list[dict[str, Any]]


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def _waiting(db: AsyncSession, months: list[str]) -> list[dict[str, Any]]:
    """Days from asking to a supporter accepting, for requests matched in each month."""
    matched = (
        select(
            col(_R.request_id).label("request_id"),
            func.min(col(_R.answered_at)).label("answered_at"),
        )
        .where(col(_R.state).in_(ACCEPTED), col(_R.request_id).is_not(None))
        .group_by(col(_R.request_id))
        .subquery()
    )
    month = month_of(db, matched.c.answered_at)
    days = days_between(db, col(SupportRequest.created_at), matched.c.answered_at)
    since = month_start(months[0])
    base = (
        select(month.label("month"))
        .select_from(matched)
        .join(SupportRequest, col(SupportRequest.id) == matched.c.request_id)
        .where(matched.c.answered_at >= since)
    )
    found: dict[str, dict[str, Any]] = {}
    if dialect(db) == "postgresql":
        rows = await db.execute(
            base.add_columns(
                func.count().label("matched"),
                func.percentile_cont(0.5).within_group(days).label("median"),
                func.percentile_cont(0.9).within_group(days).label("p90"),
            ).group_by(month)
        )
        for r in rows.all():
            found[r.month] = {"matched": r.matched, "median": r.median, "p90": r.p90}
    else:
        by_month: dict[str, list[float]] = {}
        for r in (await db.execute(base.add_columns(days.label("days")))).all():
            by_month.setdefault(r.month, []).append(float(r.days))
        for m, values in by_month.items():
            found[m] = {
                "matched": len(values),
                "median": percentile(values, 0.5),
                "p90": percentile(values, 0.9),
            }
    table = []
    for m in months:
        row = found.get(m, {"matched": 0, "median": None, "p90": None})
        table.append(
            {
                "month": m,
                "matched": row["matched"],
                "median_days": None if row["median"] is None else round(float(row["median"]), 2),
                "p90_days": None if row["p90"] is None else round(float(row["p90"]), 2),
            }
        )
    return table


async def _introductions(db: AsyncSession, months: list[str]) -> list[dict[str, Any]]:
    month = month_of(db, col(_R.created_at))
    rows = await db.execute(
        sa.select(
            month.label("month"),
            func.count().label("proposed"),
            _count_if(col(_R.state).in_(ACCEPTED)).label("accepted"),
            _count_if(col(_R.state) == State.declined).label("not_available"),
            _count_if(col(_R.state) == State.expired).label("expired"),
        )
        .where(col(_R.created_at) >= month_start(months[0]))
        .group_by(month)
    )
    found = {r.month: r for r in rows.all()}
    keys = ("proposed", "accepted", "not_available", "expired")
    return [
        {"month": m, **{k: int(getattr(found[m], k)) if m in found else 0 for k in keys}}
        for m in months
    ]


async def _endings(db: AsyncSession, months: list[str]) -> list[dict[str, Any]]:
    month = month_of(db, col(_R.ended_at))
    early = col(_R.end_kind) != EndKind.completed
    by_person = col(_R.end_kind).in_((EndKind.ended_by_person, EndKind.blocked))
    rows = await db.execute(
        sa.select(
            month.label("month"),
            _count_if(col(_R.end_kind) == EndKind.completed).label("completed"),
            _count_if(early).label("ended_early"),
            _count_if(and_(by_person, col(_R.ended_by) == _R.seeker_id)).label("by_seeker"),
            _count_if(and_(by_person, col(_R.ended_by) == _R.supporter_id)).label("by_supporter"),
            _count_if(col(_R.end_kind) == EndKind.ended_for_safety).label("by_coordinator"),
            _count_if(col(_R.end_kind) == EndKind.account_deleted).label("account_closed"),
        )
        .where(col(_R.state) == State.ended, col(_R.ended_at) >= month_start(months[0]))
        .group_by(month)
    )
    found = {r.month: r for r in rows.all()}
    keys = (
        "completed",
        "ended_early",
        "by_seeker",
        "by_supporter",
        "by_coordinator",
        "account_closed",
    )
    return [
        {"month": m, **{k: int(getattr(found[m], k)) if m in found else 0 for k in keys}}
        for m in months
    ]


async def _activity(db: AsyncSession, months: list[str]) -> list[dict[str, Any]]:
    month = month_of(db, col(_S.start_at))
    rows = await db.execute(
        sa.select(
            month.label("month"),
            func.count().label("sessions_held"),
            func.count(func.distinct(col(_R.supporter_id))).label("supporters_active"),
        )
        .join(_R, col(_R.id) == _S.relationship_id)
        .where(col(_S.status) == SessionStatus.held, col(_S.start_at) >= month_start(months[0]))
        .group_by(month)
    )
    found = {r.month: r for r in rows.all()}
    return [
        {
            "month": m,
            "sessions_held": int(found[m].sessions_held) if m in found else 0,
            "supporters_active": int(found[m].supporters_active) if m in found else 0,
        }
        for m in months
    ]


async def statistics(db: AsyncSession, me: Principal, *, months: int = 12) -> Statistics:
    """The last `months` calendar months (this one included), oldest first."""
    require_coordinator(me)
    return await monthly(db, months=months)


async def monthly(db: AsyncSession, *, months: int = 12) -> Statistics:
    """The monthly totals themselves, nothing about any one person: for coordinators, and for
    integrators holding the stats:read scope (api/integrations)."""
    if not 1 <= months <= 36:
        raise Invalid.field("months", "Choose between 1 and 36 months.")
    wanted = months_back(months)
    return Statistics(
        months=wanted,
        waiting=await _waiting(db, wanted),
        introductions=await _introductions(db, wanted),
        endings=await _endings(db, wanted),
        activity=await _activity(db, wanted),
    )


def as_csv(stats: Statistics, table: str) -> str:
    """One table as CSV, a header row then a row a month."""
    if table not in TABLES:
        raise NotFound("No such table.")
    rows = asdict(stats)[table]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
