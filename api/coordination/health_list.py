"""Relationships as coordinators see them, health not content: state, sessions held of those
agreed, days since the last contact, review due, ending soon, stalled (no contact beyond the
agreed response time), paused, open concerns. Filters, sorts and cursor pagination; and one
relationship's timeline of events (never message text)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import Integer, String, and_, case, func, literal, null, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from api.auth.models import User
from api.auth.principal import Principal
from api.common import UTCDateTime, utcnow
from api.concerns.models import OPEN_CONCERN, Concern
from api.concerns.service import require_coordinator
from api.contact.models import ContactSession, Message, SessionStatus
from api.coordination import sql
from api.coordination.timeline import TimelineEvent, events
from api.errors import NotFound
from api.paging import Order, Page, Window, page
from api.relationships.models import AgreementVersion, Relationship, State

RelationshipSort = Literal["newest", "oldest", "sessions"]
RESPONSE_DAYS = {"same_day": 1, "within_2_days": 2, "within_a_week": 7}
ENDING_SOON = timedelta(days=14)
NEVER_LATE = datetime(1, 1, 2, tzinfo=UTC)
_R, _V, _S, _M = Relationship, AgreementVersion, ContactSession, Message
_SEEKER, _SUPPORTER = aliased(User), aliased(User)


@dataclass(frozen=True)
class HealthRow:
    id: UUID
    state: str
    seeker_name: str | None
    supporter_name: str | None
    created_at: datetime
    sessions_held: int
    sessions_agreed: int | None
    last_contact_at: datetime | None
    days_since_contact: int | None
    review_due: bool
    ending_soon: bool
    stalled: bool
    paused: bool
    open_concerns: int


def _last_contact(dialect: str) -> Any:
    """The later of the last message and the last held session: two maxima each read from the
    end of an index, rather than every message and session of the relationship gathered."""
    message: Any = (
        select(func.max(col(_M.sent_at))).where(col(_M.relationship_id) == _R.id).scalar_subquery()
    )
    held: Any = (
        select(func.max(col(_S.start_at)))
        .where(col(_S.relationship_id) == _R.id, col(_S.status) == SessionStatus.held)
        .scalar_subquery()
    )
    if dialect == "postgresql":
        later = func.greatest(message, held)  # ignores NULLs
    else:  # SQLite's max(a, b) is NULL if either is; one absent means the other
        later = func.max(func.coalesce(message, held), func.coalesce(held, message))
    return type_coerce(later, UTCDateTime)


def _terms(key: str) -> Any:
    return _V.__table__.c.terms[key]  # type: ignore[attr-defined]


def _open_concerns() -> Any:
    return (
        select(func.count(col(Concern.id)))
        .where(col(Concern.relationship_id) == _R.id, col(Concern.status).in_(OPEN_CONCERN))
        .scalar_subquery()
    )


def reviews_due() -> Any:
    """A review is due (the same rule as relationships.review.review_due; an index matches it)."""
    return and_(
        col(_R.state).in_((State.active, State.paused)),
        col(_R.review_at_session).is_not(None),
        col(_R.sessions_held) >= _R.review_at_session,
    )


def _stalled(now: datetime, dialect: str) -> Any:
    """Active, and nothing since the agreed response time (counted from the last contact, or
    from the agreement if there has been none)."""
    since = func.coalesce(_last_contact(dialect), _V.agreed_at, _R.answered_at, _R.created_at)
    expectation = _terms("response_expectation").as_string()
    # The last contact is looked up once, against the deadline of the row's own expectation. An
    # expectation not known here is never late (a time before any contact); none at all stays
    # unknown (NULL), as one condition per expectation had it.
    deadline = case(
        *[
            (expectation == name, literal(now - timedelta(days=days), UTCDateTime))
            for name, days in RESPONSE_DAYS.items()
        ],
        (expectation.is_not(None), literal(NEVER_LATE, UTCDateTime)),
        else_=null(),
    )
    return and_(col(_R.state) == State.active, since < deadline)


def _query(dialect: str) -> Any:
    return (
        sa.select(
            col(_R.id).label("id"),
            col(_R.state).label("state"),
            col(_SEEKER.display_name).label("seeker_name"),
            col(_SUPPORTER.display_name).label("supporter_name"),
            col(_R.created_at).label("created_at"),
            col(_R.sessions_held).label("sessions_held"),
            type_coerce(_terms("sessions_total").as_integer(), Integer).label("agreed"),
            type_coerce(_terms("planned_end_date").as_string(), String).label("planned_end"),
            type_coerce(_terms("response_expectation").as_string(), String).label("expect"),
            _last_contact(dialect).label("last_contact"),
            reviews_due().label("review_due"),
            _open_concerns().label("open_concerns"),
        )
        .select_from(_R)
        .outerjoin(_SEEKER, col(_SEEKER.id) == _R.seeker_id)
        .outerjoin(_SUPPORTER, col(_SUPPORTER.id) == _R.supporter_id)
        .outerjoin(_V, and_(col(_V.relationship_id) == _R.id, col(_V.number) == _R.agreed_version))
    )


def _order(sort: RelationshipSort) -> Order:
    if sort == "sessions":
        return Order(col(_R.sessions_held), col(_R.id), descending=True)
    return Order(col(_R.created_at), col(_R.id), descending=sort == "newest")


def _row(row: Any, now: datetime) -> HealthRow:
    last = row.last_contact
    state = row.state
    planned_end = date.fromisoformat(row.planned_end) if row.planned_end else None
    days = RESPONSE_DAYS.get(row.expect or "", 2)
    ending_soon = (
        state in (State.active, State.paused)
        and planned_end is not None
        and planned_end <= (now + ENDING_SOON).date()
    ) or (state == State.active and row.agreed is not None and row.sessions_held >= row.agreed - 1)
    return HealthRow(
        id=row.id,
        state=state,
        seeker_name=row.seeker_name,
        supporter_name=row.supporter_name,
        created_at=row.created_at,
        sessions_held=row.sessions_held,
        sessions_agreed=row.agreed,
        last_contact_at=last,
        days_since_contact=(now - last).days if last else None,
        review_due=bool(row.review_due),
        ending_soon=ending_soon,
        stalled=state == State.active
        and row.expect is not None
        and (last is None or now - last > timedelta(days=days)),
        paused=state == State.paused,
        open_concerns=row.open_concerns,
    )


async def relationships(
    db: AsyncSession,
    me: Principal,
    *,
    limit: int = 50,
    starting_after: UUID | None = None,
    ending_before: UUID | None = None,
    sort: RelationshipSort = "newest",
    states: list[State] | None = None,
    review_due: bool | None = None,
    stalled: bool | None = None,
    has_open_concerns: bool | None = None,
    supporter_id: UUID | None = None,
    seeker_id: UUID | None = None,
    relationship_id: UUID | None = None,
    now: datetime | None = None,
) -> Page[HealthRow]:
    """Relationships with their health, filtered and sorted, one page at a time."""
    require_coordinator(me)
    now = now or utcnow()
    dialect = sql.dialect(db)
    query = _query(dialect)
    if states:
        query = query.where(col(_R.state).in_(states))
    if review_due is not None:
        query = query.where(reviews_due() if review_due else ~reviews_due())
    if stalled is not None:
        query = query.where(_stalled(now, dialect) if stalled else ~_stalled(now, dialect))
    if has_open_concerns is not None:
        exists = (
            select(Concern.id)
            .where(col(Concern.relationship_id) == _R.id, col(Concern.status).in_(OPEN_CONCERN))
            .exists()
        )
        query = query.where(exists if has_open_concerns else ~exists)
    if supporter_id is not None:
        query = query.where(col(_R.supporter_id) == supporter_id)
    if seeker_id is not None:
        query = query.where(col(_R.seeker_id) == seeker_id)
    if relationship_id is not None:
        query = query.where(col(_R.id) == relationship_id)
    order = _order(sort)
    # A cursor is any relationship, still matching the filters or not.
    shown = await page(
        db,
        query,
        order,
        Window(limit, starting_after, ending_before),
        anchor=lambda cursor: select(order.key).select_from(_R).where(col(_R.id) == cursor),
    )
    return Page([_row(r, now) for r in shown.items], shown.has_more)


async def timeline(
    db: AsyncSession, me: Principal, *, relationship_id: UUID
) -> list[TimelineEvent]:
    """What happened, when: state changes, agreement versions, sessions, messages counted by
    week, concerns by kind. No message text, notes or details."""
    require_coordinator(me)
    if await db.get(Relationship, relationship_id) is None:
        raise NotFound("No such relationship.")
    return await events(db, relationship_id)
