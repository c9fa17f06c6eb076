"""The whole shortlist request over HTTP on PostgreSQL with 100,000 approved supporters.

    python -m bench.bench_shortlist_http [--supporters 100000] [--workers 2] [--seconds 10]
                                         [--repeat 3]

Creates its own database on BENCH_DATABASE_URL (default: the local PostgreSQL), fills it with
realistic supporters through COPY, serves the app with uvicorn in a subprocess (one worker
per core by default, as a deployment on this 2-core machine would) and drives it with wrk
(Debian package `wrk`, on the same cores): 1, 4 and 8 concurrent clients, each run
``--repeat`` times, reporting the run with the median throughput. It then pauses the top
candidate and changes another's capacity directly in the database (as another replica would)
and checks the very next shortlist respects both. Results go to bench/results/.
"""

import argparse
import asyncio
import json
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from alembic.config import Config
from sqlalchemy.engine import make_url

from alembic import command
from bench.common import Stolen
from bench.serving import rss_mib, start_server, wait_healthy, warm_every_worker, wrk
from bench.shortlist_data import PASSWORD, add_seeker, fill

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


async def _filled(conn: asyncpg.Connection, n: int) -> dict[str, Any]:
    started = time.perf_counter()
    filled = await fill(conn, n)
    filled["fill_seconds"] = round(time.perf_counter() - started, 1)
    return filled


async def _first_and_fresh(
    client: httpx.AsyncClient, conn: asyncpg.Connection, path: str, headers: dict[str, str]
) -> tuple[dict[str, Any], list[dict[str, Any]], bool]:
    """The first shortlist (it builds the pool), then whether the very next one respects a
    pause of the top candidate and a full caseload of the second, made by another replica."""
    started = time.perf_counter()
    first = await client.get(path, headers=headers)
    warm = {"first_request_seconds": round(time.perf_counter() - started, 2)}
    top = first.json()
    await conn.execute(
        "UPDATE supporter_offer SET paused = true, updated_at = now() WHERE user_id = $1",
        uuid.UUID(top[0]["supporter_id"]),
    )
    await conn.execute(
        "UPDATE supporter_offer SET active_count = capacity, updated_at = now() WHERE user_id = $1",
        uuid.UUID(top[1]["supporter_id"]),
    )
    after = [c["supporter_id"] for c in (await client.get(path, headers=headers)).json()]
    fresh = top[0]["supporter_id"] not in after and top[1]["supporter_id"] not in after
    return warm, top, fresh


def _median(url: str, token: str, clients: int, seconds: int, repeat: int) -> dict:
    tries = sorted(
        (wrk(url, token, clients, seconds) for _ in range(repeat)), key=lambda r: r["rps"]
    )
    return {**tries[len(tries) // 2], "all_rps": [r["rps"] for r in tries]}


def _measure(
    url: str, ceiling_url: str, token: str, seconds: int, repeat: int
) -> tuple[list[dict], float]:
    """1, 4 and 8 clients, each ``repeat`` times: the run with the median throughput, beside
    the same stack's ceiling measured in the same run (the app's own /healthz: FastAPI, the
    middleware, no database), and the share of CPU time the hypervisor took meanwhile."""
    wrk(url, token, 8, 5)
    runs = []
    with Stolen() as stolen:
        for clients in (1, 4, 8):
            found = _median(url, token, clients, seconds, repeat)
            ceiling = _median(ceiling_url, token, clients, seconds, repeat)
            runs.append(
                {
                    **found,
                    "ceiling_rps": ceiling["rps"],
                    "ratio_to_ceiling": round(found["rps"] / ceiling["rps"], 4),
                }
            )
    return runs, stolen.share


async def run(n: int, workers: int, seconds: int, repeat: int) -> dict:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    server = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"kindred_bench_{uuid.uuid4().hex[:8]}"
    base = make_url(server)
    admin = await asyncpg.connect(
        user=base.username, host=base.host, port=base.port or 5432, database=base.database
    )
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = base.set(database=name).render_as_string(hide_password=False)
    proc = request_id = None
    try:
        config = Config(str(ROOT / "alembic.ini"))
        config.attributes.update(database_url=url, configure_logger=False)
        await asyncio.to_thread(command.upgrade, config, "head")
        conn = await asyncpg.connect(
            user=base.username, host=base.host, port=base.port or 5432, database=name
        )
        filled = await _filled(conn, n)
        request_id = await add_seeker(conn, url)
        proc, base_url = start_server(url, workers, ROOT)
        async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
            await wait_healthy(client)
            token = (
                await client.post(
                    "/api/v1/auth/token",
                    data={"username": "seeker@bench.kindred", "password": PASSWORD},
                )
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            path = f"/api/v1/support-requests/{request_id}/shortlist"
            warm, top, fresh = await _first_and_fresh(client, conn, path, headers)
        # Every worker builds its own pool on its first shortlist (seconds at 100k). Which
        # worker takes a connection is up to the kernel, so warm up on a new connection each
        # time until 20 in a row are quick: then every worker has its pool.
        await warm_every_worker(base_url + path, headers)
        runs, stolen = _measure(base_url + path, base_url + "/healthz", token, seconds, repeat)
        rss = rss_mib(proc.pid)
        return {
            "supporters": n,
            "workers": workers,
            **filled,
            **warm,
            "pause_and_capacity_respected_at_once": fresh,
            "runs": runs,
            "cpu_stolen_share": stolen,
            "server_peak_rss_mib": rss,
            "reasons_example": top[0]["reasons"],
        }
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=10)
        if os.environ.get("BENCH_KEEP"):
            print(f"kept {url} (request {request_id})")
        else:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--supporters", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    result = asyncio.run(run(args.supporters, args.workers, args.seconds, args.repeat))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"shortlist_http_{args.supporters}_w{args.workers}.json"
    out.write_text(json.dumps(result, indent=2))
    print(
        f"{result['supporters']:,} supporters, {result['workers']} worker(s); "
        f"first request (pool build) {result['first_request_seconds']} s; "
        f"peak RSS {result['server_peak_rss_mib']} MiB; "
        f"pause/capacity respected at once: {result['pause_and_capacity_respected_at_once']}; "
        f"CPU time stolen by the hypervisor meanwhile: {result['cpu_stolen_share']:.0%}"
    )
    print(
        f"{'clients':>8} {'req/s':>8} {'ceiling':>8} {'ratio':>7} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'non-2xx':>8}"
    )
    for r in result["runs"]:
        print(
            f"{r['clients']:>8} {r['rps']:>8} {r['ceiling_rps']:>8} {r['ratio_to_ceiling']:>7}"
            f" {r['p50_ms']:>8} {r['p99_ms']:>8} {r['non_2xx']:>8}"
        )


if __name__ == "__main__":
    main()
