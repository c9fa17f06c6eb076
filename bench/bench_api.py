"""The API's hot paths over HTTP on PostgreSQL, against the stack's ceiling in the same run.

    make bench            # or: python -m bench.bench_api
    BENCH_SECONDS=3 BENCH_PEOPLE=20000 BENCH_RELATIONSHIPS=10000 make bench   # a quick run

Creates its own database (dropped afterwards), loads 100,000 people and 50,000 relationships
with agreements, sessions and messages by COPY (bench/bench_console.py's loader) and 1,000
active pairs the benchmark acts as (bench/api_data.py), serves the app with uvicorn (2 workers
on 127.0.0.1) and, from wrk in another process, drives each hot endpoint alone and then a
realistic mix, each for BENCH_SECONDS, reporting req/s and p50/p95/p99. In the same run a
FastAPI hello-world is served with the same flags: every figure is also a ratio to it.
Then the small charity: 1 worker, 1,000 supporters, with the worker's memory.

Knobs (environment): BENCH_SECONDS (10), BENCH_CLIENTS (32), BENCH_PEOPLE (100000),
BENCH_RELATIONSHIPS (50000), BENCH_PAIRS (1000), BENCH_WORKERS (2), BENCH_ONLY (comma-
separated operation names), BENCH_SMALL (1: run the small charity too; 0: skip it),
BENCH_DATABASE_URL (the server to create the database on), BENCH_APP_ROOT (serve the app of
another checkout, e.g. main's, on the same data: a "before" figure), BENCH_BEFORE_ROOT (serve
another checkout as well and run each operation on it just before this one: before and after
in the same run, as "before x" and "before p99").
Results: bench/results/api.json.
"""

import asyncio
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from api.config import Settings
from bench import wrk_scripts
from bench.api_data import Pair, add_coordinator, add_pairs, session_for
from bench.bench_batch_job import add_seekers
from bench.bench_console import add_relationships
from bench.common import Stolen, context, migrated_database, table, write_results
from bench.serving import free_port, warm_every_worker
from bench.shortlist_data import add_seeker, fill
from bench.wrk_scripts import Call

ROOT = Path(__file__).resolve().parent.parent
API = "/api/v1"
# What each target means (issue 16): single-entity reads, the read mix, writes.
SINGLE_READS = ("me", "relationship", "messages", "agreement")
WRITES = ("send message", "propose session")
TARGETS = {"single read": (0.15, 60.0), "read mix": (0.10, None), "write": (0.07, None)}
# The realistic mix: what people and coordinators do, by weight.
MIX = {
    "me": 10,
    "relationships": 10,
    "relationship": 14,
    "messages": 25,
    "agreement": 10,
    "send message": 12,
    "propose session": 3,
    "shortlist": 3,
    "coordinator: relationships": 1,
    "coordinator: supporters": 1,
    "coordinator: waiting list": 1,
}


