"""The supporters' roster as coordinators see it: places used of their own capacity, paused,
suspended, last active, sessions in the last four weeks and burnout flags. Coordinators never
change a supporter's own boundaries (capacity, pause); they can suspend and reinstate."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import ColumnElement, and_, func, literal, union, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth.models import AuthSession
from api.auth.principal import Principal
from api.common import utcnow
from api.concerns.service import require_coordinator
from api.contact.models import ContactSession, SessionStatus
from api.db import among
from api.errors import NotFound
from api.notices.service import notify
from api.paging import Order, Page, Window, page
from api.relationships.models import HOLDS_A_PLACE, EndKind, Relationship, State
from api.supporters import service as supporters
from api.supporters.models import OfferStatus, SupporterOffer

# Burnout: full for this long, this many held sessions in four weeks, this many early endings.
FULL_FOR = timedelta(days=56)
BUSY_SESSIONS_IN_4_WEEKS = 16  # four a week
EARLY_ENDINGS, EARLY_ENDINGS_WITHIN = 2, timedelta(days=90)
FLAG_WORDS = {
    "full_for_long": "Full for 8 weeks or more",
    "many_sessions": "4 or more sessions a week lately",
    "early_endings": "Several relationships ended early lately",
}

RosterSort = Literal["name", "load", "newest"]
RosterStatus = Literal["approved", "suspended"]
_O, _R, _S = SupporterOffer, Relationship, ContactSession


@dataclass(frozen=True)
class RosterEntry:
    user_id: UUID
    display_name: str
    status: str
    capacity: int
    places_used: int
    paused: bool
    approved_at: datetime | None
    suspended_at: datetime | None
    last_active_at: datetime | None
    sessions_last_4_weeks: int
    flags: list[str] = field(default_factory=list)


def _full_for_long(answered_since: Any) -> ColumnElement[bool]:
    """Full, and no one accepted since ``answered_since`` (``now - FULL_FOR``)."""
    recent = (
        select(_R.id)
        .where(
            col(_R.supporter_id) == _O.user_id,
            col(_R.state).in_(HOLDS_A_PLACE),
            col(_R.answered_at) > answered_since,
        )
        .exists()
    )
    return and_(col(_O.active_count) >= _O.capacity, col(_O.active_count) > 0, ~recent)


def _sessions_4_weeks(now: datetime) -> Any:
    return (
        select(func.count(col(_S.id)))
        .join(_R, col(_R.id) == _S.relationship_id)
        .where(
            col(_R.supporter_id) == _O.user_id,
            col(_S.status) == SessionStatus.held,
            col(_S.start_at) >= now - timedelta(days=28),
            col(_S.start_at) <= now,
        )
        .scalar_subquery()
    )


def _early_endings(now: datetime) -> Any:
    return (
        select(func.count(col(_R.id)))
        .where(
            col(_R.supporter_id) == _O.user_id,
            col(_R.state) == State.ended,
            col(_R.end_kind) != EndKind.completed,
            col(_R.ended_at) >= now - EARLY_ENDINGS_WITHIN,
        )
        .scalar_subquery()
    )


def _last_active() -> Any:
    return (
        select(func.max(col(AuthSession.last_used_at)))
        .where(col(AuthSession.user_id) == _O.user_id)
        .scalar_subquery()
    )


def flag_bounds(now: datetime) -> dict[str, datetime]:
    """The moments the burnout flags are counted from, by name: the values of the parameters
    of ``flags`` when its statement is built once with ``bindparam`` (``FLAG_BOUNDS``)."""
    return {
        "flags_now": now,
        "sessions_since": now - timedelta(days=28),
        "endings_since": now - EARLY_ENDINGS_WITHIN,
        "answered_since": now - FULL_FOR,
    }


FLAG_BOUNDS = tuple(flag_bounds(datetime(2000, 1, 1)))


def _flag_sets(bounds: Mapping[str, Any]) -> dict[str, Any]:
    """The supporters with each burnout flag, each set computed once (a subquery per supporter
    was too slow at service scale), by flag. ``bounds``: ``flag_bounds(now)``, or a bound
    parameter of each of its names."""
    # Held sessions are counted by supporter straight from an index (each session keeps its
    # relationship's supporter): the work grows with the last four weeks' sessions, not with
    # every relationship there has been.
    busy: Any = (
        select(col(_S.supporter_id).label("supporter_id"))
        .where(
            col(_S.status) == SessionStatus.held,
            col(_S.start_at) >= bounds["sessions_since"],
            col(_S.start_at) <= bounds["flags_now"],
        )
        .group_by(col(_S.supporter_id))
        .having(func.count() >= BUSY_SESSIONS_IN_4_WEEKS)
    )
    # Early endings lately, from a partial index of them alone.
    early: Any = (
        select(col(_R.supporter_id).label("supporter_id"))
        .where(
            col(_R.state) == State.ended,
            col(_R.end_kind) != EndKind.completed,
            col(_R.ended_at) >= bounds["endings_since"],
        )
        .group_by(col(_R.supporter_id))
        .having(func.count() >= EARLY_ENDINGS)
    )
    full: Any = select(col(_O.user_id).label("supporter_id")).where(
        _full_for_long(bounds["answered_since"])
    )
    return {"full_for_long": full, "many_sessions": busy, "early_endings": early}


def needs_attention(now: datetime) -> ColumnElement[bool]:
    """Any burnout flag, in SQL: membership of the union of the flags' sets."""
    # One IN over a union, so PostgreSQL joins against the set instead of probing per row.
    return col(_O.user_id).in_(union(*_flag_sets(flag_bounds(now)).values()))


