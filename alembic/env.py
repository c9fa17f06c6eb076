"""Migrations run on the same async drivers as the app, for SQLite and PostgreSQL alike."""

import asyncio
import os
from logging.config import fileConfig

from sqlalchemy.engine import Connection

from alembic import context
from api.db import create_engine
from api.models import metadata

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    return config.attributes.get("database_url") or os.environ.get(
        "DATABASE_URL", "sqlite:///./kindred.db"
    )


def ours(name: str | None, type_: str, parent_names: object) -> bool:
    """The job queue's tables live beside ours on PostgreSQL (migration 0016 applies them from
    procrastinate's own SQL); they are not in our models, so comparing skips them."""
    return not (type_ == "table" and (name or "").startswith("procrastinate_"))


def run_with(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        # SQLite alters a table by copying it (batch mode); with foreign keys on, dropping the
        # old copy would cascade to every row that refers to it. Off for the migration only
        # (outside a transaction, where SQLite honours it); the app's connections turn it on.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()  # ends SQLAlchemy's implicit transaction; the migrations run in their own
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_name=ours,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async() -> None:
    engine = create_engine(database_url())
    async with engine.connect() as connection:
        await connection.run_sync(run_with)
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run against a database.")
asyncio.run(run_async())
