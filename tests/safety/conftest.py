from collections.abc import AsyncIterator

import httpx
import pytest


@pytest.fixture
async def other_client(app) -> AsyncIterator[httpx.AsyncClient]:
    """The other person's browser: its own cookie jar, the same app."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
        yield c
