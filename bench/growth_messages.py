"""Growth of the message table: list and send latency through the app as it grows.

One PostgreSQL database of the run's own: the console benchmark's background (supporters,
seekers, relationships in every state), the API benchmark's acting pairs (agreed terms, 30
sealed messages each, a token per person), then messages added by COPY up to each size,
spread unevenly over the background relationships, with one *hot* pair holding 1 % of all
messages (sealed, so the app can read them). At each size the app is called in process through
httpx's ASGI transport (the whole app: middleware, session re-check, ORM, serialisation; no
server, no network), one call at a time: the first page of a typical and of the hot
conversation, a deep page of the hot one through its cursor, and sending in both. Every SELECT
of one list and one send is then run again under ``EXPLAIN (ANALYZE, BUFFERS)``.
"""

import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import numpy as np
from sqlalchemy import event

from api.config import Settings
from api.crypto import seal
from api.main import create_app
from bench.api_data import Pair, add_pairs
from bench.bench_batch_job import add_seekers
from bench.bench_console import add_relationships
from bench.common import migrated_database
from bench.growth_pool import ROOT
from bench.shortlist_data import fill

API = "/api/v1"
COLUMNS = ["id", "relationship_id", "sender_id", "recipient_id", "body_sealed", "sent_at"]
COLUMNS += ["deliver_at", "held", "notified_at", "read_at", "windows_version"]
HOT_SHARE = 0.01
CHUNK = 100_000
SAID = {"body": "Thank you for today. Same time next week works for me."}


def _background(
    rels: list[asyncpg.Record], n: int, seed: int, now: datetime
) -> Iterator[list[tuple]]:
    """n messages over the background relationships, a few of them long (log-normal shares),
    in chunks; never read by the app, so their bodies are a sealed-sized placeholder."""
    rng = np.random.default_rng(seed)
    share = rng.lognormal(0, 1.5, len(rels))
    share /= share.sum()
    body = b"\x01" + bytes(rng.integers(0, 256, 100, dtype=np.uint8))
    epoch = now.timestamp()
    for start in range(0, n, CHUNK):
        size = min(CHUNK, n - start)
        which = rng.choice(len(rels), size, p=share)
        ago = rng.uniform(3600, 540 * 86400, size)
        from_seeker = rng.random(size) < 0.5
        ids = rng.bytes(16 * size)
        rows = []
        for i in range(size):
            rel = rels[which[i]]
            a, b = (rel[1], rel[2]) if from_seeker[i] else (rel[2], rel[1])
            at = datetime.fromtimestamp(epoch - ago[i], UTC)
            mid = uuid.UUID(bytes=ids[16 * i : 16 * i + 16], version=4)
            rows.append((mid, rel[0], a, b, body, at, at, False, at, at, 1))
        yield rows


def _hot(settings: Settings, hot: Pair, n: int, seed: int, now: datetime) -> list[tuple]:
    """n sealed messages of the hot pair, over the year before it began here."""
    rng = np.random.default_rng(seed)
    seeker, supporter = hot.seeker.user_id, hot.supporter.user_id
    rows = []
    for i, ago in enumerate(rng.uniform(22 * 86400, 365 * 86400, n)):
        mid = uuid.uuid4()
        at = now - timedelta(seconds=float(ago))
        a, b = (seeker, supporter) if i % 2 else (supporter, seeker)
        body = seal(settings, f"Message {i}: it helped to talk this through.", mid.bytes)
        rows.append((mid, hot.relationship_id, a, b, body, at, at, False, at, at, 1))
    return rows


