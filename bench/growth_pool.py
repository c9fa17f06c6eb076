"""Growth of the matching pool: what one replica pays to build it from PostgreSQL, what it holds
in memory, and the shortlist kernel's time per query, at one number of supporters.

The database is filled by COPY (``bench.shortlist_data.fill``: approved supporters with
profiles and about ten experiences each); the pool is then built in a fresh process exactly as
a replica's background rebuild does (``api.matching.snapshot.load_alone``), so its resident
memory before and after is the pool's and nothing else's. Used by ``bench.bench_growth``;
``python -m bench.growth_pool <database url>`` is that fresh process.
"""

import asyncio
import gc
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from api.matching import snapshot as snapshots
from api.matching.pool import SupporterPool
from api.matching.scoring import Query, Weights, shortlist
from bench import synthetic
from bench.common import migrated_database
from bench.shortlist_data import fill

ROOT = Path(__file__).resolve().parent.parent
QUERIES = 600
PASSES = 3
K = 20  # the shortlist the API shows


def _status(field: str) -> float:
    """A /proc/self/status figure in MiB (VmRSS now, VmHWM the peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


class _Stages:
    """Wall seconds of the snapshot's two CPU steps, timed around the app's own functions."""

    def __init__(self) -> None:
        self.records = self.pool = 0.0
        records, build = snapshots._records, SupporterPool.build

        def timed_records(*args: Any) -> Any:
            started = time.perf_counter()
            try:
                return records(*args)
            finally:
                self.records += time.perf_counter() - started

        def timed_build(*args: Any) -> SupporterPool:
            started = time.perf_counter()
            try:
                return build(*args)
            finally:
                self.pool += time.perf_counter() - started

        snapshots._records = timed_records  # type: ignore[assignment]
        SupporterPool.build = timed_build  # type: ignore[method-assign, assignment]


def _queries(snap: snapshots.Snapshot, n: int) -> list[Query]:
    """Synthetic seekers (bench.synthetic) spelled in this snapshot's codes: its tag ids by
    popularity rank, its language bits, this week's availability."""
    tax = synthetic.taxonomy()
    seekers, _ = synthetic.seekers(n, tax, week_start=snap.week_start, seed=11)
    pool = snap.pool
    by_popularity = np.argsort(-np.asarray(pool.tags.sum(axis=0)).ravel())
    rank_of_synthetic = np.argsort(np.argsort(-tax.popularity))
    out = []
    for q in seekers:
        spoken = [c for i, c in enumerate(synthetic.LANGUAGES) if q.languages >> i & 1]
        out.append(
            Query(
                tags={int(by_popularity[rank_of_synthetic[t]]): s for t, s in q.tags.items()},
                languages=snap.codes.language_mask(spoken),
                channels=q.channels,
                availability=q.availability,
                prefers_further_along=q.prefers_further_along,
            )
        )
    return out


async def _build(database_url: str) -> dict[str, Any]:
    """In a fresh process: the replica's build, its memory, then the kernel per query."""
    from api.config import Settings

    settings = Settings(database_url=database_url, environment="development")
    rss0 = _status("VmRSS")
    stages = _Stages()
    started = time.perf_counter()
    snap = await snapshots.load_alone(settings, snapshots.Codes(), datetime.now(UTC))
    build_s = time.perf_counter() - started
    rss1, peak = _status("VmRSS"), _status("VmHWM")
    queries = _queries(snap, QUERIES)
    weights = Weights()
    for q in queries[:20]:  # warm caches
        shortlist(snap.pool, q, weights, k=K)
    wall = np.empty((PASSES, len(queries)))
    gc.collect()
    gc.disable()  # a collection mid-query is the process's, not the kernel's
    try:
        for p in range(PASSES):
            for i, q in enumerate(queries):
                t0 = time.perf_counter()
                shortlist(snap.pool, q, weights, k=K)
                wall[p, i] = time.perf_counter() - t0
    finally:
        gc.enable()
    ms, best = wall.ravel() * 1e3, wall.min(axis=0) * 1e3
    pool = snap.pool
    return {
        "supporters": len(pool),
        "eligible_share": round(float(pool.eligible.mean()), 3),
        "build_s": round(build_s, 2),
        "build_records_s": round(stages.records, 2),
        "build_arrays_s": round(stages.pool, 2),
        "build_database_s": round(build_s - stages.records - stages.pool, 2),
        "arrays_mib": round(pool.nbytes() / 2**20, 1),
        "rss_delta_mib": round(rss1 - rss0, 1),
        "peak_rss_mib": round(peak, 1),
        "queries": len(queries),
        "k": K,
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p99_ms": round(float(np.percentile(ms, 99)), 3),
        # Each query's fastest of the passes: what the kernel costs when no neighbour interferes.
        "best_p50_ms": round(float(np.percentile(best, 50)), 3),
        "best_p99_ms": round(float(np.percentile(best, 99)), 3),
    }


async def _child(url: str) -> dict[str, Any]:
    out = await asyncio.to_thread(
        subprocess.run,  # a fresh interpreter: its memory is the pool's alone
        [sys.executable, "-m", "bench.growth_pool", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        raise SystemExit(f"building the pool failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.splitlines()[-1])


async def measure(sizes: list[int], budget_s: float) -> list[dict[str, Any]]:
    """One database grown through ``sizes`` by COPY; at each size the pool is built and
    queried in a fresh process. A size is skipped once the run has used ``budget_s``."""
    import asyncpg

    results: list[dict[str, Any]] = []
    started = time.perf_counter()
    async with migrated_database(ROOT) as (url, connect):
        conn = await asyncpg.connect(**connect)
        # Bulk load only: the rows are consistent by construction, so the foreign-key
        # triggers are skipped for this connection (a superuser setting).
        await conn.execute("SET session_replication_role = replica")
        try:
            have = 0
            for n in sizes:
                if time.perf_counter() - started > budget_s:
                    results.append({"supporters": n, "skipped": "time budget used"})
                    continue
                t0 = time.perf_counter()
                filled = await fill(conn, n - have, seed=n, first=have)
                await conn.execute("VACUUM ANALYZE")
                have = n
                fill_s = time.perf_counter() - t0
                found = await _child(url)
                results.append({**found, "fill_s": round(fill_s, 1), **filled})
                print(f"  pool {n:>9,}: {found}", flush=True)
        finally:
            await conn.close()
    return results


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_build(sys.argv[1]))))
