"""Keeping contact in step with time and with the rest of the service.

- ``bring_up_to_date`` makes the notices that follow from time passing for one person (held
  messages now delivered, reminders, answers waiting); it runs before their notices are read.
- ``sweep`` does the same for everyone; ``sweep_now`` runs it in a transaction of its own. The
  job queue runs it every minute (``api.tasks``), so pushes and e-mails (the notices' own
  pipeline, api/notices/delivery.py) reach people who aren't looking
  (``python -m api.contact sweep`` runs it once by hand). Both are idempotent and safe to run
  on every replica at once; neither is needed for anything to be *delivered*.
- ``stop_contact`` is what an ending does to contact (``api.safety.endings.end`` calls it):
  held messages are dropped (never delivered) and sessions not yet started are cancelled,
  both people told.
"""

from datetime import datetime

from sqlalchemy import ColumnElement, exists, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, or_, select

from api.auth.principal import Principal
from api.common import utcnow
from api.contact import held, messages, notifications
from api.contact.common import local_text_with_zone
from api.contact.models import OPEN, ContactSession, Message, SessionStatus
from api.relationships.models import Relationship, State
from api.weekly.windows import FALLBACK_TIMEZONE

LIVE = (State.active, State.paused, State.ended)


async def _release_where(db: AsyncSession, now: datetime, *conditions: ColumnElement[bool]) -> int:
    pending = exists().where(
        col(Message.relationship_id) == Relationship.id,
        col(Message.notified_at).is_(None),
        col(Message.dropped_at).is_(None),
        col(Message.deliver_at) <= now,
    )
    retime = exists().where(held.timed_by_old_terms(Relationship))
    found = await db.scalars(
        select(Relationship).where(
            col(Relationship.state).in_(LIVE), or_(pending, retime), *conditions
        )
    )
    told = 0
    for relationship in found.all():
        told += await messages.release(db, relationship=relationship, now=now)
    return told


async def bring_up_to_date(db: AsyncSession, me: Principal, *, now: datetime | None = None) -> int:
    """Make my notices that are due by now; how many were made."""
    now = now or utcnow()
    mine = or_(Relationship.seeker_id == me.user_id, Relationship.supporter_id == me.user_id)
    made = await _release_where(db, now, mine)
    made += await notifications.remind(db, now=now, user_id=me.user_id)
    made += await notifications.waiting_answers(db, user_id=me.user_id)
    made += await notifications.closing_introductions(db, now=now, user_id=me.user_id)
    return made


async def sweep(db: AsyncSession, *, now: datetime | None = None) -> int:
    """Make everyone's notices that are due by now (and so their pushes); how many."""
    now = now or utcnow()
    made = await _release_where(db, now)
    made += await notifications.remind(db, now=now)
    made += await notifications.waiting_answers(db)
    made += await notifications.closing_introductions(db, now=now)
    return made


async def sweep_now(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """``sweep`` in a transaction of its own; how many notices it made."""
    async with sessionmaker() as db:
        made = await sweep(db)
        await db.commit()
    return made


async def cancel_when_ended(db: AsyncSession, *, relationship: Relationship) -> None:
    """The support has ended: every session not yet started is cancelled; both told of any
    that were confirmed. One UPDATE: an ending never fails over a session changed meanwhile."""
    now = utcnow()
    upcoming = (
        col(ContactSession.relationship_id) == relationship.id,
        col(ContactSession.status).in_(OPEN),
        col(ContactSession.start_at) > now,
    )
    confirmed = list(
        await db.scalars(
            select(ContactSession).where(
                *upcoming, ContactSession.status == SessionStatus.confirmed
            )
        )
    )
    await db.execute(
        update(ContactSession)
        .where(*upcoming)
        .values(
            status=SessionStatus.cancelled,
            cancelled_at=now,
            revision=ContactSession.revision + 1,
        )
        .execution_options(synchronize_session=False)
    )
    people = [p for p in (relationship.seeker_id, relationship.supporter_id) if p]
    clocks = await notifications.zones(db, user_ids=set(people))
    for session in confirmed:
        for person in people:
            await notifications.notify(
                db,
                user_id=person,
                relationship_id=relationship.id,
                kind="session_cancelled_ended",
                key=f"session/{session.id}/ended",
                when=local_text_with_zone(session.start_at, clocks.get(person, FALLBACK_TIMEZONE)),
            )


async def stop_contact(db: AsyncSession, *, relationship: Relationship) -> None:
    """The support has ended: no held message is delivered, no session is still planned."""
    await messages.drop_held(db, relationship=relationship)
    await cancel_when_ended(db, relationship=relationship)
