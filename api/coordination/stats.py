"""Statistics by month, counted in SQL: waiting time (median, 90th percentile), introductions
(proposed, accepted, not available, expired), endings (completed, ended early and by whom),
sessions held and supporters active. Each table exports as CSV.

Months that are over are worked out once and kept (api/monthly); a read counts only the months
still changing (this one, and the last for a day after it ends) and any a change has forgotten,
so it never counts all of history again."""

import csv
import io
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, case, func, literal, null
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from api.audit import service as audit
from api.audit.service import Action
from api.auth.principal import Principal
from api.common import UTCDateTime, utcnow
from api.concerns.service import require_coordinator
from api.contact.models import ContactSession, SessionStatus
from api.coordination.sql import (
    days_between,
    dialect,
    month_after,
    month_key,
    month_of,
    month_start,
    months_back,
    percentile,
)
from api.errors import Invalid, NotFound
from api.matching.models import SupportRequest
from api.monthly import service as monthly
from api.relationships.models import EndKind, Relationship, State

ACCEPTED = (State.agreeing, State.active, State.paused, State.ended)
# Each table's columns, in order (a month's row is rebuilt in this order, kept or counted).
COLUMNS = {
    "waiting": ("matched", "median_days", "p90_days"),
    "introductions": ("proposed", "accepted", "not_available", "expired"),
    "endings": (
        "completed",
        "ended_early",
        "by_seeker",
        "by_supporter",
        "by_coordinator",
        "account_closed",
    ),
    "activity": ("sessions_held", "supporters_active"),
}
TABLES = tuple(COLUMNS)
_R, _S = Relationship, ContactSession
Counted = dict[str, dict[str, Any]]  # month -> that month's row of one table


@dataclass(frozen=True)
class Statistics:
    months: list[str]
    waiting: list[dict[str, Any]]
    introductions: list[dict[str, Any]]
    endings: list[dict[str, Any]]
    activity: list[dict[str, Any]]


def _months(db: AsyncSession, column: Any, month: Any) -> tuple[Any, list]:
    """The month of each row and what to group by. A range of one month (the usual read: this
    month) needs neither: ``month`` is then that month, a constant, and the rows are counted
    as one group, not each row's month worked out. (With no rows, one row of zeros comes back
    instead of none: the same figures.)"""
    if month is not None:
        return month, []
    each = month_of(db, column)
    return each, [each]


def _one_month(since: datetime, until: datetime) -> str | None:
    """The month a range is, if it is exactly one."""
    first = month_key(since)
    return first if month_start(month_after(first)) == until else None


def _constant(month: str | None) -> Any:
    return None if month is None else sa.cast(literal(month), sa.String).label("month")


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _waiting_rows(db: AsyncSession, since: Any, until: Any, month: Any) -> tuple[Any, Any, Any]:
    """Days from asking to a supporter accepting, for requests first accepted in the range:
    the rows' select, their month and their days.

    Read from the acceptances in the range: for each, when its request was first accepted
    and when it was made are looked up by key, so the work grows with the range, not with
    all of history."""
    answered = col(_R.answered_at)
    accepted = col(_R.state).in_(ACCEPTED)
    earlier = aliased(Relationship)
    first = (
        select(func.min(col(earlier.answered_at)))
        .where(col(earlier.request_id) == _R.request_id, col(earlier.state).in_(ACCEPTED))
        .scalar_subquery()
    )
    # One row a request (the first of its acceptances in the range)...
    firsts = (
        sa.select(col(_R.request_id).label("request_id"), func.min(answered).label("answered_at"))
        .where(accepted, answered >= since, answered < until, col(_R.request_id).is_not(None))
        .group_by(col(_R.request_id))
        .having(func.min(answered) == func.min(first))
        .subquery()
    )
    # ...with when it was asked for.
    month, groups = _months(db, firsts.c.answered_at, month)
    days = days_between(db, col(SupportRequest.created_at), firsts.c.answered_at)
    base = (
        sa.select(month.label("month"))
        .select_from(firsts)
        .join(SupportRequest, col(SupportRequest.id) == firsts.c.request_id)
    )
    return base, groups, days


def _waiting_sql(db: AsyncSession, since: Any, until: Any, month: Any = None) -> Any:
    """The waiting table counted in SQL (PostgreSQL: percentile_cont)."""
    base, groups, days = _waiting_rows(db, since, until, month)
    return base.add_columns(
        func.count().label("matched"),
        func.percentile_cont(0.5).within_group(days).label("median_days"),
        func.percentile_cont(0.9).within_group(days).label("p90_days"),
    ).group_by(*groups)


