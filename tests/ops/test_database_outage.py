"""A database that can't be reached (restarting, failing over) is a 503 with Retry-After, not
a 500: nothing is wrong with the request, and it will work again in a moment. Found by the
reliability tests (tests/reliability/test_faults.py), which restart PostgreSQL under load."""

import socket
import uuid

import httpx

from api.auth.tokens import mint_access_token
from api.main import create_app


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
