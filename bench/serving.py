"""Serving the app under test and driving it with wrk, for the HTTP benchmarks."""

import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wrk(url: str, token: str, clients: int, seconds: int) -> dict:
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


async def warm_every_worker(url: str, headers: dict, quick: float = 0.1) -> None:
    in_a_row, deadline = 0, time.monotonic() + 300
    while in_a_row < 20:
        if time.monotonic() > deadline:
            raise SystemExit("the workers did not warm up within 5 minutes")
        async with httpx.AsyncClient(timeout=120) as fresh:  # a new connection each time
            started = time.perf_counter()
            (await fresh.get(url, headers=headers)).raise_for_status()
        in_a_row = in_a_row + 1 if time.perf_counter() - started < quick else 0


def rss_mib(pid: int) -> float:
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


def start_server(database_url: str, workers: int, root: Path) -> tuple[subprocess.Popen, str]:
    """The app under uvicorn in a subprocess on a free port: (process, base URL)."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ENVIRONMENT": "development",
        "LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen(  # noqa: S603 - the server under test, started once
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
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return proc, f"http://127.0.0.1:{port}"


async def wait_healthy(client: httpx.AsyncClient) -> None:
    """Until the server answers its health check (20 s at most, as before)."""
    for _ in range(100):
        try:
            if (await client.get("/healthz")).status_code == 200:
                break
        except httpx.TransportError:
            await asyncio.sleep(0.2)
