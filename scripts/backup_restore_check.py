"""Back up Kindred's PostgreSQL database and prove the backup restores.

    DATABASE_URL=postgresql://… DATA_ENCRYPTION_KEY=… python -m scripts.backup_restore_check \
        [--dump kindred.pgdump] [--keep]

1. ``pg_dump --format=custom`` the database (to --dump, else a temporary file);
2. restore it with ``pg_restore`` into a fresh database beside it;
3. compare every table's row count, and the migration version, with the source;
4. open every sealed field in the restored copy with the configured key(s);
5. drop the restored copy (unless --keep) and print a JSON report (counts, never content).

Exits 0 when the backup restores completely, 1 otherwise. docs/operations.md explains when
to run it; tests/ops/test_backup_restore.py runs it against the local PostgreSQL.
"""

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL, make_url

from api.config import Settings, get_settings
from api.db import create_engine, create_sessionmaker
from api.tasks.rekey import check_sealed


@dataclass
class Report:
    source: str
    restored_into: str
    dump_bytes: int = 0
    tables: int = 0
    rows: int = 0
    mismatched_counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    migration_version: str | None = None
    migration_matches: bool = False
    sealed_opened: int = 0
    sealed_failed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.tables > 0
            and not self.mismatched_counts
            and self.migration_matches
            and not self.sealed_failed
        )


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _counts(conninfo: str) -> tuple[dict[str, int], str | None]:
    with psycopg.connect(conninfo) as conn:
        tables = [
            (schema, name)
            for schema, name in conn.execute(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_type = 'BASE TABLE' "
                "AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
            )
        ]
        counts = {}
        for schema, name in tables:
            query = sql.SQL("SELECT count(*) FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(name)
            )
            row = conn.execute(query).fetchone()
            counts[f"{schema}.{name}"] = int(row[0]) if row else 0
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return counts, (version[0] if version else None)


def _admin(url: URL) -> psycopg.Connection:
    return psycopg.connect(_libpq(url.set(database="postgres")), autocommit=True)


async def check(
    database_url: str, settings: Settings, *, dump: Path | None = None, keep: bool = False
) -> Report:
    """Dump `database_url`, restore it into a fresh database, and compare (see the module)."""
    source = make_url(database_url)
    if not source.get_backend_name().startswith("postgres"):
        raise SystemExit(
            "The backup check is for PostgreSQL (SQLite: copy the file while stopped)."
        )
    target = source.set(database=f"{source.database}_restore_{uuid.uuid4().hex[:8]}")
    report = Report(source=str(source.database), restored_into=str(target.database))
    env = {**os.environ, **({"PGPASSWORD": source.password} if source.password else {})}
    with tempfile.TemporaryDirectory() as scratch:
        path = dump or Path(scratch) / "kindred.pgdump"
        await asyncio.to_thread(
            subprocess.run,
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
             f"--file={path}", _libpq(source)],
            check=True, env=env, capture_output=True,
        )  # fmt: skip
        report.dump_bytes = path.stat().st_size
        with _admin(source) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.database)))
        try:
            await asyncio.to_thread(
                subprocess.run,
                [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                 f"--dbname={_libpq(target)}", str(path)],
                check=True, env=env, capture_output=True,
            )  # fmt: skip
            await _compare(report, source, target, settings)
        finally:
            if not keep:
                with _admin(source) as admin:
                    admin.execute(
                        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                            sql.Identifier(target.database)
                        )
                    )
    return report


async def _compare(report: Report, source: URL, target: URL, settings: Settings) -> None:
    before, version = await asyncio.to_thread(_counts, _libpq(source))
    after, restored_version = await asyncio.to_thread(_counts, _libpq(target))
    report.tables, report.rows = len(after), sum(after.values())
    report.mismatched_counts = {
        t: (before.get(t, -1), after.get(t, -1))
        for t in sorted(set(before) | set(after))
        if before.get(t) != after.get(t)
    }
    report.migration_version = restored_version
    report.migration_matches = version is not None and version == restored_version
    engine = create_engine(target.render_as_string(hide_password=False), pool_size=1)
    try:
        restored = settings.model_copy(update={"database_url": str(target)})
        async with create_sessionmaker(engine, restored)() as db:
            opened, failed = await check_sealed(db, settings)
        report.sealed_opened, report.sealed_failed = sum(opened.values()), failed
    finally:
        await engine.dispose()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.backup_restore_check")
    parser.add_argument("--database-url", default=None, help="default: DATABASE_URL")
    parser.add_argument("--dump", type=Path, default=None, help="keep the dump at this path")
    parser.add_argument("--keep", action="store_true", help="keep the restored database")
    args = parser.parse_args(argv)
    settings = get_settings()
    report = asyncio.run(
        check(args.database_url or settings.database_url, settings, dump=args.dump, keep=args.keep)
    )
    print(json.dumps({**asdict(report), "ok": report.ok}, indent=2))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
