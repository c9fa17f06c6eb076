"""The coordinator console's lists and statistics on PostgreSQL at service scale.

    python -m bench.bench_console [--people 100000] [--relationships 50000] [--repeat 40]

Creates its own database (dropped afterwards), fills it with COPY (supporters, seekers,
relationships in every state with agreements, held sessions, messages, events, concerns), then
times each console read in process (the server's time for the query and shaping, without HTTP),
each call in a session of its own committed at the end, as a request is: today, the roster (by
name, fullest first, needing attention), the relationships' health list (and its "stalled"
filter), the waiting list as the API sends it, the concerns queue and the statistics. Each
figure is given with its ratio to a ceiling measured the same way in the same run: a trivial
query (SELECT 1). "first" is each read's first call: for the statistics, the one that counts
and keeps the months that are over (later calls count only this month, and last month during
its first day).
"""

import argparse
import asyncio
import gc
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import numpy as np
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.models import Role
from api.auth.principal import Principal
from api.concerns import service as concerns
from api.config import Settings
from api.coordination import health_list, roster, stats, today, waiting
from api.db import create_engine, create_sessionmaker
from bench.bench_batch_job import add_seekers
from bench.bench_shortlist_http import RESULTS, ROOT
from bench.common import Stolen, add_coordinator, context, migrated_database, table
from bench.shortlist_data import fill

TARGET_MS = 50.0
EXPECT = ["same_day", "within_2_days", "within_a_week"]


async def _copy(conn: asyncpg.Connection, name: str, columns: list[str], rows: list[tuple]) -> None:
    await conn.copy_records_to_table(name, records=rows, columns=columns)


