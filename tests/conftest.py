"""A fresh database per run, built by the migrations; every test starts from empty tables.

SQLite by default. With KINDRED_TEST_DATABASE_URL=postgresql://… the run creates its own
database on that server and drops it at the end (the server is shared with other runs).
"""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import make_url

from alembic import command
from api.config import Settings
from api.main import create_app
from api.models import metadata

ROOT = Path(__file__).resolve().parent.parent
# Tables the migrations fill with reference data; tests leave them in place.
REFERENCE_TABLES = {"experience_category", "experience_tag"}


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    return config


async def _admin_connection(url: str):
    import asyncpg

    parsed = make_url(url)
    return await asyncpg.connect(
        user=parsed.username,
        password=parsed.password,
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        database=parsed.database or "postgres",
    )


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory) -> AsyncIterator[str]:
    server = os.environ.get("KINDRED_TEST_DATABASE_URL", "")
    if not server.startswith("postgres"):
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'kindred-test.db'}"
        await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
        yield url
        return
    name = f"kindred_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = await _admin_connection(server)
    except OSError as exc:
        pytest.skip(f"PostgreSQL at {server} is not reachable: {exc}")
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        secret_key="test-secret-key-that-is-long-enough-for-hs256-0123456789",
        data_encryption_key="test-data-encryption-key-0123456789abcdef",
        # Profile edits reach shortlists at once in tests (30 s by default).
        matching_rebuild_seconds=0,
        matching_sync_seconds=0,
    )


@pytest.fixture(scope="session")
async def app(settings: Settings):
    application = create_app(settings)
    yield application
    await application.state.engine.dispose()


@pytest.fixture(scope="session")
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgres")


@pytest.fixture
async def db(app):
    """A session on the test database, for arranging and checking what the API stored."""
    async with app.state.sessionmaker() as session:
        yield session


TAXONOMY_COLUMNS = {
    "experience_category": "id, slug, label, phrase, retired",
    "experience_tag": "id, category_id, slug, label, phrase, retired",
}


async def _taxonomy_rows(conn) -> dict[str, set[tuple]]:
    return {
        table: {
            tuple(row)
            for row in await conn.execute(text(f"SELECT {columns} FROM {table}"))  # noqa: S608
        }
        for table, columns in TAXONOMY_COLUMNS.items()
    }


@pytest.fixture(scope="session")
async def seeded_rows(app) -> dict[str, set[tuple]]:
    """The taxonomy as the migrations seeded it, row by row."""
    async with app.state.engine.connect() as conn:
        return await _taxonomy_rows(conn)


@pytest.fixture(scope="session")
async def seeded_taxonomy(seeded_rows: dict[str, set[tuple]]) -> dict[str, int]:
    """The highest ids the migrations seeded; anything above was added by a test."""
    return {table: max(row[0] for row in rows) for table, rows in seeded_rows.items()}


async def _restore_taxonomy(conn, seeded_rows: dict[str, set[tuple]], last: dict[str, int]):
    """Put back the seeded taxonomy a test renamed, moved or retired (the API lets
    coordinators do that: the schemathesis run does), and drop what a test added."""

    async def drop_added(table: str) -> None:
        await conn.execute(
            text(f"DELETE FROM {table} WHERE id > :last"),  # noqa: S608
            {"last": last[table]},
        )

    await drop_added("experience_tag")
    now = await _taxonomy_rows(conn)
    for table in ("experience_category", "experience_tag"):
        names = TAXONOMY_COLUMNS[table].split(", ")
        assignments = ", ".join(f"{name} = :{name}" for name in names[1:])
        for row in seeded_rows[table] - now[table]:
            await conn.execute(
                text(f"UPDATE {table} SET {assignments} WHERE id = :id"),  # noqa: S608
                dict(zip(names, row, strict=True)),
            )
    await drop_added("experience_category")


@pytest.fixture(autouse=True)
async def _empty_tables(
    app, is_postgres: bool, seeded_rows: dict[str, set[tuple]], seeded_taxonomy: dict[str, int]
):
    yield
    tables = [t.name for t in reversed(metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    async with app.state.engine.begin() as conn:
        if is_postgres:
            await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - our own table names
        await _restore_taxonomy(conn, seeded_rows, seeded_taxonomy)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
        yield c
