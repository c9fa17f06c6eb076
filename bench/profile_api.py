"""Where one request's time goes: pyinstrument over the app in process, for each hot operation.

    python -m bench.profile_api [operation ...]   # default: the single reads and the writes

Builds its own PostgreSQL database like bench/bench_api.py (smaller: BENCH_PEOPLE, 5,000 by
default), calls the app through httpx's ASGI transport (no server, no network) 300 times per
operation, and writes each profile to bench/results/profile_<operation>.txt; prints the time
per call. Needs pyinstrument (a dev extra).
"""

import asyncio
import os
import sys
import time

import asyncpg
import httpx
from pyinstrument import Profiler
from sqlalchemy import event

from api.config import Settings
from api.main import create_app
from bench.bench_api import ROOT, load
from bench.common import RESULTS, migrated_database

DEFAULT = ("me", "relationship", "relationships", "messages", "agreement", "send message")


async def run(names: list[str], calls: int) -> None:
    people = int(os.environ.get("BENCH_PEOPLE", 5000))
    async with migrated_database(ROOT) as (url, connect):
        conn = await asyncpg.connect(**connect)
        try:
            loaded = await load(conn, url, people, people // 2, 200, people // 10)
        finally:
            await conn.close()
        app = create_app(Settings(database_url=url, environment="development"))
        transport = httpx.ASGITransport(app=app)
        statements: list[str] = []
        sync_engine = app.state.engine.sync_engine
        # SQLAlchemy's statements, and what goes to asyncpg directly (BEGIN, COMMIT, fast_rows)
        event.listen(
            sync_engine, "before_cursor_execute", lambda _c, _cur, sql, *_: statements.append(sql)
        )
        event.listen(
            sync_engine,
            "connect",
            lambda dbapi, _r: dbapi.driver_connection.add_query_logger(
                lambda q: statements.append(q.query)
            ),
        )
        RESULTS.mkdir(exist_ok=True)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for name in names:
                prepared = loaded["ops"][name]

                async def call(i: int, prepared: list = prepared, name: str = name) -> None:
                    c = prepared[i % len(prepared)]
                    r = await client.request(
                        c.method,
                        c.path,
                        headers={"Authorization": f"Bearer {c.token}"},
                        json=c.body,
                    )
                    if r.status_code >= 300 and c.method == "GET":
                        raise SystemExit(f"{name}: {r.status_code} {r.text}")

                for i in range(30):
                    await call(i + 1000)
                statements.clear()
                await call(0)
                trips = len(statements)  # BEGIN and COMMIT included, when sent
                shown = "\n".join(s.strip().split("\n")[0][:110] for s in statements)
                # Unprofiled, on other calls than the profiled ones (a write is never repeated)
                # with every token already seen, as under wrk: a token's signature is checked
                # once a process, its session on every request.
                for i in range(calls, 2 * calls):
                    token = prepared[i % len(prepared)].token
                    await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
                started = time.perf_counter()
                for i in range(calls, 2 * calls):
                    await call(i)
                bare = (time.perf_counter() - started) / calls * 1000
                profiler = Profiler(interval=0.0002, async_mode="enabled")
                started = time.perf_counter()
                with profiler:
                    for i in range(calls):
                        await call(i)
                per_call = (time.perf_counter() - started) / calls * 1000
                slug = name.replace(" ", "_").replace(":", "")
                (RESULTS / f"profile_{slug}.txt").write_text(
                    profiler.output_text(unicode=False, color=False, show_all=False)
                )
                (RESULTS / f"statements_{slug}.txt").write_text(shown + "\n")
                print(
                    f"{name:<28} {bare:6.2f} ms a call ({per_call:.2f} profiled), "
                    f"{trips} round trips"
                )
        await app.state.engine.dispose()


def main() -> None:
    names = sys.argv[1:] or list(DEFAULT)
    asyncio.run(run(names, int(os.environ.get("BENCH_CALLS", 300))))


if __name__ == "__main__":
    main()