async def add_relationships(conn: asyncpg.Connection, n: int, seed: int = 5) -> None:
    """n relationships between the seekers and supporters already there, most of them ended,
    with their agreement, events, held sessions, messages and a few concerns."""
    rng = np.random.default_rng(seed)
    asked = await conn.fetch("SELECT seeker_id, id FROM support_request ORDER BY created_at, id")
    seekers = [r["seeker_id"] for r in asked]
    request_of = {r["seeker_id"]: r["id"] for r in asked}
    supporters = [r["user_id"] for r in await conn.fetch("SELECT user_id FROM supporter_offer")]
    now = datetime.now(UTC)
    states = rng.choice(
        ["active", "paused", "introduced", "agreeing", "ended", "declined", "expired"],
        size=n,
        p=[0.2, 0.03, 0.02, 0.02, 0.63, 0.05, 0.05],
    )
    rels, versions, events, sessions, messages, found = [], [], [], [], [], []
    for i in range(n):
        rid, seeker = uuid.uuid4(), seekers[i % len(seekers)]
        supporter = supporters[int(rng.integers(len(supporters)))]
        state = str(states[i])
        created = now - timedelta(days=float(rng.uniform(1, 540)))
        answered = created + timedelta(hours=float(rng.uniform(1, 72)))
        agreed = state in ("active", "paused", "ended")
        total = int(rng.integers(4, 9))
        held = int(rng.integers(0, total + 1)) if agreed else 0
        ended_at = (
            answered + timedelta(days=float(rng.uniform(7, 120))) if state == "ended" else None
        )
        if ended_at and ended_at > now:
            ended_at = now - timedelta(hours=1)
        end_kind = (
            str(rng.choice(["completed", "ended_by_person"], p=[0.6, 0.4])) if ended_at else None
        )
        expires = created + timedelta(hours=72) if state == "introduced" else None
        if state == "introduced":
            created = now - timedelta(hours=float(rng.uniform(1, 70)))
            expires = created + timedelta(hours=72)
        rels.append(
            (
                rid,
                seeker,
                supporter,
                request_of[seeker],
                state,
                "seeker_choice",
                1.0,
                "[]",
                created,
                expires,
                answered if state not in ("introduced",) else None,
                ended_at,
                seeker if ended_at else None,
                end_kind,
                1 if agreed else 0,
                1 if agreed else None,
                held,
                3 if agreed else None,
            )
        )
        events.append((uuid.uuid4(), rid, created, None, None, "introduced"))
        if state != "introduced":
            events.append((uuid.uuid4(), rid, answered, supporter, "introduced", state))
        if agreed:
            terms = {
                "sessions_total": total,
                "response_expectation": EXPECT[i % 3],
                "planned_end_date": (answered + timedelta(days=90)).date().isoformat(),
            }
            versions.append(
                (uuid.uuid4(), rid, 1, supporter, json.dumps(terms), "agreed", answered, answered)
            )
            for s in range(held):
                at = answered + timedelta(days=7 * (s + 1))
                sessions.append(
                    (
                        uuid.uuid4(),
                        rid,
                        supporter,
                        supporter,
                        min(at, now),
                        60,
                        "chat",
                        "held",
                        1,
                        1,
                        answered,
                    )
                )
            if state in ("active", "paused"):
                for m in range(int(rng.integers(0, 6))):
                    at = now - timedelta(days=float(rng.uniform(0, 20)))
                    messages.append(
                        (uuid.uuid4(), rid, seeker if m % 2 else supporter, b"x", at, at, False)
                    )
        if agreed and rng.random() < 0.012:
            status = str(
                rng.choice(["new", "triaged", "in_progress", "resolved"], p=[0.1, 0.1, 0.1, 0.7])
            )
            found.append(
                (uuid.uuid4(), rid, seeker, "seeker", "other", False, status, created, created)
            )
    await _copy(
        conn,
        "relationship",
        [
            "id",
            "seeker_id",
            "supporter_id",
            "request_id",
            "state",
            "source",
            "score",
            "reasons",
            "created_at",
            "expires_at",
            "answered_at",
            "ended_at",
            "ended_by",
            "end_kind",
            "agreement_revision",
            "agreed_version",
            "sessions_held",
            "review_at_session",
        ],
        rels,
    )
    await _copy(
        conn,
        "relationship_event",
        ["id", "relationship_id", "at", "actor_id", "from_state", "to_state"],
        events,
    )
    await _copy(
        conn,
        "agreement_version",
        [
            "id",
            "relationship_id",
            "number",
            "proposed_by",
            "terms",
            "status",
            "created_at",
            "agreed_at",
        ],
        versions,
    )
    await _copy(
        conn,
        "contact_session",
        [
            "id",
            "relationship_id",
            "supporter_id",
            "proposed_by",
            "start_at",
            "minutes",
            "channel",
            "status",
            "revision",
            "agreement_version",
            "created_at",
        ],
        sessions,
    )
    await _copy(
        conn,
        "message",
        [
            "id",
            "relationship_id",
            "sender_id",
            "body_sealed",
            "sent_at",
            "deliver_at",
            "held",
        ],
        messages,
    )
    await _copy(
        conn,
        "concern",
        [
            "id",
            "relationship_id",
            "raised_by",
            "raised_by_role",
            "kind",
            "anonymous",
            "status",
            "created_at",
            "updated_at",
        ],
        found,
    )
    # Whoever has been matched is no longer waiting (they asked up to 60 days before their
    # introduction); the rest stay on the waiting list.
    await conn.execute(
        "UPDATE support_request r SET status = 'matched', created_at = x.created_at"
        " - make_interval(hours => abs(hashtext(r.id::text)) % 1440) FROM relationship x"
        " WHERE x.request_id = r.id"
    )
    await conn.execute(
        "UPDATE supporter_offer o SET active_count = LEAST(o.capacity, c.n) FROM ("
        "SELECT supporter_id, count(*) AS n FROM relationship "
        "WHERE state IN ('active', 'paused', 'agreeing') GROUP BY supporter_id) c "
        "WHERE c.supporter_id = o.user_id"
    )
    # What autovacuum does within a minute of a bulk load on a live server (the test server
    # runs without it): statistics for the planner, and the visibility map for index-only scans.
    await conn.execute("VACUUM ANALYZE")


async def _p95(call: Callable[[], Awaitable[Any]], repeat: int) -> dict[str, float]:
    started = time.perf_counter()
    await call()  # warm: plans cached, pages in memory (statistics: months that are over kept)
    first = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": round(float(np.percentile(times, 50)), 2),
        "p95_ms": round(float(np.percentile(times, 95)), 2),
        "first_ms": round(first, 2),
    }


