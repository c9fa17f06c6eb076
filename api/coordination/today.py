"""Today, for staff: concerns to triage, introductions about to expire, the seekers waiting
longest, reviews due and supporters needing attention, each with how many in all."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import and_, func, literal, null
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from api.auth.models import User
from api.auth.principal import Principal
from api.common import UTCDateTime, utcnow
from api.concerns.models import Concern, ConcernStatus
from api.concerns.service import require_coordinator
from api.coordination import health_list, roster, sql
from api.db import settings_of
from api.matching.models import RequestStatus, SupportRequest
from api.policies import service as policies
from api.relationships.models import Relationship, State
from api.safety import two_person
from api.screening import checklist, supervision
from api.supporters.models import OfferStatus, SupporterOffer

SHOWN = 5
EXPIRING_WITHIN = timedelta(hours=24)


@dataclass(frozen=True)
class Item:
    id: UUID
    title: str
    since: datetime | None
    detail: str = ""


@dataclass(frozen=True)
class Section:
    total: int
    items: list[Item]


@dataclass(frozen=True)
class Today:
    concerns_to_triage: Section
    introductions_expiring: Section
    longest_waiting: Section
    reviews_due: Section
    supporters_needing_attention: Section
    offers_to_review: int
    screening_due: Section
    supervision_overdue: Section
    access_requests: Section


# Typed blanks: PostgreSQL matches a union's columns by type, and an untyped NULL is text.
_NO_ID, _NO_TEXT = sa.cast(null(), sa.Uuid), sa.cast(null(), sa.String)
_NO_TIME, _NO_COUNT = sa.cast(null(), UTCDateTime), sa.cast(null(), sa.BigInteger)


def _count(name: str, table: Any, where: Any) -> Any:
    """A section's total, as a row of the one query."""
    return (
        sa.select(
            literal(name).label("section"),
            _NO_ID.label("id"),
            _NO_TEXT.label("title"),
            _NO_TIME.label("since"),
            _NO_TEXT.label("other"),
            func.count().label("total"),
            sa.cast(literal(0), sa.BigInteger).label("n"),
        )
        .select_from(table)
        .where(where)
    )


_SEEKER = User.__table__.alias("seeker")  # type: ignore[attr-defined]
_SUPPORTER = User.__table__.alias("supporter")  # type: ignore[attr-defined]


def _section(name: str, rows: Any, *, by_name: bool = False) -> Any:
    """A section's first few rows, numbered in its order (oldest first, or by name), as rows
    of the one query. ``rows`` selects id, title, since, other and total."""
    key = ("title" if by_name else "since", "id")
    first = rows.order_by(*[rows.selected_columns[k] for k in key]).limit(SHOWN).subquery()
    return sa.select(
        literal(name).label("section"),
        first.c.id,
        first.c.title,
        first.c.since,
        first.c.other,
        first.c.total,
        func.row_number().over(order_by=[first.c[k] for k in key]).label("n"),
    )


def _pairs(where: Any, when: Any) -> Any:
    """Relationships matching ``where``, named by their pair, by ``when``."""
    return (
        sa.select(
            col(Relationship.id).label("id"),
            _SEEKER.c.display_name.label("title"),
            when.label("since"),
            _SUPPORTER.c.display_name.label("other"),
            _NO_COUNT.label("total"),
        )
        .outerjoin(_SEEKER, _SEEKER.c.id == Relationship.seeker_id)
        .outerjoin(_SUPPORTER, _SUPPORTER.c.id == Relationship.supporter_id)
        .where(where)
    )


def _flagged(dialect: str) -> Any:
    """Supporters with a burnout flag, found once, with their flags (in ``other``) and how
    many in all. (Each flag's set is counted in a subquery of its own, so that the plan finds
    them all at once rather than walking the names and testing each against the flags.)"""
    bounds = {name: sa.bindparam(name, type_=UTCDateTime) for name in roster.FLAG_BOUNDS}
    found = roster.flags(bounds).subquery()
    flagged = (
        sa.select(
            col(SupporterOffer.user_id).label("id"),
            col(SupporterOffer.display_name).label("title"),
            sql.joined_in(dialect, found.c.flag).label("other"),
            func.count().over().label("total"),
        )
        .join(found, found.c.supporter_id == SupporterOffer.user_id)
        .where(col(SupporterOffer.status) == OfferStatus.approved)
        .group_by(col(SupporterOffer.user_id), col(SupporterOffer.display_name))
        .subquery()
    )
    return sa.select(
        flagged.c.id,
        flagged.c.title,
        _NO_TIME.label("since"),
        flagged.c.other,
        flagged.c.total,
    )


