"""The worker: Kindred's tasks on the queue, run in the app (``RUN_WORKER=1``, as ``make
run`` does) or in a process of its own (``python -m api.tasks worker``, docker-compose's
``worker`` service). Any number of workers may run at once."""

import contextlib
from collections.abc import AsyncIterator

from procrastinate import App
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.config import Settings
from api.jobs.queue import make_queue, running_worker
from api.tasks import notices, retention, upkeep, webhooks
from api.tasks.runtime import KEY, Runtime
from api.webhooks.deliveries import MayHear, nobody
from api.webhooks.health import Tell, log_only
from api.webhooks.sending import http_client


def register(queue: App, settings: Settings) -> None:
    """Add every task to the queue; the periodic ones never pile up (a queueing lock) and
    never overlap (a lock), however many workers there are."""
    every = settings.webhook_sweep_seconds

    def periodic(name: str, cron: str) -> None:
        queue.periodic(cron=cron, periodic_id=name, queueing_lock=name)(
            queue.task(name=name, pass_context=True, lock=name)(_TIMED[name])
        )

    periodic(webhooks.SWEEP, f"* * * * * */{every}")
    periodic(upkeep.EXPIRE_INTRODUCTIONS, "* * * * *")
    periodic(upkeep.CONTACT_SWEEP, "* * * * *")
    periodic(webhooks.PRUNE, "17 * * * *")
    periodic(upkeep.PRUNE_IDEMPOTENCY_KEYS, "23 * * * *")
    periodic(retention.PURGE, "41 3 * * *")
    periodic(notices.SWEEP, f"* * * * * */{settings.notice_sweep_seconds}")
    periodic(notices.PRUNE_MAIL, "29 * * * *")
    queue.task(name=webhooks.ATTEMPT, pass_context=True)(webhooks.attempt)


_TIMED = {
    webhooks.SWEEP: webhooks.sweep,
    upkeep.EXPIRE_INTRODUCTIONS: upkeep.expire_introductions,
    upkeep.CONTACT_SWEEP: upkeep.contact_sweep,
    webhooks.PRUNE: webhooks.prune,
    upkeep.PRUNE_IDEMPOTENCY_KEYS: upkeep.prune_idempotency_keys,
    retention.PURGE: retention.purge,
    notices.SWEEP: notices.sweep,
    notices.PRUNE_MAIL: notices.prune_mail,
}


@contextlib.asynccontextmanager
async def worker(
    settings: Settings,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    name: str = "kindred",
    concurrency: int | None = None,
    may_hear: MayHear = nobody,
    tell: Tell = log_only,
    polling_seconds: float = 1.0,
) -> AsyncIterator[App]:
    """Run a worker with every task until the block ends (its queue is yielded)."""
    queue = make_queue(settings)
    register(queue, settings)
    async with http_client(settings) as http:
        runtime = Runtime(
            settings=settings, sessionmaker=sessionmaker, http=http, may_hear=may_hear, tell=tell
        )
        async with running_worker(
            queue,
            name=name,
            concurrency=concurrency or settings.worker_concurrency,
            context={KEY: runtime},
            polling_seconds=polling_seconds,
        ):
            yield queue
