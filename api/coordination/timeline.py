"""A relationship's timeline for coordinators: what happened and when, in plain words, never
what anyone wrote (messages are counted by week, concerns named by kind)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.concerns.models import Concern
from api.contact.models import ContactSession, Message
from api.relationships.models import AgreementVersion, RelationshipEvent

STATE_WORDS = {
    "introduced": "Introduced",
    "agreeing": "Accepted; agreeing terms",
    "active": "Active",
    "paused": "Paused",
    "ended": "Ended",
    "declined": "Not available",
    "expired": "Introduction expired",
    "withdrawn": "Introduction withdrawn",
}
CONCERN_WORDS = {
    "boundary_crossed": "a boundary was crossed",
    "feel_unsafe": "someone feels unsafe",
    "worried_about_other": "worried about the other person",
    "other": "something else",
}


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    what: str


def _week(at: datetime) -> datetime:
    start = at - timedelta(days=at.weekday())
    return start.replace(hour=0, minute=0, second=0, microsecond=0)


async def events(db: AsyncSession, relationship_id: UUID) -> list[TimelineEvent]:
    found: list[TimelineEvent] = []
    for e in await db.scalars(
        select(RelationshipEvent).where(RelationshipEvent.relationship_id == relationship_id)
    ):
        found.append(TimelineEvent(e.at, STATE_WORDS.get(e.to_state, e.to_state)))
    for v in await db.scalars(
        select(AgreementVersion).where(AgreementVersion.relationship_id == relationship_id)
    ):
        found.append(TimelineEvent(v.created_at, f"Agreement version {v.number} proposed"))
        if v.agreed_at:
            found.append(TimelineEvent(v.agreed_at, f"Agreement version {v.number} agreed"))
    for s in await db.scalars(
        select(ContactSession).where(ContactSession.relationship_id == relationship_id)
    ):
        found.append(TimelineEvent(s.start_at, f"Session ({s.channel}): {s.status}"))
    weeks: dict[datetime, int] = {}
    for sent_at in await db.scalars(
        select(col(Message.sent_at)).where(Message.relationship_id == relationship_id)
    ):
        weeks[_week(sent_at)] = weeks.get(_week(sent_at), 0) + 1
    for week, count in weeks.items():
        found.append(TimelineEvent(week, f"{count} message{'s' if count != 1 else ''} that week"))
    for c in await db.scalars(select(Concern).where(Concern.relationship_id == relationship_id)):
        found.append(
            TimelineEvent(c.created_at, f"Concern raised: {CONCERN_WORDS.get(c.kind, c.kind)}")
        )
    return sorted(found, key=lambda e: e.at)
