"""Retention on the queue: once a day, what has been kept past its period goes
(``api.privacy.retention``). Only the counts are logged, never anything anyone wrote."""

import structlog
from procrastinate import JobContext

from api.privacy import retention
from api.tasks.runtime import Runtime, runtime_of

PURGE = "privacy.purge"

log = structlog.get_logger("kindred.retention")


async def purge(context: JobContext, timestamp: int) -> None:
    """Delete or anonymise what has expired; log how many of each."""
    await purge_now(runtime_of(context))


async def purge_now(runtime: Runtime) -> None:
    async with runtime.sessionmaker() as db:
        purged = await retention.purge(db, runtime.settings)
        await db.commit()
    log.info("retention_purged", **purged.counts())