def flags(bounds: Mapping[str, Any]) -> Any:
    """Each burnout flag a supporter has, a row each (supporter_id, flag): what
    ``needs_attention`` tests, with the flags' names (read them back with ``flag_names``).
    ``bounds`` as for ``_flag_sets``."""
    return union_all(
        *[
            sa.select(ids.subquery().c.supporter_id, literal(name).label("flag"))
            for name, ids in _flag_sets(bounds).items()
        ]
    )


def flag_names(found: str | None) -> list[str]:
    """The flags of a supporter, in the roster's order, from their names joined by commas."""
    named = set((found or "").split(","))
    return [name for name in FLAG_WORDS if name in named]


def _entries(rows: list[Any]) -> list[RosterEntry]:
    found = []
    for row in rows:
        flags = [
            name
            for name, on in (
                ("full_for_long", row.full_for_long),
                ("many_sessions", row.sessions >= BUSY_SESSIONS_IN_4_WEEKS),
                ("early_endings", row.early >= EARLY_ENDINGS),
            )
            if on
        ]
        last = row.last_active
        found.append(
            RosterEntry(
                user_id=row.user_id,
                display_name=row.display_name,
                status=row.status,
                capacity=row.capacity,
                places_used=row.active_count,
                paused=row.paused,
                approved_at=row.decided_at,
                suspended_at=row.suspended_at,
                last_active_at=last,
                sessions_last_4_weeks=row.sessions,
                flags=flags,
            )
        )
    return found


def _roster_query(now: datetime) -> Any:
    return sa.select(
        col(_O.user_id).label("user_id"),
        col(_O.display_name).label("display_name"),
        col(_O.status).label("status"),
        col(_O.capacity).label("capacity"),
        col(_O.active_count).label("active_count"),
        col(_O.paused).label("paused"),
        col(_O.decided_at).label("decided_at"),
        col(_O.suspended_at).label("suspended_at"),
        _last_active().label("last_active"),
        _sessions_4_weeks(now).label("sessions"),
        _early_endings(now).label("early"),
        _full_for_long(now - FULL_FOR).label("full_for_long"),
    )


