"""The processes the reliability tests run: API replicas (separate uvicorn servers on one
database, as replicas would be), the job worker, and a private PostgreSQL cluster that a test
may restart without touching the shared server."""

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from api.config import Settings

ROOT = Path(__file__).resolve().parents[2]
# Short webhook schedules: a first attempt within a second of the change, retries soon after.
WEBHOOK_ENV = {
    "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true",
    "WEBHOOK_SWEEP_SECONDS": "1",
    "WEBHOOK_RETRY_SCHEDULE": "[0, 0.5, 1, 2, 4, 8, 8, 8]",
    "WEBHOOK_TIMEOUT_SECONDS": "3",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(settings: Settings, database_url: str | None = None) -> dict[str, str]:
    """The environment a replica or worker reads its settings from: the test run's secrets (so
    the tokens the tests mint are valid everywhere), its database, the matching index's own
    defaults (the sync interval is what the freshness test is about)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KINDRED_")}
    env.update(
        DATABASE_URL=database_url or settings.database_url,
        ENVIRONMENT="test",
        SECRET_KEY=settings.secret_key.get_secret_value(),
        DATA_ENCRYPTION_KEY=settings.data_encryption_key.get_secret_value(),
        # Four connections (and four more at a peak) per process: three replicas and a worker
        # stay well inside a shared server's max_connections.
        DATABASE_POOL_SIZE="4",
        PYTHONPATH=str(ROOT),
        **WEBHOOK_ENV,
    )
    return env


@dataclass
class Process:
    """One of our processes, with its output in a log file (read it when a test fails)."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen | None = None
    starts: int = 0

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(  # noqa: S603 - our own server under test
                self.argv,
                env=self.env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, connections dropped mid-transaction."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.kill()

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class Replica(Process):
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def wait_ready(self, within: float = 90.0) -> None:
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(base_url=self.url, timeout=5) as client:
            while time.monotonic() < deadline:
                if self.proc is not None and self.proc.poll() is not None:
                    raise AssertionError(f"{self.name} exited:\n{self.tail()}")
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        raise AssertionError(f"{self.name} was not ready within {within} s:\n{self.tail()}")


def replica(name: str, env: dict[str, str], logs: Path) -> Replica:
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "api.main:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
        # Longer than any client here stays idle between two requests on one connection (as
        # behind a proxy): otherwise a request sent just as the server closes an idle
        # connection gets no answer, a race of keep-alive itself, not of the app.
        "--timeout-keep-alive",
        "75",
    ]
    return Replica(name, argv, env, logs / f"{name}.log", port=port)


def job_worker(env: dict[str, str], logs: Path) -> Process:
    argv = [sys.executable, "-m", "api.tasks", "worker", "--concurrency", "4"]
    return Process("worker", argv, env, logs / "worker.log")


@dataclass
class Cluster:
    replicas: list[Replica]
    extra: list[Process] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        return [r.url for r in self.replicas]

    async def start(self) -> None:
        for process in [*self.replicas, *self.extra]:
            process.start()
        await asyncio.gather(*(r.wait_ready() for r in self.replicas))

    def stop(self) -> None:
        for process in [*self.replicas, *self.extra]:
            process.stop()


# ---- a private PostgreSQL --------------------------------------------------------------------


class NoPrivateCluster(Exception):
    """Why a private PostgreSQL cluster can't be started here (the test skips, saying so)."""


def _bindir() -> Path:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    raise NoPrivateCluster("initdb and pg_ctl were not found (/usr/lib/postgresql/*/bin, PATH)")


class PrivateCluster:
    """``initdb`` + ``pg_ctl`` on a free port under a temporary directory. As root (CI, this
    machine) the server runs as the ``postgres`` OS user through ``runuser``: PostgreSQL
    refuses to run as root."""

    def __init__(self) -> None:
        self.bin = _bindir()
        self.port = free_port()
        self.prefix: list[str] = []
        self.home = Path(tempfile.mkdtemp(prefix="kindred-pg-"))
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if runuser is None:
                raise NoPrivateCluster("running as root, and runuser is not installed")
            try:
                import pwd

                owner = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise NoPrivateCluster("running as root, and there is no postgres user") from exc
            os.chmod(self.home, 0o700)
            os.chown(self.home, owner.pw_uid, owner.pw_gid)
            self.prefix = [runuser, "-u", "postgres", "--"]
        self.data = self.home / "data"
        self.logfile = self.home / "server.log"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - PostgreSQL's own tools, our arguments
            [*self.prefix, *argv], capture_output=True, text=True, check=check, timeout=120
        )

    def init(self) -> None:
        try:
            self._run(
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            )
        except subprocess.CalledProcessError as exc:
            raise NoPrivateCluster(f"initdb failed: {exc.stderr.strip()[-300:]}") from exc
        self.start()

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.home} -c fsync=off"
            " -c max_connections=100"
        )
        done = self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.logfile),
            "-w",
            "start",
            check=False,
        )
        if done.returncode:
            raise NoPrivateCluster(f"pg_ctl start failed: {done.stderr.strip()[-300:]}")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop", check=False
        )
        shutil.rmtree(self.home, ignore_errors=True)
