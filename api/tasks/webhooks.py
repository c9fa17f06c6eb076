"""Webhook jobs: the sweep (outbox → deliveries → attempts due) and one attempt.

The sweep runs every ``webhook_sweep_seconds`` on every deployment (one at a time, whatever
the number of workers); it is also what recovers anything a restart or a crash left undone,
since the deliveries' state is in our tables, not in the queue. Each attempt defers the next
one itself (at its time on the retry schedule); an attempt job that finds its delivery not due,
or claimed by another worker, does nothing.
"""

from datetime import datetime, timedelta
from uuid import UUID

import structlog
from procrastinate import App, JobContext

from api.common import utcnow
from api.jobs.queue import defer
from api.outbox import service as outbox
from api.tasks.runtime import runtime_of
from api.webhooks import deliveries, health, sending

SWEEP = "webhooks.sweep"
ATTEMPT = "webhooks.attempt"
PRUNE = "webhooks.prune"

log = structlog.get_logger("kindred.webhooks")


async def defer_attempt(queue: App, delivery_id: UUID | str, at: datetime) -> int | None:
    """Queue the attempt due at `at` (once: the same attempt already waiting is enough)."""
    return await defer(
        queue,
        ATTEMPT,
        at=at,
        queueing_lock=f"webhook-delivery/{delivery_id}/{at.timestamp():.6f}",
        delivery_id=str(delivery_id),
    )


async def sweep(context: JobContext, timestamp: int) -> None:
    """Fan out new events, tell clients of disabled endpoints, queue every attempt now due."""
    runtime = runtime_of(context)
    now = utcnow()
    async with runtime.sessionmaker() as db:
        await deliveries.fan_out(db, may_hear=runtime.may_hear, now=now)
        await health.tell_clients(db, tell=runtime.tell, now=now)
        found = await deliveries.due(db, now=now)
        await db.commit()
    for delivery_id, at in found:
        await defer_attempt(context.app, delivery_id, at)


async def attempt(context: JobContext, delivery_id: str) -> None:
    """One attempt at one delivery, then the next one queued if it failed."""
    runtime = runtime_of(context)
    settings = runtime.settings
    async with runtime.sessionmaker() as db:
        claimed = await sending.claim(db, delivery_id=UUID(delivery_id), settings=settings)
        await db.commit()
    if claimed is None:
        return
    outcome = await sending.send(claimed, client=runtime.http, settings=settings)
    async with runtime.sessionmaker() as db:
        next_at = await sending.record(db, claimed=claimed, outcome=outcome, settings=settings)
        await db.commit()
    log.info(
        "webhook_attempt",
        delivery_id=delivery_id,
        attempt=claimed.attempt,
        status_code=outcome.status_code,
        error=outcome.error,
        next_attempt_at=next_at.isoformat() if next_at else None,
    )
    if next_at is not None:
        await defer_attempt(context.app, delivery_id, next_at)


async def prune(context: JobContext, timestamp: int) -> None:
    """Retention: events (and their delivery log) older than ``webhook_log_days`` go."""
    runtime = runtime_of(context)
    before = utcnow() - timedelta(days=runtime.settings.webhook_log_days)
    async with runtime.sessionmaker() as db:
        pruned = await outbox.prune(db, dispatched_before=before)
        await db.commit()
    log.info("outbox_pruned", events=pruned)
