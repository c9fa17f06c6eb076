"""Small helpers shared by the benchmarks: timing, tables, JSON results, machine context."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import resource
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
from alembic.config import Config
from sqlalchemy.engine import make_url

from alembic import command

RESULTS = Path(__file__).resolve().parent / "results"


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def context() -> dict[str, Any]:
    """Where and when the figures were taken; the load average says how shared the cores were."""
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "loadavg_1m": round(os.getloadavg()[0], 2),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


class Timer:
    """Wall and CPU seconds of a block (CPU time is less disturbed by neighbours)."""

    def __enter__(self) -> Timer:
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.process_time() - self.cpu0


class Stolen:
    """Share of the machine's CPU time the hypervisor gave to others while a block ran.

    On a shared virtual machine this can be half of it, and every figure measured meanwhile is
    slower by as much: a result carries it so that runs can be compared (``/proc/stat``).
    """

    share: float = 0.0

    @staticmethod
    def _ticks() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        user, nice, system, _idle, _iowait, irq, softirq, steal = fields
        return user + nice + system + irq + softirq, steal

    def __enter__(self) -> Stolen:
        self.busy0, self.steal0 = self._ticks()
        return self

    def __exit__(self, *exc: object) -> None:
        busy, steal = self._ticks()
        stolen = steal - self.steal0
        self.share = round(stolen / max(1, busy - self.busy0 + stolen), 3)


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain fixed-width table."""
    cells = [[str(h) for h in header]] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [title, "  ".join(h.ljust(w) for h, w in zip(cells[0], widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        lines.append("  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)))
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def write_results(name: str, payload: dict[str, Any]) -> Path:
    """Write ``bench/results/<name>.json`` (git-ignored) and return its path."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"context": context(), **payload}, indent=2) + "\n")
    return path


@asynccontextmanager
async def migrated_database(root: Path) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """A PostgreSQL database of the run's own on ``BENCH_DATABASE_URL`` (default the local
    server), built by the migrations; yields its URL and asyncpg connect arguments (add
    ``database=``), and drops it afterwards."""
    server = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    base = make_url(server)
    name = f"kindred_bench_{uuid.uuid4().hex[:8]}"
    connect: dict[str, Any] = {"user": base.username, "host": base.host, "port": base.port or 5432}
    admin = await asyncpg.connect(database=base.database, **connect)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = base.set(database=name).render_as_string(hide_password=False)
        config = Config(str(root / "alembic.ini"))
        config.attributes.update(database_url=url, configure_logger=False)
        await asyncio.to_thread(command.upgrade, config, "head")
        yield url, {**connect, "database": name}
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def add_coordinator(conn: asyncpg.Connection) -> uuid.UUID:
    """One coordinator account for the benchmark to act as."""
    coordinator = uuid.uuid4()
    await conn.execute(
        "INSERT INTO user_account VALUES ($1, 'c@bench.kindred', 'C', 'x', 'coordinator', "
        "true, now())",
        coordinator,
    )
    return coordinator
