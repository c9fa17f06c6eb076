"""Reliability tests: several API processes on one PostgreSQL database, driven by many clients
at once from this process, then checked against the database with SQL.

They need PostgreSQL (KINDRED_TEST_DATABASE_URL; `make reliability` sets it) and skip on SQLite,
whose single writer and in-process job queue can't be shared by separate API processes.
Tables are emptied once per module, after its servers have stopped (not after each test: a
module's tests check one shared run)."""

from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text

from api.config import Settings
from api.models import metadata
from tests.conftest import REFERENCE_TABLES
from tests.reliability.cluster import Cluster, replica, server_env

QUEUE_TABLES = (
    "procrastinate_jobs",
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_workers",
)
REPLICAS = 3
SQLITE_REASON = (
    "reliability tests need PostgreSQL (set KINDRED_TEST_DATABASE_URL, as `make reliability` "
    "does): separate API processes can't share SQLite's single writer or its in-process queue"
)


@pytest.fixture(autouse=True)
async def _empty_tables() -> AsyncIterator[None]:
    """Overrides the suite's per-test emptying: see the module docstring (``pg``)."""
    yield


@pytest.fixture(scope="module")
async def pg(database_url: str, app, is_postgres: bool) -> AsyncIterator[str]:
    """The run's PostgreSQL database (built by the migrations), emptied after the module."""
    if not is_postgres:
        pytest.skip(SQLITE_REASON)
    yield database_url
    tables = [t.name for t in metadata.sorted_tables if t.name not in REFERENCE_TABLES]
    async with app.state.engine.begin() as conn:
        await conn.execute(
            text(f"TRUNCATE {', '.join([*tables, *QUEUE_TABLES])} RESTART IDENTITY CASCADE")
        )


@pytest.fixture(scope="module")
async def conn(pg: str) -> AsyncIterator[asyncpg.Connection]:
    """A plain connection for arranging data and for the checks' SQL."""
    connection = await asyncpg.connect(pg)
    yield connection
    await connection.close()


@pytest.fixture(scope="module")
def logs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("servers")


@pytest.fixture(scope="module")
async def cluster(pg: str, settings: Settings, logs: Path) -> AsyncIterator[Cluster]:
    """Three API processes (uvicorn, one worker each) on the same database."""
    env = server_env(settings, pg)
    running = Cluster([replica(f"replica-{n}", env, logs) for n in range(REPLICAS)])
    try:
        await running.start()
        yield running
    finally:
        running.stop()
