"""A private, revocable iCalendar feed (RFC 5545) of each person's confirmed sessions.

The feed's URL carries a random token (256 bits); only its SHA-256 is stored, so the database
can't give the URL away. A person has at most one live feed: making a new one revokes the old,
and revoking stops it at once. An event shows only the other person's name as they chose it
(a pseudonym is fine) and the channel: no description, no place, nothing about peer support.
The access log records the route template (``/api/v1/calendar/{file}``), never the token.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from uuid import UUID

from icalendar import Calendar, Event
from sqlalchemy import CursorResult, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, or_, select

from api.auth.principal import Principal
from api.common import utcnow
from api.contact.common import channel_words
from api.contact.models import COUNTED, CalendarFeed, ContactSession
from api.errors import NotFound
from api.profiles.service import display_names
from api.relationships.models import Relationship
from api.relationships.service import FORMER_MEMBER, VISIBLE_STATES

PRODID = "-//Kindred//Sessions//EN"
SUFFIX = ".ics"
PAST = timedelta(days=90)  # held sessions stay in the calendar this long


@dataclass(frozen=True)
class NewFeed:
    feed: CalendarFeed
    token: str  # shown once, never stored

    @property
    def path(self) -> str:
        return f"/api/v1/calendar/{self.token}{SUFFIX}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def current(db: AsyncSession, me: Principal) -> CalendarFeed | None:
    """My live feed, if I have one (its URL can't be shown again: make a new one)."""
    return await db.scalar(
        select(CalendarFeed).where(
            CalendarFeed.user_id == me.user_id, col(CalendarFeed.revoked_at).is_(None)
        )
    )


async def revoke(db: AsyncSession, me: Principal) -> bool:
    """Stop my feed's URL working at once; False if there was none."""
    result = cast(
        CursorResult[Any],
        await db.execute(
            update(CalendarFeed)
            .where(col(CalendarFeed.user_id) == me.user_id, col(CalendarFeed.revoked_at).is_(None))
            .values(revoked_at=utcnow())
            .execution_options(synchronize_session=False)
        ),
    )
    return result.rowcount > 0


async def create(db: AsyncSession, me: Principal) -> NewFeed:
    """A new private feed URL; any earlier one stops working."""
    await revoke(db, me)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(user_id=me.user_id, token_hash=token_hash(token))
    db.add(feed)
    await db.flush()
    return NewFeed(feed, token)


async def _feed_owner(db: AsyncSession, file: str) -> UUID:
    token = file.removesuffix(SUFFIX)
    if not file.endswith(SUFFIX) or not 20 <= len(token) <= 100:
        raise NotFound("No such calendar.")
    owner = await db.scalar(
        select(CalendarFeed.user_id).where(
            CalendarFeed.token_hash == token_hash(token), col(CalendarFeed.revoked_at).is_(None)
        )
    )
    if owner is None:
        raise NotFound("No such calendar.")
    return owner


async def feed(db: AsyncSession, *, file: str, now: datetime | None = None) -> bytes:
    """The iCalendar text of the feed named by `file` ("<token>.ics"); 404 if it isn't live."""
    now = now or utcnow()
    owner = await _feed_owner(db, file)
    rows = (
        await db.execute(
            select(ContactSession, Relationship.seeker_id, Relationship.supporter_id)
            .join(Relationship, col(Relationship.id) == ContactSession.relationship_id)
            .where(
                or_(Relationship.seeker_id == owner, Relationship.supporter_id == owner),
                col(Relationship.state).in_(VISIBLE_STATES),
                col(ContactSession.status).in_(COUNTED),
                ContactSession.start_at >= now - PAST,
            )
            .order_by(col(ContactSession.start_at))
        )
    ).all()
    others = {seeker if supporter == owner else supporter for _, seeker, supporter in rows}
    names = await display_names(db, user_ids=[o for o in others if o is not None])
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Sessions")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    for session, seeker, supporter in rows:
        other = seeker if supporter == owner else supporter
        name = names.get(other, FORMER_MEMBER) if other else FORMER_MEMBER
        event = Event()
        event.add("uid", f"{session.id}@sessions")
        event.add("dtstamp", now)
        event.add("dtstart", session.start_at)
        event.add("dtend", session.start_at + timedelta(minutes=session.minutes))
        event.add("summary", f"{name} ({channel_words(session.channel)})")
        event.add("status", "CONFIRMED")
        event.add("sequence", session.revision)
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    return calendar.to_ical()
