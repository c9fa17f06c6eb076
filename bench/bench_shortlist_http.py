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
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import numpy as np
from alembic.config import Config
from sqlalchemy.engine import make_url

from alembic import command
from api.auth.passwords import hash_password
from api.config import Settings
from bench.common import Stolen
from bench.synthetic import CHANNEL_SHARES, WINDOW_TEMPLATES, ZONES

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PASSWORD = "bench password for the seeker"  # noqa: S105
CHANNELS = ("chat", "phone", "video", "in_person")


def _windows(rng: np.random.Generator) -> list[dict]:
    days = rng.choice(7, size=rng.integers(2, 5), replace=False)
    out = []
    for day in sorted(days):
        start, end = WINDOW_TEMPLATES[rng.integers(len(WINDOW_TEMPLATES))]
        out.append({"weekday": int(day), "start": start, "end": end})
    return out


def _languages(rng: np.random.Generator, spoken: dict[str, float]) -> list[str]:
    chosen = [code for code, p in spoken.items() if rng.random() < p]
    return chosen or [next(iter(spoken))]


def _channels(rng: np.random.Generator) -> list[str]:
    chosen = [c for c, share in zip(CHANNELS, CHANNEL_SHARES, strict=True) if rng.random() < share]
    return chosen or ["chat"]


async def fill(conn: asyncpg.Connection, n: int, seed: int = 7) -> dict:
    """COPY n approved supporters with profiles and ~10 experiences each (Zipf popularity)."""
    rng = np.random.default_rng(seed)
    tags = [r["id"] for r in await conn.fetch("SELECT id FROM experience_tag ORDER BY id")]
    popularity = 1.0 / np.arange(1, len(tags) + 1) ** 1.1
    popularity = rng.permutation(popularity / popularity.sum())
    zone_names = [z[0] for z in ZONES]
    zone_p = np.array([z[1] for z in ZONES])
    zone_p /= zone_p.sum()
    now = datetime.now(UTC)
    users, offers, profiles, experiences = [], [], [], []
    for i in range(n):
        uid = uuid.uuid4()
        users.append((uid, f"s{i}@bench.kindred", f"Supporter {i}", "x", "peer", True, now))
        capacity = int(rng.integers(1, 6))
        active = int(rng.integers(0, capacity + 1)) if rng.random() < 0.3 else 0
        paused = bool(rng.random() < 0.05)
        offers.append(
            (uuid.uuid4(), uid, "approved", capacity, paused, now, now, None, active, now)
        )
        z = rng.choice(len(ZONES), p=zone_p)
        profiles.append(
            (
                uid,
                None,
                json.dumps(_languages(rng, ZONES[z][2])),
                zone_names[z],
                json.dumps(_windows(rng)),
                json.dumps(_channels(rng)),
                "[]",
                None,
                None,
                now,
            )
        )
        count = max(3, min(20, int(rng.normal(10, 3))))
        for t in rng.choice(len(tags), size=count, replace=False, p=popularity):
            stage = "further_along" if rng.random() < 0.75 else "going_through"
            experiences.append((uuid.uuid4(), uid, tags[t], stage, bool(rng.random() < 0.9), None))
    started = time.perf_counter()
    await copy(conn, "user_account", users)
    await copy(conn, "supporter_offer", offers)
    await copy(conn, "profile", profiles)
    await copy(conn, "person_experience", experiences)
    await conn.execute("ANALYZE")
    return {
        "experiences": len(experiences),
        "copy_seconds": round(time.perf_counter() - started, 1),
    }


# Column order of the records each fill builds, per table.
COLUMNS = {
    "user_account": [
        "id",
        "email",
        "display_name",
        "password_hash",
        "role",
        "is_active",
        "created_at",
    ],
    "supporter_offer": [
        "id",
        "user_id",
        "status",
        "capacity",
        "paused",
        "created_at",
        "decided_at",
        "decided_by",
        "active_count",
        "updated_at",
    ],
    "profile": [
        "user_id",
        "pronouns",
        "languages",
        "timezone",
        "availability",
        "channels",
        "topics_to_avoid",
        "age_band",
        "gender",
        "updated_at",
    ],
    "person_experience": [
        "id",
        "user_id",
        "tag_id",
        "stage",
        "willing_to_talk",
        "description_sealed",
    ],
    "support_request": [
        "id",
        "seeker_id",
        "status",
        "tag_ids",
        "preferences",
        "created_at",
        "updated_at",
    ],
}