def _order(sort: RosterSort) -> Order:
    if sort == "load":
        return Order(col(_O.active_count), col(_O.user_id), descending=True)
    if sort == "newest":
        return Order(func.coalesce(col(_O.decided_at), col(_O.created_at)), col(_O.user_id), True)
    return Order(col(_O.display_name), col(_O.user_id), descending=False)


async def roster(
    db: AsyncSession,
    me: Principal,
    *,
    limit: int = 50,
    starting_after: UUID | None = None,
    ending_before: UUID | None = None,
    sort: RosterSort = "name",
    status: RosterStatus | None = None,
    paused: bool | None = None,
    full: bool | None = None,
    attention: bool | None = None,
    now: datetime | None = None,
) -> Page[RosterEntry]:
    """Approved and suspended supporters, with how they are doing (never what they wrote)."""
    require_coordinator(me)
    now = now or utcnow()
    # The page is chosen on the offers alone (they keep the name, so the name order is read
    # from an index); each supporter's figures (sessions, early endings, last active) are then
    # read for that page only, not for every supporter sorted.
    query: Any = sa.select(col(_O.user_id).label("user_id"))
    if status is None:
        query = query.where(col(_O.status).in_((OfferStatus.approved, OfferStatus.suspended)))
    else:
        query = query.where(col(_O.status) == status)
    if paused is not None:
        query = query.where(col(_O.paused).is_(paused))
    if full is not None:
        is_full = col(_O.active_count) >= _O.capacity
        query = query.where(is_full if full else ~is_full)
    if attention is not None:
        flagged = needs_attention(now)
        query = query.where(flagged if attention else ~flagged)
    order = _order(sort)
    # A cursor is any supporter's offer, still on this (filtered) page or not.
    shown = await page(
        db,
        query,
        order,
        Window(limit, starting_after, ending_before),
        anchor=lambda cursor: select(order.key).select_from(_O).where(col(_O.user_id) == cursor),
    )
    ids = [r.user_id for r in shown.items]
    found = {e.user_id: e for e in await entries(db, ids, now=now)} if ids else {}
    return Page([found[i] for i in ids], shown.has_more)


async def entries(db: AsyncSession, user_ids: list[UUID], *, now: datetime) -> list[RosterEntry]:
    """These supporters' lines of the roster, by name."""
    query = _roster_query(now).where(among(db, col(_O.user_id), user_ids))
    rows = (await db.execute(query.order_by(*_order("name").by()))).all()
    return _entries(list(rows))


async def _tell_the_people_they_support(db: AsyncSession, supporter_id: UUID, kind: str) -> int:
    seekers = await db.execute(
        select(_R.id, _R.seeker_id).where(
            col(_R.supporter_id) == supporter_id, col(_R.state).in_(HOLDS_A_PLACE)
        )
    )
    told = 0
    for relationship_id, seeker_id in seekers.all():
        told += await notify(db, user_id=seeker_id, relationship_id=relationship_id, kind=kind)
    return told


async def suspend(db: AsyncSession, me: Principal, *, user_id: UUID) -> RosterEntry:
    """Suspend a supporter: no new introductions; the people they support are told kindly
    and their support carries on (a suspension never ends a relationship)."""
    await supporters.suspend(db, me, user_id=user_id)
    await _tell_the_people_they_support(db, user_id, "supporter_suspended")
    return await entry(db, me, user_id=user_id)


async def reinstate(db: AsyncSession, me: Principal, *, user_id: UUID) -> RosterEntry:
    """Lift a suspension; the people they support are told."""
    await supporters.reinstate(db, me, user_id=user_id)
    await _tell_the_people_they_support(db, user_id, "supporter_reinstated")
    return await entry(db, me, user_id=user_id)


async def entry(db: AsyncSession, me: Principal, *, user_id: UUID) -> RosterEntry:
    """One supporter's line of the roster."""
    require_coordinator(me)
    rows = (await db.execute(_roster_query(utcnow()).where(col(_O.user_id) == user_id))).all()
    if not rows:
        raise NotFound("No such supporter.")
    return _entries(list(rows))[0]
