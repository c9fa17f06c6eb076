"""``python -m api.contact sweep``: make the notices that time has made due, for everyone, and
push them (held messages whose window opened, session reminders, answers waiting), once.

The job queue does this every minute (``api.tasks``); this command is for running it by hand.
It is idempotent: any replica, any number at once.
"""

import asyncio
import sys

import structlog

from api.config import get_settings
from api.contact import upkeep
from api.db import create_engine, create_sessionmaker
from api.logs import configure_logging

log = structlog.get_logger("kindred.contact")


async def sweep() -> int:
    settings = get_settings()
    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine, settings)
    try:
        made = await upkeep.sweep_now(sessionmaker)
        log.info("contact_sweep", notices=made)
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
