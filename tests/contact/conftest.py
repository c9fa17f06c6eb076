"""Other people's browsers for the contact page tests, and the real server for Chromium."""

from collections.abc import AsyncIterator

import httpx
import pytest

# The PWA served by uvicorn for Chromium: tests/web owns it; reused here, not copied.
from tests.web.conftest import live_server

__all__ = ["live_server"]


@pytest.fixture
async def other_browser(app) -> AsyncIterator[httpx.AsyncClient]:
    """A second person's browser: its own cookie jar, the same app."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
        yield c
