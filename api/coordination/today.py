"""Today, for staff: concerns to triage, introductions about to expire, the seekers waiting
longest, reviews due and supporters needing attention, each with how many in all."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import and_, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth.models import User
from api.auth.principal import Principal
from api.common import utcnow
from api.concerns.models import Concern, ConcernStatus
from api.concerns.service import require_coordinator
from api.coordination import health_list, roster
from api.db import settings_of
from api.matching.models import RequestStatus, SupportRequest
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


def _count(table: Any, where: Any) -> Any:
    return select(func.count()).select_from(table).where(where).scalar_subquery()


async def _first(db: AsyncSession, total: int, rows: Any) -> list[Any]:
    """The first few rows of a section, if it has any."""
    return list((await db.execute(rows.limit(SHOWN))).all()) if total else []


_SEEKER = User.__table__.alias("seeker")  # type: ignore[attr-defined]
_SUPPORTER = User.__table__.alias("supporter")  # type: ignore[attr-defined]


async def _pairs(db: AsyncSession, total: int, where: Any, when: Any) -> Section:
    """Relationships matching ``where``, named by their pair, oldest ``when`` first."""
    rows = await _first(
        db,
        total,
        select(Relationship.id, when, _SEEKER.c.display_name, _SUPPORTER.c.display_name.label("s"))
        .outerjoin(_SEEKER, _SEEKER.c.id == Relationship.seeker_id)
        .outerjoin(_SUPPORTER, _SUPPORTER.c.id == Relationship.supporter_id)
        .where(where)
        .order_by(when, col(Relationship.id)),
    )
    return Section(total, [Item(r[0], f"{r.display_name} and {r.s}", r[1]) for r in rows])


async def _supporters(db: AsyncSession, now: datetime) -> Section:
    """Supporters with a burnout flag, found once: the first few by name, with how many in
    all. (Counted in a subquery of its own, so that the plan finds them all at once rather
    than walking the names and testing each against the flags.)"""
    flagged = (
        select(
            col(SupporterOffer.user_id),
            col(SupporterOffer.display_name),
            func.count().over().label("total"),
        )
        .where(col(SupporterOffer.status) == OfferStatus.approved, roster.needs_attention(now))
        .subquery()
    )
    first = (
        await db.execute(
            select(flagged.c.user_id, flagged.c.total)
            .order_by(flagged.c.display_name, flagged.c.user_id)
            .limit(SHOWN)
        )
    ).all()
    found = await roster.entries(db, [r.user_id for r in first], now=now) if first else []
    return Section(
        int(first[0].total) if first else 0,
        [
            Item(e.user_id, e.display_name, None, "; ".join(roster.FLAG_WORDS[f] for f in e.flags))
            for e in found
        ],
    )


async def today(db: AsyncSession, me: Principal, *, now: datetime | None = None) -> Today:
    require_coordinator(me)
    now = now or utcnow()
    new = col(Concern.status) == ConcernStatus.new
    expiring = and_(
        col(Relationship.state) == State.introduced,
        col(Relationship.expires_at) <= now + EXPIRING_WITHIN,
    )
    waiting = col(SupportRequest.status) == RequestStatus.waiting
    due = health_list.reviews_due()
    # Every section's total in one round trip; then only the sections with something in them.
    totals = (
        await db.execute(
            sa.select(
                _count(Concern, new).label("concerns"),
                _count(Relationship, expiring).label("expiring"),
                _count(SupportRequest, waiting).label("waiting"),
                _count(Relationship, due).label("reviews"),
                _count(SupporterOffer, col(SupporterOffer.status) == OfferStatus.pending).label(
                    "offers"
                ),
            )
        )
    ).one()
    rows = await _first(
        db,
        totals.concerns,
        select(Concern.id, Concern.kind, Concern.created_at)
        .where(new)
        .order_by(col(Concern.created_at), col(Concern.id)),
    )
    concerns = Section(totals.concerns, [Item(r.id, r.kind, r.created_at) for r in rows])
    introductions = await _pairs(db, totals.expiring, expiring, col(Relationship.expires_at))
    rows = await _first(
        db,
        totals.waiting,
        select(SupportRequest.id, SupportRequest.created_at, User.display_name)
        .join(User, col(User.id) == SupportRequest.seeker_id)
        .where(waiting)
        .order_by(col(SupportRequest.created_at), col(SupportRequest.id)),
    )
    longest = Section(totals.waiting, [Item(r.id, r.display_name, r.created_at) for r in rows])
    reviews = await _pairs(db, totals.reviews, due, col(Relationship.created_at))
    supporters = await _supporters(db, now)
    return Today(
        concerns,
        introductions,
        longest,
        reviews,
        supporters,
        int(totals.offers),
        *await _governance(db, me, now),
    )


def _on(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


async def _governance(
    db: AsyncSession, me: Principal, now: datetime
) -> tuple[Section, Section, Section]:
    """Screening that expires within 30 days or has; supervision overdue; requests for
    safeguarding access waiting for a second coordinator (the two-person rule)."""
    due = await checklist.due(db, me, on=now.date())
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
    late = await supervision.overdue(db, me, on=now.date())
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
