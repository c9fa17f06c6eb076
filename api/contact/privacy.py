"""Contact in a person's data rights: what the export carries, what deleting an account erases.

A message's text belongs to its sender: it goes with their account (ON DELETE CASCADE), while
the other person's messages stay in their history. A note left when cancelling a session is
its writer's too, and is erased here; calendar feeds and push subscriptions go by cascade.
"""

from typing import Any
from uuid import UUID

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, or_, select

from api.auth.principal import Principal
from api.common import utcnow
from api.config import Settings
from api.contact.models import (
    CalendarFeed,
    ContactSession,
    Message,
    PushSubscription,
    SessionStatus,
)
from api.contact.sessions import note_of
from api.crypto import unseal
from api.monthly import service as monthly
from api.relationships.models import Relationship


async def export(db: AsyncSession, me: Principal, *, settings: Settings) -> dict[str, Any]:
    """My messages (sent, and received once delivered), my sessions, my feed and devices."""
    now = utcnow()
    mine = or_(Relationship.seeker_id == me.user_id, Relationship.supporter_id == me.user_id)
    ids = list(await db.scalars(select(Relationship.id).where(mine)))
    sent = await db.scalars(
        select(Message).where(col(Message.sender_id) == me.user_id).order_by(col(Message.sent_at))
    )
    received = await db.scalars(
        select(Message)
        .where(
            Message.recipient_id == me.user_id,
            col(Message.dropped_at).is_(None),
            col(Message.hidden_at).is_(None),  # hidden by a coordinator: not theirs to read
        )
        .order_by(col(Message.sent_at))
    )
    sessions = await db.scalars(
        select(ContactSession)
        .where(col(ContactSession.relationship_id).in_(ids))
        .order_by(col(ContactSession.start_at))
    )
    feeds = await db.scalars(select(CalendarFeed).where(CalendarFeed.user_id == me.user_id))
    devices = await db.scalars(
        select(PushSubscription).where(PushSubscription.user_id == me.user_id)
    )

    def message(m: Message, direction: str) -> dict[str, Any]:
        return {
            "relationship_id": str(m.relationship_id),
            "direction": direction,
            "text": unseal(settings, m.body_sealed, m.id.bytes),
            "sent_at": m.sent_at.isoformat(),
            "deliver_at": m.deliver_at.isoformat(),
            "held": m.held,
            "dropped": m.dropped_at is not None,
            "hidden_by_a_coordinator": m.hidden_at is not None,
        }

    return {
        "messages": [message(m, "sent") for m in sent.all()]
        + [message(m, "received") for m in received.all() if m.deliver_at <= now],
        "sessions": [
            {
                "relationship_id": str(s.relationship_id),
                "start_at": s.start_at.isoformat(),
                "minutes": s.minutes,
                "channel": s.channel,
                "status": s.status,
                "proposed_by_me": s.proposed_by == me.user_id,
                "cancelled_by_me": s.cancelled_by == me.user_id,
                "note": note_of(settings, s) if s.cancelled_by == me.user_id else None,
            }
            for s in sessions.all()
        ],
        "calendar_feeds": [
            {"created_at": f.created_at.isoformat(), "live": f.revoked_at is None}
            for f in feeds.all()
        ],
        "push_devices": [{"created_at": d.created_at.isoformat()} for d in devices.all()],
    }


async def erase(db: AsyncSession, *, user_id: UUID) -> None:
    """Before an account is deleted: the notes it left when cancelling sessions."""
    await db.execute(
        update(ContactSession)
        .where(col(ContactSession.cancelled_by) == user_id)
        .values(note_sealed=None)
        .execution_options(synchronize_session=False)
    )


async def forget_counted_months(db: AsyncSession, *, user_id: UUID) -> None:
    """Before an account is deleted: the months that counted a supporter among those active
    are counted again without them."""
    held = await db.scalars(
        select(ContactSession.start_at)
        .join(Relationship, col(Relationship.id) == ContactSession.relationship_id)
        .where(Relationship.supporter_id == user_id, ContactSession.status == SessionStatus.held)
    )
    monthly.forget(db, held.all())
