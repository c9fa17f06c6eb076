"""Liveness and readiness probes, and the metrics Prometheus scrapes."""

import os
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Gauge,
    generate_latest,
    multiprocess,
)
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.common import utcnow
from api.errors import NotFound

router = APIRouter(tags=["operations"])
ROOT = Path(__file__).resolve().parent.parent
JOB_STATES = ("todo", "doing", "failed")


def migration_heads() -> set[str]:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    return set(ScriptDirectory.from_config(config).get_heads())


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """The database answers and its schema is at the migrations' head."""
    try:
        async with request.app.state.engine.connect() as conn:
            current = set(
                (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars()
            )
    except Exception as exc:  # any database failure means "not ready"
        return JSONResponse(
            {"status": "unavailable", "reason": type(exc).__name__}, status_code=503
        )
    heads = request.app.state.migration_heads
    if current != heads:
        return JSONResponse(
            {"status": "migrating", "database": sorted(current), "code": sorted(heads)}, 503
        )
    return JSONResponse({"status": "ready"})


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Prometheus text: requests by route template, the job queue, the matching index's age.

    Never personal data: labels are route templates, methods, statuses and job states. Off
    unless METRICS_ENABLED; never answered through the proxy (docs/scaling.md)."""
    state = request.app.state
    if not state.settings.metrics_enabled or "x-forwarded-for" in request.headers:
        raise NotFound("There is nothing here.")
    scrape = CollectorRegistry()
    jobs = Gauge("kindred_jobs", "Jobs on the queue by state", ["status"], registry=scrape)
    for status, count in (await _jobs(state.engine)).items():
        jobs.labels(status).set(count)
    age = Gauge(
        "kindred_matching_index_age_seconds",
        "Seconds since this process's matching pool was built (absent before the first)",
        registry=scrape,
    )
    snapshot = getattr(state.matching_index, "snapshot", None)
    if snapshot is not None:
        age.set((utcnow() - snapshot.built_at).total_seconds())
    body = generate_latest(_requests_registry()) + generate_latest(scrape)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def _requests_registry() -> CollectorRegistry:
    """This process's counters; with PROMETHEUS_MULTIPROC_DIR set, every worker's together."""
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


async def _jobs(engine: AsyncEngine) -> dict[str, int]:
    """Jobs waiting, running and failed (PostgreSQL's queue; SQLite's lives in memory)."""
    found = dict.fromkeys(JOB_STATES, 0)
    if engine.dialect.name != "postgresql":
        return found
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT status::text, count(*) FROM procrastinate_jobs"
                " WHERE status IN ('todo', 'doing', 'failed') GROUP BY status"
            )
        )
        found.update({status: int(count) for status, count in rows.all()})
    return found
