"""The job queue: procrastinate on the service's own PostgreSQL database, or in memory on SQLite.

The durable state of every job Kindred runs lives in its own tables (the outbox, webhook
deliveries, the domains' rows); a job is only the trigger that makes the work happen now.
So SQLite, the zero-setup default for one process, can keep its queue in memory: a periodic
sweep finds whatever a restart left undone. On PostgreSQL the queue's tables sit beside ours
(applied by our migrations) and any number of workers share them.

Tasks are defined above the domains (``api.tasks``); this module knows none of them, so it
defers by task name (``defer``).
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from procrastinate import App, PsycopgConnector
from procrastinate.connector import BaseAsyncConnector
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.testing import InMemoryConnector
from sqlalchemy.engine import make_url

from api.common import utcnow
from api.config import Settings

# Seconds a stopping worker gives its running jobs before it aborts them.
SHUTDOWN_GRACE_SECONDS = 10.0


def connector_for(database_url: str, *, pool_size: int = 4) -> BaseAsyncConnector:
    """procrastinate's psycopg connector on the same PostgreSQL database; in memory on SQLite."""
    parsed = make_url(database_url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return InMemoryConnector()
    if backend in ("postgresql", "postgres"):
        conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        return PsycopgConnector(conninfo=conninfo, min_size=1, max_size=pool_size)
    raise ValueError(f"unsupported database: {backend}")


def make_queue(settings: Settings) -> App:
    """A queue for this deployment's database (no tasks yet: ``api.tasks.register`` adds them)."""
    # procrastinate logs every task and job at INFO; ours log what matters, without personal data.
    logging.getLogger("procrastinate").setLevel(logging.WARNING)
    return App(
        connector=connector_for(settings.database_url, pool_size=settings.worker_concurrency + 2)
    )


async def defer(
    queue: App,
    task_name: str,
    *,
    at: datetime | None = None,
    queueing_lock: str | None = None,
    lock: str | None = None,
    **kwargs: Any,
) -> int | None:
    """Queue a job of the task called `task_name` (at a moment, or now); its id, or None when
    a job with the same `queueing_lock` is already waiting (it will do the same work)."""
    options: dict[str, Any] = {"queueing_lock": queueing_lock, "lock": lock}
    if at is not None and at > utcnow():
        options["schedule_at"] = at
    try:
        return await queue.configure_task(task_name, **options).defer_async(**kwargs)
    except AlreadyEnqueued:
        return None


@contextlib.asynccontextmanager
async def running_worker(
    queue: App,
    *,
    name: str,
    concurrency: int,
    context: dict[str, Any],
    polling_seconds: float = 1.0,
) -> AsyncIterator[asyncio.Task[None]]:
    """Run a worker on this event loop (in the app's lifespan, or a process of its own) until
    the block ends; running jobs then get ``SHUTDOWN_GRACE_SECONDS`` to finish."""
    async with queue.open_async():
        worker = asyncio.create_task(
            queue.run_worker_async(
                name=name,
                concurrency=concurrency,
                install_signal_handlers=False,
                additional_context=context,
                delete_jobs="successful",
                fetch_job_polling_interval=polling_seconds,
                shutdown_graceful_timeout=SHUTDOWN_GRACE_SECONDS,
            ),
            name=f"procrastinate worker {name}",
        )
        try:
            yield worker
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
