"""A database that can't be reached (restarting, failing over) is a 503 with Retry-After, not
a 500: nothing is wrong with the request, and it will work again in a moment. Found by the
reliability tests (tests/reliability/test_faults.py), which restart PostgreSQL under load."""

import socket
import uuid

import asyncpg
import httpx
import pytest
from sqlalchemy import text

from api.auth.tokens import mint_access_token
from api.main import create_app
from tests.personas import PASSWORD, token_for


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once it is closed


async def test_an_unreachable_database_is_a_503_problem_with_retry_after(settings) -> None:
    down = settings.model_copy(
        update={"database_url": f"postgresql://postgres@127.0.0.1:{_closed_port()}/kindred"}
    )
    app = create_app(down)
    token = mint_access_token(down, uuid.uuid4(), uuid.uuid4())
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
            me = await c.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            ready = await c.get("/readyz")
    finally:
        await app.state.engine.dispose()
    assert me.status_code == 503, me.text
    assert me.headers["content-type"] == "application/problem+json"
    assert me.headers["retry-after"] == "2"
    assert me.json()["type"] == "/problems/unavailable"
    assert ready.status_code == 503


@pytest.mark.postgres_only
async def test_a_lost_connection_is_a_503_and_the_next_request_has_a_new_one(
    settings, is_postgres
) -> None:
    """PostgreSQL ends a pooled connection (a restart, a failover, an administrator): the
    request that meets it is told to retry (503), and that connection is never handed out
    again, so the next request works. The session re-check goes straight to the driver
    (``api.db.fast_rows``); it must fail the way SQLAlchemy's own path does."""
    if not is_postgres:
        pytest.skip("PostgreSQL's connections; SQLite has none to lose")
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    email = f"lost.{uuid.uuid4().hex[:8]}@example.org"
    try:
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
            made = await c.post(
                "/api/v1/auth/signup",
                json={"email": email, "password": PASSWORD, "display_name": "Lou"},
            )
            assert made.status_code == 201, made.text
            headers = {"Authorization": f"Bearer {(await token_for(c, email))['access_token']}"}
            assert (await c.get("/api/v1/me", headers=headers)).status_code == 200
            # The one connection the requests used, back in the pool: PostgreSQL ends it.
            async with app.state.engine.connect() as conn:
                pid = await conn.scalar(text("SELECT pg_backend_pid()"))
            killer = await asyncpg.connect(settings.database_url)
            try:
                assert await killer.fetchval("SELECT pg_terminate_backend($1)", pid)
            finally:
                await killer.close()
            lost = await c.get("/api/v1/me", headers=headers)
            again = await c.get("/api/v1/me", headers=headers)
    finally:
        await app.state.engine.dispose()
    assert lost.status_code == 503, lost.text
    assert lost.headers["retry-after"] == "2"
    assert again.status_code == 200, again.text