def _statement(dialect: str) -> Any:
    """Every section's total and first few rows, as one query (each part reads its own
    index). Built once for each dialect with the moments it depends on as parameters
    (``expiring_by`` and ``roster.flag_bounds``): building it, and working out its cache key,
    took longer than running it."""
    new = col(Concern.status) == ConcernStatus.new
    expiring = and_(
        col(Relationship.state) == State.introduced,
        col(Relationship.expires_at) <= sa.bindparam("expiring_by", type_=UTCDateTime),
    )
    waiting = col(SupportRequest.status) == RequestStatus.waiting
    due = health_list.reviews_due()
    concerns: Any = sa.select(
        col(Concern.id).label("id"),
        col(Concern.kind).label("title"),
        col(Concern.created_at).label("since"),
        _NO_TEXT.label("other"),
        _NO_COUNT.label("total"),
    ).where(new)
    longest: Any = (
        sa.select(
            col(SupportRequest.id).label("id"),
            col(User.display_name).label("title"),
            col(SupportRequest.created_at).label("since"),
            _NO_TEXT.label("other"),
            _NO_COUNT.label("total"),
        )
        .join(User, col(User.id) == SupportRequest.seeker_id)
        .where(waiting)
    )
    return sa.union_all(
        _section("concerns", concerns),
        _section("expiring", _pairs(expiring, col(Relationship.expires_at))),
        _section("waiting", longest),
        _section("reviews", _pairs(due, col(Relationship.created_at))),
        _section("supporters", _flagged(dialect), by_name=True),
        _count("concerns", Concern, new),
        _count("expiring", Relationship, expiring),
        _count("waiting", SupportRequest, waiting),
        _count("reviews", Relationship, due),
        _count("offers", SupporterOffer, col(SupporterOffer.status) == OfferStatus.pending),
    )


_STATEMENTS: dict[str, Any] = {}  # by dialect


async def today(db: AsyncSession, me: Principal, *, now: datetime | None = None) -> Today:
    require_coordinator(me)
    now = now or utcnow()
    dialect = sql.dialect(db)
    if dialect not in _STATEMENTS:
        _STATEMENTS[dialect] = _statement(dialect)
    moments = {"expiring_by": now + EXPIRING_WITHIN, **roster.flag_bounds(now)}
    rows = (await db.execute(_STATEMENTS[dialect], moments)).all()
    totals: dict[str, int] = {}
    first: dict[str, list[Any]] = {}
    for row in rows:
        if row.id is None:
            totals[row.section] = int(row.total)
        else:
            first.setdefault(row.section, []).append(row)
    for found in first.values():
        found.sort(key=lambda r: r.n)
    if first.get("supporters"):  # counted beside each of its rows (count() over the flagged)
        totals["supporters"] = int(first["supporters"][0].total)

    def section(name: str, title: Any, detail: Any = lambda r: "") -> Section:
        items = [Item(r.id, title(r), r.since, detail(r)) for r in first.get(name, [])]
        return Section(totals.get(name, 0), items)

    return Today(
        section("concerns", lambda r: r.title),
        section("expiring", lambda r: f"{r.title} and {r.other}"),
        section("waiting", lambda r: r.title),
        section("reviews", lambda r: f"{r.title} and {r.other}"),
        section(
            "supporters",
            lambda r: r.title,
            lambda r: "; ".join(roster.FLAG_WORDS[f] for f in roster.flag_names(r.other)),
        ),
        totals.get("offers", 0),
        *await _governance(db, me, now),
    )


def _on(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


async def _governance(
    db: AsyncSession, me: Principal, now: datetime
) -> tuple[Section, Section, Section]:
    """Screening that expires within 30 days or has; supervision overdue; requests for
    safeguarding access waiting for a second coordinator (the two-person rule)."""
    items, policy = await policies.screening_and_supervision(db)
    due = await checklist.due(db, me, on=now.date(), checklist=items)
    screening = Section(
        len(due),
        [
            Item(
                d.user_id,
                d.display_name,
                _on(d.expires_on),
                f"{d.item_name}: {'expired' if d.state == 'expired' else 'expires'} "
                f"{d.expires_on:%-d %b %Y}",
            )
            for d in due[:SHOWN]
        ],
    )
    late = await supervision.overdue(db, me, on=now.date(), policy=policy)
    overdue = Section(
        len(late),
        [
            Item(
                o.user_id,
                o.display_name,
                _on(o.due_on),
                "No supervision yet" if o.never else f"Supervision due {o.due_on:%-d %b %Y}",
            )
            for o in late[:SHOWN]
        ],
    )
    asked = await two_person.pending(db, me, settings=settings_of(db))
    requests = Section(
        len(asked),
        [
            Item(
                r.id,
                f"{r.requested_by or 'A coordinator'} asks to open content",
                r.asked_at,
                f"Answer by {r.answer_by:%-d %b %H:%M} UTC",
            )
            for r in asked[:SHOWN]
        ],
    )
    return screening, overdue, requests
