"""Two safety tools a person reaches in one or two taps.

- **Report this message**: a concern of its own kind with that message attached. The report is
  the recorded reason coordinators may read that one message (``safeguarding.read_reported``);
  each read is in the safeguarding log both people see. The person is offered to block.
- **"I haven't heard from them"**: once the agreed response time has passed since my message
  reached my supporter, one tap tells the coordinators (a ``no_reply`` concern) and, if I ask,
  ends this support and puts me first in line for a new match.

Notes are sealed by the concerns domain and never logged.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal
from api.common import utcnow
from api.concerns import service as concerns
from api.concerns.models import Concern, ConcernKind
from api.config import Settings
from api.contact import reports
from api.contact.common import load
from api.errors import Conflict, Forbidden
from api.matching import requests
from api.matching.models import SupportRequest
from api.relationships.models import EndKind, State
from api.relationships.service import role_in
from api.safety import endings


async def report_message(
    db: AsyncSession,
    me: Principal,
    *,
    settings: Settings,
    relationship_id: UUID,
    message_id: UUID,
    note: str | None = None,
    anonymous: bool = False,
) -> Concern:
    """Report a message the other person sent me; it reaches the coordinators' queue."""
    message = await reports.reportable(
        db, me, relationship_id=relationship_id, message_id=message_id, now=utcnow()
    )
    return await concerns.raise_concern(
        db,
        me,
        settings=settings,
        relationship_id=relationship_id,
        kind=ConcernKind.message_reported,
        details=note,
        anonymous=anonymous,
        message_id=message.id,
    )


@dataclass(frozen=True)
class Silence:
    """How long I've waited for my supporter's answer, against what we agreed."""

    waiting_since: datetime | None  # when my unanswered message reached them
    can_say: datetime | None  # from when "I haven't heard from them" applies
    overdue: bool


async def silence(
    db: AsyncSession, me: Principal, *, relationship_id: UUID, now: datetime | None = None
) -> Silence:
    """Whether my supporter has gone longer than our agreed response time without answering."""
    now = now or utcnow()
    contact = await load(db, me, relationship_id)
    relationship = contact.relationship
    if role_in(relationship, me.user_id) != "seeker" or contact.terms is None:
        return Silence(None, None, False)
    if relationship.state != State.active:
        return Silence(None, None, False)
    since = await reports.waiting_since(db, relationship=relationship, asker_id=me.user_id, now=now)
    if since is None:
        return Silence(None, None, False)
    due = since + reports.ANSWER_WITHIN[contact.terms.response_expectation]
    return Silence(since, due, now >= due)


@dataclass(frozen=True)
class NotHeard:
    concern: Concern
    request: SupportRequest | None  # the new request, first in line, if I asked for one


async def not_heard(
    db: AsyncSession,
    me: Principal,
    *,
    settings: Settings,
    relationship_id: UUID,
    new_match: bool = False,
    note: str | None = None,
    now: datetime | None = None,
) -> NotHeard:
    """Tell the coordinators my supporter hasn't answered in the agreed time; with
    `new_match`, end this support and put me first in line for someone new."""
    found = await silence(db, me, relationship_id=relationship_id, now=now)
    if not found.overdue:
        contact = await load(db, me, relationship_id)
        if role_in(contact.relationship, me.user_id) != "seeker":
            raise Forbidden("Only the person being supported can say this here.")
        raise Conflict(
            "Your supporter still has time to answer, as you agreed. If something feels wrong "
            "now, you can raise a concern with the coordinators at any time."
        )
    concern = await concerns.raise_concern(
        db,
        me,
        settings=settings,
        relationship_id=relationship_id,
        kind=ConcernKind.no_reply,
        details=note,
        anonymous=False,
    )
    request = None
    if new_match:
        contact = await load(db, me, relationship_id)
        relationship = contact.relationship
        old = (
            await db.get(SupportRequest, relationship.request_id)
            if relationship.request_id
            else None
        )
        await endings.end(
            db,
            relationship=relationship,
            actor_id=me.user_id,
            kind=EndKind.ended_by_person,
            concern_id=concern.id,
        )
        request = await requests.put_first_in_line(db, seeker_id=me.user_id, like=old)
    return NotHeard(concern, request)
