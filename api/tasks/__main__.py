"""``python -m api.tasks worker``: run a worker until SIGTERM or SIGINT (docker-compose's
``worker`` service). Several may run at once, beside any number of API replicas."""

import argparse
import asyncio
import signal
import socket

import structlog

from api.config import get_settings
from api.db import create_engine, create_sessionmaker
from api.integrations import audience
from api.logs import configure_logging
from api.tasks import rekey
from api.tasks.worker import worker

log = structlog.get_logger("kindred.worker")


async def run(concurrency: int | None) -> None:
    settings = get_settings()
    engine = create_engine(settings.database_url, settings.database_pool_size)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with worker(
            settings,
            sessionmaker=create_sessionmaker(engine, settings),
            name=socket.gethostname(),
            concurrency=concurrency,
            may_hear=audience.may_hear,
            tell=audience.tell,
        ):
            log.info("worker_started")
            await stop.wait()
        log.info("worker_stopped")
    finally:
        await engine.dispose()


async def run_rekey(batch: int) -> None:
    """Re-seal everything the old data-encryption keys sealed with the current one."""
    settings = get_settings()
    engine = create_engine(settings.database_url, settings.database_pool_size)
    try:
        done = await rekey.rekey(create_sessionmaker(engine, settings), settings, batch=batch)
        log.info(
            "rekeyed",
            total=sum(done.values()),
            **{k.replace(".", "__"): v for k, v in done.items()},
        )
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.tasks")
    parser.add_argument("command", choices=["worker", "rekey"])
    parser.add_argument("--concurrency", type=int, default=None, help="jobs at once")
    parser.add_argument("--batch", type=int, default=500, help="rows re-sealed per commit")
    args = parser.parse_args(argv)
    configure_logging()
    if args.command == "rekey":
        asyncio.run(run_rekey(args.batch))
    else:
        asyncio.run(run(args.concurrency))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
