"""``python -m api.idempotency prune``: forget idempotency keys older than 24 hours.

The job queue runs ``service.prune`` on a schedule; this is the same, by hand or from cron.
"""

import asyncio
import sys

import structlog

from api.config import get_settings
from api.db import create_engine, create_sessionmaker
from api.idempotency import service
from api.logs import configure_logging

log = structlog.get_logger("kindred.idempotency")


async def prune() -> int:
    settings = get_settings()
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine, settings)() as db:
            forgotten = await service.prune(db)
            await db.commit()
        log.info("idempotency_pruned", keys=forgotten)
        return forgotten
    finally:
        await engine.dispose()


def main(argv: list[str]) -> int:
    if argv != ["prune"]:
        print("usage: python -m api.idempotency prune", file=sys.stderr)
        return 2
    configure_logging()
    asyncio.run(prune())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
