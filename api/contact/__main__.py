"""``python -m api.contact sweep``: make the notices that time has made due, for everyone, and
push them (held messages whose window opened, session reminders, answers waiting).

Run it from cron every minute or so (any replica, any number at once: it is idempotent).
Nothing waits for it to be *delivered*; it only gets pushes to people who aren't looking.
"""

import asyncio
import sys

import structlog

from api.config import get_settings
from api.contact import notifications, push, upkeep
from api.db import create_engine, create_sessionmaker
from api.logs import configure_logging

log = structlog.get_logger("kindred.contact")


async def sweep() -> int:
    settings = get_settings()
    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine, settings)
    try:
        async with sessionmaker() as db:
            made = await upkeep.sweep(db)
            owed = notifications.take_pushes(db)
            await db.commit()
        pushed = await push.deliver(sessionmaker, settings=settings, items=owed)
        log.info("contact_sweep", notices=made, pushes=pushed)
        return made
    finally:
        await engine.dispose()


def main(argv: list[str]) -> int:
    if argv != ["sweep"]:
        print("usage: python -m api.contact sweep", file=sys.stderr)
        return 2
    configure_logging()
    asyncio.run(sweep())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
