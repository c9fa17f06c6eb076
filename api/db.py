"""Database engines and the request's session: it commits once at the end or rolls back."""

import re
from collections.abc import AsyncIterator, Iterable, Sequence
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import ColumnElement, any_, bindparam, event
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
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
    # At most twice pool_size connections as before, but every one opened is kept: "overflow"
    # connections were closed on return and opened again by the next request (a connection,
    # its codecs and its prepared statements anew), which cost /me 40 % of its throughput
    # under 32 clients (docs/scaling.md). They are still opened only when needed.
    engine = create_async_engine(
        async_url, pool_size=2 * pool_size, max_overflow=0, pool_recycle=3600
    )
    begin_at_first_write(engine)
    return engine


# A statement that only reads: a SELECT that takes no lock and calls nothing with an effect.
_READS = re.compile(r"\s*(SELECT|WITH)\b", re.IGNORECASE)
_NOT_ONLY_READING = re.compile(
    r"\bFOR\s+(NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b"
    r"|\b(INSERT|UPDATE|DELETE|MERGE)\b|advisory|nextval|setval|set_config",
    re.IGNORECASE,
)


@lru_cache(maxsize=2048)  # SQLAlchemy sends the same few hundred strings again and again
def reads_only(statement: str) -> bool:
    """Whether a statement only reads: it may run outside a transaction."""
    return bool(_READS.match(statement)) and not _NOT_ONLY_READING.search(statement)


def begin_at_first_write(engine: AsyncEngine) -> None:
    """On PostgreSQL, open the transaction at a connection's first statement that writes or
    locks, not at its first statement (SQLite's driver already does this).

    Under READ COMMITTED every statement reads its own snapshot inside a transaction or
    outside one, so a read sent before BEGIN sees what it would have seen after it. A request
    that only reads then costs no BEGIN and no COMMIT (two round trips of its three or four);
    one that writes begins just before its first write (or ``SELECT … FOR UPDATE``, ``SET
    LOCAL``, a savepoint: anything but a plain read) and commits or rolls back as before.
    A connection given an isolation level of its own (``execution_options``) is left alone.
    """
    sync = engine.sync_engine

    @event.listens_for(sync, "checkout")
    def _lazy(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        # asyncpg's adapter begins before a statement unless its level is "autocommit"
        if getattr(dbapi_connection, "_isolation_setting", "") is None:
            dbapi_connection.isolation_level = "autocommit"

    @event.listens_for(sync, "before_cursor_execute")
    def _begin_before_writing(
        conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        adapter = conn.connection.dbapi_connection
        if (
            adapter.isolation_level == "autocommit"
            and adapter._isolation_setting is None
            and not reads_only(statement)
        ):
            adapter.isolation_level = None  # the driver sends BEGIN before this statement

    @event.listens_for(sync, "checkin")
    def _as_found(dbapi_connection: Any, _record: Any) -> None:
        if getattr(dbapi_connection, "_isolation_setting", "") is None:
            dbapi_connection.isolation_level = None


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


class _Prepared:
    """A Core select compiled once for asyncpg: its SQL, its parameters' order and their
    conversions (what SQLAlchemy would do to each value before sending it)."""

    __slots__ = ("defaults", "names", "processors", "sql")

    def __init__(self, statement: Any, dialect: Any) -> None:
        compiled = statement.compile(dialect=dialect)
        if compiled.post_compile_params or compiled.literal_execute_params:
            raise ValueError("fast_rows takes statements without expanding parameters")
        self.sql = str(compiled)
        self.names = list(compiled.positiontup or [])
        processors = compiled._bind_processors
        self.processors = [processors.get(name) for name in self.names]
        binds = compiled.binds  # the values written into the statement (``kind == 'web'``)
        self.defaults = {n: binds[n].effective_value for n in self.names if not binds[n].required}


_PREPARED: dict[int, tuple[Any, _Prepared]] = {}


def _prepared(statement: Any, dialect: Any) -> _Prepared:
    known = _PREPARED.get(id(statement))
    if known is None or known[0] is not statement:
        known = (statement, _Prepared(statement, dialect))
        _PREPARED[id(statement)] = known  # statements built once, at import: a few dozen
    return known[1]


async def fast_rows(
    db: AsyncSession, statement: Any, parameters: dict[str, Any] | None = None
) -> Sequence[Sequence[Any]]:
    """Rows of a Core select built once at import (never per call: each is compiled once and
    kept), indexed by position only.

    On PostgreSQL the compiled SQL goes straight to asyncpg on the session's connection:
    SQLAlchemy's execution and result layers cost ~0.1 ms a statement, asyncpg's ~0.02 ms
    (docs/scaling.md). Results are what asyncpg reads (UUIDs, aware datetimes, decoded
    JSON), as SQLAlchemy would give them for these types; what the session holds unwritten is
    flushed first, as before an ORM query. Anywhere else, or inside a
    transaction that SQLAlchemy has yet to begin on the driver, it is ``core_rows``.
    """
    if db.new or db.dirty or db.deleted:
        await db.flush()  # as the ORM would before a query: it reads what this request wrote
    conn = await db.connection()
    if conn.dialect.name != "postgresql":
        return await core_rows(db, statement, parameters)
    adapter: Any = (await conn.get_raw_connection()).dbapi_connection  # asyncpg's adapter
    if adapter._transaction is None and adapter.isolation_level != "autocommit":
        return await core_rows(db, statement, parameters)
    prepared = _prepared(statement, conn.dialect)
    given = parameters or {}
    values = []
    for name, process in zip(prepared.names, prepared.processors, strict=True):
        value = given[name] if name in given else prepared.defaults[name]
        values.append(process(value) if process is not None and value is not None else value)
    try:
        return await adapter.driver_connection.fetch(prepared.sql, *values)
    except Exception as error:
        dbapi = conn.dialect.loaded_dbapi
        try:
            adapter._handle_exception(error)  # raises it as the adapter's DB-API error
            raise
        except dbapi.Error as raised:
            # As SQLAlchemy's own path would: a lost connection is invalidated (never handed to
            # the next request) and every error is a DBAPIError saying whether it was lost.
            lost = conn.dialect.is_disconnect(raised, adapter, None)
            if lost:
                await conn.invalidate(raised)
            raise DBAPIError.instance(
                prepared.sql, values, raised, dbapi.Error, connection_invalidated=lost
            ) from error


def among(db: AsyncSession, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL sent as one array parameter (``= ANY($1)``), so a
    long list of ids is neither spelled out as hundreds of parameters nor planned anew for
    each length of list."""
    wanted = list(values)
    if db.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, wanted, type_=postgresql.ARRAY(column.type)))
    return column.in_(wanted)