def _env(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def serve(
    app: str, database_url: str, workers: int, root: str | None = None
) -> tuple[subprocess.Popen, str]:
    """uvicorn with the flags a deployment uses, on a free port of 127.0.0.1."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "ENVIRONMENT": "development"}
    env["LOG_LEVEL"] = "WARNING"
    factory = ["--factory"] if app.endswith("create_app") else []
    args = [sys.executable, "-m", "uvicorn", *factory, app, "--host", "127.0.0.1"]
    args += ["--port", str(port), "--workers", str(workers), "--no-access-log"]
    args += ["--log-level", "warning"]
    # BENCH_APP_ROOT: serve another checkout's app (a "before" figure) on the same data
    root = root or (os.environ.get("BENCH_APP_ROOT", str(ROOT)) if factory else str(ROOT))
    proc = subprocess.Popen(args, env=env, cwd=root, stdout=subprocess.DEVNULL)  # noqa: S603
    return proc, f"http://127.0.0.1:{port}"


async def healthy(url: str, path: str = "/healthz") -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for _ in range(1500):  # five minutes: two workers start slowly on a busy machine
            try:
                if (await client.get(path)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def memory_mib(pid: int) -> dict[str, float]:
    """Resident memory now and at its peak, of the largest process (server or a worker)."""
    procs = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        procs += [int(c) for c in (task / "children").read_text().split()]
    now, peak = [], []
    for p in procs:
        status = Path(f"/proc/{p}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmRSS"):
                now.append(int(line.split()[1]) / 1024)
            if line.startswith("VmHWM"):
                peak.append(int(line.split()[1]) / 1024)
    return {"rss_mib": round(max(now), 1), "peak_rss_mib": round(max(peak), 1)}


def operations(
    pairs: list[Pair], coordinator: str, shortlists: list[tuple[str, str]]
) -> dict[str, list[Call]]:
    """Each operation as a list of prepared calls, spread over every person in the pairs."""
    people = [(p, a) for p in pairs for a in (p.seeker, p.supporter)]
    rel = [(f"{API}/relationships/{p.relationship_id}", a.token) for p, a in people]
    said = {"body": "Thank you for today. Same time next week works for me."}
    coordination = f"{API}/coordination"
    return {
        "me": [Call("GET", f"{API}/me", a.token) for _, a in people],
        "relationship": [Call("GET", path, token) for path, token in rel],
        "relationships": [Call("GET", f"{API}/relationships", a.token) for _, a in people],
        "messages": [Call("GET", f"{path}/messages", token) for path, token in rel],
        "agreement": [Call("GET", f"{path}/agreement", token) for path, token in rel],
        "send message": [Call("POST", f"{path}/messages", token, said) for path, token in rel],
        "propose session": [
            Call(
                "POST",
                f"{API}/relationships/{p.relationship_id}/sessions",
                (p.seeker if i % 2 else p.supporter).token,
                {"start_at": slot, "channel": "chat"},
            )
            for i, slot in enumerate(pairs[0].slots)
            for p in pairs
        ],
        "shortlist": [
            Call("GET", f"{API}/support-requests/{rid}/shortlist", token)
            for rid, token in shortlists
        ],
        "coordinator: relationships": [
            Call("GET", f"{coordination}/relationships?limit=25", coordinator)
        ],
        "coordinator: supporters": [
            Call("GET", f"{coordination}/supporters?limit=50", coordinator)
        ],
        "coordinator: waiting list": [
            Call("GET", f"{coordination}/waiting-list?limit=25", coordinator)
        ],
    }


def mixed(ops: dict[str, list[Call]], weights: dict[str, int], size: int = 4000) -> list[Call]:
    rng = random.Random(16)
    names = [n for n in weights if ops.get(n)]
    chosen = rng.choices(names, weights=[weights[n] for n in names], k=size)
    taken = {n: 0 for n in names}
    calls = []
    for name in chosen:
        # writes from the end of their list: the operation's own run took the start (a
        # session proposed again in the same slot would be a 409, not a figure)
        at = taken[name] % len(ops[name])
        calls.append(ops[name][-1 - at if name in WRITES else at])
        taken[name] += 1
    return calls


async def load(
    conn: asyncpg.Connection, url: str, people: int, rels: int, pairs: int, supporters: int
) -> dict:
    """The background data, the pairs, a coordinator and a seeker waiting for a shortlist."""
    settings = Settings(database_url=url)
    started = time.perf_counter()
    await fill(conn, supporters)
    await add_seekers(conn, people - supporters)
    await add_relationships(conn, rels)
    acting = await add_pairs(conn, settings, pairs)
    coordinator = await add_coordinator(conn, settings)
    request_id = await add_seeker(conn, url)
    seeker = await conn.fetchval("SELECT seeker_id FROM support_request WHERE id = $1", request_id)
    shortlists = [(str(request_id), await session_for(conn, settings, seeker))]
    await conn.execute("VACUUM ANALYZE")
    counts = {
        t: await conn.fetchval(f"SELECT count(*) FROM {t}")  # noqa: S608 (fixed names)
        for t in ("user_account", "relationship", "agreement_version", "contact_session", "message")
    }
    return {
        "ops": operations(acting, coordinator.token, shortlists),
        "counts": counts,
        "load_seconds": round(time.perf_counter() - started, 1),
    }


def measure(
    base: str,
    ceiling_url: str,
    ops: dict[str, list[Call]],
    seconds: int,
    clients: int,
    before: str | None = None,
) -> dict[str, Any]:
    """The ceiling, each operation alone, the mixes, the ceiling again: all in one run. With
    ``before`` (another checkout's app on the same data), each operation runs on it too, just
    before it runs on this one."""
    only = [o for o in os.environ.get("BENCH_ONLY", "").split(",") if o]
    folder = Path(tempfile.mkdtemp(prefix="kindred_bench_"))
    reads = {k: v for k, v in MIX.items() if k not in WRITES}

    def scripts_for(ops: dict[str, list[Call]], tag: str) -> dict[str, Path]:
        found = {
            name: wrk_scripts.script(calls, folder / f"{tag}{i}.lua")
            for i, (name, calls) in enumerate(ops.items())
        }
        found["read mix"] = wrk_scripts.script(mixed(ops, reads), folder / f"{tag}reads.lua")
        found["mix"] = wrk_scripts.script(mixed(ops, MIX), folder / f"{tag}mix.lua")
        return found

    # Before and after on the same data: each writes with its own half of the pairs, or the
    # second would find the first's sessions in the slots it proposes (409s, not figures).
    scripts = scripts_for(
        {n: c[0::2] if before and n in WRITES else c for n, c in ops.items()}, "after"
    )
    before_scripts = (
        scripts_for({n: c[1::2] if n in WRITES else c for n, c in ops.items()}, "before")
        if before
        else {}
    )
    wrk_scripts.script([Call("GET", "/", "x")], wrk_scripts.lua_path_for_ceiling())
    for url in (base, before) if before else (base,):
        wrk_scripts.run(url, scripts["read mix"], clients, 2)  # warm: plans cached, pages in memory
    results: dict[str, Any] = {}
    earlier: dict[str, Any] = {}
    with Stolen() as stolen:
        first = wrk_scripts.run(ceiling_url, None, clients, seconds)
        for name, lua in scripts.items():
            if only and name not in only:
                continue
            if before:
                earlier[name] = wrk_scripts.run(before, before_scripts[name], clients, seconds)
            results[name] = wrk_scripts.run(base, lua, clients, seconds)
        last = wrk_scripts.run(ceiling_url, None, clients, seconds)
    ceiling = (first["rps"] + last["rps"]) / 2
    for r in (*results.values(), *earlier.values()):
        r["ratio"] = round(r["rps"] / ceiling, 4)
    shutil.rmtree(folder, ignore_errors=True)
    return {
        "ceiling": {"before": first, "after": last, "rps": round(ceiling, 1)},
        "operations": results,
        **({"operations_before": earlier} if before else {}),
        "cpu_stolen_share": stolen.share,
    }


def verdict(name: str, r: dict[str, Any]) -> str:
    kind = (
        "single read"
        if name in SINGLE_READS
        else "write"
        if name in WRITES
        else "read mix"
        if name == "read mix"
        else None
    )
    if kind is None:
        return ""
    ratio, p99 = TARGETS[kind]
    ok = r["ratio"] >= ratio and (p99 is None or r["p99_ms"] <= p99)
    return f"{'ok' if ok else 'MISSED'} (>= {ratio}x" + (f", p99 <= {p99:.0f} ms)" if p99 else ")")


async def profile(
    label: str, size: tuple[int, int, int, int], workers: int, seconds: int, clients: int
) -> dict[str, Any]:
    """One whole run: (people, of whom supporters, relationships, acting pairs)."""
    people, supporters, rels, pairs = size
    async with migrated_database(ROOT) as (url, connect):
        conn = await asyncpg.connect(**connect)
        try:
            loaded = await load(conn, url, people, rels, pairs, supporters)
        finally:
            await conn.close()
        app, base = serve("api.main:create_app", url, workers)
        hello, ceiling_url = serve("bench.hello:app", url, workers)
        # BENCH_BEFORE_ROOT: another checkout served too, each operation measured on both
        other_root = os.environ.get("BENCH_BEFORE_ROOT")
        other, before = (
            serve("api.main:create_app", url, workers, other_root) if other_root else (None, None)
        )
        try:
            shortlist = loaded["ops"]["shortlist"][0]
            for url_ in (base, before) if before else (base,):
                await healthy(url_)
                # every worker builds its own matching pool on its first shortlist
                await warm_every_worker(
                    url_ + shortlist.path,
                    {"Authorization": f"Bearer {shortlist.token}"},
                    quick=1.0,
                )
            await healthy(ceiling_url, "/")
            figures = measure(base, ceiling_url, loaded["ops"], seconds, clients, before)
            memory = memory_mib(app.pid)
        finally:
            for proc in (app, hello, other):
                if proc is not None:
                    stop(proc)
    return {
        "profile": label,
        "workers": workers,
        "clients": clients,
        "seconds": seconds,
        "counts": loaded["counts"],
        "load_seconds": loaded["load_seconds"],
        "memory": memory,
        **figures,
    }


def report(result: dict[str, Any]) -> str:
    c = result["ceiling"]
    head = (
        f"{result['profile']}: {result['workers']} worker(s), wrk -t2 -c{result['clients']}, "
        f"{result['seconds']} s each; {result['counts']}; memory {result['memory']}; "
        f"CPU stolen {result['cpu_stolen_share']:.0%}\n"
        f"ceiling (FastAPI hello-world, same flags): {c['rps']:,.0f} req/s "
        f"(before {c['before']['rps']:,.0f}, after {c['after']['rps']:,.0f}; "
        f"p99 {c['before']['p99_ms']} ms)"
    )
    earlier = result.get("operations_before", {})
    rows = [
        (
            n,
            r["rps"],
            r["ratio"],
            r["p50_ms"],
            r["p95_ms"],
            r["p99_ms"],
            r["non_2xx"] + r["socket_errors"],
            verdict(n, r),
            *((earlier[n]["ratio"], earlier[n]["p99_ms"]) if n in earlier else ()),
        )
        for n, r in result["operations"].items()
    ]
    header = ["operation", "req/s", "x ceiling", "p50 ms", "p95 ms", "p99 ms", "failed", "target"]
    if earlier:
        header += ["before x", "before p99"]
    return head + "\n" + table("", header, rows)


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    seconds, clients = _env("BENCH_SECONDS", 10), _env("BENCH_CLIENTS", 32)
    people, rels = _env("BENCH_PEOPLE", 100_000), _env("BENCH_RELATIONSHIPS", 50_000)
    service = asyncio.run(
        profile(
            "service",
            (people, people // 10, rels, _env("BENCH_PAIRS", 1000)),
            _env("BENCH_WORKERS", 2),
            seconds,
            clients,
        )
    )
    print(report(service), flush=True)
    out: dict[str, Any] = {"context": context(), "service": service}
    if _env("BENCH_SMALL", 1):
        small = asyncio.run(profile("small charity", (2000, 1000, 500, 50), 1, seconds, clients))
        print("\n" + report(small))
        out["small_charity"] = small
    print(f"\nwritten to {write_results('api', out)}")


if __name__ == "__main__":
    main()
