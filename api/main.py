"""create_app(): the JSON API at /api/v1, the PWA, error handlers, static files."""

import contextlib
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from sqlalchemy.ext.asyncio import AsyncEngine

from api.admin.routes import router as admin_router
from api.auth.address_routes import router as address_router
from api.auth.routes import router as auth_router
from api.auth.second_factor_routes import router as second_factor_router
from api.clients.routes import router as clients_router
from api.clients.token_routes import router as token_router
from api.config import Settings, get_settings
from api.contact.account_routes import router as contact_account_router
from api.contact.routes import router as contact_router
from api.coordination.routes import router as coordination_router
from api.db import create_engine, create_sessionmaker
from api.errors import problem_response_docs
from api.evidence.routes import router as evidence_router
from api.handlers import install_error_handlers
from api.idempotency.middleware import IdempotencyMiddleware
from api.integrations import audience
from api.integrations.routes import router as integrations_router
from api.integrations.webhook_routes import router as integrations_webhooks_router
from api.logs import configure_logging
from api.mail.catcher import catching
from api.matching.index import MatchingIndex
from api.matching.routes import router as matching_router
from api.matching.scoring import Weights
from api.middleware import RequestContextMiddleware, SecurityHeadersMiddleware
from api.moderation.routes import router as moderation_router
from api.notices.routes import router as notices_router
from api.openapi import document
from api.ops import migration_heads
from api.ops import router as ops_router
from api.privacy.routes import router as privacy_router
from api.profiles.routes import router as profiles_router
from api.relationships.routes import router as relationships_router
from api.safety.routes import router as safety_router
from api.screening.routes import router as screening_router
from api.supporters.routes import router as supporters_router
from api.tasks.worker import worker

API_PREFIX = "/api/v1"

DESCRIPTION = """
Kindred arranges one-to-one peer support: matching on shared lived experience,
boundaries both people agree to, and explicit endings.

Authenticate with `POST /api/v1/auth/token` (OAuth2 password form) and send
`Authorization: Bearer <access_token>`. Integrators use the client-credentials grant at the
same endpoint, and a token carrying the scopes each of their routes names
(docs/integrations.md). Every error is RFC 9457 `application/problem+json`.
"""


def api_router() -> APIRouter:
    """Every API route. FastAPI finds a request's route by trying each in turn (~4 µs each
    here), so the routers people use most come first: a relationship's routes were 157
    tries away at the end. No two routers' paths overlap (tests/ops/test_routing.py), so
    the order changes no answer."""
    router = APIRouter(prefix=API_PREFIX, responses=problem_response_docs(400, 401, 403, 404, 422))
    router.include_router(relationships_router)
    router.include_router(contact_router)
    router.include_router(supporters_router)
    router.include_router(matching_router)
    router.include_router(notices_router)
    router.include_router(token_router)
    router.include_router(auth_router)
    router.include_router(coordination_router)
    router.include_router(second_factor_router)
    router.include_router(admin_router)
    router.include_router(address_router)
    router.include_router(clients_router)
    router.include_router(evidence_router)
    router.include_router(integrations_router)
    router.include_router(integrations_webhooks_router)
    router.include_router(screening_router)
    router.include_router(profiles_router)
    router.include_router(safety_router)
    router.include_router(moderation_router)
    router.include_router(privacy_router)
    router.include_router(contact_account_router)
    return router


def create_app(settings: Settings | None = None, engine: AsyncEngine | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging()
    engine = engine or create_engine(settings.database_url, settings.database_pool_size)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Everything built so far (modules, routes, schemas: ~100,000 objects) lives as long
        # as the process. Left to the cyclic collector, each full collection walks all of it
        # (~80 ms here) in the middle of someone's request; frozen, it is never walked again.
        gc.collect()
        gc.freeze()
        async with contextlib.AsyncExitStack() as stack:
            if settings.mail_catcher:  # `make run`: e-mails stay on this machine (/dev/mail)
                stack.enter_context(
                    catching(
                        settings.smtp_host, settings.smtp_port, Path(settings.mail_catcher_dir)
                    )
                )
            if settings.run_worker:  # `make run`; docker-compose runs workers on their own
                await stack.enter_async_context(
                    worker(
                        settings,
                        sessionmaker=app.state.sessionmaker,
                        name="in-process",
                        may_hear=audience.may_hear,
                        tell=audience.tell,
                    )
                )
            yield
        await engine.dispose()

    app = FastAPI(
        title=settings.service_name,
        version="1.0.0",
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine, settings)
    app.state.migration_heads = migration_heads()
    # Derived from the database and re-synced on every query; see api/matching/index.py.
    app.state.matching_index = MatchingIndex(
        settings.matching_rebuild_seconds,
        settings.matching_sync_seconds,
        settings,
        Weights(**settings.matching_weights),
    )

    install_error_handlers(app)
    app.include_router(ops_router)
    app.include_router(api_router())

    from web import mount_web  # the PWA is a client of the same domain services

    mount_web(app)
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.hsts)
    app.add_middleware(RequestContextMiddleware)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """OpenAPI with the API's conventions written in (api/openapi.py)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    app.openapi_schema = document(schema)
    return app.openapi_schema