async def _grow(
    conn: asyncpg.Connection, settings: Settings, rels: list, hot: Pair, total: int
) -> dict[str, Any]:
    """Add messages by COPY until the table holds ``total`` (1 % of them the hot pair's)."""
    started, now = time.perf_counter(), datetime.now(UTC)
    have = await conn.fetchval("SELECT count(*) FROM message")
    hot_have = await conn.fetchval(
        "SELECT count(*) FROM message WHERE relationship_id = $1", hot.relationship_id
    )
    hot_add = max(0, int(total * HOT_SHARE) - hot_have)
    await conn.copy_records_to_table(
        "message", records=_hot(settings, hot, hot_add, total, now), columns=COLUMNS
    )
    for rows in _background(rels, max(0, total - have - hot_add), total, now):
        await conn.copy_records_to_table("message", records=rows, columns=COLUMNS)
    copied = time.perf_counter() - started
    await conn.execute("VACUUM ANALYZE message")
    return {"copy_s": round(copied, 1), "vacuum_s": round(time.perf_counter() - started - copied)}


async def _sizes(conn: asyncpg.Connection, hot: Pair) -> dict[str, Any]:
    mib = 2**20
    indexes = await conn.fetch(
        "SELECT indexrelname AS name, pg_relation_size(indexrelid) AS size"
        " FROM pg_stat_user_indexes WHERE relname = 'message' ORDER BY indexrelname"
    )
    return {
        "messages": await conn.fetchval("SELECT count(*) FROM message"),
        "hot_messages": await conn.fetchval(
            "SELECT count(*) FROM message WHERE relationship_id = $1", hot.relationship_id
        ),
        "table_mib": round(await conn.fetchval("SELECT pg_table_size('message')") / mib, 1),
        "indexes_mib": {r["name"]: round(r["size"] / mib, 1) for r in indexes},
    }


async def _timed(call: Callable[[int], Awaitable[httpx.Response]], n: int) -> dict[str, Any]:
    for i in range(5):  # warm: caches, prepared statements
        (await call(10_000 + i)).raise_for_status()
    took, statuses = np.empty(n), set()
    for i in range(n):
        started = time.perf_counter()
        response = await call(i)
        took[i] = time.perf_counter() - started
        statuses.add(response.status_code)
    ms = took * 1e3
    return {
        "calls": n,
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p99_ms": round(float(np.percentile(ms, 99)), 2),
        "statuses": sorted(statuses),
    }