async def run(people: int, relationships: int, repeat: int) -> dict:
    async with migrated_database(ROOT) as (url, connect):
        conn = await asyncpg.connect(**connect)
        supporters = people // 10
        started = time.perf_counter()
        await fill(conn, supporters)
        await add_seekers(conn, people - supporters)
        await add_relationships(conn, relationships)
        coordinator = await add_coordinator(conn)
        counts = {
            t: await conn.fetchval(f"SELECT count(*) FROM {t}")  # noqa: S608 (fixed names)
            for t in ("user_account", "relationship", "contact_session", "message", "concern")
        }
        counts["waiting"] = await conn.fetchval(
            "SELECT count(*) FROM support_request WHERE status = 'waiting'"
        )
        await conn.close()
        fill_seconds = time.perf_counter() - started
        engine = create_engine(url)
        sessionmaker = create_sessionmaker(engine, Settings(database_url=url))
        me = Principal(coordinator, Role.coordinator, uuid.uuid4(), "C", second_factor=True)
        settings = Settings()
        figures: dict[str, dict[str, float]] = {}
        # As the app does at start-up (api/main.py): what lives as long as the process is
        # frozen, so the cyclic collector's full passes don't walk it in the middle of a read.
        gc.collect()
        gc.freeze()

        reads: dict[str, Callable[[AsyncSession], Awaitable[Any]]] = {
            "ceiling: SELECT 1": lambda db: db.execute(text("SELECT 1")),
            "today": lambda db: today.today(db, me),
            "roster (50)": lambda db: roster.roster(db, me, limit=50),
            "roster, fullest first (50)": lambda db: roster.roster(db, me, limit=50, sort="load"),
            "roster, needing attention (50)": lambda db: roster.roster(
                db, me, limit=50, attention=True
            ),
            "relationships' health (25)": lambda db: health_list.relationships(db, me, limit=25),
            "relationships, stalled (25)": lambda db: health_list.relationships(
                db, me, limit=25, stalled=True
            ),
            "waiting list (25)": lambda db: waiting.waiting_list(db, me, limit=25),
            "concerns queue": lambda db: concerns.queue(db, me, settings=settings, status=None),
            "statistics (12 months)": lambda db: stats.statistics(db, me, months=12),
        }
        for label, read in reads.items():

            async def request(read: Callable[[AsyncSession], Awaitable[Any]] = read) -> None:
                # Each call as a request makes it: its own session, committed at the end.
                async with sessionmaker() as db:
                    await read(db)
                    await db.commit()

            with Stolen() as stolen:
                figures[label] = await _p95(request, repeat)
            figures[label]["stolen_share"] = stolen.share
        await engine.dispose()
        ceiling = figures["ceiling: SELECT 1"]["p95_ms"]
        for f in figures.values():
            f["ratio_to_ceiling"] = round(f["p95_ms"] / ceiling, 1) if ceiling else 0.0
        return {
            "context": context(),
            "counts": counts,
            "fill_seconds": round(fill_seconds, 1),
            "figures": figures,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--relationships", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    result = asyncio.run(run(args.people, args.relationships, args.repeat))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"console_{args.people}x{args.relationships}.json").write_text(
        json.dumps(result, indent=2)
    )
    print(f"{result['counts']} (filled in {result['fill_seconds']} s; {result['context']})")
    rows = [
        (
            label,
            f["p50_ms"],
            f["p95_ms"],
            f["ratio_to_ceiling"],
            f["first_ms"],
            "" if label.startswith("ceiling") else ("ok" if f["p95_ms"] <= TARGET_MS else "SLOW"),
        )
        for label, f in result["figures"].items()
    ]
    print(
        table(
            f"Console reads, server time (target p95 <= {TARGET_MS:.0f} ms); first: the first"
            " call (plans, cache; statistics: working out and keeping the months that are over)",
            ["read", "p50 ms", "p95 ms", "x ceiling", "first ms", ""],
            rows,
        )
    )


if __name__ == "__main__":
    main()
