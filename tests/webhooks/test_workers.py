"""Several workers at once on PostgreSQL (each with its own connections, as separate processes
would have): every event reaches every endpoint, and no attempt ever runs twice, even when
the same attempt is queued several times over."""

import asyncio
import contextlib
from collections import Counter

import pytest
from sqlalchemy import func, select

from api.db import create_engine, create_sessionmaker
from api.jobs.queue import defer
from api.outbox.service import emit
from api.tasks.webhooks import ATTEMPT
from api.webhooks import endpoints
from api.webhooks.models import WebhookDelivery
from tests.webhooks.conftest import CLIENT_A, running, until
from tests.webhooks.receiver import Answer

WORKERS, EVENTS, DUPLICATES = 3, 12, 3


@pytest.mark.postgres_only
async def test_several_workers_deliver_each_event_once_per_endpoint(
    sessions, hook_settings, receiver, is_postgres
):
    if not is_postgres:
        pytest.skip("SQLite's queue lives in one process's memory; sharing it needs PostgreSQL")
    paths = ["/one", "/two"]
    secrets = {}
    async with sessions() as db:
        for path in paths:
            url = receiver.script(path, Answer(204, delay=0.05))
            made = await endpoints.create_endpoint(
                db, client_id=CLIENT_A, url=url, event_types=["session.held"]
            )
            secrets[path] = made.secret
        await db.commit()
    engines = [create_engine(hook_settings.database_url) for _ in range(WORKERS)]
    try:
        async with contextlib.AsyncExitStack() as stack:
            queues = [
                await stack.enter_async_context(
                    running(
                        hook_settings,
                        create_sessionmaker(engine, hook_settings),
                        name=f"worker-{n}",
                        concurrency=3,
                    )
                )
                for n, engine in enumerate(engines)
            ]
            async with sessions() as db:
                ids = [
                    emit(db, type="session.held", data={"session_id": f"s{n}"}).id
                    for n in range(EVENTS)
                ]
                await db.commit()
            await until(lambda: _made(sessions, EVENTS * len(paths)))
            # The same attempts queued again and again, on every worker's queue at once.
            async with sessions() as db:
                every = list((await db.scalars(select(WebhookDelivery.id))).all())
            await asyncio.gather(
                *(
                    defer(queues[n % WORKERS], ATTEMPT, delivery_id=str(delivery_id))
                    for delivery_id in every
                    for n in range(DUPLICATES)
                )
            )
            await until(lambda: _all_delivered(sessions))
            await asyncio.sleep(0.5)  # any attempt still running would arrive now
    finally:
        for engine in engines:
            await engine.dispose()

    arrivals = Counter((a.path, a.webhook_id) for a in receiver.arrivals)
    assert arrivals == Counter({(path, i): 1 for path in paths for i in ids})
    assert receiver.overlaps == 0
    for arrival in receiver.arrivals:
        assert arrival.verified(secrets[arrival.path])["data"]["session_id"].startswith("s")
    async with sessions() as db:
        attempts = (await db.scalars(select(WebhookDelivery.attempts))).all()
    assert attempts == [1] * (EVENTS * len(paths))


async def _made(sessions, expected: int) -> bool:
    async with sessions() as db:
        return await db.scalar(select(func.count()).select_from(WebhookDelivery)) == expected


async def _all_delivered(sessions) -> bool:
    async with sessions() as db:
        waiting = await db.scalar(
            select(func.count())
            .select_from(WebhookDelivery)
            .where(WebhookDelivery.delivered_at.is_(None))
        )
        return waiting == 0
