"""What contact gives the safety tools about messages: the one message a person reports, that
message for the coordinators who read it because of the report, and how long a person has
been waiting for an answer ("I haven't heard from them")."""

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth.principal import Principal
from api.common import utcnow
from api.config import Settings
from api.contact.common import load
from api.contact.messages import SafeguardedMessage, cutoff, due, status_of
from api.contact.models import Message
from api.crypto import unseal
from api.errors import Conflict, NotFound
from api.relationships.models import Relationship
from api.relationships.terms import ResponseExpectation

# How long "replies within …" gives the other person, from the moment a message arrived.
ANSWER_WITHIN: dict[ResponseExpectation, timedelta] = {
    "same_day": timedelta(hours=24),
    "within_2_days": timedelta(days=2),
    "within_a_week": timedelta(days=7),
}


async def reportable(
    db: AsyncSession, me: Principal, *, relationship_id: UUID, message_id: UUID, now: datetime
) -> Message:
    """A message the other person sent me that has reached me (404 for anything else)."""
    contact = await load(db, me, relationship_id)
    until = await cutoff(db, relationship=contact.relationship, now=now)
    message = await db.scalar(
        select(Message).where(
            Message.id == message_id,
            due(contact.id, until),
            Message.recipient_id == me.user_id,
        )
    )
    if message is None:
        raise NotFound("No such message.")
    return message


async def one_for_safeguarding(
    db: AsyncSession, *, settings: Settings, relationship: Relationship, message_id: UUID
) -> SafeguardedMessage:
    """One message, for a coordinator reading it because it was reported (the caller checks
    the report and records the read)."""
    message = await db.get(Message, message_id)
    if message is None or message.relationship_id != relationship.id:
        raise NotFound("That message is no longer there.")
    roles = {relationship.seeker_id: "seeker", relationship.supporter_id: "supporter"}
    return SafeguardedMessage(
        id=message.id,
        sender_role=roles.get(message.sender_id),
        body=unseal(settings, message.body_sealed, message.id.bytes) or "",
        sent_at=message.sent_at,
        deliver_at=message.deliver_at,
        held=message.held,
        status=status_of(message, await cutoff(db, relationship=relationship, now=utcnow())),
    )


async def hide(
    db: AsyncSession, *, relationship: Relationship, message_id: UUID, hidden: bool
) -> Message:
    """Hide a message from both people (a moderation decision), or show it again (its appeal
    overturned the decision). The sealed text is kept either way."""
    message = await db.get(Message, message_id)
    if message is None or message.relationship_id != relationship.id:
        raise NotFound("That message is no longer there.")
    if hidden and message.hidden_at is not None:
        raise Conflict("That message is already hidden.")
    message.hidden_at = utcnow() if hidden else None
    await db.flush()
    return message


async def waiting_since(
    db: AsyncSession, *, relationship: Relationship, asker_id: UUID, now: datetime
) -> datetime | None:
    """When the first of my messages that the other person hasn't answered reached them
    (None when they have written since my last one, or I've written nothing)."""
    until = await cutoff(db, relationship=relationship, now=now)
    delivered = due(relationship.id, until)
    their_last = await db.scalar(
        select(func.max(Message.sent_at)).where(delivered, col(Message.sender_id) != asker_id)
    )
    query = select(func.min(Message.deliver_at)).where(delivered, Message.sender_id == asker_id)
    if their_last is not None:
        query = query.where(col(Message.deliver_at) > their_last)
    return await db.scalar(query)
