"""Webhook tests: settings with a short retry schedule (never mocks), a receiver on 127.0.0.1,
the real worker, and a clean job queue for each test."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import text

from api.clients.models import IntegratorClient
from api.clients.scopes import SCOPES
from api.config import Settings
from api.db import create_sessionmaker
from api.main import create_app
from api.tasks.worker import worker
from api.webhooks.deliveries import everyone
from tests.webhooks.receiver import Receiver, receiving

QUEUE_TABLES = (
    "procrastinate_jobs, procrastinate_events, procrastinate_periodic_defers, procrastinate_workers"
)


@pytest.fixture
def hook_settings(settings: Settings) -> Settings:
    """Receivers on 127.0.0.1 allowed; a schedule of fractions of a second; a sweep a second."""
    return settings.model_copy(
        update={
            "webhook_allow_private_addresses": True,
            "webhook_sweep_seconds": 1,
            "webhook_retry_schedule": [0, 0.3, 0.3, 0.3],
            "webhook_timeout_seconds": 2.0,
        }
    )


@pytest.fixture
def sessions(app, hook_settings):
    """Sessions carrying the webhook settings (what the worker's sessions carry)."""
    return create_sessionmaker(app.state.engine, hook_settings)


# Endpoints belong to integrator clients: three of them, made for every test here.
CLIENT_A, CLIENT_B, CLIENT_C = (UUID(int=n) for n in (0xA, 0xB, 0xC))


async def add_clients(sessions, *ids: UUID) -> None:
    async with sessions() as db:
        for n, client_id in enumerate(ids):
            db.add(IntegratorClient(id=client_id, name=f"Client {n}", scopes=list(SCOPES)))
        await db.commit()


@pytest.fixture(autouse=True)
async def _clients(sessions) -> None:
    await add_clients(sessions, CLIENT_A, CLIENT_B, CLIENT_C)


@pytest.fixture
async def api(app, hook_settings) -> AsyncIterator[httpx.AsyncClient]:
    """The API with the webhook settings (receivers on 127.0.0.1 allowed), same database."""
    hooked = create_app(hook_settings, engine=app.state.engine)
    transport = httpx.ASGITransport(app=hooked)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
        yield c


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as running:
        yield running


@pytest.fixture(autouse=True)
async def _empty_queue(app, is_postgres: bool) -> AsyncIterator[None]:
    """The queue's tables are not ours (conftest empties ours): no job outlives its test."""
    yield
    if is_postgres:
        async with app.state.engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {QUEUE_TABLES}"))


@contextlib.asynccontextmanager
async def running(settings: Settings, sessions, **options: Any) -> AsyncIterator[Any]:
    """A real worker (everyone hears everything unless told otherwise)."""
    options.setdefault("may_hear", everyone)
    options.setdefault("polling_seconds", 0.05)
    async with worker(settings, sessionmaker=sessions, **options) as queue:
        yield queue


async def until(check: Callable[[], Awaitable[bool] | bool], within: float = 20.0) -> None:
    """Wait until `check()` is true (fails the test after `within` seconds)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        outcome = check()
        if not isinstance(outcome, bool):
            outcome = await outcome
        if outcome:
            return
        if loop.time() > deadline:
            raise AssertionError(f"still waiting after {within} s")
        await asyncio.sleep(0.05)
