"""The console's browser test uses the PWA's real server; page tests use a second browser."""

from tests.web.conftest import live_server, other_client

__all__ = ["live_server", "other_client"]
