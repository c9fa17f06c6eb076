"""The whole batch-assignment job on PostgreSQL: waiting list in, stored draft out.

    python -m bench.bench_batch_job [--seekers 10000] [--supporters 5000]

Fills its own database (dropped afterwards) with supporters and waiting seekers, then times
``api.matching.drafts.create_draft`` end to end: loading the pool and the waiting list,
generating candidates, min-cost flow, greedy baseline, storing the draft items.
"""

import argparse
import asyncio
import json
import time
import uuid
from datetime import UTC, datetime

import asyncpg
import numpy as np
from sqlalchemy import func, select

from api.auth.models import Role
from api.auth.principal import Principal
from api.config import Settings
from api.db import create_engine, create_sessionmaker
from api.matching import drafts
from api.matching.index import MatchingIndex
from api.matching.models import BatchDraftItem
from bench.bench_shortlist_http import RESULTS, ROOT
from bench.common import Stolen, add_coordinator, migrated_database
from bench.shortlist_data import _channels, _languages, _windows, copy, fill
from bench.synthetic import ZONES


async def add_seekers(conn: asyncpg.Connection, n: int, seed: int = 11) -> None:
    """COPY n seekers, each with a profile, 1-3 experiences going on now and a waiting request."""
    rng = np.random.default_rng(seed)
    tags = [r["id"] for r in await conn.fetch("SELECT id FROM experience_tag ORDER BY id")]
    popularity = 1.0 / np.arange(1, len(tags) + 1) ** 1.1
    popularity = rng.permutation(popularity / popularity.sum())
    zone_p = np.array([z[1] for z in ZONES])
    zone_p /= zone_p.sum()
    now = datetime.now(UTC)
    users, profiles, experiences, requests = [], [], [], []
    for i in range(n):
        uid = uuid.uuid4()
        users.append((uid, f"k{i}@bench.kindred", f"Seeker {i}", "x", "peer", True, now, now))
        z = rng.choice(len(ZONES), p=zone_p)
        profiles.append(
            (
                uid,
                None,
                json.dumps(_languages(rng, ZONES[z][2])),
                ZONES[z][0],
                json.dumps(_windows(rng)),
                json.dumps(_channels(rng)),
                None,  # no topics to avoid: nothing sealed
                None,
                None,
                now,
            )
        )
        chosen = [tags[t] for t in rng.choice(len(tags), rng.integers(1, 4), False, popularity)]
        for tag in chosen:
            experiences.append((uuid.uuid4(), uid, tag, "going_through", True, None))
        requests.append((uuid.uuid4(), uid, "waiting", json.dumps(chosen), "{}", now, now))
    await copy(conn, "user_account", users)
    await copy(conn, "profile", profiles)
    await copy(conn, "person_experience", experiences)
    await copy(conn, "support_request", requests)
    await conn.execute("ANALYZE")


async def run(seekers: int, supporters: int) -> dict:
    async with migrated_database(ROOT) as (url, connect):
        conn = await asyncpg.connect(**connect)
        await fill(conn, supporters)
        await add_seekers(conn, seekers)
        coordinator = await add_coordinator(conn)
        await conn.close()
        engine = create_engine(url)
        sessionmaker = create_sessionmaker(engine, Settings(database_url=url))
        me = Principal(coordinator, Role.coordinator, uuid.uuid4(), "C", second_factor=True)
        index = MatchingIndex()
        async with sessionmaker() as db:
            started = time.perf_counter()
            await index.current(db)  # a replica has its pool before coordinators run batches
            pool_seconds = time.perf_counter() - started
            started = time.perf_counter()
            with Stolen() as stolen:
                draft = await drafts.create_draft(db, me, index=index)
                await db.commit()
            job_seconds = time.perf_counter() - started
            stored = await db.scalar(
                select(func.count())
                .select_from(BatchDraftItem)
                .where(BatchDraftItem.draft_id == draft.id)
            )
        await engine.dispose()
        return {
            "seekers": seekers,
            "supporters": supporters,
            "pool_build_seconds": round(pool_seconds, 2),
            "job_seconds": round(job_seconds, 2),
            "cpu_stolen_share": stolen.share,
            "stored_items": stored,
            "total_score": draft.total_score,
            **draft.stats,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seekers", type=int, default=10_000)
    parser.add_argument("--supporters", type=int, default=5_000)
    args = parser.parse_args()
    result = asyncio.run(run(args.seekers, args.supporters))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"batch_job_{args.seekers}x{args.supporters}.json").write_text(
        json.dumps(result, indent=2)
    )
    print(
        f"{result['seekers']:,} waiting x {result['supporters']:,} supporters: whole job "
        f"{result['job_seconds']} s (pool already built: {result['pool_build_seconds']} s); "
        f"assigned {result['assigned']:,}, total {result['total_score']:,} vs greedy "
        f"{result['greedy_total']:,}; {result['stored_items']:,} draft items stored; "
        f"CPU time stolen by the hypervisor during the job: {result['cpu_stolen_share']:.0%}"
    )


if __name__ == "__main__":
    main()
