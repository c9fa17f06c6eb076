"""The most messages one person sends in a relationship in a day: a dependency limit the
service sets (api/policies, "most messages a day"), so that support stays sustainable for
both people. A day is the last 24 hours, so the sender can be told exactly when they can write
again, on their own clock; held messages count when they are written, not when delivered."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import Integer, bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession

from api.contact.common import Contact, local_text_with_zone
from api.contact.models import Message
from api.db import fast_rows
from api.errors import Conflict

DAY = timedelta(hours=24)


class DailyLimitReached(Conflict):
    type = "daily-message-limit"
    title = "That's the most messages for today"


@dataclass(frozen=True)
class Allowance:
    limit: int
    sent: int  # in the last 24 hours, up to the limit
    again_at: datetime | None  # when one more may be sent, once the limit is reached

    @property
    def reached(self) -> bool:
        return self.again_at is not None


_M = Message.__table__.c  # type: ignore[attr-defined]
# Today's messages from one sender, newest first; built once (every read and send asks it).
_LATEST = (
    sa_select(_M.sent_at)
    .where(
        _M.relationship_id == bindparam("relationship_id"),
        _M.sender_id == bindparam("sender_id"),
        _M.sent_at > bindparam("since"),
    )
    .order_by(_M.sent_at.desc())
    .limit(bindparam("limit", type_=Integer))
)


async def allowance(
    db: AsyncSession, contact: Contact, *, sender_id: UUID, now: datetime
) -> Allowance:
    """How many of today's messages this person has sent here, against the service's limit."""
    limit, relationship_id = contact.limits.max_messages_a_day, contact.id
    latest = [
        sent_at
        for (sent_at,) in await fast_rows(
            db,
            _LATEST,
            {
                "relationship_id": relationship_id,
                "sender_id": sender_id,
                "since": now - DAY,
                "limit": limit,
            },
        )
    ]
    # The oldest of the last `limit` leaving the 24 hours makes room for one more.
    again = latest[-1] + DAY if len(latest) >= limit else None
    return Allowance(limit, len(latest), again)


def why_not(contact: Contact, allowed: Allowance) -> str:
    """What the sender is told when they have reached the limit, kindly and exactly."""
    when = local_text_with_zone(allowed.again_at, contact.my_tz) if allowed.again_at else ""
    return (
        f"You've sent {allowed.limit} messages in the last 24 hours, the most this service "
        "allows in a day, so that support stays sustainable for you both. You can write "
        f"again from {when}. If you need someone now, the crisis contacts are always there."
    )


async def check(db: AsyncSession, contact: Contact, *, sender_id: UUID, now: datetime) -> None:
    """409 when this person has sent today's most messages in this relationship."""
    allowed = await allowance(db, contact, sender_id=sender_id, now=now)
    if allowed.reached:
        raise DailyLimitReached(why_not(contact, allowed))