def _days_of(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


async def _waiting(db: AsyncSession, since: datetime, until: datetime) -> Counted:
    """The waiting table, its percentiles worked out here (SQLite has no percentile_cont)."""
    base, _groups, days = _waiting_rows(db, since, until, _constant(_one_month(since, until)))
    by_month: dict[str, list[float]] = {}
    for r in (await db.execute(base.add_columns(days.label("days")))).all():
        by_month.setdefault(month_key(r.month), []).append(float(r.days))
    return {
        m: {
            "matched": len(values),
            "median_days": _days_of(percentile(values, 0.5)),
            "p90_days": _days_of(percentile(values, 0.9)),
        }
        for m, values in by_month.items()
    }


def _introductions(db: AsyncSession, since: Any, until: Any, month: Any = None) -> Any:
    month, groups = _months(db, col(_R.created_at), month)
    return (
        sa.select(
            month.label("month"),
            func.count().label("proposed"),
            _count_if(col(_R.state).in_(ACCEPTED)).label("accepted"),
            _count_if(col(_R.state) == State.declined).label("not_available"),
            _count_if(col(_R.state) == State.expired).label("expired"),
        )
        .where(col(_R.created_at) >= since, col(_R.created_at) < until)
        .group_by(*groups)
    )


def _endings(db: AsyncSession, since: Any, until: Any, month: Any = None) -> Any:
    month, groups = _months(db, col(_R.ended_at), month)
    early = col(_R.end_kind) != EndKind.completed
    by_person = col(_R.end_kind).in_((EndKind.ended_by_person, EndKind.blocked))
    return (
        sa.select(
            month.label("month"),
            _count_if(col(_R.end_kind) == EndKind.completed).label("completed"),
            _count_if(early).label("ended_early"),
            _count_if(and_(by_person, col(_R.ended_by) == _R.seeker_id)).label("by_seeker"),
            _count_if(and_(by_person, col(_R.ended_by) == _R.supporter_id)).label("by_supporter"),
            _count_if(col(_R.end_kind) == EndKind.ended_for_safety).label("by_coordinator"),
            _count_if(col(_R.end_kind) == EndKind.account_deleted).label("account_closed"),
        )
        .where(col(_R.state) == State.ended, col(_R.ended_at) >= since, col(_R.ended_at) < until)
        .group_by(*groups)
    )


def _activity(db: AsyncSession, since: Any, until: Any, month: Any = None) -> Any:
    """Sessions held, and how many supporters held them, from one index alone (each session
    keeps its relationship's supporter): counted by supporter first, then by month."""
    month, groups = _months(db, col(_S.start_at), month)
    per_supporter = (
        sa.select(
            month.label("month"),
            col(_S.supporter_id).label("supporter_id"),
            func.count().label("held"),
        )
        .where(
            col(_S.status) == SessionStatus.held,
            col(_S.start_at) >= since,
            col(_S.start_at) < until,
        )
        .group_by(*groups, col(_S.supporter_id))
        .subquery()
    )
    by_month = [per_supporter.c.month] if groups else []
    return sa.select(
        by_month[0] if by_month else month,
        func.sum(per_supporter.c.held).label("sessions_held"),
        # A supporter whose account is gone (NULL) held sessions but is not counted.
        func.count(per_supporter.c.supporter_id).label("supporters_active"),
    ).group_by(*by_month)


COUNTED_IN_SQL = {"introductions": _introductions, "endings": _endings, "activity": _activity}
_WIDEST = max(len(c) for c in COLUMNS.values())


def _value(table: str, name: str, value: Any) -> Any:
    if table == "waiting" and name != "matched":
        return _days_of(value)
    return int(value or 0)


async def _count_one_by_one(db: AsyncSession, since: datetime, until: datetime) -> Counted:
    """Every table of the range, a query each (SQLite: no round trips to save)."""
    found: dict[str, Counted] = {"waiting": await _waiting(db, since, until)}
    for table, statement in COUNTED_IN_SQL.items():
        month = _constant(_one_month(since, until))
        for r in (await db.execute(statement(db, since, until, month))).all():
            row = {k: _value(table, k, getattr(r, k)) for k in COLUMNS[table]}
            found.setdefault(table, {})[month_key(r.month)] = row
    return found


def _union(db: AsyncSession, since: Any, until: Any, month: Any) -> Any:
    """Every table of the range as one query: the tables' rows side by side, each padded to
    the widest, as one union."""
    parts = []
    statements = {"waiting": _waiting_sql, **COUNTED_IN_SQL}
    for table, statement in statements.items():
        rows = statement(db, since, until, month).subquery()
        values = [sa.cast(rows.c[k], sa.Float) for k in COLUMNS[table]]
        values += [sa.cast(null(), sa.Float)] * (_WIDEST - len(values))
        parts.append(
            sa.select(
                literal(table).label("table"),
                rows.c.month,
                *[v.label(f"v{i}") for i, v in enumerate(values)],
            )
        )
    return sa.union_all(*parts)


_ONE_MONTH: dict[str, Any] = {}  # by dialect: one month's union, its range as parameters


async def _count_at_once(db: AsyncSession, since: datetime, until: datetime) -> Counted:
    """Every table of the range in one round trip (PostgreSQL). One month's query (nearly
    every read's) is built once, its range and month as parameters: building it, and working
    out its cache key, took longer than running it."""
    one = _one_month(since, until)
    if one is None:
        statement, values = _union(db, since, until, None), {}
    else:
        dialect_name = dialect(db)
        if dialect_name not in _ONE_MONTH:
            _ONE_MONTH[dialect_name] = _union(
                db,
                sa.bindparam("since", type_=UTCDateTime),
                sa.bindparam("until", type_=UTCDateTime),
                sa.cast(sa.bindparam("month", type_=sa.String), sa.String).label("month"),
            )
        statement, values = _ONE_MONTH[dialect_name], {"since": since, "until": until, "month": one}
    found: dict[str, Counted] = {}
    for r in (await db.execute(statement, values)).all():
        names = COLUMNS[r.table]
        row = {k: _value(r.table, k, r[2 + i]) for i, k in enumerate(names)}
        found.setdefault(r.table, {})[month_key(r.month)] = row
    return found


def _runs(months: list[str]) -> list[list[str]]:
    """Months (oldest first) in runs of consecutive ones, each counted with one query a table."""
    runs: list[list[str]] = []
    for m in months:
        if runs and month_after(runs[-1][-1]) == m:
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs


async def count_months(db: AsyncSession, months: list[str]) -> dict[str, dict[str, Any]]:
    """Each month's row of every table, counted from the records (months oldest first)."""
    counted: dict[str, dict[str, Any]] = {m: {} for m in months}
    at_once = dialect(db) == "postgresql"
    for run in _runs(months):
        since, until = month_start(run[0]), month_start(month_after(run[-1]))
        count = _count_at_once if at_once else _count_one_by_one
        found = await count(db, since, until)
        for m in run:
            for table in TABLES:
                counted[m][table] = found.get(table, {}).get(m, {})
    return counted


def _row(month: str, table: str, figures: dict[str, Any]) -> dict[str, Any]:
    zero = None if table == "waiting" else 0
    values = figures.get(table, {})
    row = {k: values.get(k, zero) for k in COLUMNS[table]}
    if table == "waiting" and row["matched"] is None:
        row["matched"] = 0
    return {"month": month, **row}


async def statistics(
    db: AsyncSession, me: Principal, *, months: int = 12, now: datetime | None = None
) -> Statistics:
    """The last `months` calendar months (this one included), oldest first."""
    require_coordinator(me)
    return await monthly_totals(db, months=months, now=now)


async def monthly_totals(
    db: AsyncSession, *, months: int = 12, now: datetime | None = None
) -> Statistics:
    """The monthly totals themselves, nothing about any one person: for coordinators, and for
    integrators holding the stats:read scope (api/integrations)."""
    if not 1 <= months <= 36:
        raise Invalid.field("months", "Choose between 1 and 36 months.")
    now = now or utcnow()
    wanted = months_back(months, now.date())
    settled = [m for m in wanted if monthly.can_keep(m, now=now)]
    kept = await monthly.kept(db, months=settled)
    figures = {m: k.figures for m, k in kept.items() if k.figures is not None}
    counted = await count_months(db, [m for m in wanted if m not in figures])
    for m in settled:
        if m in counted:
            await monthly.keep(db, month=m, figures=counted[m], seen=kept[m])
    figures.update(counted)
    tables = {t: [_row(m, t, figures[m]) for m in wanted] for t in TABLES}
    return Statistics(months=wanted, **tables)


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


async def export(db: AsyncSession, me: Principal, *, table: str, months: int) -> str:
    """One statistics table as CSV for a funder; the export is kept in the audit log."""
    found = as_csv(await statistics(db, me, months=months), table)
    await audit.record(
        db,
        me,
        action=Action.statistics_exported,
        subject_type="statistics",
        subject_id=table,
        details={"months": months},
    )
    return found
