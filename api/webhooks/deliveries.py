"""From the outbox to deliveries, and the delivery log integrators read and act on.

``fan_out`` turns each event not yet dispatched into one delivery per enabled endpoint that
subscribed to its type, existed when it happened, and whose client may hear of it: the
**audience** (``may_hear(db, client_id, event)``) decides that; who may hear of whom (scopes,
referrals) is not this package's business. Events are locked as they are read (``SKIP
LOCKED`` on PostgreSQL) so two sweeps at once never fan out the same event twice.
"""

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast
from uuid import UUID

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.common import utcnow
from api.errors import Conflict, NotFound
from api.outbox.models import OutboxEvent
from api.outbox.service import TEST, emit
from api.paging import Order, Page, Window, page
from api.webhooks.endpoints import get_endpoint
from api.webhooks.models import WebhookDelivery, WebhookEndpoint

MayHear = Callable[[AsyncSession, UUID, OutboxEvent], bool | Awaitable[bool]]
Status = Literal["pending", "delivered", "failed"]
FAN_OUT_BATCH = 500


def everyone(db: AsyncSession, client_id: UUID, event: OutboxEvent) -> bool:
    """Every subscribed client hears of every event (tests; never a deployment's audience)."""
    return True


def nobody(db: AsyncSession, client_id: UUID, event: OutboxEvent) -> bool:
    """No client hears of anything: the audience until scopes and referrals decide it."""
    return False


async def _hears(db: AsyncSession, may_hear: MayHear, client_id: UUID, event: OutboxEvent) -> bool:
    answer = may_hear(db, client_id, event)
    return bool(await answer) if inspect.isawaitable(answer) else bool(answer)


async def fan_out(
    db: AsyncSession,
    *,
    may_hear: MayHear,
    now: datetime | None = None,
    limit: int = FAN_OUT_BATCH,
) -> int:
    """Dispatch up to `limit` waiting events, oldest first; how many deliveries were made."""
    now = now or utcnow()
    events = list(
        (
            await db.scalars(
                select(OutboxEvent)
                .where(col(OutboxEvent.dispatched_at).is_(None))
                .order_by(col(OutboxEvent.occurred_at), col(OutboxEvent.id))
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
    )
    if not events:
        return 0
    endpoints = list(
        (await db.scalars(select(WebhookEndpoint).where(col(WebhookEndpoint.enabled)))).all()
    )
    made = 0
    for event in events:
        for endpoint in endpoints:
            if (
                event.type in endpoint.event_types
                and endpoint.created_at <= event.occurred_at
                and await _hears(db, may_hear, endpoint.client_id, event)
            ):
                db.add(
                    WebhookDelivery(
                        event_id=event.id,
                        endpoint_id=endpoint.id,
                        created_at=now,
                        next_attempt_at=now,
                    )
                )
                made += 1
        event.dispatched_at = now
    await db.flush()
    return made


async def due(
    db: AsyncSession, *, now: datetime | None = None, limit: int = 200
) -> list[tuple[UUID, datetime]]:
    """Deliveries whose next attempt is due, as (id, next_attempt_at), soonest first."""
    rows = await db.execute(
        select(WebhookDelivery.id, WebhookDelivery.next_attempt_at)
        .join(WebhookEndpoint, col(WebhookEndpoint.id) == WebhookDelivery.endpoint_id)
        .where(
            col(WebhookDelivery.next_attempt_at) <= (now or utcnow()), col(WebhookEndpoint.enabled)
        )
        .order_by(col(WebhookDelivery.next_attempt_at))
        .limit(limit)
    )
    return [(delivery_id, at) for delivery_id, at in rows.all() if at is not None]


def status_of(delivery: WebhookDelivery) -> Status:
    if delivery.next_attempt_at is not None:
        return "pending"
    return "delivered" if delivery.delivered_at is not None else "failed"


@dataclass(frozen=True)
class LogEntry:
    """A line of the delivery log: the event (id and type) and how its delivery went."""

    delivery: WebhookDelivery
    event_type: str
    status: Status


async def list_deliveries(
    db: AsyncSession,
    *,
    client_id: UUID,
    endpoint_id: UUID,
    window: Window,
    status: Status | None = None,
) -> Page[LogEntry]:
    """The endpoint's delivery log, newest first, a page at a time (404 for another client's
    endpoint)."""
    await get_endpoint(db, client_id=client_id, endpoint_id=endpoint_id)
    query = (
        select(WebhookDelivery, OutboxEvent.type)
        .join(OutboxEvent, col(OutboxEvent.id) == WebhookDelivery.event_id)
        .where(WebhookDelivery.endpoint_id == endpoint_id)
    )
    if status == "pending":
        query = query.where(col(WebhookDelivery.next_attempt_at).is_not(None))
    elif status == "delivered":
        query = query.where(col(WebhookDelivery.delivered_at).is_not(None))
    elif status == "failed":
        query = query.where(
            col(WebhookDelivery.next_attempt_at).is_(None),
            col(WebhookDelivery.delivered_at).is_(None),
        )
    order = Order(col(WebhookDelivery.created_at), col(WebhookDelivery.id), descending=True)
    found = await page(db, cast(Select[Any], query), order, window)
    return Page(
        [LogEntry(delivery=d, event_type=t, status=status_of(d)) for d, t in found.items],
        found.has_more,
    )


async def redeliver(
    db: AsyncSession, *, client_id: UUID, delivery_id: UUID, endpoint_id: UUID | None = None
) -> WebhookDelivery:
    """Send this delivery again, soon, as a new round of the retry schedule; the receiver
    gets the same ``webhook-id``, so it can tell it has seen it before. Another client's
    delivery is answered as one that doesn't exist, in the same words."""
    delivery = await db.get(WebhookDelivery, delivery_id)
    endpoint = None if delivery is None else await db.get(WebhookEndpoint, delivery.endpoint_id)
    if (
        delivery is None
        or endpoint is None
        or endpoint.client_id != client_id
        or endpoint_id not in (None, endpoint.id)
    ):
        raise NotFound("No such delivery.")
    if not endpoint.enabled:
        raise Conflict("This endpoint is disabled; enable it before sending again.")
    if delivery.next_attempt_at is not None:
        raise Conflict("This delivery is already waiting to be sent.")
    delivery.step, delivery.next_attempt_at, delivery.failed_at = 0, utcnow(), None
    await db.flush()
    return delivery


async def send_test(db: AsyncSession, *, client_id: UUID, endpoint_id: UUID) -> LogEntry:
    """A ``webhook.test`` event for this endpoint alone, sent soon (even if it didn't
    subscribe to the type), so an integrator can check their receiver and its signature."""
    endpoint = await get_endpoint(db, client_id=client_id, endpoint_id=endpoint_id)
    if not endpoint.enabled:
        raise Conflict("This endpoint is disabled; enable it before sending a test.")
    now = utcnow()
    event = emit(db, type=TEST, data={"endpoint_id": str(endpoint.id)}, dispatched_at=now)
    await db.flush()
    delivery = WebhookDelivery(
        event_id=event.id, endpoint_id=endpoint.id, created_at=now, next_attempt_at=now
    )
    db.add(delivery)
    await db.flush()
    return LogEntry(delivery=delivery, event_type=TEST, status=status_of(delivery))


async def entry_of(db: AsyncSession, *, delivery: WebhookDelivery) -> LogEntry:
    """A delivery as a line of the log."""
    event = await db.get(OutboxEvent, delivery.event_id)
    return LogEntry(
        delivery=delivery, event_type=event.type if event else "", status=status_of(delivery)
    )