async def _explain(
    conn: asyncpg.Connection, statements: list[tuple[str, Any]]
) -> list[dict[str, Any]]:
    """Each SELECT of one call again, under EXPLAIN ANALYZE: its time and the indexes used."""
    out = []
    for sql, params in statements:
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        found = await conn.fetchval(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", *params)
        plan = json.loads(found)[0]
        nodes: list[str] = []

        def walk(node: dict[str, Any], nodes: list[str] = nodes) -> None:
            nodes.append(
                f"{node['Node Type']}"
                + (f" on {node['Index Name']}" if "Index Name" in node else "")
                + (f" on {node['Relation Name']}" if "Relation Name" in node else "")
            )
            for child in node.get("Plans", []):
                walk(child)

        walk(plan["Plan"])
        out.append(
            {
                "sql": " ".join(sql.split())[:160],
                "ms": round(plan["Execution Time"], 3),
                "rows_read": plan["Plan"].get("Actual Rows"),
                "shared_hit_blocks": plan["Plan"].get("Shared Hit Blocks"),
                "plan": nodes,
            }
        )
    return sorted(out, key=lambda e: -e["ms"])


async def _middle(conn: asyncpg.Connection, hot: Pair) -> uuid.UUID:
    """The hot conversation's message halfway through: a deep page ends before it."""
    count = await conn.fetchval(
        "SELECT count(*) FROM message WHERE relationship_id = $1", hot.relationship_id
    )
    return await conn.fetchval(
        "SELECT id FROM message WHERE relationship_id = $1 ORDER BY sent_at, id OFFSET $2 LIMIT 1",
        hot.relationship_id,
        count // 2,
    )


async def measure(
    sizes: list[int],
    budget_s: float,
    calls: int,
    relationships: int,
    progress: Callable[[list[dict[str, Any]]], None] = lambda _: None,
) -> list[dict[str, Any]]:
    """Grow one database through ``sizes`` messages; at each, time list and send (and hand
    the results so far to ``progress``)."""
    results: list[dict[str, Any]] = []
    started = time.perf_counter()
    async with migrated_database(ROOT) as (url, connect):
        # Tokens that outlive the run (loading 10M messages takes longer than the default 15 min).
        settings = Settings(database_url=url, environment="development", access_token_minutes=600)
        conn = await asyncpg.connect(**connect)
        await conn.execute("SET session_replication_role = replica")  # bulk load: see growth_pool
        await fill(conn, relationships // 8)
        await add_seekers(conn, relationships // 2)
        await add_relationships(conn, relationships)
        pairs = await add_pairs(conn, settings, 201)
        hot, typical = pairs[0], pairs[1:]
        # The most the policy allows (200 a day), so the benchmark's own sends are never refused.
        await conn.execute(
            "INSERT INTO service_setting (key, value, updated_at) VALUES ('dependency_limits',"
            ' \'{"max_messages_a_day": 200, "max_sessions_a_week": 2}\', now())'
        )
        await conn.execute("SET session_replication_role = origin")
        rels = await conn.fetch(
            "SELECT id, seeker_id, supporter_id FROM relationship WHERE id <> ALL($1::uuid[])",
            [p.relationship_id for p in pairs],
        )
        app = create_app(settings)
        logging.getLogger("kindred.access").setLevel(logging.WARNING)  # quiet, and constant
        captured: list[tuple[str, Any]] = []
        event.listen(
            app.state.engine.sync_engine,
            "before_cursor_execute",
            lambda _c, _cur, sql, params, *_: captured.append((sql, params)),
        )
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                for total in sizes:
                    if time.perf_counter() - started > budget_s:
                        results.append({"messages": total, "skipped": "time budget used"})
                        continue
                    await conn.execute("SET session_replication_role = replica")
                    loaded = await _grow(conn, settings, rels, hot, total)
                    await conn.execute("SET session_replication_role = origin")
                    found = await _at_size(client, conn, hot, typical, captured, calls)
                    results.append({**await _sizes(conn, hot), **loaded, **found})
                    print(f"  messages {total:>11,}: {results[-1]['ops']}", flush=True)
                    progress(results)
        finally:
            await app.state.engine.dispose()
            await conn.close()
    return results


async def _at_size(
    client: httpx.AsyncClient,
    conn: asyncpg.Connection,
    hot: Pair,
    typical: list[Pair],
    captured: list[tuple[str, Any]],
    calls: int,
) -> dict[str, Any]:
    middle = await _middle(conn, hot)

    def path(pair: Pair) -> str:
        return f"{API}/relationships/{pair.relationship_id}/messages"

    def auth(pair: Pair, i: int) -> dict[str, str]:
        return {"Authorization": f"Bearer {(pair.seeker if i % 2 else pair.supporter).token}"}

    ops: dict[str, Callable[[int], Awaitable[httpx.Response]]] = {
        "list typical": lambda i: client.get(
            path(typical[i % len(typical)]), headers=auth(typical[i % len(typical)], i)
        ),
        "list hot": lambda i: client.get(path(hot), headers=auth(hot, i)),
        "list hot, deep page": lambda i: client.get(
            path(hot), params={"ending_before": str(middle)}, headers=auth(hot, i)
        ),
        "send typical": lambda i: client.post(
            path(typical[(i * 7) % len(typical)]),
            json=SAID,
            headers=auth(typical[(i * 7) % len(typical)], i // len(typical)),
        ),
        "send hot": lambda i: client.post(path(hot), json=SAID, headers=auth(hot, i)),
    }
    timed = {}
    explained = {}
    for name, call in ops.items():
        n = calls if name != "send hot" else min(calls, 40)  # the hot pair: 200 a day each
        timed[name] = await _timed(call, n)
        captured.clear()
        (await call(n + 1)).raise_for_status()
        explained[name] = await _explain(conn, list(captured))
    return {"ops": timed, "explain": explained}
