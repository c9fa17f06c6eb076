"""Database engines and the request's session: it commits once at the end or rolls back."""

from collections.abc import AsyncIterator, Iterable
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import ColumnElement, any_, bindparam, event
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from api.config import Settings
from api.errors import DomainError


def async_database_url(url: str) -> str:
    """Pick the async driver for a plain ``sqlite://`` or ``postgresql://`` URL."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif backend in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    else:
        raise ValueError(f"unsupported database: {backend}")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted rows are overwritten, not left readable in free space (account erasure).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def create_engine(url: str, pool_size: int = 10) -> AsyncEngine:
    async_url = async_database_url(url)
    if async_url.startswith("sqlite"):
        engine = create_async_engine(async_url)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # No pre-ping (a round trip on every checkout); connections are recycled hourly instead,
    # and a request that meets a dropped connection fails once with a 500 problem and retries.
    return create_async_engine(
        async_url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=3600
    )


async def checkpoint_after_erasure(engine: AsyncEngine) -> None:
    """After an erasure has committed: copy SQLite's write-ahead log into the database and
    empty it, so the erased rows' old pages can't be read from ``-wal``. PostgreSQL: nothing."""
    if engine.dialect.name != "sqlite":
        return
    async with engine.connect() as conn:
        await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def create_sessionmaker(
    engine: AsyncEngine, settings: Settings
) -> async_sessionmaker[AsyncSession]:
    """Sessions that carry the settings, so a domain can seal and unseal what it stores in
    places reached by many paths (``settings_of``); a session without them can't."""
    return async_sessionmaker(
        engine, class_=AsyncSession, expire_on_commit=False, info={"settings": settings}
    )


def settings_of(db: AsyncSession) -> Settings:
    """The settings (and so the data key) of this session's app or command."""
    settings = db.info.get("settings")
    if not isinstance(settings, Settings):
        raise RuntimeError("This session was made without settings: it can't seal or unseal.")
    return settings


async def request_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request: commit when the route returns, roll back when it raises."""
    async with request.app.state.sessionmaker() as session:
        try:
            yield session
        except DomainError as exc:
            await (session.commit() if exc.keeps_changes else session.rollback())
            raise
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


# scope="function": commit before the response is sent, so a failed commit is never a 200.
SessionDep = Annotated[AsyncSession, Depends(request_session, scope="function")]


async def core_rows(
    db: AsyncSession, statement: Any, parameters: dict[str, Any] | None = None
) -> list[Any]:
    """Rows of a Core select on the session's connection, skipping the ORM layer.

    For hot read paths only: the ORM costs several times a Core query (performance.md), and
    a statement built once with bind parameters skips building and caching it again.
    """
    return list((await (await db.connection()).execute(statement, parameters)).all())


def among(db: AsyncSession, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL sent as one array parameter (``= ANY($1)``), so a
    long list of ids is neither spelled out as hundreds of parameters nor planned anew for
    each length of list."""
    wanted = list(values)
    if db.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, wanted, type_=postgresql.ARRAY(column.type)))
    return column.in_(wanted)