async def copy(conn: asyncpg.Connection, table: str, records: list[tuple]) -> None:
    """Bulk-load rows with COPY (seconds for a million rows, against minutes of INSERTs)."""
    await conn.copy_records_to_table(table, records=records, columns=COLUMNS[table])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wrk(url: str, token: str, clients: int, seconds: int) -> dict:
    out = subprocess.run(  # noqa: S603 - our own benchmark command line
        [
            shutil.which("wrk") or "wrk",
            f"-t{min(clients, 2)}",
            f"-c{clients}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Authorization: Bearer {token}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 2)

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "clients": clients,
        "rps": round(rps),
        "p50_ms": ms("50"),
        "p99_ms": ms("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


async def _warm_every_worker(url: str, headers: dict, quick: float = 0.1) -> None:
    in_a_row, deadline = 0, time.monotonic() + 300
    while in_a_row < 20:
        if time.monotonic() > deadline:
            raise SystemExit("the workers did not warm up within 5 minutes")
        async with httpx.AsyncClient(timeout=120) as fresh:  # a new connection each time
            started = time.perf_counter()
            (await fresh.get(url, headers=headers)).raise_for_status()
        in_a_row = in_a_row + 1 if time.perf_counter() - started < quick else 0


def _rss_mib(pid: int) -> float:
    """Peak resident memory of the largest process: the server, or one of its workers."""
    peaks = []
    for proc in [pid, *_children(pid)]:
        for line in Path(f"/proc/{proc}/status").read_text().splitlines():
            if line.startswith("VmHWM"):
                peaks.append(int(line.split()[1]) / 1024)
    return round(max(peaks, default=0.0), 1)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


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
    proc = None
    try:
        config = Config(str(ROOT / "alembic.ini"))
        config.attributes.update(database_url=url, configure_logger=False)
        await asyncio.to_thread(command.upgrade, config, "head")
        conn = await asyncpg.connect(
            user=base.username, host=base.host, port=base.port or 5432, database=name
        )
        started = time.perf_counter()
        filled = await fill(conn, n)
        filled["fill_seconds"] = round(time.perf_counter() - started, 1)
        # The seeker: an ordinary account, profile and request, through the app's own rules.
        settings = Settings(database_url=url)
        seeker = uuid.uuid4()
        await conn.execute(
            "INSERT INTO user_account VALUES "
            "($1, 'seeker@bench.kindred', 'Seeker', $2, 'peer', true, now())",
            seeker,
            hash_password(settings, PASSWORD),
        )
        await conn.execute(
            "INSERT INTO profile VALUES ($1, null, '[\"en\"]', 'Europe/London', $2, "
            "'[\"chat\", \"video\"]', '[]', null, null, now())",
            seeker,
            json.dumps([{"weekday": d, "start": "18:00", "end": "22:00"} for d in range(7)]),
        )
        popular = await conn.fetch(
            "SELECT tag_id FROM person_experience GROUP BY tag_id ORDER BY count(*) DESC LIMIT 40"
        )
        wanted = [popular[3]["tag_id"], popular[25]["tag_id"], popular[39]["tag_id"]]
        for tag in wanted:
            await conn.execute(
                "INSERT INTO person_experience VALUES ($1, $2, $3, 'going_through', true, null)",
                uuid.uuid4(),
                seeker,
                tag,
            )
        request_id = uuid.uuid4()
        await conn.execute(
            "INSERT INTO support_request VALUES ($1, $2, 'waiting', $3, '{}', now(), now())",
            request_id,
            seeker,
            json.dumps(wanted),
        )
        port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "ENVIRONMENT": "development",
            "LOG_LEVEL": "WARNING",
        }
        proc = subprocess.Popen(  # noqa: S603, ASYNC220 - the server under test, started once
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "api.main:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base_url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
            for _ in range(100):
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.2)
            token = (
                await client.post(
                    "/api/v1/auth/token",
                    data={"username": "seeker@bench.kindred", "password": PASSWORD},
                )
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            path = f"/api/v1/support-requests/{request_id}/shortlist"
            started = time.perf_counter()
            first = await client.get(path, headers=headers)
            warm = {"first_request_seconds": round(time.perf_counter() - started, 2)}
            top = first.json()
            # Freshness: another replica pauses the top candidate and fills the second's places.
            await conn.execute(
                "UPDATE supporter_offer SET paused = true, updated_at = now() WHERE user_id = $1",
                uuid.UUID(top[0]["supporter_id"]),
            )
            await conn.execute(
                "UPDATE supporter_offer SET active_count = capacity, "
                "updated_at = now() WHERE user_id = $1",
                uuid.UUID(top[1]["supporter_id"]),
            )
            after = [c["supporter_id"] for c in (await client.get(path, headers=headers)).json()]
            fresh = top[0]["supporter_id"] not in after and top[1]["supporter_id"] not in after
        # Every worker builds its own pool on its first shortlist (seconds at 100k). Which
        # worker takes a connection is up to the kernel, so warm up on a new connection each
        # time until 20 in a row are quick: then every worker has its pool.
        await _warm_every_worker(base_url + path, headers)
        _wrk(base_url + path, token, 8, 5)
        runs = []
        with Stolen() as stolen:
            for clients in (1, 4, 8):
                tries = sorted(
                    (_wrk(base_url + path, token, clients, seconds) for _ in range(repeat)),
                    key=lambda r: r["rps"],
                )
                runs.append({**tries[len(tries) // 2], "all_rps": [r["rps"] for r in tries]})
        rss = _rss_mib(proc.pid)
        return {
            "supporters": n,
            "workers": workers,
            **filled,
            **warm,
            "pause_and_capacity_respected_at_once": fresh,
            "runs": runs,
            "cpu_stolen_share": stolen.share,
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
    print(f"{'clients':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    for r in result["runs"]:
        print(
            f"{r['clients']:>8} {r['rps']:>8} {r['p50_ms']:>8} {r['p99_ms']:>8} {r['non_2xx']:>8}"
        )


if __name__ == "__main__":
    main()
