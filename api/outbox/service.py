"""``emit``: the one way a domain records an event for integrators.

The row is added to the caller's session, so it commits (or rolls back) with the change
itself: an event is never announced for a change that did not happen, and never lost for one
that did. Sending happens later, off the request (api/webhooks on the job queue).
"""

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from typing import cast as typed
from uuid import UUID

from sqlalchemy import CursorResult, String, cast, delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.common import utcnow
from api.outbox.models import OutboxEvent

#: Every event type integrators can subscribe to, with what it means.
EVENT_TYPES: dict[str, str] = {
    "referral.joined": "A person you referred created their account.",
    "referral.refused": "A person you referred said no to the invitation.",
    "referral.waiting": "A person you referred asked for support and is waiting for a match.",
    "referral.summary": "A person you referred agreed to share a short summary of their support.",
    "introduction.created": "A seeker was introduced to a supporter.",
    "relationship.active": "A relationship's first agreement was made; support is under way.",
    "relationship.paused": "A relationship was paused.",
    "relationship.resumed": "A paused relationship was resumed.",
    "relationship.ended": "A relationship ended.",
    "session.scheduled": "A session was agreed.",
    "session.held": "A session took place.",
    "concern.raised": "Someone raised a concern (no details are ever sent).",
    "webhook.test": "A test you asked for (POST …/test): sent only to that endpoint.",
}
#: The test event's type: never fanned out, only sent to the endpoint it was asked for.
TEST = "webhook.test"


def new_event_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def emit(
    db: AsyncSession,
    *,
    type: str,
    data: dict[str, str | int | None],
    about_users: Iterable[UUID | None] = (),
    dispatched_at: datetime | None = None,
) -> OutboxEvent:
    """Record an event in the caller's transaction. `data` is thin: ids and states only."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    event = OutboxEvent(
        id=new_event_id(),
        type=type,
        data=dict(data),
        about_users=sorted({str(u) for u in about_users if u is not None}),
        occurred_at=utcnow(),
        dispatched_at=dispatched_at,
    )
    db.add(event)
    return event


async def forget_user(db: AsyncSession, *, user_id: UUID, kept_for: Iterable[UUID] = ()) -> int:
    """Account deletion: the person is no longer named among those an event is about (the
    events stay, about whoever else they concern); how many events changed. Events not yet
    sent out keep the clients in `kept_for` (those who referred the person), so they still
    hear of them, the final ending included."""
    keep = {str(c) for c in kept_for}
    person = str(user_id)
    found = await db.scalars(
        select(OutboxEvent).where(cast(OutboxEvent.about_users, String).contains(person))
    )
    changed = 0
    for event in found.all():
        if person in event.about_users:
            event.about_users = [u for u in event.about_users if u != person]
            if keep and event.dispatched_at is None:
                event.kept_for = sorted(keep | set(event.kept_for))
            changed += 1
    return changed


async def prune(db: AsyncSession, *, dispatched_before: datetime) -> int:
    """Retention: events dispatched before then go, with their deliveries (the delivery log
    keeps ``webhook_log_days``); an event not yet dispatched is never pruned. How many went."""
    result = typed(
        CursorResult[Any],
        await db.execute(
            delete(OutboxEvent)
            .where(col(OutboxEvent.dispatched_at) < dispatched_before)
            .execution_options(synchronize_session=False)
        ),
    )
    return result.rowcount
